/**
 * The hft pack: tick data imported through `af data hft` in public datasets' layouts (the bundled
 * Tardis-layout sample, a headerless Binance aggTrades file, a Tardis book_snapshot file; bad rows
 * refused naming file, line and column with nothing written), the sample being the seeded
 * generator's output; every feature against a hand calculation, in the event engine and in the
 * reference implementations; a queue-position fill against a worked example; the invariants (no fill
 * at a price the book never reached, inventory within its limit) over a synthetic market; and the
 * example strategy checking clean and backtesting through `af hft backtest`.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmptyFileSystem } from 'langium';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileStrategy, createAlphaForgeServices, isStrategy, loadString, type Model, type StrategyIr } from '../../../language/src/index.js';
import { hftPack } from '../../../language/src/catalogue/hft-pack.js';
import { loadConfig } from '../../src/config/config.js';
import { allocEvents, LEVEL, SNAPSHOT, TRADE, type HftEvents } from '../../src/data/hft/events.js';
import { HFT_SAMPLE, tardisCsv } from '../../src/data/hft/import.js';
import { loadHftEvents } from '../../src/data/hft/store.js';
import { synthHftEvents } from '../../src/data/hft/synth.js';
import { runEvents } from '../../src/engine/hft/engine.js';
import { builtInRegistry } from '../../src/engine/packs/builtin.js';
import { installFunctionProvider, type ReferenceCall } from '../../src/engine/packs/hook.js';
import { reference } from '../../src/engine/packs/hft/reference.js';
import { loadWorkspacePacks } from '../../src/packs/workspace-packs.js';
import { withStore } from '../../src/schema/registry.js';
import { af } from './support.js';

const SAMPLE = join(process.cwd(), 'examples', 'packs', 'hft-sample');
const EXAMPLE = join(process.cwd(), 'examples', 'packs', 'hft-imbalance-mm.af');
const dir = mkdtempSync(join(tmpdir(), 'af-hft-'));
const stateDir = join(dir, '.af');
const config = join(dir, 'alphaforge.json');

async function compile(text: string, withPack = true): Promise<{ ir?: StrategyIr; diagnostics: string[] }> {
    const services = createAlphaForgeServices({ ...EmptyFileSystem, packs: withPack ? [hftPack] : [] }).AlphaForge;
    const { document } = await loadString(services, text, `memory:///hft${Math.random()}.af`);
    const diagnostics = (document.diagnostics ?? []).filter(d => d.severity === 1 || d.severity === 2).map(d => `${d.range.start.line + 1}: ${String(d.code)} ${d.message}`);
    const r = compileStrategy(services, (document.parseResult.value as Model).elements.find(isStrategy)!);
    return { ir: r.ir, diagnostics: [...diagnostics, ...r.errors.map(e => `${e.line}: ${e.code} ${e.message}`)] };
}

async function strategy(body: string): Promise<StrategyIr> {
    const { ir, diagnostics } = await compile(`strategy T {\n  universe: synth:BTC/USDT\n  timeframe: 1s\n${body}\n  execution {\n    mode: event_driven\n  }\n}\n`);
    // Features only traced (never used by a rule) are fine here.
    expect(diagnostics.filter(d => !/ AF30[24] /.test(d))).toEqual([]);
    return ir!;
}

/** Events from rows [ms, kind, side, price, qty]. */
function events(rows: readonly (readonly [number, number, number, number, number])[]): HftEvents {
    const e = allocEvents(rows.length);
    rows.forEach(([ms, k, s, p, q], i) => { e.ms[i] = ms; e.kind[i] = k; e.side[i] = s; e.price[i] = p; e.qty[i] = q; });
    return e;
}

beforeAll(async () => {
    writeFileSync(config, JSON.stringify({ stateDir: '.af' }));
    expect((await af('--config', config, 'pack', 'add', 'hft')).err).toBe('');
    const { registry, problems } = await loadWorkspacePacks(loadConfig({ file: config }).config.packs ?? []);
    expect(problems).toEqual([]);
    installFunctionProvider(registry);
}, 60_000);
afterAll(() => installFunctionProvider(builtInRegistry()));

