/**
 * Line numbers in import reports are the physical lines of the CSV file (from 1, the header
 * counted), whatever DuckDB's reader skips: blank lines (at the start, in the middle, several in a
 * row, at the end), CRLF or CR line breaks, lines before the header, comment lines; a row with a
 * quoted line break is named by the line it starts on. Checked on real files, through importFile,
 * the line scanner itself and the CLI's output.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../src/cli/main.js';
import { DataError } from '../../src/data/errors.js';
import { importFile, ImportRejected, type ImportOptions } from '../../src/data/import.js';
import { csvRowNumbering, scanRecordLines, type CsvDialect } from '../../src/data/lines.js';
import { type DataStore } from '../../src/store/store.js';
import { openStore } from '../../src/schema/registry.js';
import { type Problem } from '../../src/data/validate.js';
import { count, failure, tempDir, writeFile } from './helpers.js';

let dir: string;
let store: DataStore;
let seq = 0;

beforeAll(async () => {
    dir = tempDir('af-import-lines-');
    store = await openStore({ stateDir: join(dir, 'state') });
});
afterAll(() => store.close());

const H = 'date,open,high,low,close,volume';
/** A valid daily bar of 2024-01-<day>; volume -1 makes it a negative-volume row. */
const bar = (day: number, volume = 1000): string => `2024-01-${String(day).padStart(2, '0')},${99.5 + day},${101 + day},${99 + day},${100 + day},${volume}`;
const bad = (day: number): string => bar(day, -1);

const opts = (extra: Partial<ImportOptions> = {}): ImportOptions => ({ venue: 'test', symbol: `L${++seq}`, timeframe: '1d', ...extra });
const file = (lines: readonly string[], eol = '\n', name = `f${++seq}.csv`): string => writeFile(dir, name, lines.join(eol));

async function rejected(p: Promise<unknown>): Promise<ImportRejected> {
    const e = await failure(p);
    expect(e).toBeInstanceOf(ImportRejected);
    return e as ImportRejected;
}
/** code → the reported rows, for every problem. */
const rowsByCode = (problems: readonly Problem[]): Record<string, readonly number[]> => Object.fromEntries(problems.map(p => [p.code, p.rows]));
const problem = (problems: readonly Problem[], code: string): Problem => problems.find(p => p.code === code) ?? expect.unreachable(`no ${code}`);

