/**
 * The mid-frequency pack: every indicator against an independent implementation on the bundled S&P
 * sample (the npm package technicalindicators, pinned, with the convention differences aligned as
 * each test says; a hand calculation where the library has no such indicator), the compiled and
 * reference implementations equal (also over missing bars), each declared look-back equal to the
 * first defined index, no value that changes when later bars do (no lookahead), and the example
 * strategy checking clean and backtesting with the pack enabled by the workspace's config.
 */
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmptyFileSystem } from 'langium';
import { afterAll, describe, expect, it } from 'vitest';
import { Catalogue, compileStrategy, createAlphaForgeServices, isStrategy, loadString, type Model, type StrategyIr } from '../../../language/src/index.js';
import { corePack } from '../../../language/src/catalogue/core-pack.js';
import { midFrequencyPack } from '../../../language/src/catalogue/mid-frequency-pack.js';
import { loadConfig } from '../../src/config/config.js';
import { sampleFile } from '../../src/data/sample.js';
import { CompiledBacktester } from '../../src/engine/compiled/index.js';
import { builtInRegistry } from '../../src/engine/packs/builtin.js';
import { installFunctionProvider, type ReferenceCall } from '../../src/engine/packs/hook.js';
import { compiled } from '../../src/engine/packs/mid-frequency/compiled.js';
import { reference } from '../../src/engine/packs/mid-frequency/reference.js';
import type { Val } from '../../src/engine/reference/functions.js';
import { ReferenceBacktester } from '../../src/engine/reference/index.js';
import type { BarData } from '../../src/engine/types.js';
import { loadWorkspacePacks } from '../../src/packs/workspace-packs.js';
import { synthBars } from '../engine/fixtures.js';
import { af } from './support.js';

// ------------------------------------------------------------------ data and drivers

type Field = 'high' | 'low' | 'close' | 'volume';
type Bars = Record<Field, number[]>;

/** The bundled sample (S&P 500 daily, 2000–2020), as columns. */
function sp500(): Bars & { ts: number[] } {
    const rows = readFileSync(sampleFile(), 'utf8').trim().split('\n').slice(1).map(l => l.split(','));
    const col = (k: number) => rows.map(r => Number(r[k]));
    return { ts: rows.map(r => Date.parse(`${r[0]}T00:00:00Z`)), high: col(2), low: col(3), close: col(4), volume: col(6) };
}
const SP = sp500();
const slice = (b: Bars, n: number): Bars => ({ high: b.high.slice(0, n), low: b.low.slice(0, n), close: b.close.slice(0, n), volume: b.volume.slice(0, n) });

/** A use of a function: its constant arguments by name (in catalogue order) and, for kama, its source. */
interface Use { readonly fn: string; readonly consts: Readonly<Record<string, number>>; readonly source?: Field }
const USES: readonly Use[] = [
    { fn: 'adx', consts: { length: 14 } },
    { fn: 'dmi', consts: { length: 14 } },
    { fn: 'stoch', consts: { k: 14, d: 3, smooth: 3 } },
    { fn: 'cci', consts: { length: 20 } },
    { fn: 'obv', consts: {} },
    { fn: 'vwap', consts: { length: 20 } },
    { fn: 'keltner', consts: { length: 20, mult: 2, atr_length: 10 } },
    { fn: 'supertrend', consts: { length: 10, mult: 3 } },
    { fn: 'kama', consts: { length: 10, fast: 2, slow: 30 }, source: 'close' },
    { fn: 'donchian', consts: { length: 20 } },
    { fn: 'ichimoku', consts: { tenkan: 9, kijun: 26, senkou: 52, shift: 26 } },
    { fn: 'williams_r', consts: { length: 14 } },
    { fn: 'mfi', consts: { length: 14 } },
    { fn: 'momentum_factor', consts: { length: 60, skip: 5 } },
    { fn: 'reversal_factor', consts: { length: 5 } },
    { fn: 'volatility_factor', consts: { length: 20 } },
    { fn: 'volume_factor', consts: { length: 5, base: 30 } },
];
const CATALOGUE = new Catalogue([corePack, midFrequencyPack]);
const outputsOf = (fn: string): readonly (string | undefined)[] => CATALOGUE.fn(fn)!.entry.outputs ?? [undefined];

