/**
 * `af check` shows a lookahead's chain: in JSON as `related` locations (into imported files), in
 * text as one indented file:line:col line per step under the diagnostic.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { run } from '../src/cli/main.js';

async function af(...argv: string[]): Promise<{ code: number; out: string }> {
    let out = '';
    const code = await run(argv, s => { out += s; }, () => undefined);
    return { code, out };
}

const dir = mkdtempSync(join(tmpdir(), 'af-check-'));
mkdirSync(join(dir, 'lib'));
writeFileSync(join(dir, 'lib', 'leads.af'), 'def lead(x: series, n: int) = x[n - 2]\n');
const main = join(dir, 'main.af');
writeFileSync(main, `import "lib/leads.af"
strategy S {
  universe: binance:BTC/USDT
  timeframe: 1h
  param a: int = 3 in 0..5
  feature f = lead(close, a)
  rules {
    when close > f => target 50% long
  }
}
`);

interface Flat { file: string; line: number; code: string; message: string; related?: { file: string; line: number; column: number; message: string }[] }

describe('af check: lookahead chains', () => {
    it('JSON: the chain as related locations, from the library file to the rule', async () => {
        const r = await af('check', main, '--format', 'json');
        expect(r.code).toBe(1);
        const { diagnostics } = JSON.parse(r.out) as { diagnostics: Flat[] };
        const d = diagnostics.find(x => x.code === 'AF101')!;
        expect(d.file.endsWith('main.af')).toBe(true);
        expect(d.line).toBe(6);
        expect(d.message).toContain('It reaches rule `when close > f`: x[n - 2] → lead(close, a) → feature f → rule `when close > f`.');
        expect(d.related!.map(s => [s.file.split(/[\\/]/).slice(-2).join('/'), s.line, s.message])).toEqual([
            ['lib/leads.af', 1, 'x[n - 2] (reads ahead here)'],
            [`${dir.split(/[\\/]/).at(-1)}/main.af`, 6, 'lead(close, a)'],
            [`${dir.split(/[\\/]/).at(-1)}/main.af`, 6, 'feature f'],
            [`${dir.split(/[\\/]/).at(-1)}/main.af`, 8, 'rule `when close > f`'],
        ]);
    });

    it('text: one indented location line per step under the diagnostic', async () => {
        const r = await af('check', main);
        const lines = r.out.split('\n');
        const at = lines.findIndex(l => / error AF101 /.test(l));
        expect(at).toBeGreaterThanOrEqual(0);
        expect(lines.slice(at + 1, at + 5).map(l => l.replace(/^ {4}\S*?([^\\/]+\.af):/, '$1:'))).toEqual([
            'leads.af:1:31 x[n - 2] (reads ahead here)',
            'main.af:6:15 lead(close, a)',
            'main.af:6:3 feature f',
            'main.af:8:5 rule `when close > f`',
        ]);
    });
});