describe('blank lines and line breaks', () => {
    // Each file's lines are listed as written, so the expected numbers can be counted off by eye.
    // A dropped negative-volume row leaves a one-day gap, reported at the next bar: both classes are checked.
    it.each<[string, string[], string, Record<string, number[]>]>([
        ['blank lines before the header', ['', '', H, bar(1), bar(2), bad(3), bar(4), ''], '\n',
            { 'negative-volume': [6], gap: [7] }],
        ['one blank line before the bad row', [H, bar(1), '', bad(2), bar(3), ''], '\n',
            { 'negative-volume': [4], gap: [5] }],
        ['several blank lines in a row, twice', [H, bar(1), '', '', '', bad(2), bar(3), '', bad(4), bar(5), ''], '\n',
            { 'negative-volume': [6, 9], gap: [7, 10] }],
        ['blank lines at the end', [H, bar(1), bar(2), '', bad(3), '', '', '', ''], '\n',
            { 'negative-volume': [5] }],
        ['blank lines everywhere', ['', H, '', bar(1), '', '', bad(2), '', bar(3), bad(4), '', '', bar(5), '', ''], '\n',
            { 'negative-volume': [7, 10], gap: [9, 13] }],
        ['CRLF', [H, bar(1), '', '', bad(2), bar(3), ''], '\r\n',
            { 'negative-volume': [5], gap: [6] }],
        ['CRLF, blank lines before the header and at the end', ['', H, bar(1), '', bad(2), bar(3), '', '', ''], '\r\n',
            { 'negative-volume': [5], gap: [6] }],
        ['CRLF, no line break after the last line', [H, bar(1), '', bar(2), '', bad(3)], '\r\n',
            { 'negative-volume': [6] }],
        ['CR line breaks', [H, bar(1), '', bad(2), bar(3), ''], '\r',
            { 'negative-volume': [4], gap: [5] }],
        ['no blank lines (line = row + 1)', [H, bar(1), bad(2), bar(3), bad(4), bar(5), ''], '\n',
            { 'negative-volume': [3, 5], gap: [4, 6] }],
    ])('%s', async (_name, lines, eol, want) => {
        const f = file(lines, eol);
        const e = await rejected(importFile(store, f, opts()));
        expect(rowsByCode(e.problems)).toEqual(want);
        const nv = want['negative-volume']!;
        expect(problem(e.problems, 'negative-volume').examples).toEqual(nv.map(l => expect.stringMatching(new RegExp(`^line ${l} \\[2024-01-\\d\\d\\] volume=-1$`))));
        expect(e.message).toContain(`${nv.length} × volume < 0 (first at line ${nv[0]})`);
        if (want.gap) {
            expect(e.message).toContain(`(first at line ${want.gap[0]})`);
            expect(problem(e.problems, 'gap').examples[0]).toMatch(new RegExp(`^line ${want.gap[0]} \\[`));
        }
    });

    it('bad timestamps, duplicates and unsorted rows after blank lines', async () => {
        const f = file([H, '', bar(1), '', 'not-a-date,1,2,0.5,1.5,10', '', '', bar(2), bar(3), bar(2), '', bar(4), bar(3), bar(5), '']);
        const e = await rejected(importFile(store, f, opts()));
        expect(problem(e.problems, 'bad-ts')).toMatchObject({ count: 1, rows: [5], examples: ['line 5 [not-a-date]'] });
        // 2024-01-02 on lines 8 and 10, 2024-01-03 on lines 9 and 13: the earlier of each is reported, naming the kept line.
        expect(problem(e.problems, 'duplicate-ts')).toMatchObject({
            count: 2, rows: [8, 9], examples: ['line 8 [2024-01-02] repeated at line 10', 'line 9 [2024-01-03] repeated at line 13'],
        });
        expect(problem(e.problems, 'unsorted')).toMatchObject({
            count: 2, rows: [10, 13], examples: ['line 10 [2024-01-02] after [2024-01-03]', 'line 13 [2024-01-03] after [2024-01-04]'],
        });
        expect(e.message).toContain('1 × missing or unparseable timestamp (first at line 5)');
        expect(e.message).toContain('(first at line 8)');
        expect(e.message).toContain('(first at line 10)');
    });

    it('a repaired import reports what it dropped and the gaps it kept by line too, and logs that report', async () => {
        const o = opts({ repair: true, allowGaps: true });
        const f = file(['', H, '', bar(1), bad(2), '', '', bar(3), bar(4), '', bad(5), bar(6), '']);
        const r = await importFile(store, f, o);
        expect(r).toMatchObject({ rowsIn: 6, rowsWritten: 4, rowsDropped: 2 });
        expect(problem(r.problems, 'negative-volume')).toMatchObject({ severity: 'error', rows: [5, 11] });
        expect(problem(r.problems, 'gap')).toMatchObject({ severity: 'warning', rows: [8, 12], examples: ['line 8 [2024-01-03]: 1 missing after 2024-01-01', 'line 12 [2024-01-06]: 1 missing after 2024-01-04'] });
        const logged = JSON.parse(String(await store.scalar(`SELECT report FROM imports WHERE symbol = '${o.symbol}'`))) as Problem[];
        expect(logged).toEqual(r.problems);
    });

    it('a clean file with blank lines imports every row and reports nothing', async () => {
        const o = opts();
        const r = await importFile(store, file(['', H, bar(1), '', '', bar(2), bar(3), '', ''], '\r\n'), o);
        expect(r).toMatchObject({ rowsIn: 3, rowsWritten: 3, problems: [] });
        expect(await count(store, `bars WHERE symbol = '${o.symbol}'`)).toBe(3);
    });
});

