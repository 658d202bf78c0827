/**
 * Fuzzing the compiler front end: thousands of random mutations of the example strategies
 * must never throw and must each finish in bounded time. A failing case prints its seed so it
 * can be replayed.
 */
import { describe, expect, it } from 'vitest';
import { check, services } from './helpers.js';
import { exampleSources, mulberry32, mutate } from './corpus.js';
import { isStrategy, type Model } from '../src/index.js';
import { loadString } from '../src/workspace/load.js';

// 1200 (was 2000): 20+ mutations of each of the 56 corpus files per run, at 60% of the CI time. AF_FUZZ_N=20000 for a deep run.
const N = Number(process.env.AF_FUZZ_N ?? 1200);
// A runaway case (catastrophic backtracking, an endless loop) takes seconds of CPU. Measured as this
// process's CPU time, not wall time: on a loaded machine a normal case can wait seconds for a core.
const PER_CASE_MS = 3000;
const cpuMs = (): number => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };

describe('fuzz', () => {
    it(`${N} random mutations of the examples: no exception, bounded time`, async () => {
        const sources = exampleSources(true);
        const rnd = mulberry32(20261124);
        const analyzer = services().alphaforge.Analyzer;
        let slowest = 0, total = 0;
        for (let n = 0; n < N; n++) {
            const src = sources[n % sources.length]!;
            const seedText = mutate(src.text, rnd);
            const t0 = cpuMs();
            try {
                const { document } = await loadString(services(), seedText, 'memory:///fuzz.af');
                // The analysis must also survive partial trees.
                for (const s of (document.parseResult.value as Model).elements.filter(isStrategy)) analyzer.analyze(s);
            } catch (e) {
                throw new Error(`mutation ${n} of ${src.name} threw: ${(e as Error).stack}\n--- input ---\n${seedText}`);
            }
            const dt = cpuMs() - t0;
            total += dt;
            slowest = Math.max(slowest, dt);
            if (dt > PER_CASE_MS) throw new Error(`mutation ${n} of ${src.name} took ${dt.toFixed(0)} ms of CPU\n--- input ---\n${seedText}`);
        }
        console.log(`fuzz: ${N} cases, mean ${(total / N).toFixed(2)} ms, slowest ${slowest.toFixed(1)} ms`);
        expect(slowest).toBeLessThan(PER_CASE_MS);
    }, 600_000);

    it('survives pathological inputs', async () => {
        const deep = 'strategy S { universe: a:B timeframe: 1h feature x = ' + '('.repeat(500) + '1' + ')'.repeat(500) + ' }';
        const long = 'strategy S { universe: a:B timeframe: 1h feature x = ' + Array.from({ length: 3000 }, () => 'close').join(' + ') + ' }';
        const unclosed = 'strategy S { universe: a:B timeframe: 1h feature x = ' + 'sma('.repeat(300);
        for (const text of [deep, long, unclosed, '\u0000'.repeat(100), '{'.repeat(2000)]) {
            const ds = await check(text);
            expect(Array.isArray(ds)).toBe(true);
        }
    }, 120_000);
});

describe('deep but legal input', () => {
    it('a 1,000-term expression is checked, not refused', async () => {
        const long = 'strategy S { universe: a:B timeframe: 1h feature x = ' + Array.from({ length: 1000 }, () => 'close').join(' + ') + '\n rules { when close > x => flat } }';
        const ds = await check(long);
        expect(ds.filter(d => d.severity === 1)).toEqual([]);
    });
});
