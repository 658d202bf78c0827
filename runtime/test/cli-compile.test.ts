/**
 * `af compile` and `af fingerprint`, run in-process through `run()`.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { run } from '../src/cli/main.js';

async function af(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
    let out = '', err = '';
    const code = await run(argv, s => { out += s; }, s => { err += s; });
    return { code, out, err };
}

const dir = mkdtempSync(join(tmpdir(), 'af-compile-'));
const file = (name: string, text: string): string => {
    const p = join(dir, name);
    writeFileSync(p, text);
    return p;
};
const SMA = readFileSync('examples/sma-cross.af', 'utf8');

describe('af compile', () => {
    it('prints the IR as JSON by default', async () => {
        const r = await af('compile', 'examples/sma-cross.af');
        expect(r.code).toBe(0);
        const ir = JSON.parse(r.out) as { irVersion: number; strategy: string; features: Record<string, number>; nodes: unknown[] };
        expect(ir).toMatchObject({ irVersion: 1, strategy: 'SmaCross' });
        expect(Object.keys(ir.features)).toEqual(['fastMa', 'slowMa']);
        expect((await af('compile', 'examples/sma-cross.af', '--ir')).out).toBe(r.out);
    });

    it('prints the canonical DAG (no names) and Graphviz dot (names as annotations)', async () => {
        const dag = await af('compile', 'examples/sma-cross.af', '--dag');
        expect(dag.code).toBe(0);
        expect(JSON.parse(dag.out)).toMatchObject({ dagVersion: 1, mode: 'exact' });
        expect(dag.out).not.toMatch(/fastMa|"name": "fast"/);
        const dot = await af('compile', 'examples/sma-cross.af', '--dot');
        expect(dot.code).toBe(0);
        expect(dot.out).toMatch(/^digraph "SmaCross" \{/);
        expect(dot.out).toContain('sma()');
        expect(dot.out).toContain('«fastMa»');
        expect(dot.out).toMatch(/n\d+ -> s\d+ \[label="when"\]/);
        expect(dot.out.trim().endsWith('}')).toBe(true);
    });

    it('prints compile errors as file:line:col code message and exits 1', async () => {
        const bad = file('bad.af', SMA.replace('feature fastMa = sma(close, fast)', 'feature fastMa = sma(close, fast) + 2%'));
        const r = await af('compile', bad);
        expect(r.code).toBe(1);
        const lines = r.out.trim().split('\n');
        expect(lines[0]).toMatch(/bad\.af:\d+:\d+ AF202 /);
        expect(lines.at(-1)).toMatch(/1 error; nothing compiled$/);
        const syntax = await af('compile', file('syntax.af', 'strategy {'));
        expect(syntax.code).toBe(1);
        expect(syntax.out).toMatch(/syntax\.af:1:\d+ AF001 /);
    });

    it('selects a strategy with --strategy and explains usage errors in one line', async () => {
        const two = file('two.af', `${SMA}\n${SMA.replace('strategy SmaCross', 'strategy Other').replace('sp:SPX', 'nyse:SPY')}`);
        const ambiguous = await af('compile', two);
        expect(ambiguous.code).toBe(2);
        expect(ambiguous.err).toMatch(/^af: .*two\.af has 2 strategies \(SmaCross, Other\); choose one with --strategy NAME\n$/);
        const other = await af('compile', two, '--strategy', 'Other');
        expect(other.code).toBe(0);
        expect(JSON.parse(other.out)).toMatchObject({ strategy: 'Other', universe: [{ symbol: 'SPY' }] });
        expect((await af('compile', two, '--strategy', 'Nope')).err).toMatch(/no strategy 'Nope'; it has SmaCross, Other/);
        expect((await af('compile', 'examples/sma-cross.af', '--ir', '--dag')).err).toMatch(/^af: choose one of --ir, --dag, --dot/);
        const missing = await af('compile', join(dir, 'missing.af'));
        expect(missing.code).toBe(2);
        expect(missing.err).toMatch(/missing\.af: no such file or directory\n$/);
        expect((await af('compile', 'examples')).err).toMatch(/compile takes one \.af file/);
    });
});

describe('af fingerprint', () => {
    it('prints file, strategy, structural and exact fingerprints matching the golden values', async () => {
        const r = await af('fingerprint', 'examples/sma-cross.af');
        expect(r.code).toBe(0);
        const [line] = r.out.trim().split('\n');
        const m = /^examples\/sma-cross\.af SmaCross ([0-9a-f]{64}) ([0-9a-f]{64})$/.exec(line ?? '');
        expect(m).not.toBeNull();
        const golden = JSON.parse(readFileSync('language/test/golden/fingerprints.json', 'utf8')) as Record<string, { structural: string; exact: string }>;
        expect({ structural: m![1], exact: m![2] }).toEqual(golden['examples/sma-cross.af#SmaCross']);
    });

    it('is unchanged by renaming and reformatting; --json; errors exit 1', async () => {
        const renamed = file('renamed.af', SMA.replace(/fastMa/g, 'quick').replace(/enter/g, 'go').replace(/\n {2}/g, '\n\t\t'));
        const json = await af('fingerprint', 'examples/sma-cross.af', renamed, '--json');
        expect(json.code).toBe(0);
        const { strategies, errors } = JSON.parse(json.out) as { strategies: { file: string; strategy: string; structural: string; exact: string }[]; errors: string[] };
        expect(errors).toEqual([]);
        expect(strategies).toHaveLength(2);
        expect(strategies[0]!.exact).toBe(strategies[1]!.exact);
        expect(strategies[0]!.structural).toBe(strategies[1]!.structural);

        const bad = file('broken.af', SMA.replace('timeframe: 1d', 'timeframe: 1d\n  feature oops = close + volume'));
        const r = await af('fingerprint', bad, 'examples/sma-cross.af');
        expect(r.code).toBe(1);
        expect(r.out).toMatch(/examples\/sma-cross\.af SmaCross [0-9a-f]{64}/);
        expect(r.out).toMatch(/broken\.af:\d+:\d+ AF202 /);
    });
});