describe('what else the reader skips or joins', () => {
    it('lines before the header', async () => {
        const e = await rejected(importFile(store, file(['Exported by a terminal', 'symbol: BTC', H, bar(1), bar(2), '', bad(3), bar(4), '']), opts()));
        expect(rowsByCode(e.problems)).toEqual({ 'negative-volume': [7], gap: [8] });
    });

    it('no comment lines: a line starting with # is a problem at its line, never silently dropped', async () => {
        // DuckDB would guess '#' as a comment character and drop such lines (a data row included).
        await expect(importFile(store, file([H, bar(1), '# a note', bar(2), '']), opts())).rejects.toThrow(/malformed CSV: line 3 has 1 fields but the header \(line 1\) has 6; fix that line and import again/);
        const e = await rejected(importFile(store, file([H, bar(1), `#${bar(2)}`, '', bar(3), '']), opts()));
        expect(rowsByCode(e.problems)['bad-ts']).toEqual([3]);
    });

    it('a quoted field with line breaks: the row is named by the line it starts on', async () => {
        const f = file([`${H},comment`, `${bar(1)},"two`, 'lines"', `${bar(2)},plain`, `${bad(3)},"three`, '', 'lines"', `${bar(4)},""""`, '']);
        const e = await rejected(importFile(store, f, opts()));
        expect(rowsByCode(e.problems)).toEqual({ 'negative-volume': [5], gap: [8] });
        expect(problem(e.problems, 'negative-volume').examples).toEqual(['line 5 [2024-01-03] volume=-1']);
    });

    it('Parquet files have no lines: rows are numbered from 1 (unchanged)', async () => {
        const pq = join(dir, 'rows.parquet');
        await store.run(`COPY (SELECT TIMESTAMP '2024-01-01' + INTERVAL (i) DAY AS ts, 10.0 AS open, 11.0 AS high, 9.0 AS low, 10.0 AS close,
            CASE WHEN i = 2 THEN -1 ELSE 5 END AS volume FROM range(4) t(i)) TO '${pq}' (FORMAT parquet)`);
        const e = await rejected(importFile(store, pq, opts()));
        expect(problem(e.problems, 'negative-volume')).toMatchObject({ rows: [3], examples: ['row 3 [2024-01-03 00:00:00] volume=-1'] });
        expect(e.message).toContain('(first at row 3)');
    });
});

describe('malformed CSV names the physical line', () => {
    const malformed = async (lines: string[]): Promise<string> => {
        const f = file(lines);
        const e = await failure(importFile(store, f, opts()));
        expect(e).toBeInstanceOf(DataError);
        expect(e.message.startsWith(`${f}: malformed CSV: `)).toBe(true);
        return e.message.slice(`${f}: malformed CSV: `.length);
    };

    it('after blank lines before the header and in the middle', async () => {
        expect(await malformed(['', '', H, bar(1), bar(2), `${bar(3)},7,8`, bar(4), ''])).toBe('line 6 has 8 fields but the header (line 3) has 6; fix that line and import again');
        expect(await malformed([H, bar(1), '', '', bar(2), `${bar(3)},7,8`, bar(4), ''])).toBe('line 6 has 8 fields but the header (line 1) has 6; fix that line and import again');
    });

    it('a line of spaces is not blank to the reader: it is the malformed line', async () => {
        expect(await malformed([H, bar(1), bar(2), '   ', bar(3), bar(4), ''])).toBe('line 4 has 1 fields but the header (line 1) has 6; fix that line and import again');
    });

    it('a row with a quoted line break is one row', async () => {
        expect(await malformed([`${H},comment`, `${bar(1)},"a`, 'b"', `${bar(2)},x`, bar(3), `${bar(4)},y`, ''])).toBe('line 5 has 6 fields but the header (line 1) has 7; fix that line and import again');
    });
});

