/**
 * The CLI's presentation: colour only on a terminal and never with NO_COLOR (picocolors), tables
 * aligned on what a terminal shows (colour codes take no room), and a start that loads no
 * command module (`af --version` was 1.35 s and more: every command's DuckDB, Langium, ccxt, …).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import picocolors from 'picocolors';
import { describe, expect, it } from 'vitest';
import { CONFIG_ENV, CONFIG_FILE } from '../../src/config/config.js';
import { CONFIG_HELP, run } from '../../src/cli/main.js';
import { colourWanted, visibleLength } from '../../src/cli/style.js';
import { printGrid } from '../../src/cli/table.js';
import { paramValue } from '../../src/cli/run-output.js';
import { progressBar } from '../../src/cli/progress.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

describe('colour', () => {
    it('on a terminal only, never with NO_COLOR or TERM=dumb; FORCE_COLOR forces it', () => {
        expect(colourWanted({}, true)).toBe(true);
        expect(colourWanted({}, false)).toBe(false);
        expect(colourWanted({ NO_COLOR: '1' }, true)).toBe(false);
        expect(colourWanted({ NO_COLOR: '1', FORCE_COLOR: '1' }, true)).toBe(false);
        expect(colourWanted({ TERM: 'dumb' }, true)).toBe(false);
        expect(colourWanted({ FORCE_COLOR: '1' }, false)).toBe(true);
        expect(colourWanted({ FORCE_COLOR: '0' }, false)).toBe(false);
    });

    it('tables align on the visible text', () => {
        const c = picocolors.createColors(true);
        const grid = printGrid(['name', 'value'], [[c.green('a'), '1'], ['bbb', c.red('22')]], ['left', 'right']);
        const lines = grid.trimEnd().split('\n');
        expect(lines.map(visibleLength)).toEqual([13, 13, 13]);
        expect(lines[1]).toContain('\x1b[32ma\x1b[39m    ');
    });
});

describe('numbers', () => {
    it('param values print without floating-point noise', () => {
        expect(paramValue(0.1 + 0.2)).toBe('0.3');
        expect(paramValue(1e-7)).toBe('1e-7');
        expect(paramValue(250)).toBe('250');
        expect(paramValue(true)).toBe('true');
    });
});

describe('progress', () => {
    it('a bar that ends early (a remote run reports in steps) clears its line: nothing stale under the output', () => {
        const saved = process.env['AF_PROGRESS'];
        process.env['AF_PROGRESS'] = '1';
        try {
            const writes: string[] = [];
            const bar = progressBar('walk-forward', s => { writes.push(s); });
            bar(37, 100);
            expect(writes.at(-1)).toMatch(/^\rwalk-forward \[#+ +\] {2}37% 37\/100/);
            bar.end();
            expect(writes.at(-1)).toBe('\r\x1b[2K');
            const done = progressBar('sweep', s => { writes.push(s); });
            done(5, 5);
            const n = writes.length;
            done.end(); // a finished bar ended its line itself
            expect(writes.length).toBe(n);
        } finally {
            if (saved === undefined) delete process.env['AF_PROGRESS'];
            else process.env['AF_PROGRESS'] = saved;
        }
    });
});

describe('start-up', () => {
    it('main.ts imports no command module at start (they load when their command runs)', () => {
        const src = readFileSync(`${ROOT}runtime/src/cli/main.ts`, 'utf8');
        const staticImports = [...src.matchAll(/^import .* from '([^']+)';$/gm)].map(m => m[1]);
        expect(staticImports).toEqual(['commander', './errors.js']);
    });

    it('af --version prints the package version; the help names the config file and variable of the config module', async () => {
        let out = '';
        expect(await run(['--version'], s => { out += s; })).toBe(0);
        expect(out.trim()).toBe((JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8')) as { version: string }).version);
        expect(CONFIG_HELP).toEqual({ env: CONFIG_ENV, file: CONFIG_FILE });
    });
});
