/**
 * Biased forms written independently of the analysis, each of which passed `af check` before the
 * range analysis (checked against main): if/else inside a non-monotone function, a def call with
 * a param offset, a product of signed ranges, a divisor range crossing zero, a param resample
 * offset, and a same-bar fill decided by a target's size. Each must now be caught, in every place
 * a value can reach an order (rule, target size, limit price, stop, portfolio weight). Clean forms
 * the old bounds flagged or might flag must stay clean.
 */
import { describe, expect, it } from 'vitest';
import { check, codes } from './helpers.js';

const strategy = (body: string, defs = ''): string => `${defs}
strategy S {
  universe: binance:BTC/USDT, binance:ETH/USDT
  timeframe: 1h
${body}
}
`;
const rule = (cond: string, action = 'target 50% long'): string => `  rules {\n    when ${cond} => ${action}\n  }`;

describe('biased forms are caught', () => {
    const cases: [string, string, string, RegExp][] = [
        ['if/else inside abs: the else branch gives -1 at a = 0', 'AF101',
            strategy(`  param a: int = 2 in 0..3\n  feature f = close[abs(if a > 1 then a else 0) - 1]\n${rule('close > f')}`),
            /reads 1 bar into the future when a = [01]/],
        ['a def call with a param offset', 'AF101',
            strategy(`  param a: int = 3 in 0..5\n  feature f = close[lag(a)]\n${rule('close > f')}`, 'def lag(n: int): int = n - 2'),
            /`close\[lag\(a\)\]` reads 2 bars into the future when a = 0/],
        ['a product of signed ranges', 'AF101',
            strategy(`  param a: int = 1 in -1..1\n  param b: int = -1 in -3..-1\n  feature f = close[-a*b]\n${rule('close > f')}`),
            /reads 3 bars into the future when a = -1, b = -3/],
        ['a divisor whose range crosses zero', 'AF101',
            strategy(`  param k: int = 2 in -2..3\n  feature f = close[6 / k]\n${rule('close > f')}`),
            /reads 6 bars into the future when k = -1/],
        ['a resample offset over its whole range, not its default', 'AF103',
            strategy(`  param o: int = 1 in 0..2\n  feature d = resample(close, 1d, offset=o)\n${rule('close > d')}`),
            /still forming when o = 0/],
        ['a same-bar fill decided by the size of a target', 'AF102',
            strategy(`${rule('open[1] > close[2]', 'target (close - open) / close long')}\n  execution {\n    fill: this_close\n  }`),
            /the size `\(close - open\) \/ close` of rule/],
        ['a same-bar fill decided by a market order size', 'AF102',
            strategy(`${rule('open[1] > close[2]', 'buy (close - open) / close')}\n  execution {\n    fill: this_close\n  }`),
            /the buy size/],
        ['a same-bar fill decided by a portfolio weighting', 'AF102',
            strategy(`  portfolio {\n    long top_k(rank(close[1]), 1) weight close - open\n  }\n  execution {\n    fill: this_close\n  }`),
            /the weighting `close - open` of portfolio long/],
        ['in a target size', 'AF101',
            strategy(`  param a: int = 1 in -1..1\n  param b: int = -1 in -3..-1\n${rule('close > open', 'target close[-a*b] / close * 10% long')}`),
            /reads 3 bars/],
        ['in a limit price', 'AF101',
            strategy(`  param a: int = 1 in -1..1\n  param b: int = -1 in -3..-1\n${rule('close > open', 'buy 10% limit at low[-a*b]')}`),
            /reads 3 bars/],
        ['in a stop', 'AF101',
            strategy(`  param k: int = 2 in -2..3\n${rule('close > open')}\n  risk {\n    stop_loss: 2 * abs(close - close[6 / k])\n  }`),
            /reads 6 bars/],
        ['in a portfolio weight', 'AF101',
            strategy(`  param a: int = 3 in 0..5\n  portfolio {\n    long top_k(rank(close), 1) weight close[lag(a)]\n  }`, 'def lag(n: int): int = n - 2'),
            /reads 2 bars/],
    ];
    for (const [name, code, text, message] of cases) {
        it(name, async () => {
            const ds = await check(text);
            const d = ds.find(x => x.code === code);
            expect(d, JSON.stringify(ds.map(x => `${x.code} ${x.message}`))).toBeDefined();
            expect(d!.message).toMatch(message);
        });
    }
});

