/**
 * The compiled event engine (engine/hft/engine.ts) against the reference event engine
 * (engine/hft/reference.ts: the same semantics written the plain way, the strategy evaluated by the
 * reference interpreter's graph): on seeded synthetic markets, the example strategy and variants
 * that stress the queue, latency, market orders and the inventory limit give the same fills (time,
 * side, price, size, maker or taker), orders, cancels, inventory and PnL.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EmptyFileSystem } from 'langium';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileStrategy, createAlphaForgeServices, isStrategy, loadString, type Model, type StrategyIr } from '../../../language/src/index.js';
import { hftPack } from '../../../language/src/catalogue/hft-pack.js';
import { allocEvents, LEVEL, SNAPSHOT, TRADE, type HftEvents } from '../../src/data/hft/events.js';
import { synthHftEvents } from '../../src/data/hft/synth.js';
import { runEvents } from '../../src/engine/hft/engine.js';
import { referenceEvents } from '../../src/engine/hft/reference.js';
import { builtInRegistry } from '../../src/engine/packs/builtin.js';
import { installFunctionProvider } from '../../src/engine/packs/hook.js';
import { loadWorkspacePacks } from '../../src/packs/workspace-packs.js';

const EXAMPLE = readFileSync(join(process.cwd(), 'examples', 'packs', 'hft-imbalance-mm.af'), 'utf8');

async function compile(text: string): Promise<StrategyIr> {
    const services = createAlphaForgeServices({ ...EmptyFileSystem, packs: [hftPack] }).AlphaForge;
    const { document } = await loadString(services, text, `memory:///ref${Math.random()}.af`);
    const r = compileStrategy(services, (document.parseResult.value as Model).elements.find(isStrategy)!);
    expect(r.errors).toEqual([]);
    return r.ir!;
}

/** The example with its rules and limits replaced. */
const variant = (rules: string, risk = 'max_position: 3 units', latency = 20): string => `strategy V {
  universe: synth:BTC/USDT
  timeframe: 1s
  param lean: float = 0.3
  feature imbalance = book_imbalance(2)
  rules {
${rules}
  }
  risk {
    ${risk}
  }
  execution {
    mode: event_driven
    latency_ms: ${latency}
    fees: 2 bps
  }
}
`;

beforeAll(async () => {
    const { registry, problems } = await loadWorkspacePacks([{ name: 'hft', version: '^1.0.0' }]);
    expect(problems).toEqual([]);
    installFunctionProvider(registry);
});
afterAll(() => installFunctionProvider(builtInRegistry()));

/** Both engines on one market; fills compared whole (the reference keeps them all). */
function same(ir: StrategyIr, seed: number, n: number, latencyMs?: number): { fills: number; maxAbs: number } {
    const ev = synthHftEvents(n, { seed });
    const o = latencyMs === undefined ? {} : { latencyMs };
    const got = runEvents(ir, ev, { ...o, keepFills: n });
    const want = referenceEvents(ir, ev, o);
    expect(got.fills).toEqual(want.fills);
    expect({ decisions: got.decisions, orders: got.ordersSent, cancels: got.cancelsSent, unfilled: got.unfilled, inventory: got.inventory, maxAbs: got.maxAbsInventory })
        .toEqual({ decisions: want.decisions, orders: want.ordersSent, cancels: want.cancelsSent, unfilled: want.unfilled, inventory: want.inventory, maxAbs: want.maxAbsInventory });
    expect(got.cash).toBeCloseTo(want.cash, 9);
    expect(got.feesPaid).toBeCloseTo(want.feesPaid, 9);
    expect(got.pnl).toBeCloseTo(want.pnl, 9);
    return { fills: got.fillCount, maxAbs: got.maxAbsInventory };
}

/** Events from rows [ms, kind, side, price, qty]. */
function events(rows: readonly (readonly [number, number, number, number, number])[]): HftEvents {
    const e = allocEvents(rows.length);
    rows.forEach(([ms, k, sd, p, q], i) => { e.ms[i] = ms; e.kind[i] = k; e.side[i] = sd; e.price[i] = p; e.qty[i] = q; });
    return e;
}

describe('the compiled event engine equals the reference event engine', { timeout: 120_000 }, () => {
    it('a quote filled in full is asked for again at once, even at the same price and size', async () => {
        const ir = await compile(variant('    when true => buy 1 units limit at best_bid()', 'max_position: 5 units'));
        const T = 1_704_153_600_000;
        const ev = events([
            [T, SNAPSHOT, 1, 100, 5], [T, SNAPSHOT, -1, 100.02, 5],
            // Ours joins behind 5; a seller takes 6: 5 ahead, then ours. That trade is the last event of its
            // time (the book's row comes later, as in Tardis data), and the next trade comes before it.
            [T + 1, TRADE, -1, 100, 6],
            [T + 2, TRADE, -1, 100, 6],
            [T + 3, LEVEL, 1, 100, 5], [T + 4, LEVEL, -1, 100.02, 3],
        ]);
        const want = referenceEvents(ir, ev, { latencyMs: 0 });
        expect(want.fills.map(f => [f.ms - T, f.qty, f.maker])).toEqual([[1, 1, true], [2, 1, true]]);
        const got = runEvents(ir, ev, { latencyMs: 0 });
        expect(got.fills).toEqual(want.fills);
        expect([got.ordersSent, got.inventory]).toEqual([want.ordersSent, want.inventory]);
    });

    it('the example strategy, on synthetic markets of two seeds', async () => {
        const ir = await compile(EXAMPLE);
        for (const seed of [1, 2]) {
            const r = same(ir, seed, 2000);
            expect(r.fills, `seed ${seed}`).toBeGreaterThan(5);
            expect(r.maxAbs).toBeLessThanOrEqual(5);
        }
    });

    it('the example with 50 ms and no latency (queue position and in-flight cancels)', async () => {
        const ir = await compile(EXAMPLE);
        expect(same(ir, 4, 1500, 50).fills).toBeGreaterThan(0);
        expect(same(ir, 5, 1500, 0).fills).toBeGreaterThan(0);
    });

    it('market orders, quotes inside the spread and flat, against the inventory limit', async () => {
        const ir = await compile(variant([
            '    when imbalance > lean => buy 2 units',
            '    when imbalance < -lean => sell 1 units limit at best_ask() - 0.01',
            '    when imbalance >= -lean and imbalance <= lean => buy 1 units limit at best_bid()',
            '    when inventory() >= 3 and imbalance < 0 => flat',
        ].join('\n')));
        for (const seed of [6, 7]) {
            const r = same(ir, seed, 1500);
            expect(r.fills).toBeGreaterThan(5);
            expect(r.maxAbs).toBeLessThanOrEqual(3);
        }
    });
});
