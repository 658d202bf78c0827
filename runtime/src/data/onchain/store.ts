/**
 * On-chain records into the store's tables (data/schema.ts: onchain_pools, onchain_series), in one
 * transaction: everything or nothing. Pools are
 * upserted by (chain, address). Swaps are stored aggregated per (pool, time) as three metrics
 * (volume_usd, fees_usd, net_flow_usd: every function of the pack reads sums), TVL as tvl_usd and
 * gas as gas_price_gwei of the chain (address ''). An import of series replaces, for each pool
 * (chain) it names, that metric's rows over the file's time range — the bars' rule: re-importing a
 * file is idempotent, and a corrected file replaces what it covers.
 *
 * Every row carries its owner team (migration 17, schema.ts): a team writes only its own copy of a
 * source (a pool, or a chain's gas) and names only its own pools in swaps and TVL; the local CLI
 * writes the bootstrap team's, shared. `onchain_owners` records each written source's visibility.
 */
import type { DataStore } from '../../store/store.js';
import { DataError } from '../errors.js';
import { LOCAL_OWNER, type SeriesOwner, type Visibility } from '../ownership.js';
import type { OnchainRecords } from './layouts.js';

export const METRICS = { volume: 'volume_usd', fees: 'fees_usd', netFlow: 'net_flow_usd', tvl: 'tvl_usd', gas: 'gas_price_gwei' } as const;

/** Chain-level series (gas) are stored under this address. */
export const CHAIN_ADDRESS = '';

export interface OnchainImportResult {
    readonly pools: number;
    readonly swaps: number;
    readonly tvl: number;
    readonly gas: number;
    /** Rows written to onchain_series. */
    readonly seriesRows: number;
}

interface SeriesRow { chain: string; address: string; metric: string; ts: number; block: number | null; value: number }

/** Who writes: a team (RPC; visibility default: a source's current one, else 'team'), or the local operator (undefined). */
export type OnchainWriter = { readonly team: string; readonly visibility?: Visibility } | undefined;