/** The compiled implementation over whole columns: one column per output. */
function runCompiled(u: Use, b: Bars): Map<string | undefined, number[]> {
    const impl = compiled[u.fn]!;
    const ind = impl.create!(Object.values(u.consts)) as unknown as Record<string, number> & { push(...xs: number[]): number };
    const cols = [...(u.source ? [b[u.source]] : []), ...(impl.reads ?? []).map(f => b[f as Field])];
    const outs = new Map(outputsOf(u.fn).map(o => [o, [] as number[]]));
    for (let t = 0; t < b.close.length; t++) {
        const v = ind.push(...cols.map(c => c[t]!));
        for (const [o, col] of outs) col.push(o === undefined ? v : ind[impl.outputs![o]!]!);
    }
    return outs;
}

/** The reference implementation at every bar (O(T²): keep T small). */
function runReference(u: Use, b: Bars): Map<string | undefined, number[]> {
    const params = CATALOGUE.fn(u.fn)!.entry.params;
    const args: Val[][] = params.map(p => (p.type.startsWith('series') ? b[u.source!] : new Array<number>(b.close.length).fill(u.consts[p.name]!)));
    const outs = new Map(outputsOf(u.fn).map(o => [o, [] as number[]]));
    for (let t = 0; t < b.close.length; t++) {
        for (const [o, col] of outs) {
            const call: ReferenceCall = {
                fn: u.fn, t, output: o,
                arg: k => args[k]![t], hist: k => args[k]!, column: f => b[f as Field],
            };
            const v = reference[u.fn]!.series!(call);
            col.push(typeof v === 'number' ? v : NaN);
        }
    }
    return outs;
}

const near = (x: number, y: number, tol: number) => (Number.isNaN(x) && Number.isNaN(y)) || Math.abs(x - y) <= tol * Math.max(1, Math.abs(x), Math.abs(y));
/** The first bar where `ours` and `theirs` differ beyond tol, or undefined. */
function firstDifference(ours: readonly number[], theirs: readonly number[], tol: number, from = 0): string | undefined {
    expect(theirs.length).toBe(ours.length);
    for (let t = from; t < ours.length; t++) if (!near(ours[t]!, theirs[t]!, tol)) return `bar ${t}: ours ${ours[t]}, theirs ${theirs[t]}`;
    return undefined;
}
/** A library result (defined from bar `start` on) as a column over all bars. */
const aligned = (values: readonly number[], start: number, T: number): number[] => [...new Array<number>(start).fill(NaN), ...values].slice(0, T);
const firstDefined = (xs: readonly number[]) => xs.findIndex(x => !Number.isNaN(x));

// ------------------------------------------------------------------ the independent implementation

interface Ti {
    ADX: { calculate(i: object): { adx: number; pdi: number; mdi: number }[] };
    Stochastic: { calculate(i: object): { k: number; d?: number }[] };
    CCI: { calculate(i: object): number[] };
    OBV: { calculate(i: object): number[] };
    VWAP: { calculate(i: object): number[] };
    KeltnerChannels: { calculate(i: object): { middle: number; upper: number; lower: number }[] };
    IchimokuCloud: { calculate(i: object): { conversion: number; base: number; spanA: number; spanB: number }[] };
    WilliamsR: { calculate(i: object): number[] };
    MFI: { calculate(i: object): number[] };
    Highest: { calculate(i: object): number[] };
    Lowest: { calculate(i: object): number[] };
    SMA: { calculate(i: object): number[] };
    SD: { calculate(i: object): number[] };
}
const ti = createRequire(import.meta.url)('technicalindicators') as Ti;
const T = SP.close.length;
const HLC = { high: SP.high, low: SP.low, close: SP.close };
const ours = (u: Use, o?: string) => runCompiled(u, SP).get(o)!;
const use = (fn: string) => USES.find(u => u.fn === fn)!;

