/** AF003 says what an unknown name was probably meant to be: a near miss in scope, any case, or the builtin for a foreign name. */
import { describe, expect, it } from 'vitest';
import { check } from './helpers.js';

const strategy = (feature: string): string => `strategy S {
  universe: binance:BTC/USDT as b
  timeframe: 1h
  param lookback: int = 20 in 10..50
  feature x = ${feature}
  rules {
    when x > 0 => target 100% long
  }
}
`;

async function af003(feature: string): Promise<{ message: string; data: unknown }> {
    const ds = await check(strategy(feature));
    const d = ds.find(x => x.code === 'AF003');
    expect(d, `no AF003 for ${feature}`).toBeDefined();
    return { message: d!.message, data: d!.data };
}

describe('AF003 did you mean', () => {
    it.each([
        ['smaa(close, 3)', 'smaa', 'sma'],
        ['Close', 'Close', 'close'],
        ['SMA(close, 3)', 'SMA', 'sma'],
        ['sma(clse, 3)', 'clse', 'close'],
        ['sma(close, lookbak)', 'lookbak', 'lookback'],
    ])('%s: suggests the nearest name in scope, ignoring case', async (feature, written, meant) => {
        const { message, data } = await af003(feature);
        expect(message).toContain(`Unknown name '${written}'; did you mean '${meant}'?`);
        expect(data).toMatchObject({ code: 'AF003', suggestion: meant });
    });

    it('says names are case-sensitive when only the case differs', async () => {
        expect((await af003('Close')).message).toMatch(/case-sensitive/);
        expect((await af003('smaa(close, 3)')).message).not.toMatch(/case-sensitive/);
    });

    it('names the builtin that does the job of a name from another tool (returns, pct_change, rolling_std, hhv)', async () => {
        const r = await af003('returns(close)');
        expect(r.message).toMatch(/there is no returns\(\) in AlphaForge; use roc\(\): roc\(close, 1\) is the one-bar return/);
        expect(r.data).toMatchObject({ suggestion: 'roc' });
        expect((await af003('pct_change(close)')).message).toMatch(/use roc\(\)/);
        expect((await af003('rolling_std(close, 20)')).message).toMatch(/use stdev\(\)/);
        expect((await af003('hhv(high, 20)')).message).toMatch(/use highest\(\)/);
    });

    it('without any near name, says what a name can be and where the builtins are listed', async () => {
        const { message, data } = await af003('zzqqx');
        expect(message).toMatch(/not a param, feature, signal, asset alias, def or builtin in scope.*af functions/);
        expect(data).not.toHaveProperty('suggestion');
    });
});