/** Writes the records (any subset of kinds); `name` names the source in messages. */
export async function storeOnchain(store: DataStore, r: Partial<OnchainRecords>, name: string, writer?: OnchainWriter, detail: 'full' | 'redacted' = 'full'): Promise<OnchainImportResult> {
    const team = writer?.team ?? LOCAL_OWNER.team;
    const known = new Map<string, number>();
    for (const p of await store.rows(`SELECT chain, address, fee_bps FROM onchain_pools WHERE owner_team = ?`, [team])) known.set(`${String(p['chain'])}/${String(p['address'])}`, Number(p['fee_bps'] ?? 0));
    for (const p of r.pools ?? []) known.set(`${p.chain}/${p.address}`, p.feeBps);
    const rows: SeriesRow[] = [];
    const problems: string[] = [];
    const poolOf = (chain: string, address: string, line: number): number | undefined => {
        const fee = known.get(`${chain}/${address}`);
        const pool = detail === 'redacted' ? 'its pool' : `pool ${chain}/${address}`;
        if (fee === undefined && problems.length < 5) problems.push(`${name} line ${line}: ${pool} is not known${writer ? ` to team ${team}` : ''}; import it in a pools file first`);
        return fee;
    };
    // Swaps: summed per (pool, ts), so that events of one block stay distinct from the key's point of view.
    const agg = new Map<string, SeriesRow[]>();
    for (const s of r.swaps ?? []) {
        const fee = poolOf(s.chain, s.address, s.line);
        if (fee === undefined) continue;
        const key = `${s.chain}/${s.address}/${s.ts}`;
        let m = agg.get(key);
        if (!m) {
            const base = { chain: s.chain, address: s.address, ts: s.ts, block: s.block };
            agg.set(key, (m = [{ ...base, metric: METRICS.volume, value: 0 }, { ...base, metric: METRICS.fees, value: 0 }, { ...base, metric: METRICS.netFlow, value: 0 }]));
        }
        m[0]!.value += s.amountUsd;
        m[1]!.value += s.feeUsd ?? (s.amountUsd * fee) / 10_000;
        m[2]!.value += s.side === 'buy' ? s.amountUsd : -s.amountUsd;
        if (s.block !== null) for (const x of m) x.block = Math.max(x.block ?? 0, s.block);
    }
    for (const m of agg.values()) rows.push(...m);
    const once = new Map<string, number>();
    const unique = (key: string, line: number, what: string): boolean => {
        const first = once.get(key);
        if (first !== undefined) {
            if (problems.length < 5) problems.push(`${name} line ${line}: a second ${what} at the same time as line ${first}; keep one`);
            return false;
        }
        once.set(key, line);
        return true;
    };
    for (const t of r.tvl ?? []) {
        if (poolOf(t.chain, t.address, t.line) === undefined || !unique(`tvl/${t.chain}/${t.address}/${t.ts}`, t.line, 'TVL of the pool')) continue;
        rows.push({ chain: t.chain, address: t.address, metric: METRICS.tvl, ts: t.ts, block: t.block, value: t.tvlUsd });
    }
    for (const g of r.gas ?? []) {
        if (!unique(`gas/${g.chain}/${g.ts}`, g.line, 'gas price of the chain')) continue;
        rows.push({ chain: g.chain, address: CHAIN_ADDRESS, metric: METRICS.gas, ts: g.ts, block: g.block, value: g.gasPriceGwei });
    }
    if (problems.length > 0) throw new DataError(`${problems.join('; ')}. Nothing was imported.`);

    // Staged through an appender (one prepared INSERT of thousands of parameters is slow), then moved in one transaction.
    await store.run(`CREATE OR REPLACE TEMP TABLE af_onchain_stage (chain VARCHAR, address VARCHAR, metric VARCHAR, ms DOUBLE, block DOUBLE, value DOUBLE)`);
    try {
        const app = await store.connection.createAppender('af_onchain_stage', 'main', 'temp');
        try {
            for (const x of rows) {
                app.appendVarchar(x.chain); app.appendVarchar(x.address); app.appendVarchar(x.metric);
                app.appendDouble(x.ts);
                if (x.block === null) app.appendNull();
                else app.appendDouble(x.block);
                app.appendDouble(x.value);
                app.endRow();
            }
            app.flushSync();
        } finally {
            app.closeSync();
        }
        await store.transaction(async () => {
            const sources = new Set<string>();
            for (const p of r.pools ?? []) {
                await store.run(`INSERT OR REPLACE INTO onchain_pools (owner_team, chain, address, dex, token0, token1, fee_bps) VALUES (?, ?, ?, ?, ?, ?, ?)`,
                    [team, p.chain, p.address, p.dex, p.token0, p.token1, p.feeBps]);
                sources.add(JSON.stringify([p.chain, p.address]));
            }
            for (const x of rows) sources.add(JSON.stringify([x.chain, x.address]));
            for (const key of sources) {
                const [chain, address] = JSON.parse(key) as [string, string];
                await recordOnchainOwner(store, chain, address, team, writer);
            }
            // Replace each (pool, metric)'s rows of this team over the range this file covers.
            await store.run(`DELETE FROM onchain_series AS s USING (
                    SELECT chain, address, metric, min(ms) AS lo, max(ms) AS hi FROM af_onchain_stage GROUP BY chain, address, metric) AS g
                WHERE s.owner_team = ? AND s.chain = g.chain AND s.address = g.address AND s.metric = g.metric
                  AND s.ts BETWEEN make_timestamp(CAST(g.lo AS BIGINT) * 1000) AND make_timestamp(CAST(g.hi AS BIGINT) * 1000)`, [team]);
            await store.run(`INSERT INTO onchain_series (owner_team, chain, address, metric, ts, block, value)
                SELECT ?, chain, address, metric, make_timestamp(CAST(ms AS BIGINT) * 1000), CAST(block AS BIGINT), value FROM af_onchain_stage`, [team]);
        });
    } finally {
        if (store.isOpen) await store.run('DROP TABLE IF EXISTS af_onchain_stage');
    }
    return { pools: r.pools?.length ?? 0, swaps: r.swaps?.length ?? 0, tvl: r.tvl?.length ?? 0, gas: r.gas?.length ?? 0, seriesRows: rows.length };
}

/**
 * The visibility of a team's copy of a source after a write: the writer's choice, else what it was,
 * else 'team' for a team and 'shared' for the local operator (ownership.ts LOCAL_OWNER).
 */
async function recordOnchainOwner(store: DataStore, chain: string, address: string, team: string, writer: OnchainWriter): Promise<void> {
    const was = (await store.rows(`SELECT visibility FROM onchain_owners WHERE owner_team = ? AND chain = ? AND address = ?`, [team, chain, address]))[0];
    const visibility: SeriesOwner['visibility'] = writer?.visibility ?? (was ? String(was['visibility']) as Visibility : writer ? 'team' : LOCAL_OWNER.visibility);
    await store.run(`INSERT INTO onchain_owners (owner_team, chain, address, visibility) VALUES (?, ?, ?, ?)
        ON CONFLICT (owner_team, chain, address) DO UPDATE SET visibility = excluded.visibility`, [team, chain, address, visibility]);
}
