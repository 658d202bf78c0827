/**
 * The onchain pack: its data imported through `af data onchain` (the bundled sample; bad files refused
 * naming the file, line and column, nothing written), each function's values — compiled (a panel)
 * and reference (the interpreter's graph), also under resample — equal to a hand calculation from the
 * sample's raw CSV rows, no value at bar t that moves when on-chain events at or after bar t's close
 * do, the example strategy checking clean and backtesting through the run pipeline on the synthetic
 * dataset (both engines fill alike), and a function of the pack used without it named with the pack.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmptyFileSystem } from 'langium';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileStrategy, createAlphaForgeServices, isStrategy, loadString, type Model, type StrategyIr } from '../../../language/src/index.js';
import { onchainPack } from '../../../language/src/catalogue/onchain-pack.js';
import { loadConfig } from '../../src/config/config.js';
import { loadFromStore, type LoadedBars } from '../../src/data/load.js';
import { alignOnchain, onchainReads, withOnchain, withOnchainFor, type PoolSeries } from '../../src/data/onchain/align.js';
import { synthOnchain, writeOnchainCsv } from '../../src/data/onchain/synth.js';
import { synthBars } from '../../src/data/synth.js';
import { CompiledBacktester } from '../../src/engine/compiled/index.js';
import { builtInRegistry } from '../../src/engine/packs/builtin.js';
import { installFunctionProvider } from '../../src/engine/packs/hook.js';
import { computePanel, panelColumns, panelSeries } from '../../src/engine/panel.js';
import { Graph } from '../../src/engine/reference/graph.js';
import { ReferenceBacktester } from '../../src/engine/reference/index.js';
import type { BarData } from '../../src/engine/types.js';
import { loadWorkspacePacks } from '../../src/packs/workspace-packs.js';
import { prepareRun } from '../../src/pipeline/prepare.js';
import { executeRun } from '../../src/pipeline/execute.js';
import { withStore } from '../../src/schema/registry.js';
import { af } from './support.js';

const SAMPLE = join(process.cwd(), 'examples', 'packs', 'onchain-sample');
const EXAMPLE = join(process.cwd(), 'examples', 'packs', 'onchain-dex-signal.af');
const HOUR = 3_600_000;

const dir = mkdtempSync(join(tmpdir(), 'af-onchain-'));
const stateDir = join(dir, '.af');
const config = join(dir, 'alphaforge.json');

async function compile(text: string, withPack = true): Promise<{ ir?: StrategyIr; diagnostics: string[] }> {
    const services = createAlphaForgeServices({ ...EmptyFileSystem, packs: withPack ? [onchainPack] : [] }).AlphaForge;
    const { document } = await loadString(services, text, `memory:///onchain${Math.random()}.af`);
    const diagnostics = (document.diagnostics ?? []).filter(d => d.severity === 1 || d.severity === 2).map(d => `${d.range.start.line + 1}: ${String(d.code)} ${d.message}`);
    const r = compileStrategy(services, (document.parseResult.value as Model).elements.find(isStrategy)!);
    return { ir: r.ir, diagnostics: [...diagnostics, ...r.errors.map(e => `${e.line}: ${e.code} ${e.message}`)] };
}

/** The sample's bars with their on-chain columns, loaded from the store as a run loads them. */
async function load(ir: StrategyIr): Promise<LoadedBars> {
    return withStore({ stateDir }, async store => withOnchainFor(store, ir, await loadFromStore(store, { assets: [{ venue: 'synth', symbol: 'ETH/USDT' }], timeframe: '1h' })));
}

// ------------------------------------------------------------------ the hand calculation, from the raw CSV rows

