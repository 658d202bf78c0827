/**
 * The on-chain pack's functions for the reference interpreter, the obvious way: a level is the
 * asset's on-chain column at bar t, a flow the plain sum of the column over the last `length` bars
 * (undefined when a bar of the window is). compiled.ts computes the same incrementally.
 */
import * as F from '../../reference/functions.js';
import type { ReferenceFunction } from '../hook.js';

const level = (column: 'dex_tvl' | 'gas_price'): ReferenceFunction => ({
    series: c => F.defined(c.column(column)[c.t] as number),
});

const flow = (column: 'dex_volume' | 'dex_fees' | 'dex_net_flow'): ReferenceFunction => ({
    series: c => F.sum(c.column(column), c.t, F.lengthArg(c.arg(0), c.fn)),
});

export const reference: Readonly<Record<string, ReferenceFunction>> = {
    pool_tvl: level('dex_tvl'),
    swap_volume: flow('dex_volume'),
    pool_fees: flow('dex_fees'),
    net_flow: flow('dex_net_flow'),
    gas_price: level('gas_price'),
};