describe('the hft pack', { timeout: 60_000 }, () => {
    it('imports public layouts (the sample, Binance aggTrades without a header, a Tardis snapshot); bad rows are named and nothing is written', async () => {
        const r = await af('data', 'hft', 'sample', '--state-dir', stateDir);
        expect(r.err).toBe('');
        const trades = readFileSync(join(SAMPLE, 'trades.csv'), 'utf8').trim().split('\n').length - 1;
        const book = readFileSync(join(SAMPLE, 'book.csv'), 'utf8').trim().split('\n').length - 1;
        expect(r.out).toContain(`imported ${trades} trades and 0 book rows of synth:BTC/USDT`);
        expect(r.out).toContain(`imported 0 trades and ${book} book rows of synth:BTC/USDT`);
        // The sample is the generator's output for seed 1, and reads back as the same events.
        const gen = synthHftEvents(HFT_SAMPLE.events, { seed: HFT_SAMPLE.seed, mid: HFT_SAMPLE.mid, tickSize: HFT_SAMPLE.tickSize });
        const csv = tardisCsv(gen, 'synth', 'BTC-USDT');
        expect(csv.trades).toBe(readFileSync(join(SAMPLE, 'trades.csv'), 'utf8'));
        expect(csv.book).toBe(readFileSync(join(SAMPLE, 'book.csv'), 'utf8'));
        const back = await withStore({ stateDir }, s => loadHftEvents(s, 'synth', 'BTC/USDT'));
        expect(back.n).toBe(gen.n);
        expect(Array.from(back.price)).toEqual(Array.from(gen.price));
        expect(Array.from(back.kind)).toEqual(Array.from(gen.kind));

        // Binance aggTrades as data.binance.vision publishes it (no header; ms; is_buyer_maker).
        const agg = join(dir, 'BTCUSDT-aggTrades-2024-01-02.csv');
        writeFileSync(agg, '26129,42000.10,0.5,27781,27781,1704153600000,true,true\n26130,42000.20,1.5,27782,27783,1704153600005,false,true\n');
        const a = await af('data', 'hft', 'import', agg, '--format', 'binance-aggtrades', '--venue', 'binance', '--symbol', 'BTC/USDT', '--state-dir', stateDir);
        expect(a.err).toBe('');
        expect(a.out).toContain('imported 2 trades');
        const snap = join(dir, 'book_snapshot_2.csv');
        writeFileSync(snap, 'exchange,symbol,timestamp,local_timestamp,asks[0].price,asks[0].amount,bids[0].price,bids[0].amount,asks[1].price,asks[1].amount,bids[1].price,bids[1].amount\n'
            + 'binance,BTCUSDT,1704153600001000,1704153600002000,42000.2,1,42000.1,2,42000.3,3,42000.0,4\n');
        expect((await af('data', 'hft', 'import', snap, '--format', 'tardis-book-snapshot', '--venue', 'binance', '--symbol', 'BTC/USDT', '--state-dir', stateDir)).out).toContain('imported 0 trades and 4 book rows');
        const bin = await withStore({ stateDir }, s => loadHftEvents(s, 'binance', 'BTC/USDT'));
        // Time order, a trade before the book rows of its time; the maker flag made the seller the aggressor.
        expect(Array.from(bin.kind)).toEqual([TRADE, SNAPSHOT, SNAPSHOT, SNAPSHOT, SNAPSHOT, TRADE]);
        expect([bin.side[0], bin.side[5], bin.ms[0], bin.ms[5]]).toEqual([-1, 1, 1704153600000, 1704153600005]);

        const count = () => withStore({ stateDir }, s => s.scalar('SELECT (SELECT count(*) FROM hft_trades) + (SELECT count(*) FROM hft_book)'));
        const before = await count();
        const bad = join(dir, 'bad-book.csv');
        writeFileSync(bad, 'exchange,symbol,timestamp,local_timestamp,is_snapshot,side,price,amount\n'
            + 'x,y,1704153700000000,0,false,bid,100,1\nx,y,1704153700000001,0,false,buy,100,1\nx,y,1704153700000002,0,false,ask,abc,1\nx,y,1704153600000000,0,false,ask,101,-1\n');
        const b = await af('data', 'hft', 'import', bad, '--format', 'tardis-book-l2', '--venue', 'binance', '--symbol', 'BTC/USDT', '--state-dir', stateDir);
        expect(b.code).toBe(3);
        expect(b.err).toContain("bad-book.csv line 3, column side: 'buy' is not bid or ask");
        expect(b.err).toContain("bad-book.csv line 4, column price: 'abc' is not a positive number");
        expect(b.err).toContain('bad-book.csv line 5, column timestamp: the time goes back from line 4');
        expect(b.err).toContain('Nothing was imported');
        expect(await count()).toBe(before);
    });

    it('each feature equals a hand calculation, in the event engine and in the reference implementations', async () => {
        const ir = await strategy(`  feature sp = spread()
  feature mid = mid_price()
  feature micro = microprice()
  feature imb1 = book_imbalance(1)
  feature imb3 = book_imbalance(3)
  feature flow = trade_imbalance(2)
  feature vol = realized_vol(2)
  feature inv = inventory()
  rules {
    when sp < 0 => flat
  }`);
        const ev = events([
            [1000, SNAPSHOT, 1, 100.00, 5], [1000, SNAPSHOT, 1, 99.99, 3], [1000, SNAPSHOT, 1, 99.98, 2],
            [1000, SNAPSHOT, -1, 100.02, 4], [1000, SNAPSHOT, -1, 100.03, 6], [1000, SNAPSHOT, -1, 100.04, 1],
            [1500, TRADE, -1, 100.00, 2], [1500, LEVEL, 1, 100.00, 3],
            [2500, TRADE, 1, 100.02, 1], [2500, LEVEL, -1, 100.02, 3],
            [4000, LEVEL, -1, 100.02, 0],
        ]);
        const t = runEvents(ir, ev, { trace: true }).trace!;
        expect(t.ms).toEqual([1000, 1500, 2500, 4000]);
        const f = t.features;
        const close = (xs: number[], want: number[]) => want.forEach((w, i) => (Number.isNaN(w) ? expect(xs[i]).toBeNaN() : expect(xs[i]).toBeCloseTo(w, 10)));
        close(f['sp']!, [0.02, 0.02, 0.02, 0.03]);
        close(f['mid']!, [100.01, 100.01, 100.01, 100.015]);
        // (bid × ask size + ask × bid size) / (bid size + ask size)
        close(f['micro']!, [(100 * 4 + 100.02 * 5) / 9, (100 * 4 + 100.02 * 3) / 7, (100 * 3 + 100.02 * 3) / 6, (100 * 6 + 100.03 * 3) / 9]);
        close(f['imb1']!, [(5 - 4) / 9, (3 - 4) / 7, 0, (3 - 6) / 9]);
        // Three levels: bids 5+3+2 against asks 4+6+1; at 4000 the asks are 100.03 and 100.04 only.
        close(f['imb3']!, [(10 - 11) / 21, (8 - 11) / 19, (8 - 10) / 18, (8 - 7) / 15]);
        // Trades in (now − 2 s, now]: none, −2, −2 and +1, then +1 alone.
        close(f['flow']!, [NaN, -1, -1 / 3, 1]);
        // Log changes of the mid in the window: only 2500 → 4000 moves it.
        close(f['vol']!, [0, 0, 0, Math.abs(Math.log(100.015 / 100.01))]);
        close(f['inv']!, [0, 0, 0, 0]);

        // The reference implementations from the same columns' histories.
        const cols: Record<string, number[]> = {
            hft_time: t.ms, hft_trade_qty: [0, -2, 1, 0], hft_inventory: [0, 0, 0, 0],
            hft_bid_px_1: [100, 100, 100, 100], hft_ask_px_1: [100.02, 100.02, 100.02, 100.03],
            hft_bid_sz_1: [5, 3, 3, 3], hft_bid_sz_2: [3, 3, 3, 3], hft_bid_sz_3: [2, 2, 2, 2],
            hft_ask_sz_1: [4, 4, 3, 6], hft_ask_sz_2: [6, 6, 6, 1], hft_ask_sz_3: [1, 1, 1, NaN],
        };
        const at = (fn: string, args: number[], k: number) => reference[fn]!.series!({
            t: k, fn, output: undefined, arg: (i: number) => args[i]!, hist: () => [], column: (c: string) => cols[c] ?? new Array<number>(4).fill(NaN),
        } as unknown as ReferenceCall) ?? NaN;
        const ref = (fn: string, args: number[] = []) => [0, 1, 2, 3].map(k => at(fn, args, k) as number);
        close(ref('spread'), f['sp']!);
        close(ref('microprice'), f['micro']!);
        close(ref('book_imbalance', [3]), f['imb3']!);
        close(ref('trade_imbalance', [2]), f['flow']!);
        close(ref('realized_vol', [2]), f['vol']!);
    });

    it('a limit order fills through its queue: the worked example', async () => {
        const ir = await strategy(`  signal on = best_bid() > 0
  rules {
    when on => buy 2 units limit at 100
  }
  risk {
    max_position: 2 units
  }`);
        const ev = events([
            [0, SNAPSHOT, 1, 100.00, 5], [0, SNAPSHOT, -1, 100.02, 5],
            // The order arrives (latency 0: at the next event) behind 5; one more joins behind it.
            [100, LEVEL, 1, 100.00, 6],
            // A seller takes 3: the queue ahead goes 5 → 2, no fill.
            [200, TRADE, -1, 100.00, 3], [200, LEVEL, 1, 100.00, 3],
            // Cancels leave 1 at the level: the order is at most 1 from the front.
            [300, LEVEL, 1, 100.00, 1],
            // A seller takes 2: 1 goes to the queue ahead, 1 fills the order.
            [400, TRADE, -1, 100.00, 2], [400, LEVEL, 1, 100.00, 0],
            // A seller trades below the bid: the book went through 100, the rest fills at 100.
            [500, TRADE, -1, 99.99, 1],
        ]);
        const r = runEvents(ir, ev);
        expect(r.fills).toEqual([
            { ms: 400, side: 1, price: 100, qty: 1, maker: true },
            { ms: 500, side: 1, price: 100, qty: 1, maker: true },
        ]);
        expect(r.inventory).toBe(2);
        // Full: the rule keeps asking, but max_position leaves no room for another order.
        expect(r.ordersSent).toBe(1);
        // With 1 s of latency the order reaches the venue after every trade: nothing fills.
        expect(runEvents(ir, ev, { latencyMs: 1000 }).fillCount).toBe(0);
    });

    it('the example checks clean and backtests (af hft backtest); over a synthetic market no fill is at a price the book never reached and the inventory stays within its limit', async () => {
        const text = readFileSync(EXAMPLE, 'utf8');
        const { ir, diagnostics } = await compile(text);
        expect(diagnostics).toEqual([]);
        expect((await compile(text, false)).diagnostics.join('\n')).toMatch(/'book_imbalance': it comes from the capability pack 'hft'.*af pack add hft/);

        const ev = synthHftEvents(20_000, { seed: 7 });
        const r = runEvents(ir!, ev);
        expect(r.fillCount).toBeGreaterThan(10);
        expect(r.maxAbsInventory).toBeLessThanOrEqual(5);
        // Each fill against the events of its time: a maker fill needs an aggressor of the other side
        // trading at or through its price; a taker fill a level at its price in the book it saw.
        const byMs = new Map<number, number[]>();
        for (let i = 0; i < ev.n; i++) byMs.set(ev.ms[i]!, [...(byMs.get(ev.ms[i]!) ?? []), i]);
        const seen = new Set<string>();
        for (let i = 0; i < ev.n; i++) if (ev.kind[i] !== TRADE) seen.add(`${ev.side[i]}:${ev.price[i]}`);
        for (const f of r.fills) {
            if (f.maker) {
                const hit = (byMs.get(f.ms) ?? []).some(i => ev.kind[i] === TRADE && ev.side[i] === -f.side && (f.side === 1 ? ev.price[i]! <= f.price : ev.price[i]! >= f.price));
                expect(hit, JSON.stringify(f)).toBe(true);
            } else {
                expect(seen.has(`${-f.side}:${f.price}`), JSON.stringify(f)).toBe(true);
            }
        }
        let inv = 0;
        for (const f of r.fills) { inv += f.side * f.qty; expect(Math.abs(inv)).toBeLessThanOrEqual(5); }

        // Through the CLI on the bundled sample (imported in the first test).
        const cli = await af('--config', config, 'hft', 'backtest', EXAMPLE, '--state-dir', stateDir);
        expect(cli.err).toBe('');
        expect(cli.out).toMatch(/^ImbalanceMarketMaker on synth:BTC\/USDT: \d+ events, \d+ decisions, \d+ orders, \d+ cancels, \d+ fills\npnl -?[\d.]+ /);
        // A bar backtest refuses it, saying where it runs.
        expect((await af('--config', config, 'backtest', EXAMPLE, '--state-dir', stateDir)).err).toContain('run it with af hft backtest');
    });
});
