/**
 * Every lookahead diagnostic carries the chain from the node that reads ahead to the rule, order,
 * setting or allocation it reaches: in its message, and as LSP related information whose locations
 * follow the value across an import into the library file where the def reads ahead.
 */
import { describe, expect, it } from 'vitest';
import type { Diagnostic } from 'vscode-languageserver-types';
import { loadString } from '../src/workspace/load.js';
import { services } from './helpers.js';

const LIB = 'def lead(x: series, n: int) = x[n - 2]\n';

async function load(text: string, dir: string): Promise<Diagnostic[]> {
    await loadString(services(), LIB, `file:///${dir}/lib/leads.af`);
    const { diagnostics } = await loadString(services(), text, `file:///${dir}/main.af`);
    return [...diagnostics];
}

const related = (d: Diagnostic | undefined): [string, number, string][] =>
    (d?.relatedInformation ?? []).map(r => [r.location.uri.replace(/^file:\/\/\/[^/]+\//, ''), r.location.range.start.line, r.message]);

describe('lookahead chains', () => {
    it('AF101 through an imported def, a feature and a signal to the rule, with a location for each step', async () => {
        const ds = await load(`import "lib/leads.af"
strategy S {
  universe: binance:BTC/USDT
  timeframe: 1h
  param a: int = 3 in 0..5
  feature f = lead(close, a)
  signal up = close > f
  rules {
    when up => target 50% long
  }
}`, 'chain1');
        const d = ds.find(x => x.code === 'AF101');
        expect(d?.message).toContain('reads 2 bars into the future when a = 0');
        expect(d?.message).toContain('It reaches rule `when up`: x[n - 2] → lead(close, a) → feature f → signal up → rule `when up`.');
        expect(related(d)).toEqual([
            ['lib/leads.af', 0, 'x[n - 2] (reads ahead here)'],
            ['main.af', 5, 'lead(close, a)'],
            ['main.af', 5, 'feature f'],
            ['main.af', 6, 'signal up'],
            ['main.af', 8, 'rule `when up`'],
        ]);
    });

    it('AF101 in an order price reaches the rule directly; one that nothing trades on says so', async () => {
        const ds = await load(`strategy S {
  universe: binance:BTC/USDT
  timeframe: 1h
  feature unused = close[-1]
  rules {
    when close > open => buy 10% limit at low[-2]
  }
}`, 'chain2');
        const [dead, price] = ds.filter(x => x.code === 'AF101');
        expect(dead?.message).toContain('Nothing trades on it yet: close[-1] → feature unused.');
        expect(price?.message).toContain('It reaches rule `when close > open`: low[-2] → rule `when close > open`.');
        expect(related(price).map(r => r[1])).toEqual([5, 5]);
    });

    it('AF103 and AF102 name the rule they reach too', async () => {
        const ds = await load(`strategy S {
  universe: binance:BTC/USDT
  timeframe: 1h
  param o: int = 1 in 0..2
  feature d = resample(close, 1d, offset=o)
  rules {
    when close > d => target 50% long
  }
  risk {
    stop_loss: 2 * abs(close - close[-1])
  }
  execution {
    fill: this_close
  }
}`, 'chain3');
        const af103 = ds.find(x => x.code === 'AF103');
        expect(af103?.message).toContain('It reaches rule `when close > d`: resample(close, 1d, offset=o) → feature d → rule `when close > d`.');
        const stop = ds.find(x => x.code === 'AF101');
        expect(stop?.message).toContain('It reaches risk stop_loss: close[-1] → risk stop_loss.');
        const af102 = ds.find(x => x.code === 'AF102');
        expect(related(af102).map(r => r[2])).toContain('rule `when close > d`');
    });
});

describe('lookahead chains through nested defs', () => {
    it('start in the innermost def', async () => {
        const ds = await load(`import "lib/leads.af"
def twice_lead(x: series, n: int) = lead(x, n) + lead(x, n)
strategy S {
  universe: binance:BTC/USDT
  timeframe: 1h
  feature f = twice_lead(close, 1)
  rules {
    when close > f => target 50% long
  }
}`, 'chain4');
        const d = ds.find(x => x.code === 'AF101');
        expect(d?.message).toContain('It reaches rule `when close > f`: x[n - 2] → lead(x, n) → twice_lead(close, 1) → feature f → rule `when close > f`.');
        expect(related(d)[0]).toEqual(['lib/leads.af', 0, 'x[n - 2] (reads ahead here)']);
        // twice_lead checked on its own has no value for n: nothing to bound, and nothing to warn about.
        expect(ds.filter(x => x.code === 'AF104')).toEqual([]);
    });
});