const rows = (file: string): Record<string, string>[] => {
    const [head, ...lines] = readFileSync(join(SAMPLE, file), 'utf8').trim().split('\n');
    const keys = head!.split(',');
    return lines.map(l => Object.fromEntries(l.split(',').map((v, k) => [keys[k]!, v])));
};
const POOLS = rows('pools.csv');
const BAR_TS = rows('bars.csv').map(r => Date.parse(r['ts']!));
const SWAPS = rows('swaps.csv').map(r => {
    const pool = POOLS.find(p => p['address'] === r['address'])!;
    const amount = Number(r['amount_usd']);
    const ethIsToken0 = pool['token0'] === 'WETH';
    // buy/sell is of token0: a buy of ETH is a buy where WETH is token0, a sell where it is token1.
    return { ts: Date.parse(r['ts']!), amount, fee: (amount * Number(pool['fee_bps'])) / 10_000, flow: (r['side'] === 'buy') === ethIsToken0 ? amount : -amount };
});
const TVL = rows('tvl.csv').map(r => ({ ts: Date.parse(r['ts']!), pool: r['address']!, value: Number(r['tvl_usd']) }));
const GAS = rows('gas.csv').map(r => ({ ts: Date.parse(r['ts']!), value: Number(r['gas_price_gwei']) }));

function hand(): Record<'tvl' | 'gas' | 'volume' | 'fees' | 'flow', number[]> {
    const inBar = (ts: number, t: number) => ts >= BAR_TS[t]! && ts < BAR_TS[t]! + HOUR;
    const sum = (t: number, k: 'amount' | 'fee' | 'flow') => SWAPS.filter(s => inBar(s.ts, t)).reduce((a, s) => a + s[k], 0);
    const last = <T extends { ts: number; value: number }>(xs: T[], t: number) => xs.filter(x => x.ts < BAR_TS[t]! + HOUR).at(-1)?.value ?? NaN;
    return {
        volume: BAR_TS.map((_, t) => sum(t, 'amount')),
        fees: BAR_TS.map((_, t) => sum(t, 'fee')),
        flow: BAR_TS.map((_, t) => sum(t, 'flow')),
        tvl: BAR_TS.map((_, t) => POOLS.reduce((a, p) => a + last(TVL.filter(x => x.pool === p['address']), t), 0)),
        gas: BAR_TS.map((_, t) => last(GAS, t)),
    };
}
const rolling = (xs: number[], n: number): number[] => xs.map((_, t) => (t < n - 1 ? NaN : xs.slice(t - n + 1, t + 1).reduce((a, b) => a + b, 0)));

function expectClose(actual: ArrayLike<number>, expected: readonly number[], what: string): void {
    expect(actual.length, what).toBe(expected.length);
    for (let t = 0; t < expected.length; t++) {
        const a = actual[t]!, e = expected[t]!;
        if (Number.isNaN(e)) expect(a, `${what} at bar ${t}`).toBeNaN();
        else expect(Math.abs(a - e), `${what} at bar ${t}: ${a} vs ${e}`).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(e)));
    }
}

const VALUES = `strategy Values {
  universe: synth:ETH/USDT
  timeframe: 1h
  feature tvl = pool_tvl()
  feature vol = swap_volume(5)
  feature fees = pool_fees(5)
  feature flow = net_flow(3)
  feature gas = gas_price()
  feature vol4h = resample(swap_volume(1), 4h)
  rules {
    when close > 0 => target 100% long
  }
}`;

/** Each feature's series by name: the compiled engine (a panel) and the reference interpreter (its graph). */
function values(ir: StrategyIr, data: BarData): { compiled: Map<string, Float64Array>; reference: Map<string, number[]> } {
    const panel = computePanel(ir, data);
    const cols = panelColumns(ir).filter(c => c.kind === 'feature');
    const graph = new Graph(ir, {}, new Map(), data, cols.map(c => c.node));
    for (let t = 0; t < data.ts.length; t++) graph.evaluate(t);
    return {
        compiled: new Map(cols.map(c => [c.name, panelSeries(panel, c.name, 0)])),
        reference: new Map(cols.map(c => [c.name, Array.from(data.ts, (_, t) => (graph.value(c.node, t, 0) as number | undefined) ?? NaN)])),
    };
}

