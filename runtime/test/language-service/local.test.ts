/**
 * The language services of a CLI or MCP process (runtime/src/language-service/local.ts): one set
 * per process, and each request in a clean workspace — a file edited between two commands is read
 * again, a request's options do not outlive it, a text that stands alone reads nothing from disk.
 */
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { run } from '../../src/cli/main.js';
import { localLanguage, pointFromSource } from '../../src/language-service/local.js';

async function check(...argv: string[]): Promise<{ code: string; line: number }[]> {
    let out = '';
    await run(['check', ...argv, '--format', 'json'], s => { out += s; }, () => undefined);
    return (JSON.parse(out) as { diagnostics: { code: string; line: number }[] }).diagnostics.map(d => ({ code: d.code, line: d.line }));
}

const dir = mkdtempSync(join(tmpdir(), 'af-local-'));
const STRATEGY = (body: string): string => `import "lib"\nstrategy S {\n  universe: binance:BTC/USDT\n  timeframe: 1h\n${body}  rules {\n    when close > smooth(close) => target 50% long\n  }\n}\n`;

describe('the local language services', () => {
    it('read a file and its imports again when they changed between two commands of one process', async () => {
        const lib = join(dir, 'lib.af'), main = join(dir, 'main.af');
        writeFileSync(lib, 'def smooth(x) = sma(x, 20)\n');
        writeFileSync(main, STRATEGY(''));
        expect(await check(main)).toEqual([]);
        writeFileSync(lib, 'def smooth(x) = sma(x, lenght=20)\n'); // the import changes
        expect((await check(main)).map(d => d.code)).toContain('AF204');
        writeFileSync(lib, 'def smooth(x) = sma(x, 20)\n');
        writeFileSync(main, STRATEGY('  feature unused = close\n')); // the file itself changes
        expect(await check(main)).toEqual([{ code: 'AF302', line: 5 }]);
    });

    it('apply a request\'s options to that request only (af check --bars)', async () => {
        const file = join(dir, 'grid.af');
        writeFileSync(file, `strategy G {\n  universe: binance:BTC/USDT\n  timeframe: 1h\n  param fast: int = 10 in 5..50 step 5\n  param slow: int = 50 in 20..200 step 10\n  constraint fast < slow\n  rules {\n    when crossover(sma(close, fast), sma(close, slow)) => target 50% long\n  }\n}\n`);
        expect((await check(file, '--bars', String(2 * 365 * 24))).map(d => d.code)).toEqual(['AF502']);
        expect(await check(file)).toEqual([]);
    });

    it('read nothing from disk for a text that stands alone, even where its import names a real file', async () => {
        const lib = join(dir, 'standalone-lib.af');
        writeFileSync(lib, 'def smooth(x) = sma(x, 20)\n');
        const r = await pointFromSource(STRATEGY('').replace('import "lib"', `import "${lib}"`));
        expect(r.ok).toBe(false);
        expect(!r.ok && r.errors.map(e => e.code)).toContain('AF004');
    });

    it('are built once per process, in the one place the runtime builds language services', () => {
        expect(localLanguage()).toBe(localLanguage());
        expect(localLanguage().warm()).toBe(localLanguage().warm());
        const builders: string[] = [];
        const walk = (d: string): void => {
            for (const e of readdirSync(d)) {
                const p = join(d, e);
                if (statSync(p).isDirectory()) walk(p);
                else if (p.endsWith('.ts') && /\bcreateAlphaForgeServices\(/.test(readFileSync(p, 'utf8'))) builders.push(p.slice(p.indexOf('runtime/src/')));
            }
        };
        walk(join(__dirname, '..', '..', 'src'));
        expect(builders).toEqual(['runtime/src/language-service/workspace.ts']);
    });
});
