/**
 * The on-chain/DeFi capability pack: what a DEX pool and its chain say about an asset — liquidity
 * (TVL), swap volume, fees, net swap flow and gas price. Pure data, like core-pack.ts: the
 * implementations are runtime/src/engine/packs/onchain/, the data they read is imported into the
 * store's on-chain tables and aligned to the strategy's bars by runtime/src/data/onchain/. Shipped
 * with AlphaForge but enabled per workspace (`af pack add onchain`).
 *
 * The functions read per-bar on-chain columns of the asset (ONCHAIN_COLUMNS), which the data layer
 * fills from the pools where the asset's base token trades: a bar's column holds only events with time < the bar's
 * close (flows: events in [open, close); levels: the last observation before the close). So a value
 * at bar t never uses an on-chain event at or after bar t's close (docs/packs.md § onchain).
 */
import type { CapabilityPack, CatalogueEntry, CatalogueParam } from './pack-types.js';

/** The per-bar on-chain data columns a run's bars may carry (the engines read them like bar fields). */
export const ONCHAIN_COLUMNS = ['dex_tvl', 'dex_volume', 'dex_fees', 'dex_net_flow', 'gas_price'] as const;
export type OnchainColumn = (typeof ONCHAIN_COLUMNS)[number];

const len = (doc: string): CatalogueParam => ({ name: 'length', type: 'int', min: 1, default: 1, doc });

const functions: CatalogueEntry[] = [
    {
        kind: 'function', name: 'pool_tvl', params: [], returns: 'series<usd>', lookback: '0', reads: ['dex_tvl'], range: [0, Infinity],
        doc: "Total value locked in the DEX pools where the asset's base token trades (WETH for ETH), in USD: the sum over those pools of each pool's last TVL observation before the bar's close. Undefined until every such pool has reported one.",
        example: 'signal deep = pool_tvl() > 1000000',
    },
    {
        kind: 'function', name: 'swap_volume', params: [len('Bars summed (1 = this bar only).')], returns: 'series<usd>', lookback: 'length - 1', reads: ['dex_volume'], range: [0, Infinity],
        doc: "Swap volume through the asset's DEX pools in USD, summed over the last `length` bars; a bar's volume counts the swaps with time in [open, close) (0 when there were none).",
        example: 'signal busy = swap_volume(1) > 2 * swap_volume(24) / 24',
    },
    {
        kind: 'function', name: 'pool_fees', params: [len('Bars summed (1 = this bar only).')], returns: 'series<usd>', lookback: 'length - 1', reads: ['dex_fees'], range: [0, Infinity],
        doc: "Fees paid to the liquidity providers of the asset's DEX pools in USD, summed over the last `length` bars (the swaps' fees; a swap without one pays its pool's fee rate).",
        example: 'feature fee_yield = pool_fees(24) / pool_tvl()',
    },
    {
        kind: 'function', name: 'net_flow', params: [len('Bars summed (1 = this bar only).')], returns: 'series<usd>', lookback: 'length - 1', reads: ['dex_net_flow'],
        doc: "Net swap flow into the asset on its DEX pools in USD, summed over the last `length` bars: swaps that buy the pool's token0 (the asset) count positive, those that sell it negative.",
        example: 'signal dex_buying = net_flow(6) > 0',
    },
    {
        kind: 'function', name: 'gas_price', params: [], returns: 'series<gwei>', lookback: '0', reads: ['gas_price'], range: [0, Infinity],
        doc: "Gas price of the chain of the asset's DEX pools, in gwei: the last observation before the bar's close.",
        example: 'signal cheap_gas = gas_price() < 30',
    },
];

export const onchainPack: CapabilityPack = {
    id: 'onchain',
    version: '1.0.0',
    description: 'On-chain/DeFi: DEX pool TVL, swap volume, fees, net swap flow and gas price, aligned to the bars with no lookahead.',
    entries: functions,
};
