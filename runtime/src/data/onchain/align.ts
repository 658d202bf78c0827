/**
 * On-chain data onto a run's bars, with no lookahead: for each asset, the pools where its base token
 * trades (token0 or token1 is the base, or the base wrapped: WETH for ETH) give per-bar columns
 * (AssetBars.onchain) that the on-chain pack's functions read. Bar t covers [ts[t], ts[t] + tf): its
 * close is ts[t] + tf, and nothing at or after that time is used at bar t.
 *
 * - flows (dex_volume, dex_fees, dex_net_flow): the sum over the pools of events with time in
 *   [open, close); net flow is signed for the asset (a swap buying the base is +). Defined when the
 *   bar overlaps every pool's data (its first to last record), else undefined;
 * - levels (dex_tvl, gas_price): the sum of each pool's last TVL before the close (undefined until
 *   each pool has one); the last gas price of the pools' chain before the close.
 * A bar where the asset has no bar is undefined in every column. The loaded bars' snapshot hash
 * then covers the on-chain columns too (a result names all its inputs).
 *
 * A load for a team (daemon runs) reads only the sources that team may read (its own copies and
 * shared ones: schema.ts, migration 17); where several copies of one pool or chain are visible, the
 * team's own wins, then the bootstrap team's, then the first owner by name. The local CLI reads every
 * copy, the bootstrap team's first.
 */
import { createHash } from 'node:crypto';
import type { StrategyIr } from '../../../../protocol/src/ir.js';
import { onchainPack, type OnchainColumn } from '../../../../language/src/catalogue/onchain-pack.js';
import type { DataStore } from '../../store/store.js';
import type { AssetBars } from '../bars.js';
import { DataError } from '../errors.js';
import type { LoadedBars } from '../load.js';
import { LOCAL_TEAM } from '../ownership.js';
import { parseInstrument } from '../symbols.js';
import { CHAIN_ADDRESS, METRICS } from './store.js';

export interface PoolSeries {
    readonly chain: string;
    readonly address: string;
    /** +1 when the asset is the pool's token0 (the swaps' side is about token0), −1 when it is token1. */
    readonly sign: 1 | -1;
    /** Each metric's (ms, value) points, time-ordered. */
    readonly tvl: readonly (readonly [number, number])[];
    readonly volume: readonly (readonly [number, number])[];
    readonly fees: readonly (readonly [number, number])[];
    readonly netFlow: readonly (readonly [number, number])[];
}

/** Whether a pool's token is the asset's base token (or that token wrapped: WETH for ETH). */
export function tradesBase(token: string, base: string): boolean {
    const t = token.toUpperCase(), b = base.toUpperCase();
    return t === b || t === `W${b}`;
}

/** The base token of an instrument: ETH of binance:ETH/USDT, the symbol of a ticker. */
export function baseOf(id: string): string {
    const i = parseInstrument(id);
    return i.base ?? i.symbol;
}

/** The on-chain columns of one asset over a time axis (pure: the pack's tests call it directly). */
export function alignOnchain(ts: Float64Array, tfMs: number, has: Float64Array, pools: readonly PoolSeries[], gas: readonly (readonly [number, number])[] | undefined): Record<OnchainColumn, Float64Array> {
    const T = ts.length;
    const col = () => new Float64Array(T).fill(NaN);
    const out: Record<OnchainColumn, Float64Array> = { dex_tvl: col(), dex_volume: col(), dex_fees: col(), dex_net_flow: col(), gas_price: col() };
    const spans = pools.map(p => {
        const all = [p.tvl, p.volume, p.fees, p.netFlow].filter(s => s.length > 0);
        return { from: Math.min(...all.map(s => s[0]![0])), to: Math.max(...all.map(s => s.at(-1)![0])) };
    });
    for (let t = 0; t < T; t++) {
        if (Number.isNaN(has[t]!)) continue;
        const open = ts[t]!, close = open + tfMs;
        if (pools.length > 0 && pools.every((_, k) => spans[k]!.from < close && open <= spans[k]!.to)) {
            let v = 0, f = 0, n = 0;
            pools.forEach(p => {
                v += sumIn(p.volume, open, close);
                f += sumIn(p.fees, open, close);
                n += p.sign * sumIn(p.netFlow, open, close);
            });
            out.dex_volume[t] = v; out.dex_fees[t] = f; out.dex_net_flow[t] = n;
        }
        let tvl = pools.length > 0 ? 0 : NaN;
        for (const p of pools) tvl += lastBefore(p.tvl, close);
        out.dex_tvl[t] = tvl;
        if (gas) out.gas_price[t] = lastBefore(gas, close);
    }
    return out;
}

/** Σ values with time in [from, to) of a time-ordered series (binary search for the start). */
function sumIn(s: readonly (readonly [number, number])[], from: number, to: number): number {
    let sum = 0;
    for (let i = firstAtOrAfter(s, from); i < s.length && s[i]![0] < to; i++) sum += s[i]![1];
    return sum;
}

/** The value of the last point with time < `before`, NaN when there is none. */
function lastBefore(s: readonly (readonly [number, number])[], before: number): number {
    const i = firstAtOrAfter(s, before) - 1;
    return i >= 0 ? s[i]![1] : NaN;
}

function firstAtOrAfter(s: readonly (readonly [number, number])[], x: number): number {
    let lo = 0, hi = s.length;
    while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (s[mid]![0] < x) lo = mid + 1;
        else hi = mid;
    }
    return lo;
}

