/**
 * Physical line numbers of the rows of a CSV file, for reports. DuckDB's reader does not give
 * them: it skips blank lines, the lines before the header (its sniffer's SkipRows) and comment
 * lines, and a quoted field may span lines, so the n-th row it reads is not line n + 1.
 * Only reports need lines (a clean import names none), so they are found after validation by
 * scanning the file once, streaming, with the dialect DuckDB sniffed; the scan also counts the
 * rows, and a count that differs from DuckDB's means the dialect was not followed exactly.
 */
import { createReadStream } from 'node:fs';
import { type DataStore } from '../store/store.js';
import { bySourceRow, type RowNumbering } from './validate.js';

export interface CsvDialect {
    /** Lines before the header that the reader skips (blank ones included; a quoted line break does not start a new one). */
    readonly skipRows: number;
    /** Bytes of the quote, escape and comment characters (ASCII), when the file has them. */
    readonly quote?: number;
    readonly escape?: number;
    readonly comment?: number;
    /** 'lf' for \n and \r\n (a \r before the \n belongs to the line break), 'cr' for \r alone. */
    readonly newline: 'lf' | 'cr';
}

const lit = (s: string): string => `'${s.replace(/'/g, "''")}'`;

/** The dialect DuckDB's sniffer finds for `read_csv(file, header = true)`; undefined when it cannot be followed here. */
export async function sniffDialect(store: DataStore, file: string): Promise<CsvDialect | undefined> {
    let r: Record<string, unknown> | undefined;
    try {
        r = (await store.rows(`SELECT SkipRows::DOUBLE AS skip, Quote AS quote, Escape AS escape, Comment AS comment, NewLineDelimiter AS nl
            FROM sniff_csv(${lit(file)}, header = true, comment = '')`))[0];
    } catch {
        return undefined;
    }
    if (!r) return undefined;
    // Characters come as text, '(empty)' for none; a line break as the escaped text '\n', '\r\n' or '\r'.
    const byte = (v: unknown): number | undefined | null => {
        const s = String(v ?? '');
        if (s === '' || s === '(empty)') return undefined;
        return s.length === 1 && s.charCodeAt(0) < 128 ? s.charCodeAt(0) : null;
    };
    const quote = byte(r.quote), escape = byte(r.escape), comment = byte(r.comment);
    const nl = String(r.nl ?? '');
    const newline = nl === '\\r' || nl === '\r' ? 'cr' : /^(\\r)?\\n$|^\r?\n$/.test(nl) ? 'lf' : null;
    const skipRows = Number(r.skip);
    if (quote === null || escape === null || comment === null || newline === null || !Number.isInteger(skipRows) || skipRows < 0) return undefined;
    return { skipRows, quote, escape, comment, newline };
}

export interface RecordLines {
    /** Rows read (header excluded). */
    readonly rows: number;
    /** The line where each wanted row starts (rows numbered from 1 in file order, lines from 1). */
    readonly lines: ReadonlyMap<number, number>;
}

/**
 * Line numbers for the staged rows `rows` (src_row: from 1 in file order) of a CSV file of `rowsIn` rows.
 * When the scan cannot follow DuckDB's reading of the file (its row count differs), reports name
 * rows ("row 7": the 7th row after the header) rather than guess at lines.
 */
export async function csvRowNumbering(store: DataStore, file: string, rows: readonly number[], rowsIn: number): Promise<RowNumbering> {
    const dialect = await sniffDialect(store, file);
    if (!dialect) return bySourceRow('row');
    const scan = await scanRecordLines(file, dialect, rows);
    if (scan.rows !== rowsIn || rows.some(r => !scan.lines.has(r))) return bySourceRow('row');
    return { label: 'line', of: row => scan.lines.get(row) ?? row };
}

const LF = 10, CR = 13, SPACE = 32, TAB = 9;

/** Scans the whole file once (streaming): the number of rows and the line of each wanted row. */
export async function scanRecordLines(file: string, d: CsvDialect, wanted: Iterable<number>): Promise<RecordLines> {
    const want = new Set(wanted);
    const lines = new Map<number, number>();
    const nl = d.newline === 'cr' ? CR : LF;
    const { quote, escape, comment } = d;
    let line = 0, skipped = 0, header = false, rows = 0;
    let quoted = false; // inside a quoted field: a line break there does not end the row
    // The next quote byte in the current buffer at or after the line being read (-1: none), so
    // that a file without quotes is not searched once per line.
    let nextQuote = -1;

    /** Follows the quotes of buf[from, end) (an escaped or doubled quote does not end a field). */
    const followQuotes = (buf: Buffer, from: number, end: number): void => {
        for (let i = from; i < end; i++) {
            const b = buf[i];
            if (quoted && b === escape && escape !== quote) i++;
            else if (b === quote) quoted = !quoted;
        }
    };

    const onLine = (buf: Buffer, start: number, end: number): void => {
        line++;
        if (quote !== undefined && nextQuote !== -1 && nextQuote < start) nextQuote = buf.indexOf(quote, start);
        const hasQuote = nextQuote !== -1 && nextQuote < end;
        if (quoted) {
            // The rest of a row begun on an earlier line.
            followQuotes(buf, start, end);
            return;
        }
        const text = nl === LF && end > start && buf[end - 1] === CR ? end - 1 : end;
        if (skipped < d.skipRows) {
            skipped++;
        } else if (text === start) {
            return; // blank: never a row
        } else if (comment !== undefined && isComment(buf, start, text, comment)) {
            return;
        } else if (!header) {
            header = true;
        } else {
            rows++;
            if (want.has(rows)) lines.set(rows, line);
        }
        if (hasQuote) followQuotes(buf, nextQuote, end);
    };

    let carry: Buffer | undefined;
    for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
        const buf = carry ? Buffer.concat([carry, chunk]) : chunk;
        nextQuote = quote === undefined ? -1 : buf.indexOf(quote);
        let start = 0;
        for (let end = buf.indexOf(nl); end !== -1; end = buf.indexOf(nl, start)) {
            onLine(buf, start, end);
            start = end + 1;
        }
        carry = start < buf.length ? buf.subarray(start) : undefined;
    }
    if (carry) {
        nextQuote = quote === undefined ? -1 : carry.indexOf(quote);
        onLine(carry, 0, carry.length); // the last line, without a line break
    }
    return { rows, lines };
}

/** A line whose first non-blank character is the comment character (DuckDB ignores it whole). */
function isComment(buf: Buffer, start: number, end: number, comment: number): boolean {
    let i = start;
    while (i < end && (buf[i] === SPACE || buf[i] === TAB)) i++;
    return i < end && buf[i] === comment;
}
