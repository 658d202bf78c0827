/**
 * The sanity limits of issue 11 (item 6): a look-back beyond MAX_LOOKBACK_BARS is an error (AF503)
 * where it crosses the limit, and a grid a grid sweep would refuse is a warning (AF406) — including
 * one param of more than MAX_GRID values, which the IR leaves without a grid (a grid sweep used to
 * run it silently as its default alone).
 */
import { describe, expect, it } from 'vitest';
import { compileStrategy, isStrategy, MAX_GRID_COMBINATIONS, MAX_LOOKBACK_BARS, loadString } from '../src/index.js';
import { check, codes, services } from './helpers.js';

const strat = (body: string): string => `strategy S {
  universe: binance:BTC/USDT
  timeframe: 1h
${body}
}
`;
const rules = (cond: string): string => `  rules {\n    when ${cond} => target 100% long\n  }`;

describe('AF503: look-back beyond the limit', () => {
    it('refuses close[500000000] with the expression, the bars and the limit named', async () => {
        const ds = await check(strat(rules('close > close[500000000]')));
        const d = ds.find(x => x.code === 'AF503');
        expect(d?.severity).toBe(1);
        expect(d?.message).toContain('`close[500000000]` looks back 500,000,000 bars');
        expect(d?.message).toContain(`the limit is ${MAX_LOOKBACK_BARS.toLocaleString('en-US')} bars`);
        expect(d?.range.start.line).toBe(4);
    });

    it('counts the param range and nested look-backs, and reports where the limit is crossed', async () => {
        const ds = await check(strat(`  param k: int = 10 in 1..2000000\n  feature lagged = sma(close, 20)[k]\n${rules('close > lagged')}`));
        const hits = ds.filter(x => x.code === 'AF503');
        expect(hits).toHaveLength(1);
        expect(hits[0]!.message).toContain('`sma(close, 20)[k]`');
        expect(hits[0]!.message).toContain('up to 2,000,019 bars over the param ranges');
    });

    it('accepts a look-back at the limit, and does not compile one beyond it', async () => {
        expect(codes(await check(strat(rules(`close > close[${MAX_LOOKBACK_BARS}]`))))).not.toContain('AF503');
        const { document } = await loadString(services(), strat(rules(`close > close[${MAX_LOOKBACK_BARS + 1}]`)));
        const s = document.parseResult.value.elements.find(isStrategy)!;
        const r = compileStrategy(services(), s);
        expect(r.ir).toBeUndefined();
        expect(r.errors.map(e => e.code)).toContain('AF503');
    });
});

describe('AF406: grid too large for a grid sweep', () => {
    it('warns about one param of 10,000,000,001 values (the 10^10 grid that ran as 1 combination)', async () => {
        const ds = await check(strat(`  param n: int = 20 in 0..10000000000\n${rules('volume > n')}`));
        const d = ds.find(x => x.code === 'AF406');
        expect(d?.severity).toBe(2);
        expect(d?.message).toContain("param 'n' alone has 10,000,000,001 grid values");
        expect(d?.message).toContain('random sweep');
    });

    it('warns about a product over the limit and names every factor; not at the limit', async () => {
        const over = await check(strat(`  param a: int = 1 in 1..1001\n  param b: int = 1 in 1..1000\n${rules('close > sma(close, a) and close > ema(close, b)')}`));
        const d = over.find(x => x.code === 'AF406');
        expect(d?.message).toContain('the grid has 1,001,000 combinations (a: 1,001 × b: 1,000');
        const at = await check(strat(`  param a: int = 1 in 1..1000\n  param b: int = 1 in 1..1000\n${rules('close > sma(close, a) and close > ema(close, b)')}`));
        expect(1000 * 1000).toBe(MAX_GRID_COMBINATIONS);
        expect(codes(at)).not.toContain('AF406');
    });
});
