/**
 * A seeded synthetic on-chain dataset over a venue's bars, for tests, the example and demos: two
 * DEX pools that trade the venue asset's base token on one chain (one with the token as token0, one
 * as token1, so both sides of the swap convention are exercised), with swaps (a few per bar, at
 * random times inside it), TVL snapshots and gas prices. Swap flow leans towards the side of the
 * venue's next move (in this synthetic world DEX traders are early), so a DEX signal has something
 * to find; the engine never sees that: it only reads events before each bar's close. The same
 * options give the same records on every machine (mulberry32, no Math.random).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { mulberry32, scrambleSeed } from '../../../../language/src/util/prng.js';
import type { GasRecord, OnchainRecords, PoolRecord, SwapRecord, TvlRecord } from './layouts.js';

export interface OnchainSynthOptions {
    readonly seed: number;
    /** The venue bars' open times (ms) and closes; the dataset covers [ts[0], ts[last] + timeframe). */
    readonly ts: Float64Array;
    readonly close: Float64Array;
    readonly timeframeMs: number;
    /** The venue asset's base token (ETH): the pools trade W<base>. */
    readonly base: string;
    readonly chain?: string;
}

const BLOCK_MS = 12_000;

export function synthOnchain(o: OnchainSynthOptions): OnchainRecords {
    const rnd = mulberry32(scrambleSeed(o.seed));
    const gauss = (): number => Math.sqrt(-2 * Math.log(1 - rnd())) * Math.cos(2 * Math.PI * rnd());
    const chain = o.chain ?? 'ethereum';
    const token = `W${o.base.toUpperCase()}`;
    const pools: PoolRecord[] = [
        { chain, address: `0x${token.toLowerCase()}-usdc-5`, dex: 'uniswap-v3', token0: 'USDC', token1: token, feeBps: 5 },
        { chain, address: `0x${token.toLowerCase()}-usdt-30`, dex: 'uniswap-v2', token0: token, token1: 'USDT', feeBps: 30 },
    ];
    const T = o.ts.length, tf = o.timeframeMs, start = o.ts[0] ?? 0;
    const block = (ms: number) => 19_000_000 + Math.floor((ms - start) / BLOCK_MS);
    const second = (ms: number) => Math.floor(ms / 1000) * 1000;
    const swaps: SwapRecord[] = [], tvl: TvlRecord[] = [], gas: GasRecord[] = [];
    const level = [150e6, 40e6];
    let logGas = Math.log(25);
    for (let t = 0; t < T; t++) {
        const open = o.ts[t]!;
        const next = t + 1 < T ? Math.sign(o.close[t + 1]! - o.close[t]!) : 0;
        pools.forEach((p, k) => {
            const n = 2 + Math.floor(rnd() * 5);
            const times = Array.from({ length: n }, () => second(open + rnd() * tf)).sort((x, y) => x - y);
            for (const ts of times) {
                const buysBase = rnd() < 0.5 + 0.2 * next;
                // The swap's side is about token0: buying the base is buying token0 only where it is token0.
                const side = buysBase === (p.token0 === token) ? 'buy' : 'sell';
                const amountUsd = Math.round(2000 * Math.exp(1.2 * gauss()) * 100) / 100;
                swaps.push({ ts, chain, address: p.address, block: block(ts), side, amountUsd, feeUsd: null, line: swaps.length + 2 });
            }
            level[k] = level[k]! * (1 + 0.004 * gauss());
            const at = second(open + rnd() * tf);
            tvl.push({ ts: at, chain, address: p.address, block: block(at), tvlUsd: Math.round(level[k]!), line: tvl.length + 2 });
        });
        logGas += 0.3 * (Math.log(25) - logGas) + 0.25 * gauss();
        const at = second(open + rnd() * tf);
        gas.push({ ts: at, chain, block: block(at), gasPriceGwei: Math.round(Math.exp(logGas) * 100) / 100, line: gas.length + 2 });
    }
    return { pools, swaps, tvl, gas };
}

const iso = (ms: number): string => new Date(ms).toISOString().replace('.000Z', 'Z');

/** Writes the records as the documented CSV layouts: pools.csv, swaps.csv, tvl.csv, gas.csv in `dir`. */
export function writeOnchainCsv(dir: string, r: OnchainRecords): string[] {
    const files: [string, string[]][] = [
        ['pools.csv', ['chain,address,dex,token0,token1,fee_bps', ...r.pools.map(p => [p.chain, p.address, p.dex ?? '', p.token0, p.token1, p.feeBps].join(','))]],
        ['swaps.csv', ['ts,chain,address,block,side,amount_usd', ...r.swaps.map(s => [iso(s.ts), s.chain, s.address, s.block ?? '', s.side, s.amountUsd].join(','))]],
        ['tvl.csv', ['ts,chain,address,block,tvl_usd', ...r.tvl.map(x => [iso(x.ts), x.chain, x.address, x.block ?? '', x.tvlUsd].join(','))]],
        ['gas.csv', ['ts,chain,block,gas_price_gwei', ...r.gas.map(g => [iso(g.ts), g.chain, g.block ?? '', g.gasPriceGwei].join(','))]],
    ];
    return files.map(([name, lines]) => {
        const f = join(dir, name);
        writeFileSync(f, `${lines.join('\n')}\n`);
        return f;
    });
}