describe('mid-frequency indicators against technicalindicators 3.1.0 on the S&P sample', () => {
    it('has the whole sample', () => expect(T).toBeGreaterThan(5000));

    it('adx and dmi: the same Wilder sums and DX average; the library also starts +DI/−DI at bar 14 and ADX at bar 27', () => {
        const lib = ti.ADX.calculate({ ...HLC, period: 14 });
        const start = 27;
        expect(firstDifference(ours(use('adx')), aligned(lib.map(r => r.adx), start, T), 1e-9)).toBeUndefined();
        // The library reports ±DI only from ADX's first bar on; ours are defined from bar 14.
        expect(firstDifference(ours(use('dmi'), 'plus'), aligned(lib.map(r => r.pdi), start, T), 1e-9, start)).toBeUndefined();
        expect(firstDifference(ours(use('dmi'), 'minus'), aligned(lib.map(r => r.mdi), start, T), 1e-9, start)).toBeUndefined();
    });

    it('stoch: the library has no %K smoothing, so compare the fast stochastic (smooth 1); the library gives 0 for a zero range, we 50 (none in the sample)', () => {
        const lib = ti.Stochastic.calculate({ ...HLC, period: 14, signalPeriod: 3 });
        const u: Use = { fn: 'stoch', consts: { k: 14, d: 3, smooth: 1 } };
        // The library's %K starts at bar 13, its %D at bar 15; all our outputs start at bar 15.
        expect(firstDifference(ours(u, 'k'), aligned(lib.map(r => r.k), 13, T), 1e-9, 15)).toBeUndefined();
        expect(firstDifference(ours(u, 'd'), aligned(lib.map(r => r.d ?? NaN), 13, T), 1e-9)).toBeUndefined();
        // Slow %K (smooth 3) is the 3-bar mean of the fast %K.
        const fast = aligned(lib.map(r => r.k), 13, T), slow = ours(use('stoch'), 'k');
        for (const t of [17, 100, 2500, T - 1]) expect(slow[t]).toBeCloseTo((fast[t]! + fast[t - 1]! + fast[t - 2]!) / 3, 9);
    });

    it('cci: same typical price, 0.015 and mean deviation', () => {
        expect(firstDifference(ours(use('cci')), aligned(ti.CCI.calculate({ ...HLC, period: 20 }), 19, T), 1e-9)).toBeUndefined();
    });

    it('obv: the library drops the first bar (its first value is bar 1); ours is 0 there', () => {
        const o = ours(use('obv'));
        expect(o[0]).toBe(0);
        expect(firstDifference(o, aligned(ti.OBV.calculate({ close: SP.close, volume: SP.volume }), 1, T), 1e-12, 1)).toBeUndefined();
    });

    it("vwap: the library's is cumulative from the first bar; ours is rolling, so it equals the library's over each window's bars", () => {
        const o = ours(use('vwap'));
        for (const t of [19, 20, 1234, 4000, T - 1]) {
            const w = (xs: number[]) => xs.slice(t - 19, t + 1);
            const lib = ti.VWAP.calculate({ high: w(SP.high), low: w(SP.low), close: w(SP.close), volume: w(SP.volume) });
            expect(o[t]).toBeCloseTo(lib.at(-1)!, 6);
        }
        expect(firstDefined(o)).toBe(19);
    });

    it('keltner: the same EMA middle line (seeded with the SMA) and Wilder ATR', () => {
        const lib = ti.KeltnerChannels.calculate({ ...HLC, maPeriod: 20, atrPeriod: 10, multiplier: 2, useSMA: false });
        const u = use('keltner');
        expect(firstDifference(ours(u, 'mid'), aligned(lib.map(r => r.middle), 19, T), 1e-9)).toBeUndefined();
        expect(firstDifference(ours(u, 'upper'), aligned(lib.map(r => r.upper), 19, T), 1e-9)).toBeUndefined();
        expect(firstDifference(ours(u, 'lower'), aligned(lib.map(r => r.lower), 19, T), 1e-9)).toBeUndefined();
    });

    it('ichimoku: the library leaves its spans unshifted (the displacement is commented out) and starts at bar 51; ours are its values 26 bars earlier', () => {
        const lib = ti.IchimokuCloud.calculate({ high: SP.high, low: SP.low, conversionPeriod: 9, basePeriod: 26, spanPeriod: 52, displacement: 26 });
        const at = (k: 'conversion' | 'base' | 'spanA' | 'spanB') => aligned(lib.map(r => r[k]), 51, T);
        const u = use('ichimoku');
        const shifted = (xs: number[]) => [...new Array<number>(26).fill(NaN), ...xs].slice(0, T);
        expect(firstDifference(ours(u, 'tenkan'), at('conversion'), 1e-12, 77)).toBeUndefined();
        expect(firstDifference(ours(u, 'kijun'), at('base'), 1e-12, 77)).toBeUndefined();
        expect(firstDifference(ours(u, 'span_a'), shifted(at('spanA')), 1e-12)).toBeUndefined();
        expect(firstDifference(ours(u, 'span_b'), shifted(at('spanB')), 1e-12)).toBeUndefined();
    });

    it('williams_r and donchian: the same window extremes', () => {
        expect(firstDifference(ours(use('williams_r')), aligned(ti.WilliamsR.calculate({ ...HLC, period: 14 }), 13, T), 1e-9)).toBeUndefined();
        expect(firstDifference(ours(use('donchian'), 'upper'), aligned(ti.Highest.calculate({ values: SP.high, period: 20 }), 19, T), 0)).toBeUndefined();
        expect(firstDifference(ours(use('donchian'), 'lower'), aligned(ti.Lowest.calculate({ values: SP.low, period: 20 }), 19, T), 0)).toBeUndefined();
    });

    it('mfi: the library drops the first bar and rounds to 2 decimals; fed a copy of bar 0 in front, it matches ours to 0.005 (no unchanged typical price in the sample)', () => {
        const pad = (xs: number[]) => [xs[0]!, ...xs];
        const lib = ti.MFI.calculate({ high: pad(SP.high), low: pad(SP.low), close: pad(SP.close), volume: pad(SP.volume), period: 14 });
        const o = ours(use('mfi'));
        expect(firstDefined(o)).toBe(14);
        const theirs = aligned(lib, 14, T);
        const off = o.findIndex((x, t) => t >= 14 && !(Math.abs(x - theirs[t]!) <= 0.005 + 1e-9));
        expect(off === -1 ? undefined : `bar ${off}: ours ${o[off]}, theirs ${theirs[off]}`).toBeUndefined();
    });

    it("volatility_factor and volume_factor: the library's (population) SD of log returns, and an SMA ratio", () => {
        // The library's SD mishandles a 0 in its window (SD of [1, 0, 3, 4] comes out 0.5): compare where no close was unchanged.
        const lr = SP.close.slice(1).map((c, i) => Math.log(c / SP.close[i]!));
        const sd = aligned(ti.SD.calculate({ values: lr, period: 20 }), 20, T);
        const vol = ours(use('volatility_factor'));
        let compared = 0;
        for (let t = 20; t < T; t++) {
            if (lr.slice(t - 20, t).includes(0)) continue;
            expect(vol[t]).toBeCloseTo(sd[t]!, 12);
            compared++;
        }
        expect(compared).toBeGreaterThan(T * 0.9);
        const s5 = aligned(ti.SMA.calculate({ values: SP.volume, period: 5 }), 4, T), s30 = aligned(ti.SMA.calculate({ values: SP.volume, period: 30 }), 29, T);
        expect(firstDifference(ours(use('volume_factor')), s5.map((x, t) => x / s30[t]!), 1e-9)).toBeUndefined();
    });
});

