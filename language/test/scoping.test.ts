import { describe, expect, it } from 'vitest';
import { check, services } from './helpers.js';
import { loadString } from '../src/workspace/load.js';
import { isStrategy, type Model } from '../src/index.js';

const LIB = `
/// True while the series is above its moving average.
def trend_ok(x, length: int) = x > sma(x, length)
def spread(a, b) = a - b
`;

const USER = (imports: string) => `${imports}
strategy S {
  universe: binance:BTC/USDT
  timeframe: 1h
  feature daily = resample(close, 1d)
  signal trend = trend_ok(daily, 50)
  rules {
    when trend => target 100% long
  }
}
`;

describe('scoping across imports', () => {
    it('a def is visible through import, with its look-back inlined into the warm-up', async () => {
        await loadString(services(), LIB, 'file:///ws/lib/filters.af');
        const { document, diagnostics } = await loadString(services(), USER('import "lib/filters.af"'), 'file:///ws/main.af');
        expect(diagnostics.filter(d => d.severity === 1)).toEqual([]);
        const s = (document.parseResult.value as Model).elements.find(isStrategy)!;
        // resample(close, 1d) on 1h: (0 + 0 + offset 1 + 1) * 24 = 48 bars; sma(·, 50) adds 49.
        expect(services().alphaforge.Analyzer.analyze(s).warmup.bars).toBe(48 + 49);
    });

    it('the .af extension may be left out of the import path', async () => {
        await loadString(services(), LIB, 'file:///ws2/lib/filters.af');
        const { diagnostics } = await loadString(services(), USER('import "lib/filters"'), 'file:///ws2/main.af');
        expect(diagnostics.filter(d => d.severity === 1)).toEqual([]);
    });

    it('without the import the def is unknown (AF003), even though the file is in the workspace', async () => {
        await loadString(services(), LIB, 'file:///ws3/lib/filters.af');
        const ds = await check(USER(''), 'file:///ws3/main.af');
        expect(ds.filter(d => d.code === 'AF003').map(d => d.message)).toEqual([expect.stringContaining("'trend_ok'")]);
    });

    it('a missing import is AF004 on the import, naming the path it looked for', async () => {
        const ds = await check(USER('import "lib/filtres.af"'), 'file:///ws4/main.af');
        const af004 = ds.filter(d => d.code === 'AF004');
        expect(af004).toHaveLength(1);
        expect(af004[0]!.message).toContain('/ws4/lib/filtres.af');
        expect(af004[0]!.range.start.line).toBe(0);
    });

    it('features can be used before they are declared; names are per strategy', async () => {
        const ds = await check(`
strategy A {
  universe: binance:BTC/USDT
  timeframe: 1h
  signal up = close > ma
  feature ma = sma(close, 20)
  rules { when up => target 100% long }
}
strategy B {
  universe: binance:BTC/USDT
  timeframe: 1h
  rules { when close > ma => target 100% long }
}`);
        const errs = ds.filter(d => d.severity === 1);
        expect(errs.map(d => [d.code, d.range.start.line])).toEqual([['AF003', 11]]);
    });

    it('asset aliases from the universe are visible in the whole strategy', async () => {
        const ds = await check(`
strategy P {
  universe: nyse:KO as a, nyse:PEP as b
  timeframe: 1d
  feature spread = a.close - b.close
  rules { when spread > 0 => target a: -50%, b: 50% }
}`);
        expect(ds.filter(d => d.severity === 1 || d.severity === 2)).toEqual([]);
    });
});
