/**
 * The IR: what the backtest engine will read. Checks its shape on the brief's strategies,
 * argument resolution, def inlining, literal units, settings defaults and refusal on errors.
 */
import { describe, expect, it } from 'vitest';
import { services, SMA_CROSS } from './helpers.js';
import { loadString } from '../src/workspace/load.js';
import {
    buildIr, compileStrategy, IR_VERSION, IrError, isStrategy, type IrNode, type NodeId, type Strategy, type StrategyIr,
} from '../src/index.js';

let counter = 0;
async function strategyOf(text: string, uri?: string): Promise<Strategy> {
    const { document } = await loadString(services(), text, uri ?? `memory:///ir/doc${++counter}.af`);
    const s = document.parseResult.value.elements.find(isStrategy);
    if (!s) throw new Error('no strategy in test text');
    return s;
}
async function compile(text: string, uri?: string): Promise<StrategyIr> {
    return buildIr(services(), await strategyOf(text, uri));
}
/** A strategy around some members, for small cases. */
const wrap = (body: string, header = 'universe: binance:BTC/USDT\n  timeframe: 1h'): string => `strategy T {\n  ${header}\n${body}\n}\n`;

function node(ir: StrategyIr, id: NodeId): IrNode {
    const n = ir.nodes[id];
    if (!n) throw new Error(`no node ${id}`);
    return n;
}
/** The node as a small tree, for readable expectations: `sma(field:close, param:fast)`. */
function show(ir: StrategyIr, id: NodeId): string {
    const n = node(ir, id);
    const args = n.inputs.map(i => show(ir, i)).join(', ');
    switch (n.op) {
        case 'const': return String(n.attrs['value']);
        case 'param': return `param:${String(n.attrs['name'])}`;
        case 'field': return `${n.attrs['asset'] ? `${String(n.attrs['asset'])}.` : ''}${String(n.attrs['name'])}`;
        case 'enum': return String(n.attrs['value']);
        case 'call': return `${String(n.attrs['fn'])}${n.attrs['output'] ? `.${String(n.attrs['output'])}` : ''}(${args})`;
        default: return `${n.op}(${args})`;
    }
}

describe('IR of the brief\'s SmaCross', () => {
    it('carries everything the engine needs', async () => {
        const ir = await compile(SMA_CROSS);
        expect(ir.irVersion).toBe(IR_VERSION);
        expect(ir.strategy).toBe('SmaCross');
        expect(ir.tags).toEqual(['trend', 'crypto']);
        expect(ir.universe).toEqual([
            { id: 'binance:BTC/USDT', venue: 'binance', symbol: 'BTC/USDT', alias: null },
            { id: 'binance:ETH/USDT', venue: 'binance', symbol: 'ETH/USDT', alias: null },
        ]);
        expect(ir.timeframe).toEqual({ text: '1h', ms: 3_600_000 });
        expect(ir.params.map(p => [p.name, p.type, p.default, p.low, p.high, p.step, p.free])).toEqual([
            ['fast', 'int', 10, 5, 50, 5, true],
            ['slow', 'int', 50, 20, 200, 10, true],
        ]);
        expect(ir.params[0]!.grid).toEqual([5, 10, 15, 20, 25, 30, 35, 40, 45, 50]);
        expect(node(ir, ir.params[0]!.node)).toMatchObject({ op: 'param', type: 'scalar int', attrs: { name: 'fast' } });
        expect(ir.constraints.map(c => show(ir, c))).toEqual(['lt(param:fast, param:slow)']);
        expect(Object.keys(ir.features)).toEqual(['fastMa', 'slowMa']);
        expect(show(ir, ir.features['fastMa']!)).toBe('sma(close, param:fast)');
        expect(node(ir, ir.features['fastMa']!)).toMatchObject({ type: 'series num', unit: 'price' });
        expect(show(ir, ir.signals['enter']!)).toBe('crossover(sma(close, param:fast), sma(close, param:slow))');
        expect(node(ir, ir.signals['enter']!)).toMatchObject({ type: 'series bool', unit: '1' });

        expect(ir.rules).toHaveLength(2);
        expect(ir.rules[0]!.condition).toBe(ir.signals['enter']);
        expect(ir.rules[0]!.actions).toEqual([{ kind: 'target', targets: [{ asset: null, size: expect.any(Number), quantity: false, side: 'long' }] }]);
        const target = ir.rules[0]!.actions[0]!;
        if (target.kind !== 'target') throw new Error('not a target');
        expect(node(ir, target.targets[0]!.size)).toMatchObject({ op: 'const', unit: '%', attrs: { value: 0.5 } });
        expect(ir.rules[1]).toEqual({ condition: ir.signals['leave'], actions: [{ kind: 'flat', assets: [] }] });

        expect(show(ir, ir.risk['stop_loss']!.value)).toBe('mul(2, atr(14))');
        expect(node(ir, ir.risk['stop_loss']!.value)).toMatchObject({ type: 'series num', unit: 'price' });
        expect(ir.risk['max_drawdown']).toMatchObject({ explicit: true });
        expect(show(ir, ir.risk['max_drawdown']!.action!)).toBe('halt');
        // Defaults from analysis/settings.ts are filled in and marked as such.
        expect(ir.risk['leverage']).toMatchObject({ explicit: false, action: null });
        expect(show(ir, ir.risk['leverage']!.value)).toBe('1');
        expect(ir.execution['capital']).toMatchObject({ explicit: false });
        expect(show(ir, ir.execution['capital']!.value)).toBe('100000');
        expect(node(ir, ir.execution['fees']!.value)).toMatchObject({ op: 'const', unit: 'bps', attrs: { value: 0.001 } });
        expect(node(ir, ir.execution['fill']!.value)).toMatchObject({ op: 'enum', type: 'scalar enum<fill_mode>', attrs: { value: 'next_open' } });
        expect(ir.risk['take_profit']).toBeUndefined(); // no default: absent
        expect(ir.portfolio).toBeNull();
        expect(ir.warmup).toEqual({ bars: 50, maxBars: 200 });
        expect(ir.fill).toBe('next_open');
    });

    it('is topologically ordered, well-typed and JSON-serialisable', async () => {
        const ir = await compile(SMA_CROSS);
        ir.nodes.forEach((n, i) => {
            expect(n.id).toBe(i);
            for (const x of n.inputs) expect(x).toBeLessThan(i);
            expect(n.type).toMatch(/^(scalar|series) (num|int|bool|duration|string|enum<\w+>)$/);
            expect(n.unit).toMatch(/^(any|1|%|bps|[a-z]+(\^\d+)?([*/][a-z]+(\^\d+)?)*)$/);
        });
        expect(JSON.parse(JSON.stringify(ir))).toEqual(ir);
    });
});