describe('mid-frequency indicators the library does not have, by hand', () => {
    it('kama on five values (length 2, fast 2, slow 30)', () => {
        const x = [10, 11, 10, 12, 12];
        const fa = 2 / 3, sa = 2 / 31;
        const sc = (er: number) => (er * (fa - sa) + sa) ** 2;
        const k2 = 11 + sc(0 / 2) * (10 - 11); // |10 − 10| / (1 + 1), seeded with x[1]
        const k3 = k2 + sc(1 / 3) * (12 - k2); // |12 − 11| / (1 + 2)
        const k4 = k3 + sc(2 / 2) * (12 - k3); // |12 − 10| / (2 + 0)
        const b: Bars = { close: x, high: x, low: x, volume: x };
        const got = runCompiled({ fn: 'kama', consts: { length: 2, fast: 2, slow: 30 }, source: 'close' }, b).get(undefined)!;
        expect(got.slice(0, 2).every(Number.isNaN)).toBe(true);
        expect(got[2]).toBeCloseTo(k2, 12);
        expect(got[3]).toBeCloseTo(k3, 12);
        expect(got[4]).toBeCloseTo(k4, 12);
    });

    it('supertrend on seven bars (length 1: the ATR is the true range; mult 1)', () => {
        // bar: high, low, close
        const rows = [[10, 9, 9.5], [11, 9, 10], [12, 10, 11.5], [12.5, 11, 12], [12, 9, 9.2], [10, 8, 8.5], [13, 11, 12.8]];
        const b: Bars = { high: rows.map(r => r[0]!), low: rows.map(r => r[1]!), close: rows.map(r => r[2]!), volume: rows.map(() => 1) };
        const got = runCompiled({ fn: 'supertrend', consts: { length: 1, mult: 1 } }, b).get(undefined)!;
        // bar 1: TR 2, hl2 10 → bands 12 / 8; close 10 is not above 12: down, the line is the upper band 12.
        // bar 2: TR 2, hl2 11 → basic 13 / 9; upper stays 12 (13 > 12, close 10 ≤ 12), lower rises to 9; close 11.5 < 12: down, 12.
        // bar 3: TR 1.5, hl2 11.75 → basic 13.25 / 10.25; upper 12, lower 10.25; close 12 is not above 12: still down, 12.
        // bar 4: TR 3 (12 − 9), hl2 10.5 → basic 13.5 / 7.5; upper 12 (13.5 > 12, close[3] = 12 not > 12); lower 10.25 (7.5 < 10.25, close[3] ≥ 10.25); down, 12.
        // bar 5: TR 2 (10 − 8; |10 − 9.2|, |8 − 9.2| smaller), hl2 9 → basic 11 / 7; upper falls to 11; lower: close[4] 9.2 < 10.25, so 7; close 8.5: down, 11.
        // bar 6: TR 4.5 (13 − 8.5), hl2 12 → basic 16.5 / 7.5; upper 11 (16.5 > 11, close[5] 8.5 ≤ 11); close 12.8 > 11: up, the line is the lower band 7.5 (basic 7.5 > 7).
        expect(got).toEqual([NaN, 12, 12, 12, 12, 11, 7.5]);
    });
});