/** The on-chain columns a strategy's functions read (empty: the run needs no on-chain data). */
export function onchainReads(ir: StrategyIr): Set<OnchainColumn> {
    const reads = new Set<OnchainColumn>();
    for (const n of ir.nodes) {
        if (n.op !== 'call') continue;
        const e = onchainPack.entries.find(x => x.kind === 'function' && x.name === n.attrs['fn']);
        if (e?.kind === 'function') for (const r of e.reads ?? []) reads.add(r as OnchainColumn);
    }
    return reads;
}

/** The loaded bars, with on-chain columns when the strategy reads any (a run's load step calls this); `team`: what that team may read. */
export function withOnchainFor(store: DataStore, ir: StrategyIr, data: LoadedBars, team?: string): Promise<LoadedBars> {
    const reads = onchainReads(ir);
    return reads.size === 0 ? Promise.resolve(data) : withOnchain(store, data, reads, team);
}

/** SQL: which owner's copy of a source comes first (`?` the preferred team), and whether `o` (onchain_owners) is readable by `team`. */
const PREFERRED = `(o.owner_team = ?) DESC, (o.owner_team = '${LOCAL_TEAM}') DESC, o.owner_team`;
function readable(team: string | undefined): { sql: string; args: string[] } {
    return team === undefined ? { sql: 'TRUE', args: [] } : { sql: `(o.visibility = 'shared' OR o.owner_team = ?)`, args: [team] };
}

/**
 * The loaded bars with the on-chain columns of every asset (the store's pools for its base token),
 * over the loaded time range. An asset no stored pool trades, or whose pools span several chains
 * while gas_price is read, is a DataError that says what to import.
 */
export async function withOnchain(store: DataStore, data: LoadedBars, reads: ReadonlySet<OnchainColumn>, team?: string): Promise<LoadedBars> {
    const T = data.ts.length;
    if (T === 0) return data;
    const to = data.ts[T - 1]! + data.timeframeMs;
    const may = readable(team), prefer = team ?? LOCAL_TEAM;
    const pools = await store.rows(`SELECT owner_team, chain, address, token0, token1 FROM (
            SELECT p.owner_team, p.chain, p.address, p.token0, p.token1, row_number() OVER (PARTITION BY p.chain, p.address ORDER BY ${PREFERRED}) AS k
            FROM onchain_pools p JOIN onchain_owners o ON o.owner_team = p.owner_team AND o.chain = p.chain AND o.address = p.address
            WHERE ${may.sql}) WHERE k = 1 ORDER BY chain, address`, [prefer, ...may.args]);
    const points = async (owner: string, chain: string, address: string, metric: string): Promise<[number, number][]> =>
        (await store.rows(`SELECT epoch_ms(ts) AS ms, value FROM onchain_series WHERE owner_team = ? AND chain = ? AND address = ? AND metric = ? AND ts < make_timestamp(CAST(? AS BIGINT) * 1000) ORDER BY ts`,
            [owner, chain, address, metric, to])).map(r => [Number(r['ms']), Number(r['value'])]);
    const gasOwner = async (chain: string): Promise<string | undefined> => {
        const r = (await store.rows(`SELECT o.owner_team FROM onchain_owners o WHERE o.chain = ? AND o.address = ? AND ${may.sql} ORDER BY ${PREFERRED} LIMIT 1`,
            [chain, CHAIN_ADDRESS, ...may.args, prefer]))[0];
        return r ? String(r['owner_team']) : undefined;
    };
    const hash = createHash('sha256').update(data.snapshotHash);
    const assets: AssetBars[] = [];
    for (const [a, bars] of data.assets.entries()) {
        const id = data.ids[a]!, base = baseOf(id);
        const mine = pools.filter(p => tradesBase(String(p['token0']), base) || tradesBase(String(p['token1']), base));
        if (mine.length === 0) {
            throw new DataError(`no on-chain pool${team !== undefined ? ` visible to team ${team}` : ''} trades ${base} (the base of ${id}); import a pools file with a pool whose token0 or token1 is ${base} or W${base}, and its swaps and TVL (af data onchain import, docs/packs.md § The onchain pack)`);
        }
        const series: PoolSeries[] = [];
        for (const p of mine) {
            const owner = String(p['owner_team']), chain = String(p['chain']), address = String(p['address']);
            series.push({
                chain, address, sign: tradesBase(String(p['token0']), base) ? 1 : -1,
                tvl: await points(owner, chain, address, METRICS.tvl), volume: await points(owner, chain, address, METRICS.volume),
                fees: await points(owner, chain, address, METRICS.fees), netFlow: await points(owner, chain, address, METRICS.netFlow),
            });
        }
        const chains = [...new Set(series.map(s => s.chain))];
        if (reads.has('gas_price') && chains.length > 1) {
            throw new DataError(`the pools that trade ${base} are on ${chains.join(', ')}; gas_price() reads one chain's gas, so keep the pools of one chain for ${id}`);
        }
        const gasBy = reads.has('gas_price') ? await gasOwner(chains[0]!) : undefined;
        const gas = reads.has('gas_price') ? (gasBy === undefined ? [] : await points(gasBy, chains[0]!, CHAIN_ADDRESS, METRICS.gas)) : undefined;
        if (gas && gas.length === 0) throw new DataError(`no gas prices of chain ${chains[0]} are stored; import a gas file for it (af data onchain import)`);
        const onchain = alignOnchain(data.ts, data.timeframeMs, bars.open, series, gas);
        for (const c of Object.values(onchain)) hash.update(new Uint8Array(c.buffer, c.byteOffset, c.byteLength));
        assets.push({ ...bars, onchain });
    }
    return { ...data, assets, snapshotHash: hash.digest('hex') };
}
