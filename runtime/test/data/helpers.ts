/** Shared helpers of the data tests: throw-away state directories and small files. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { type BarColumns } from '../../src/data/import.js';
import { type DataStore } from '../../src/store/store.js';

const made: string[] = [];

// Registered at import, so on the root suite of each test file that uses these helpers; hooks
// run in reverse order, so this runs after the file's own afterAll (which closes its stores).
afterAll(() => {
    for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
}, 60_000); // a file's folders (a PostgreSQL cluster is 40 MB) can take over the default 10 s to remove on a loaded machine

/** A fresh directory under the OS temp dir, removed after the test file's tests. */
export function tempDir(prefix = 'af-data-'): string {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    made.push(dir);
    return dir;
}

export function writeFile(dir: string, name: string, text: string): string {
    const p = join(dir, name);
    writeFileSync(p, text);
    return p;
}

/** A CSV of daily bars from rows [date, open, high, low, close, volume]. */
export function csv(rows: readonly (readonly (string | number)[])[], header = 'date,open,high,low,close,volume'): string {
    return `${header}\n${rows.map(r => r.join(',')).join('\n')}\n`;
}

/** n valid daily bars starting at `start` (every calendar day), close = 100 + i. */
export function dailyRows(n: number, start = Date.UTC(2024, 0, 1)): (string | number)[][] {
    return Array.from({ length: n }, (_, i) => {
        const c = 100 + i;
        return [new Date(start + i * 86_400_000).toISOString().slice(0, 10), c - 0.5, c + 1, c - 1, c, 1000 + i];
    });
}

export const DAY_MS = 86_400_000;
export const HOUR_MS = 3_600_000;

/** The stored bars of a series as plain numbers (ts in ms), oldest first. */
export async function storedBars(store: DataStore, venue: string, symbol: string, timeframe: string): Promise<{ ts: number; open: number; high: number; low: number; close: number; volume: number }[]> {
    const rows = await store.rows(`SELECT epoch_ms(ts)::DOUBLE AS ts, open, high, low, close, volume FROM bars
        WHERE venue = $1 AND symbol = $2 AND timeframe = $3 ORDER BY ts`, [venue, symbol, timeframe]);
    return rows.map(r => ({ ts: Number(r.ts), open: Number(r.open), high: Number(r.high), low: Number(r.low), close: Number(r.close), volume: Number(r.volume) }));
}

export async function count(store: DataStore, sql: string): Promise<number> {
    return Number(await store.scalar(`SELECT count(*)::DOUBLE FROM ${sql}`));
}

/** The error a promise rejects with (fails the test when it resolves). */
export async function failure<E = Error>(p: Promise<unknown>): Promise<E> {
    try {
        await p;
    } catch (e) {
        return e as E;
    }
    throw new Error('expected a rejection, but the promise resolved');
}

/** Bar columns from bar objects (for importBars). */
export function columns(bars: readonly { ts: number; open: number; high: number; low: number; close: number; volume: number }[]): BarColumns {
    return {
        ts: bars.map(b => b.ts), open: bars.map(b => b.open), high: bars.map(b => b.high),
        low: bars.map(b => b.low), close: bars.map(b => b.close), volume: bars.map(b => b.volume),
    };
}

/** n valid bars of `stepMs` from `start`, with a deterministic zig-zag so that OHLC differ. */
export function barSeries(n: number, stepMs: number, start = Date.UTC(2024, 0, 1), skip: (ts: number) => boolean = () => false): { ts: number; open: number; high: number; low: number; close: number; volume: number }[] {
    const out = [];
    for (let i = 0; i < n; i++) {
        const ts = start + i * stepMs;
        if (skip(ts)) continue;
        const open = 100 + ((i * 7) % 13) + i / 10;
        const close = 100 + ((i * 5 + 3) % 11) + i / 10;
        out.push({ ts, open, high: Math.max(open, close) + 1 + (i % 3), low: Math.min(open, close) - 1 - (i % 2), close, volume: 10 + (i % 17) });
    }
    return out;
}