describe('the two implementations and the declared look-backs', () => {
    const N = 400;
    const clean = slice(SP, N);
    // Missing bars: a hole, a run of them, and the first 30 bars (a late-starting asset).
    const holes: Bars = slice(SP, N);
    for (const t of [...Array.from({ length: 30 }, (_, i) => i), 97, 200, 201, 202, 203, 350]) for (const f of ['high', 'low', 'close', 'volume'] as const) holes[f][t] = NaN;

    it.each(USES.map(u => [u.fn, u] as const))('%s: compiled = reference on clean bars and with missing bars; first defined bar = the look-back', (_fn, u) => {
        const lookback = CATALOGUE.fn(u.fn)!.lookback(u.consts);
        for (const b of [clean, holes]) {
            const c = runCompiled(u, b), r = runReference(u, b);
            for (const [o, col] of c) {
                expect(firstDifference(col, r.get(o)!, 1e-9), `${u.fn}.${o ?? ''}`).toBeUndefined();
                if (b === clean) expect(firstDefined(col), `${u.fn}.${o ?? ''}`).toBe(lookback);
            }
        }
        // At bar 0 of the holes variant every function is undefined, and after a missing bar it goes on from the previous one.
        expect(runCompiled(u, holes).get(outputsOf(u.fn)[0])![97]).toBeNaN();
    });

    it('no value changes when later bars do (no lookahead: ichimoku offers no lagging span)', () => {
        expect(outputsOf('ichimoku')).not.toContain('chikou');
        const cut = 250, changed = slice(SP, N);
        for (const f of ['high', 'low', 'close', 'volume'] as const) for (let t = cut; t < N; t++) changed[f][t] = changed[f][t]! * 1.5;
        for (const u of USES) {
            const a = runCompiled(u, clean), b = runCompiled(u, changed);
            for (const [o, col] of a) expect(firstDifference(col.slice(0, cut), b.get(o)!.slice(0, cut), 0), `${u.fn}.${o ?? ''}`).toBeUndefined();
        }
    });
});

