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

describe('the compiled event engine equals the reference event engine', { timeout: 120_000 }, () => {
    it('the example strategy, on synthetic markets of three seeds', async () => {
        const ir = await compile(EXAMPLE);
        for (const seed of [1, 2, 3]) {
            const r = same(ir, seed, 2500);
            expect(r.fills, `seed ${seed}`).toBeGreaterThan(5);
            expect(r.maxAbs).toBeLessThanOrEqual(5);
        }
    });

    it('the example with 50 ms and no latency (queue position and in-flight cancels)', async () => {
        const ir = await compile(EXAMPLE);
        expect(same(ir, 4, 2500, 50).fills).toBeGreaterThan(0);
        expect(same(ir, 5, 2500, 0).fills).toBeGreaterThan(0);
    });

    it('market orders, quotes inside the spread and flat, against the inventory limit', async () => {
        const ir = await compile(variant([
            '    when imbalance > lean => buy 2 units',
            '    when imbalance < -lean => sell 1 units limit at best_ask() - 0.01',
            '    when imbalance >= -lean and imbalance <= lean => buy 1 units limit at best_bid()',
            '    when inventory() >= 3 and imbalance < 0 => flat',
        ].join('\n')));
        for (const seed of [6, 7]) {
            const r = same(ir, seed, 2000);
            expect(r.fills).toBeGreaterThan(5);
            expect(r.maxAbs).toBeLessThanOrEqual(3);
        }
    });
});
