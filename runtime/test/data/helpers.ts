/** Shared helpers of the data tests: throw-away state directories and small files. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function tempDir(prefix = 'af-data-'): string {
    return mkdtempSync(join(tmpdir(), prefix));
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