// ------------------------------------------------------------------ the example, with the pack enabled by a workspace

const EXAMPLE = join(process.cwd(), 'examples', 'packs', 'mid-frequency-adx-supertrend.af');

async function compileExample(packs: Awaited<ReturnType<typeof loadWorkspacePacks>>['registry']): Promise<{ ir?: StrategyIr; diagnostics: string[] }> {
    const services = createAlphaForgeServices({ ...EmptyFileSystem, packs: packs.cataloguePacks().filter(p => p.id !== 'core') }).AlphaForge;
    const { document } = await loadString(services, readFileSync(EXAMPLE, 'utf8'), `memory:///mid-frequency${Math.random()}.af`);
    const diagnostics = (document.diagnostics ?? []).filter(d => d.severity === 1 || d.severity === 2).map(d => `${d.range.start.line + 1}: ${String(d.code)} ${d.message}`);
    const s = (document.parseResult.value as Model).elements.find(isStrategy)!;
    const r = compileStrategy(services, s);
    return { ir: r.ir, diagnostics: [...diagnostics, ...r.errors.map(e => `${e.line}: ${e.code} ${e.message}`)] };
}

describe("the pack's docs", () => {
    const services = createAlphaForgeServices({ ...EmptyFileSystem, packs: [midFrequencyPack] }).AlphaForge;
    const docs = readFileSync(join(process.cwd(), 'docs', 'packs.md'), 'utf8');

    it.each(midFrequencyPack.entries.map(e => [e.name, e] as const))('%s: its example compiles with the pack enabled, and docs/packs.md lists it', async (_name, e) => {
        const line = e.example.startsWith('long ') ? `portfolio {\n    rebalance: monthly\n    ${e.example}\n  }` : `${e.example}\n  rules {\n    when close > 0 => target 100% long\n  }`;
        const src = `strategy Doc {\n  universe: x:A, x:B, x:C, x:D\n  timeframe: 1d\n  ${line}\n}`;
        const { document } = await loadString(services, src, `memory:///doc-${e.name}.af`);
        const r = compileStrategy(services, (document.parseResult.value as Model).elements.find(isStrategy)!);
        expect(r.errors.map(x => x.message), src).toEqual([]);
        expect(docs).toContain(`| \`${e.name}(`);
    });
});