beforeAll(async () => {
    writeFileSync(config, JSON.stringify({ stateDir: '.af' }));
    const added = await af('--config', config, 'pack', 'add', 'onchain');
    expect(added.err).toBe('');
    const { registry, problems } = await loadWorkspacePacks(loadConfig({ file: config }).config.packs ?? []);
    expect(problems).toEqual([]);
    installFunctionProvider(registry);
    const r = await af('data', 'onchain', 'sample', '--state-dir', stateDir);
    expect(r.err).toBe('');
    expect(r.out).toMatch(/^imported 240 1h bars of synth:ETH\/USDT/);
    expect(r.out).toContain(`imported ${SWAPS.length} swaps`);
}, 120_000);
afterAll(() => installFunctionProvider(builtInRegistry()));

// Bounds, not speed assertions: each test opens the store (a failure guard on a loaded machine).
describe('the onchain pack', { timeout: 60_000 }, () => {
    it('bad files are refused naming the file, line and column, and nothing is written', async () => {
        const count = () => withStore({ stateDir }, store => store.scalar('SELECT count(*) FROM onchain_series'));
        const before = await count();
        const bad = join(dir, 'bad-swaps.csv');
        writeFileSync(bad, 'ts,chain,address,side,amount_usd\n2024-03-01T00:10:00Z,ethereum,0xweth-usdc-5,buy,100\n2024-03-01T00:20:00Z,ethereum,0xweth-usdc-5,buy,abc\n2024-03-01T00:30:00Z,ethereum,0xweth-usdc-5,hold,5\nyesterday,ethereum,0xweth-usdc-5,buy,5\n');
        const r = await af('data', 'onchain', 'import', bad, '--kind', 'swaps', '--state-dir', stateDir);
        expect(r.code).toBe(3);
        expect(r.err).toContain("bad-swaps.csv line 3, column amount_usd: 'abc' is not a number");
        expect(r.err).toContain("bad-swaps.csv line 4, column side: 'hold' is neither buy nor sell");
        expect(r.err).toContain("bad-swaps.csv line 5, column ts: 'yesterday' is not a time");
        expect(r.err).toContain('Nothing was imported');

        const noColumn = join(dir, 'tvl.json');
        writeFileSync(noColumn, JSON.stringify([{ ts: '2024-03-01T00:00:00Z', chain: 'ethereum', address: '0xweth-usdc-5' }]));
        expect((await af('data', 'onchain', 'import', noColumn, '--kind', 'tvl', '--state-dir', stateDir)).err).toMatch(/tvl\.json: the tvl layout needs the column\(s\) tvl_usd/);
        writeFileSync(noColumn, JSON.stringify([{ ts: 1709251200, chain: 'ethereum', address: '0xweth-usdc-5', tvl_usd: 1 }, { ts: 1709251200, chain: 'ethereum', address: '0xnowhere', tvl_usd: -2 }]));
        expect((await af('data', 'onchain', 'import', noColumn, '--kind', 'tvl', '--state-dir', stateDir)).err).toContain('tvl.json item 2, column tvl_usd: -2 is below 0');
        const unknown = join(dir, 'gasless.csv');
        writeFileSync(unknown, 'ts,chain,address,side,amount_usd\n2024-03-01T00:10:00Z,ethereum,0xnowhere,buy,100\n');
        expect((await af('data', 'onchain', 'import', unknown, '--kind', 'swaps', '--state-dir', stateDir)).err).toContain('gasless.csv line 2: pool ethereum/0xnowhere is not known; import it in a pools file first');
        expect(await count()).toBe(before);
    });

    it('the bundled sample is the seeded generator\'s output', () => {
        const bars = synthBars({ symbols: ['ETH/USDT'], timeframeMs: HOUR, bars: 240, seed: 1, start: Date.parse('2024-03-01T00:00:00Z') });
        expect(Array.from(bars.ts)).toEqual(BAR_TS);
        const out = mkdtempSync(join(tmpdir(), 'af-onchain-gen-'));
        for (const f of writeOnchainCsv(out, synthOnchain({ seed: 1, ts: bars.ts, close: bars.assets[0]!.close, timeframeMs: HOUR, base: 'ETH' }))) {
            expect(readFileSync(f, 'utf8'), f).toBe(readFileSync(join(SAMPLE, f.slice(out.length + 1)), 'utf8'));
        }
    });

    it('each function equals a hand calculation from the raw rows, in both engines (also resampled)', async () => {
        const { ir } = await compile(VALUES);
        const data = await load(ir!);
        const h = hand();
        const expected: Record<string, number[]> = {
            tvl: h.tvl, gas: h.gas, vol: rolling(h.volume, 5), fees: rolling(h.fees, 5), flow: rolling(h.flow, 3),
            // The 4h bucket before the current one (resample's offset 1): undefined until one has closed.
            vol4h: BAR_TS.map(ts => {
                const prev = Math.floor(ts / (4 * HOUR)) - 1;
                const idx = BAR_TS.map((x, t) => [x, t] as const).filter(([x]) => Math.floor(x / (4 * HOUR)) === prev).map(([, t]) => t);
                return idx.length === 0 ? NaN : idx.reduce((a, t) => a + h.volume[t]!, 0);
            }),
        };
        expect(h.tvl.filter(Number.isNaN).length).toBe(0);
        expect(h.flow.some(x => x < 0) && h.flow.some(x => x > 0)).toBe(true);
        const v = values(ir!, data);
        for (const [name, e] of Object.entries(expected)) {
            expectClose(v.compiled.get(name)!, e, `${name} (compiled)`);
            expectClose(v.reference.get(name)!, e, `${name} (reference)`);
        }
    });

    it('no lookahead: events at or after bar k\'s close change nothing at bars ≤ k', async () => {
        const { ir } = await compile(VALUES);
        const data = await load(ir!);
        const k = 100, close = BAR_TS[k]! + HOUR;
        const addresses = rows('swaps.csv').map(r => r['address']);
        const pool = (address: string): PoolSeries => {
            const swaps = SWAPS.filter((_, i) => addresses[i] === address);
            return {
                chain: 'ethereum', address, sign: 1,
                tvl: TVL.filter(x => x.pool === address).map(x => [x.ts, x.value] as const),
                volume: swaps.map(s => [s.ts, s.amount] as const), fees: swaps.map(s => [s.ts, s.fee] as const), netFlow: swaps.map(s => [s.ts, s.flow] as const),
            };
        };
        const pools = POOLS.map(p => pool(p['address']!));
        const gas = GAS.map(g => [g.ts, g.value] as const);
        const late = (p: PoolSeries): PoolSeries => {
            // At bar k's close exactly, and just before bar k + 1's: bar k + 1 sees them, bar k must not.
            const add = (s: readonly (readonly [number, number])[], v: number) => [...s, [close, v] as const, [close + HOUR - 1, v] as const].sort((x, y) => x[0] - y[0]);
            return { ...p, tvl: add(p.tvl, 9e9), volume: add(p.volume, 9e9), fees: add(p.fees, 9e9), netFlow: add(p.netFlow, -9e9) };
        };
        const asset = data.assets[0]!;
        const base = alignOnchain(data.ts, HOUR, asset.open, pools, gas);
        const moved = alignOnchain(data.ts, HOUR, asset.open, pools.map(late), [...gas, [close, 999] as const, [close + HOUR - 1, 999] as const].sort((x, y) => x[0] - y[0]));
        const a = values(ir!, { ...data, assets: [{ ...asset, onchain: base }] });
        const b = values(ir!, { ...data, assets: [{ ...asset, onchain: moved }] });
        for (const name of ['tvl', 'gas', 'vol', 'fees', 'flow', 'vol4h']) {
            for (const engine of ['compiled', 'reference'] as const) {
                const x = Array.from(a[engine].get(name)!), y = Array.from(b[engine].get(name)!);
                expect(y.slice(0, k + 1), `${name} (${engine})`).toEqual(x.slice(0, k + 1));
                if (name !== 'vol4h') expect(y[k + 1], `${name} (${engine}) at bar ${k + 1}`).not.toBe(x[k + 1]);
            }
        }
        // And the columns from the store are the hand calculation's own (no event at or after a close leaks in).
        expectClose(asset.onchain!.dex_tvl!, Array.from(base.dex_tvl), 'dex_tvl from the store');
        expectClose(asset.onchain!.dex_net_flow!, hand().flow, 'dex_net_flow from the store');
    });

    it('the example checks clean and backtests through the run pipeline on the synthetic dataset; both engines fill alike', async () => {
        const text = readFileSync(EXAMPLE, 'utf8');
        const { ir, diagnostics } = await compile(text);
        expect(diagnostics).toEqual([]);
        const run = await prepareRun({ kind: 'backtest' }, { compile: async () => ir!, load: async () => load(ir!) });
        const plain = await withStore({ stateDir }, store => loadFromStore(store, { assets: [{ venue: 'synth', symbol: 'ETH/USDT' }], timeframe: '1h' }));
        expect(run.data.snapshotHash).not.toBe(plain.snapshotHash);
        const { result } = await executeRun({ ...run, symbols: run.data.ids }, { workers: 0 });
        expect(result.kind).toBe('backtest');
        expect(result.provenance.dataSnapshot).toBe(run.data.snapshotHash);
        const c = new CompiledBacktester().run(ir!, run.data), r = new ReferenceBacktester().run(ir!, run.data);
        expect(c.trades.length).toBeGreaterThan(3);
        expect(r.fills.map(f => [f.bar, f.reason, f.qty])).toEqual(c.fills.map(f => [f.bar, f.reason, f.qty]));
    });

    it('used without the pack, a function names it; on an asset no pool trades, the load says what to import; af data onchain synth makes one', async () => {
        const { ir, diagnostics } = await compile(readFileSync(EXAMPLE, 'utf8'), false);
        expect(ir).toBeUndefined();
        expect(diagnostics.join('\n')).toMatch(/'net_flow': it comes from the capability pack 'onchain'.*af pack add onchain/);
        const { ir: values } = await compile(VALUES);
        const btc = (id: string) => withStore({ stateDir }, async store => {
            const bars = await loadFromStore(store, { assets: [{ venue: 'dex', symbol: 'BTC/USDT' }], timeframe: '1h' });
            return withOnchain(store, { ...bars, ids: [id] }, onchainReads(values!));
        });
        const synth = await af('data', 'onchain', 'synth', '--venue', 'dex', '--symbol', 'BTC/USDT', '--bars', '48', '--seed', '3', '--state-dir', stateDir);
        expect(synth.err).toBe('');
        expect(synth.out).toMatch(/^imported 48 1h bars of dex:BTC\/USDT[^]*imported 2 pools, \d+ swaps, 96 TVL points, 48 gas prices/);
        await expect(btc('dex:SOL/USDT')).rejects.toThrow(/no on-chain pool trades SOL \(the base of dex:SOL\/USDT\); import a pools file/);
        const loaded = await btc('dex:BTC/USDT');
        // Its own pools (WBTC), not ETH's: volume defined on every bar, TVL of two pools.
        expect(Array.from(loaded.assets[0]!.onchain!.dex_volume!).every(v => v > 0)).toBe(true);
        expect(loaded.assets[0]!.onchain!.dex_tvl![47]).toBeGreaterThan(1e8);
    });
});
