/**
 * The on-chain pack's functions for the compiled engine. Each reads one per-bar on-chain column of
 * the asset (`reads`: the data layer fills it, data/onchain/align.ts, with only events before the
 * bar's close); levels pass the column through, flows are core's rolling sum over `length` bars
 * (undefined while an undefined bar is in the window, like core's window functions). The catalogue
 * entries are language/src/catalogue/onchain-pack.ts; reference.ts recomputes the same values.
 */
import { intArg, Sum, type Indicator } from '../../indicators/index.js';
import type { CompiledFunction } from '../hook.js';

/** A level column read as it is (NaN = undefined). */
class Level implements Indicator {
    push(x: number): number {
        return x;
    }
}

const level = (column: 'dex_tvl' | 'gas_price'): CompiledFunction => ({
    params: [], reads: [column], create: () => new Level(),
});

const flow = (fn: string, column: 'dex_volume' | 'dex_fees' | 'dex_net_flow'): CompiledFunction => ({
    params: ['const'], reads: [column], create: c => new Sum(intArg(c[0], `${fn}() length`)),
});

export const compiled: Readonly<Record<string, CompiledFunction>> = {
    pool_tvl: level('dex_tvl'),
    swap_volume: flow('swap_volume', 'dex_volume'),
    pool_fees: flow('pool_fees', 'dex_fees'),
    net_flow: flow('net_flow', 'dex_net_flow'),
    gas_price: level('gas_price'),
};