describe('the example strategy with the pack enabled', () => {
    const dir = mkdtempSync(join(tmpdir(), 'af-midfreq-'));
    const config = join(dir, 'alphaforge.json');
    afterAll(() => installFunctionProvider(builtInRegistry()));

    it('af pack add mid-frequency declares it by name and range; a workspace that does not is told which pack to add', async () => {
        writeFileSync(config, JSON.stringify({ stateDir: '.alphaforge' }));
        const without = await loadWorkspacePacks(loadConfig({ file: config }).config.packs ?? []);
        expect(without.registry.packs().map(p => p.manifest.name)).toEqual(['core']);
        const refused = await compileExample(without.registry);
        expect(refused.ir).toBeUndefined();
        expect(refused.diagnostics.join('\n')).toMatch(/'supertrend': it comes from the capability pack 'mid-frequency'.*af pack add mid-frequency/);

        const added = await af('--config', config, 'pack', 'add', 'mid-frequency');
        expect(added.err).toBe('');
        expect(added.out).toMatch(/^added pack mid-frequency 1\.0\.0 \(\^1\.0\.0, shipped with AlphaForge\)/);
        expect(loadConfig({ file: config }).config.packs).toEqual([{ name: 'mid-frequency', version: '^1.0.0' }]);
        const ls = await af('--config', config, 'pack', 'ls');
        expect(ls.code).toBe(0);
        expect(ls.out).toMatch(/^mid-frequency\s+1\.0\.0\s+17 functions\s+built-in$/m);
    });

    it('a declaration outside the shipped version, or of a pack AlphaForge does not ship, is refused naming it', async () => {
        const r = await loadWorkspacePacks([{ name: 'mid-frequency', version: '^2.0.0' }, { name: 'hft-x', version: '^1.0.0' }]);
        expect(r.registry.packs().map(p => p.manifest.name)).toEqual(['core']);
        expect(r.problems.map(p => p.message)).toEqual([
            "pack 'mid-frequency' shipped with AlphaForge is version 1.0.0, outside the declared range ^2.0.0; change the range (af pack add mid-frequency).",
            expect.stringMatching(/^pack 'hft-x' is declared without a folder, but AlphaForge ships no pack of that name \(it ships mid-frequency, onchain, hft\); give its path and integrity/),
        ]);
        expect(() => loadConfig({ file: writeJson({ stateDir: '.af', packs: [{ name: 'demo', version: '^1.0.0', path: './demo' }] }) }))
            .toThrow(/packs\.0.*needs both path and integrity/);
    });

    it('checks clean and backtests on the S&P sample: the compiled engine, and the reference on a synthetic stretch', async () => {
        const { registry, problems } = await loadWorkspacePacks(loadConfig({ file: config }).config.packs ?? []);
        expect(problems).toEqual([]);
        installFunctionProvider(registry);
        const { ir, diagnostics } = await compileExample(registry);
        expect(diagnostics).toEqual([]);
        const data: BarData = {
            ts: Float64Array.from(SP.ts), timeframeMs: 86_400_000, snapshotHash: 'sp500',
            assets: [{ open: Float64Array.from(SP.close), high: Float64Array.from(SP.high), low: Float64Array.from(SP.low), close: Float64Array.from(SP.close), volume: Float64Array.from(SP.volume) }],
        };
        data.assets[0]!.open.set(readFileSync(sampleFile(), 'utf8').trim().split('\n').slice(1).map(l => Number(l.split(',')[1])));
        const run = new CompiledBacktester().run(ir!, data);
        expect(run.fills[0]!.bar).toBeGreaterThan(27); // entries need adx(14), defined from bar 2 × 14 − 1
        expect(run.trades.length).toBeGreaterThan(10);
        const synth = synthBars({ assets: 1, bars: 300, seed: 11 });
        const a = new CompiledBacktester().run(ir!, synth), b = new ReferenceBacktester().run(ir!, synth);
        expect(a.fills.length).toBeGreaterThan(0);
        expect(b.fills.map(f => [f.bar, f.reason, f.qty])).toEqual(a.fills.map(f => [f.bar, f.reason, f.qty]));
    });

    function writeJson(tree: object): string {
        const f = join(dir, `c${Math.random()}.json`);
        writeFileSync(f, JSON.stringify(tree));
        return f;
    }
});