describe('the line scanner', () => {
    const LF: CsvDialect = { skipRows: 0, quote: 34, newline: 'lf' };
    const scan = async (text: string, wanted: number[], d: CsvDialect = LF): Promise<[number, [number, number][]]> => {
        const r = await scanRecordLines(writeFile(dir, `scan${++seq}.csv`, text), d, wanted);
        return [r.rows, [...r.lines].sort((a, b) => a[0] - b[0])];
    };

    it('follows an escape character inside quotes', async () => {
        // With \ as the escape, \" does not end the field: its line break belongs to row 1.
        expect(await scan('h,c\n1,"a\\"\nb"\n2,x\n', [1, 2], { ...LF, escape: 92 })).toEqual([2, [[1, 2], [2, 4]]]);
        // With "" (the default), a doubled quote does not end it either.
        expect(await scan('h,c\n1,"a""\nb"\n2,x\n', [1, 2])).toEqual([2, [[1, 2], [2, 4]]]);
    });

    it('reads across its 1 MiB chunks: a quoted line break and a blank line at the boundary', async () => {
        const lines = ['h,c'];
        let bytes = 3;
        while (bytes < (1 << 20) - 100) {
            lines.push(`${lines.length},x`);
            bytes += lines.at(-1)!.length + 1;
        }
        // Padding so that the quoted row starts 5 bytes before 1 MiB: the chunk ends with 'q,"a\n', the next begins inside the quotes.
        lines.push(`p,${'x'.repeat((1 << 20) - 6 - bytes - 3)}`);
        const quotedAt = lines.length + 1;
        expect(lines.join('\n').length + 1 + 'q,"a\n'.length).toBe(1 << 20);
        lines.push('q,"a', '', 'b"', '', 'r,after');
        for (let i = 0; i < 1000; i++) lines.push(`${i},y`);
        const rows = quotedAt - 2 + 1002; // rows before the quoted one, it, 'r,after' and the 1000 after
        const [n, found] = await scan(lines.join('\n') + '\n', [quotedAt - 2, quotedAt - 1, quotedAt, rows]);
        expect(n).toBe(rows);
        expect(found).toEqual([[quotedAt - 2, quotedAt - 1], [quotedAt - 1, quotedAt], [quotedAt, quotedAt + 4], [rows, lines.length]]);
    });

    it('names rows, not lines, when its count differs from the reader\'s', async () => {
        const f = file([H, '', bar(1), bar(2), '']);
        expect((await csvRowNumbering(store, f, [2], 2)).of(2)).toBe(4);
        const fallback = await csvRowNumbering(store, f, [2], 3);
        expect(fallback.label).toBe('row');
        expect(fallback.of(2)).toBe(2);
    });
});

describe('af data import prints the lines', () => {
    it('in the report and the error, as text and as JSON', async () => {
        const f = file(['', H, bar(1), '', '', bad(2), bar(3), '', ''], '\r\n', 'cli.csv');
        const argv = ['data', 'import', f, '--venue', 'test', '--symbol', 'cli', '--timeframe', '1d', '--state-dir', join(dir, 'cli-state')];
        let out = '', err = '';
        const code = await run(argv, s => { out += s; }, s => { err += s; });
        expect(code).toBe(3); // rejected input, not a usage error (docs/cli.md)
        expect(out).toBe(`${f}: problems found\n`
            + '  error   negative-volume: 1 × volume < 0 (--repair: drop)\n'
            + '            line 6 [2024-01-02] volume=-1\n'
            + '  error   gap: 1 × missing 1d bars: 1 bar missing in all\n'
            + '            line 7 [2024-01-03]: 1 missing after 2024-01-01\n');
        expect(err).toBe(`af: ${f}: import rejected: 1 × volume < 0 (first at line 6); 1 × missing 1d bars (first at line 7); `
            + 're-run with --allow-gaps to import with the gaps (missing bars are never invented; the loader leaves NaN there), and --repair to drop the invalid rows\n');

        let json = '';
        expect(await run([...argv, '--json'], s => { json += s; }, () => undefined)).toBe(3);
        // One JSON document: the error, with the report's problems in it.
        const report = JSON.parse(json) as { error: { code: string; message: string; problems: Problem[] } };
        expect(report.error.code).toBe('rejected');
        expect(report.error.message).toMatch(/import rejected/);
        expect(rowsByCode(report.error.problems)).toEqual({ 'negative-volume': [6], gap: [7] });
    });
});