describe('clean forms stay clean', () => {
    const cases: [string, string][] = [
        ['a difference of params ordered by a constraint', strategy(`  param fast: int = 2 in 1..5\n  param slow: int = 8 in 3..10\n  constraint fast < slow\n  feature f = close[slow - fast]\n${rule('close > f')}`)],
        ['an if that only takes a branch where it is safe', strategy(`  param k: int = 1 in -2..5\n  feature f = close[if k > 0 then k else 1]\n${rule('close > f')}`)],
        ['a product of negative ranges', strategy(`  param a: int = -1 in -3..-1\n  param b: int = -2 in -2..-1\n  feature f = close[a * b]\n${rule('close > f')}`)],
        ['a divisor range that ends at zero (x/0 has no value)', strategy(`  param k: int = 2 in 0..3\n  feature f = close[6 / k]\n${rule('close > f')}`)],
        ['a limit price from the close it is placed at, with this_close', strategy(`${rule('open[1] > close[2]', 'buy 10% limit at close * 0.99')}\n  execution {\n    fill: this_close\n  }`)],
    ];
    for (const [name, text] of cases) {
        it(name, async () => {
            expect(codes(await check(text))).toEqual([]);
        });
    }

    it('a value the analysis cannot bound is AF104, not silence', async () => {
        const ds = await check(strategy(`  param n: int = 1 / 0\n  feature f = close[n]\n${rule('close > f')}`));
        const d = ds.find(x => x.code === 'AF104');
        expect(d?.message).toMatch(/Cannot bound the look-back index `n`/);
        expect(d?.severity).toBe(2);
    });
});

describe('the same range rules outside lookahead', () => {
    it('AF601 counts a target whose range reaches below 0 by its largest |size| (a short of 150% per asset)', async () => {
        const ds = await check(strategy(`  param w: float = 0.5 in -1.5..1\n${rule('close > open', 'target w')}`));
        expect(ds.find(d => d.code === 'AF601')?.message).toContain('targets 300% of equity (a target without an asset applies to each of the 2 assets)');
    });
});

describe('bounded work', () => {
    // The range walks a def's body per call: 2^14 calls of d0 are past its budget, so the index is not bounded (and says so).
    it('defs that call each other twice over, or themselves, end with AF104 or AF005 instead of exponential time', async () => {
        const defs = ['def d0(n: int): int = n - 1', ...Array.from({ length: 14 }, (_, i) => `def d${i + 1}(n: int): int = d${i}(n) + d${i}(n)`), 'def r(n: int): int = r(n) + r(n)'].join('\n');
        const ds = await check(strategy(`  param a: int = 1 in 0..3\n  feature f = close[d14(a)]\n  feature g = close[r(a)]\n${rule('close > f and close > g')}`, defs));
        expect(ds.find(d => d.code === 'AF104')?.message).toContain('`d14(a)`');
        expect(ds.some(d => d.code === 'AF005')).toBe(true);
    }, 30_000);

    it('features that use each other twice over are ranged once each (AF304 on 60 levels)', async () => {
        const feats = ['  feature f0 = close', ...Array.from({ length: 60 }, (_, i) => `  feature f${i + 1} = f${i} + f${i}`)].join('\n');
        const ds = await check(strategy(`${feats}\n${rule('f60 > 3 and f60 < 2')}`));
        expect(codes(ds)).toContain('AF304');
    }, 30_000);
});