describe('expressions', () => {
    it('resolves named arguments and fills catalogue defaults, so equal calls are one node', async () => {
        const ir = await compile(wrap(`
  feature a = sma(close, length=20)
  feature b = sma(close, 20)
  feature c = sma(length=20, source=close)
  feature r = rsi(close)
  feature r14 = rsi(close, 14)
  rules { when a > b and c > b and r < r14 => target 50% }`));
        expect(ir.features['a']).toBe(ir.features['b']);
        expect(ir.features['c']).toBe(ir.features['b']);
        expect(ir.features['r']).toBe(ir.features['r14']);
        expect(show(ir, ir.features['r']!)).toBe('rsi(close, 14)');
    });

    it('gives multi-output calls their output, the first by default', async () => {
        const ir = await compile(wrap(`
  feature h = macd(close, signal=9).hist
  feature l = macd(close)
  feature l2 = macd(close).line
  feature u = bollinger(close).upper
  rules { when h > 0 and l > l2 and close > u => target 50% }`));
        expect(show(ir, ir.features['h']!)).toBe('macd.hist(close, 12, 26, 9)');
        expect(ir.features['l']).toBe(ir.features['l2']);
        expect(node(ir, ir.features['l']!).attrs).toEqual({ fn: 'macd', output: 'line' });
        expect(show(ir, ir.features['u']!)).toBe('bollinger.upper(close, 20, 2)');
    });

    it('turns %, bps and bars literals into values with their unit', async () => {
        const ir = await compile(wrap(`
  param sl: float = 2% in 1%..3% step 0.5%
  rules { when close > open => buy 0.5 limit at close * (1 - 25 bps) expire 3 bars }
  risk { stop_loss: sl  take_profit: 3% }`));
        expect(node(ir, ir.params[0]!.node)).toMatchObject({ type: 'scalar num', unit: '%' });
        expect(ir.params[0]).toMatchObject({ default: 0.02, low: 0.01, high: 0.03, step: 0.005, grid: [0.01, 0.015, 0.02, 0.025, 0.03] });
        const tp = node(ir, ir.risk['take_profit']!.value);
        expect(tp).toMatchObject({ op: 'const', unit: '%', attrs: { value: 0.03 } });
        const order = ir.rules[0]!.actions[0]!;
        expect(order).toMatchObject({ kind: 'order', side: 'buy', asset: null, quantity: false, type: 'limit' });
        if (order.kind !== 'order') throw new Error('not an order');
        expect(show(ir, order.price!)).toBe('mul(close, sub(1, 0.0025))');
        expect(node(ir, order.expire!)).toMatchObject({ op: 'const', unit: 'bars', attrs: { value: 3 } });
        expect(ir.risk['stop_loss']!.value).toBe(ir.params[0]!.node);
    });

    it('compiles look-back, if, not, unary minus and durations', async () => {
        const ir = await compile(wrap(`
  feature daily = resample(close, 1d)
  feature prev = highest(high, 24)[1]
  feature x = if close > prev then close - prev else -(prev - close)
  rules { when not (x < 0) and close > daily => target 50% }`));
        expect(show(ir, ir.features['daily']!)).toBe('resample(close, 86400000, 1)');
        const dur = node(ir, node(ir, ir.features['daily']!).inputs[1]!);
        expect(dur).toMatchObject({ type: 'scalar duration', attrs: { value: 86_400_000, text: '1d' } });
        expect(show(ir, ir.features['prev']!)).toBe('index(highest(high, 24), 1)');
        expect(show(ir, ir.features['x']!)).toBe('if(gt(close, index(highest(high, 24), 1)), sub(close, index(highest(high, 24), 1)), neg(sub(index(highest(high, 24), 1), close)))');
        expect(show(ir, ir.rules[0]!.condition)).toMatch(/^and\(not\(lt\(/);
    });

    it('inlines defs with their arguments and infers the types inside', async () => {
        const ir = await compile(`
def mid(a, b) = (a + b) / 2
def above(x: series, n: int) = x > sma(x, n)
strategy T {
  universe: binance:BTC/USDT
  timeframe: 1h
  param n: int = 20 in 10..30 step 5
  feature m = mid(high, low)
  feature direct = (high + low) / 2
  signal up = above(m, n)
  rules { when up => target 50% }
}`);
        expect(ir.features['m']).toBe(ir.features['direct']);
        expect(show(ir, ir.signals['up']!)).toBe('gt(div(add(high, low), 2), sma(div(add(high, low), 2), param:n))');
        const sum = node(ir, node(ir, ir.features['m']!).inputs[0]!);
        expect(sum).toMatchObject({ op: 'add', type: 'series num', unit: 'price' });
        expect(node(ir, ir.signals['up']!)).toMatchObject({ type: 'series bool' });
    });

    it('inlines defs from imported files', async () => {
        await loadString(services(), 'def trend_ok(x: series, n: int) = x > sma(x, n)\n', 'memory:///irimp/lib/filters.af');
        const ir = await compile(`import "lib/filters.af"
strategy T {
  universe: binance:BTC/USDT
  timeframe: 1h
  feature daily = resample(close, 1d)
  signal trend = trend_ok(daily, 50)
  rules { when trend => target 50% }
}`, 'memory:///irimp/main.af');
        expect(show(ir, ir.signals['trend']!)).toBe('gt(resample(close, 86400000, 1), sma(resample(close, 86400000, 1), 50))');
    });
});

describe('rules, assets and portfolio', () => {
    it('compiles the pairs sketch: aliased fields and per-asset targets', async () => {
        const ir = await compile(`
strategy PairsKoPep {
  universe: nyse:KO as a, nyse:PEP as b
  timeframe: 1d
  param window: int = 60 in 20..120 step 10
  param entry: float = 2.0 in 1.0..3.0 step 0.25
  feature beta = rolling_beta(a.close, b.close, window)
  feature spread = a.close - beta * b.close
  feature z = zscore(spread, window)
  rules {
    when z > entry => target a: -50%, b: 50% * beta
    when z < -entry => target a: 50%, b: -50% * beta
    when abs(z) < 0.5 => flat a, b
  }
}`);
        expect(ir.universe.map(u => u.alias)).toEqual(['a', 'b']);
        expect(show(ir, ir.features['spread']!)).toBe('sub(a.close, mul(rolling_beta(a.close, b.close, param:window), b.close))');
        expect(node(ir, ir.features['beta']!)).toMatchObject({ unit: '1' }); // price/price
        const t = ir.rules[0]!.actions[0]!;
        if (t.kind !== 'target') throw new Error('not a target');
        expect(t.targets.map(x => [x.asset, show(ir, x.size), x.side])).toEqual([
            ['a', 'neg(0.5)', 'long'],
            ['b', 'mul(0.5, rolling_beta(a.close, b.close, param:window))', 'long'],
        ]);
        expect(ir.rules[2]!.actions).toEqual([{ kind: 'flat', assets: ['a', 'b'] }]);
    });

    it('compiles the cross-sectional momentum sketch: portfolio with defaults', async () => {
        const ir = await compile(`
strategy XsMomentum {
  universe: nyse:AAPL, nyse:MSFT, nyse:JPM, nyse:XOM, nyse:JNJ, nyse:PG, nyse:KO, nyse:WMT
  timeframe: 1d
  param lookback: int = 120 in 60..250 step 10
  param k: int = 3 in 1..5
  feature mom = roc(close, lookback) - roc(close, 20)
  portfolio {
    rebalance: monthly
    long top_k(rank(mom), k) weight equal
    short bottom_k(rank(mom), k)
  }
  execution { fill: next_open  fees: 5 bps }
}`);
        expect(ir.params[1]).toMatchObject({ name: 'k', step: 1, grid: [1, 2, 3, 4, 5] });
        expect(ir.rules).toEqual([]);
        const p = ir.portfolio!;
        expect(show(ir, p.settings['rebalance']!.value)).toBe('monthly');
        expect(p.allocations.map(a => [a.side, show(ir, a.selection), show(ir, a.weighting)])).toEqual([
            ['long', 'top_k(rank(sub(roc(close, param:lookback), roc(close, 20))), param:k)', 'equal'],
            ['short', 'bottom_k(rank(sub(roc(close, param:lookback), roc(close, 20))), param:k)', 'equal'],
        ]);
        expect(node(ir, ir.execution['fees']!.value).attrs['value']).toBe(0.0005);
        expect(ir.execution['slippage']!.explicit).toBe(false);
    });

    it('keeps rule order and target sides as written', async () => {
        const ir = await compile(wrap(`
  rules {
    when close > open => target 30% short
    when close < open => sell 2 units market
  }`));
        expect(ir.rules[0]!.actions[0]).toMatchObject({ kind: 'target', targets: [{ side: 'short', quantity: false }] });
        expect(ir.rules[1]!.actions[0]).toMatchObject({ kind: 'order', side: 'sell', quantity: true, type: 'market', price: null, expire: null });
        expect(show(ir, ir.rules[0]!.condition)).toBe('gt(close, open)');
        expect(show(ir, ir.rules[1]!.condition)).toBe('lt(close, open)');
    });
});

describe('refusal', () => {
    it('refuses a strategy with errors, listing each with its position and code', async () => {
        const s = await strategyOf(wrap(`
  feature bad = close + 2%
  rules { when bad > 0 => target 50% }
  execution { fees: 1h }`));
        expect(() => buildIr(services(), s)).toThrow(IrError);
        const r = compileStrategy(services(), s);
        expect(r.ir).toBeUndefined();
        expect(r.errors.map(e => [e.line, e.code])).toEqual(expect.arrayContaining([[5, 'AF202'], [7, 'AF208']]));
        for (const e of r.errors) expect(e.message).not.toMatch(/\n|at .*\.ts/);
    });

    it('refuses a document with a syntax error', async () => {
        const r = compileStrategy(services(), await strategyOf(wrap('  feature f = sma(close, )\n  rules { when f > 0 => target 50% }')));
        expect(r.errors.map(e => e.code)).toContain('AF001');
    });

    it('compiles despite warnings (unused feature)', async () => {
        const ir = await compile(wrap('  feature unused = ema(close, 5)\n  rules { when close > open => target 50% }'));
        expect(show(ir, ir.features['unused']!)).toBe('ema(close, 5)'); // the IR keeps it; the DAG drops it
    });
});

describe('params', () => {
    it('gives every param a grid: bool, fixed, stepped, and none for a continuous range', async () => {
        const ir = await compile(wrap(`
  param on: bool = true
  param fixed: int = 7
  param w: float = 1.5 in 1..2 step 0.25
  param c: float = 0.5 in 0..1
  rules { when on and sma(close, fixed) > open * w * c => target 50% }`));
        expect(ir.params.map(p => [p.name, p.grid, p.step, p.free])).toEqual([
            ['on', [false, true], null, true],
            ['fixed', [7], null, false],
            ['w', [1, 1.25, 1.5, 1.75, 2], 0.25, true],
            ['c', null, null, true],
        ]);
        expect(node(ir, ir.params[0]!.node)).toMatchObject({ op: 'param', type: 'scalar bool' });
    });
});
