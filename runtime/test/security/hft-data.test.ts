/**
 * Tick data and event-driven backtests over the daemon (issue 17, the HFT pack): data.hft.import
 * writes the caller's team's copy of an instrument from a file confined like data.import's (CSV, or
 * Parquet with the same columns, which this file writes itself with DuckDB's COPY); hft.backtest
 * runs the event engine over the tick data the team may read and answers what `af hft backtest`
 * prints locally; beta never reads alpha's private ticks; `af data hft` and `af hft backtest` go
 * through a running daemon. One secure daemon for the file; its workspace enables the hft pack and
 * holds the bundled sample's files.
 */
import { copyFileSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DaemonClient } from '../../../protocol/src/client.js';
import { ErrorCodes } from '../../../protocol/src/daemon/index.js';
import { withStore } from '../../src/schema/registry.js';
import { af } from '../packs/support.js';
import { tempDir } from '../data/helpers.js';
import { expectNoLeak, rejection, startSecureDaemon, type SecureDaemon, type TeamName } from './support.js';

const SAMPLE = join(process.cwd(), 'examples', 'packs', 'hft-sample');
const EXAMPLE = join(process.cwd(), 'examples', 'packs', 'hft-imbalance-mm.af');
const INSTRUMENT = { venue: 'synth', symbol: 'BTC/USDT' } as const;

let sec: SecureDaemon;
const ws = tempDir('af-hft-ws-');
const local = tempDir('af-hft-local-');
const as = (team: TeamName, role: 'viewer' | 'researcher' | 'admin' = 'researcher'): DaemonClient => sec.client(sec.tokens[team][role], 120_000);

/** Writes `csv` (a file in the workspace) as Parquet with DuckDB's COPY, every column as DuckDB's CSV reader types it. */
async function toParquet(csv: string, parquet: string): Promise<void> {
    const db = await DuckDBInstance.create(':memory:');
    const c = await db.connect();
    await c.run(`COPY (SELECT * FROM read_csv('${join(ws, csv)}', header = true)) TO '${join(ws, parquet)}' (FORMAT parquet)`);
    c.closeSync();
}

/** Per owner team: trades and book rows stored for the sample's instrument. */
async function stored(): Promise<Record<string, [number, number]>> {
    return withStore({ stateDir: sec.stateDir }, async store => {
        const out: Record<string, [number, number]> = {};
        for (const [i, t] of (['hft_trades', 'hft_book'] as const).entries()) {
            for (const r of await store.rows(`SELECT owner_team, count(*)::INTEGER AS n FROM ${t} WHERE venue = 'synth' AND symbol = 'BTC/USDT' GROUP BY 1`)) {
                (out[String(r.owner_team)] ??= [0, 0])[i] = Number(r.n);
            }
        }
        return out;
    });
}

beforeAll(async () => {
    writeFileSync(join(ws, 'alphaforge.json'), JSON.stringify({ packs: [{ name: 'hft', version: '^1.0.0' }] }));
    for (const f of ['trades.csv', 'book.csv']) copyFileSync(join(SAMPLE, f), join(ws, f));
    await toParquet('trades.csv', 'trades.parquet');
    await toParquet('book.csv', 'book.parquet');
    sec = await startSecureDaemon({ workspace: ws });
    // alpha's private copy, through the confined `file` route.
    await as('alpha').call('data.hft.import', { file: 'trades.csv', format: 'tardis-trades', ...INSTRUMENT });
    await as('alpha').call('data.hft.import', { file: 'book.csv', format: 'tardis-book-l2', ...INSTRUMENT });
    // The local CLI's store: the same sample, imported locally.
    expect((await af('data', 'hft', 'sample', '--state-dir', local)).err).toBe('');
}, 180_000);

afterAll(async () => {
    await sec?.stop();
});

describe('tick data in the daemon', { timeout: 120_000 }, () => {
    it('a daemon event-driven backtest of the hft example equals the local CLI\'s', async () => {
        const cli = await af('--config', join(ws, 'alphaforge.json'), 'hft', 'backtest', EXAMPLE, '--state-dir', local, '--json');
        expect(cli.err).toBe('');
        const want = JSON.parse(cli.out) as Record<string, unknown>;
        const got = await as('alpha').call('hft.backtest', { source: readFileSync(EXAMPLE, 'utf8'), fills: 10_000 });
        expect(got.fillCount).toBeGreaterThan(10);
        expect(got.dataOwner).toBe('alpha');
        for (const k of ['strategy', 'events', 'decisions', 'fills', 'fillCount', 'ordersSent', 'cancelsSent', 'unfilled', 'inventory', 'maxAbsInventory', 'cash', 'feesPaid', 'pnl', 'equity', 'params', 'provenance']) {
            expect((got as Record<string, unknown>)[k], k).toEqual(want[k]);
        }
    });

    it('beta reads none of alpha\'s private ticks and writes only its own copy', async () => {
        const source = readFileSync(EXAMPLE, 'utf8');
        // Without the team scope beta's backtest would read alpha's copy and complete.
        const denied = await rejection(as('beta').call('hft.backtest', { source }));
        expect(denied.message).toMatch(/no tick data for synth:BTC\/USDT/);
        expect((await as('beta', 'viewer').call('data.hft.list', {})).series).toEqual([]);
        const show = await rejection(as('beta', 'viewer').call('data.hft.show', { instrument: 'synth:BTC/USDT' }));
        expect(show.message).toMatch(/no tick data for synth:BTC\/USDT that team beta may read/);
        const mine = (await as('alpha', 'viewer').call('data.hft.list', {})).series;
        expect(mine.map(s => [s.id, s.owner, s.visibility, s.trades, s.bookRows])).toEqual([['synth:BTC/USDT', 'alpha', 'team', 937, 5063]]);
        // Sharing needs the admin role.
        const shared = await rejection(as('alpha').call('data.hft.import', { file: 'trades.csv', format: 'tardis-trades', ...INSTRUMENT, visibility: 'shared' }));
        expect(shared.message).toMatch(/needs the admin role/);
        // beta's own copy (the sample): its backtest reads it; alpha's rows are untouched.
        await as('beta').call('data.hft.sample', {});
        expect((await as('beta').call('hft.backtest', { source })).dataOwner).toBe('beta');
        expect(await stored()).toEqual({ alpha: [937, 5063], beta: [937, 5063] });
    });

    it('a Parquet file in the public layout imports the same rows as its CSV, and a bad row is named by its row number with nothing written', async () => {
        await as('alpha').call('data.hft.import', { file: 'trades.parquet', format: 'tardis-trades', venue: 'pq', symbol: 'BTC/USDT' });
        await as('alpha').call('data.hft.import', { file: 'book.parquet', format: 'tardis-book-l2', venue: 'pq', symbol: 'BTC/USDT' });
        const list = (await as('alpha', 'viewer').call('data.hft.list', { venue: 'pq' })).series;
        expect(list.map(s => [s.trades, s.bookRows])).toEqual([[937, 5063]]);
        const csv = await as('alpha', 'viewer').call('data.hft.show', { instrument: 'synth:BTC/USDT', limit: 1000, tail: true });
        const pq = await as('alpha', 'viewer').call('data.hft.show', { instrument: 'pq:BTC/USDT', limit: 1000, tail: true });
        expect(pq.events).toBe(6000);
        expect(pq.rows).toEqual(csv.rows);
        // Row 3 of the data has a negative amount; the file is a host file: the value is not quoted.
        const db = await DuckDBInstance.create(':memory:');
        const c = await db.connect();
        await c.run(`COPY (SELECT exchange, symbol, timestamp, local_timestamp, id, side, price, CASE WHEN rn = 3 THEN -7.25 ELSE amount END AS amount
            FROM (SELECT *, row_number() OVER (ORDER BY timestamp, id) AS rn FROM read_csv('${join(ws, 'trades.csv')}', header = true)) ORDER BY rn) TO '${join(ws, 'bad.parquet')}' (FORMAT parquet)`);
        c.closeSync();
        const bad = await rejection(as('alpha').call('data.hft.import', { file: 'bad.parquet', format: 'tardis-trades', venue: 'bad', symbol: 'BTC/USDT' }));
        expect(bad.message).toMatch(/bad\.parquet row 3, column amount: the cell is not a positive number; write the traded quantity/);
        expect(bad.message).toMatch(/Nothing was imported/);
        expect(bad.message).not.toContain('7.25');
        expect((await as('alpha', 'viewer').call('data.hft.list', { venue: 'bad' })).series).toEqual([]);
    });

    it('a named file is confined to the data folders, and errors about it quote nothing of it', async () => {
        symlinkSync(sec.hostSecretFile, join(ws, 'link-secret.csv'));
        for (const file of [sec.hostSecretFile, '../../etc/passwd', join(sec.stateDir, 'alphaforge.duckdb'), 'trades.json', 'link-secret.csv', '*.csv']) {
            const e = await rejection(as('alpha').call('data.hft.import', { file, format: 'tardis-trades', ...INSTRUMENT }));
            expectNoLeak(e, sec.secrets);
            expect(e.message).not.toMatch(/HOST-SECRET/);
        }
        writeFileSync(join(ws, 'bad.csv'), 'exchange,symbol,timestamp,local_timestamp,id,side,price,amount\nx,BTC,1704153600000000,1704153600000000,1,PRIVATE-SIDE-41,100,1\n');
        const bad = await rejection(as('alpha').call('data.hft.import', { file: 'bad.csv', format: 'tardis-trades', ...INSTRUMENT }));
        expect(bad.message).toMatch(/bad\.csv line 2, column side: the cell is not buy, sell or unknown/);
        expect(bad.message).not.toContain('PRIVATE-SIDE-41');
        writeFileSync(join(ws, 'header.csv'), 'PRIVATE-HEADER-42,b\n1,2\n');
        const header = await rejection(as('alpha').call('data.hft.import', { file: 'header.csv', format: 'tardis-trades', ...INSTRUMENT }));
        expect(header.message).toMatch(/header\.csv: the tardis-trades layout needs the column\(s\) timestamp/);
        expect(header.message).not.toContain('PRIVATE-HEADER-42');
        writeFileSync(join(ws, 'junk.parquet'), 'PRIVATE-PARQUET-43');
        const junk = await rejection(as('alpha').call('data.hft.import', { file: 'junk.parquet', format: 'tardis-trades', ...INSTRUMENT }));
        expect(junk.message).toBe('junk.parquet: cannot be read as Parquet');
        // An upload is the caller's own bytes: its errors may quote them.
        const up = await as('alpha').upload(join(ws, 'bad.csv'));
        const own = await rejection(as('alpha').call('data.hft.import', { upload: up.id, format: 'tardis-trades', ...INSTRUMENT }));
        expect(own.message).toMatch(/'private-side-41' is not buy, sell or unknown/);
        // Nothing of these reached the store.
        expect(await stored()).toEqual({ alpha: [937, 5063], beta: [937, 5063] });
    });

    it('hft.backtest with a uri outside the source folders (../etc/passwd, a host file or folder, a symlink out, another team\'s folder) gets none of that folder\'s packs: refused, quoting nothing', async () => {
        const source = readFileSync(EXAMPLE, 'utf8');
        // Each folder named declares the hft pack: were its packs read, the backtest would run.
        const config = JSON.stringify({ packs: [{ name: 'hft', version: '^1.0.0' }] });
        const hostFolder = join(sec.hostDir, 'sub');
        writeFileSync(join(hostFolder, 'alphaforge.json'), config);
        writeFileSync(join(sec.hostDir, 'alphaforge.json'), config);
        symlinkSync(hostFolder, join(ws, 'host-link'));
        const betaFolder = join(sec.stateDir, 'exports', 'beta');
        mkdirSync(betaFolder, { recursive: true });
        writeFileSync(join(betaFolder, 'alphaforge.json'), config);
        for (const uri of [
            '../../../../../../etc/passwd', sec.hostSecretFile, pathToFileURL(sec.hostSecretFile).href, pathToFileURL(join(hostFolder, 'mm.af')).href,
            pathToFileURL(join(ws, 'host-link', 'mm.af')).href, pathToFileURL(join(betaFolder, 'mm.af')).href, `file://${ws}/../${sec.hostDir}/sub/mm.af`,
        ]) {
            const e = await rejection(as('alpha').call('hft.backtest', { source, uri }));
            expect(e.code, uri).toBe(ErrorCodes.InvalidParams);
            expect(e.message, uri).toMatch(/AF003 Unknown name 'book_imbalance': it comes from the capability pack 'hft', which this workspace does not enable/);
            expectNoLeak(e, sec.secrets);
        }
    });

    it('hft.backtest\'s other fields with huge, negative, NaN-like, over-long or unknown values: a clear error naming the field, and the daemon keeps serving', async () => {
        const source = readFileSync(EXAMPLE, 'utf8');
        const cases: [Record<string, unknown>, string][] = [];
        for (const [field, values] of Object.entries({
            latencyMs: [-1, 1e308, 60_001, 'NaN', 'Infinity'],
            fills: [-1, 10_001, 1.5, 'NaN', 2 ** 53],
            timeoutMs: [0, 999, 3_600_001, 1e308, 'NaN'],
            // 'NaN' used to leave the read connection taken (a throw before the call's first await): every later read waited 30 s for it.
            from: ['NaN', 'x'.repeat(41), '-999999-01-01', '9999999999999999999', 2 ** 53 - 1, 1e300, -1e300],
            to: ['Infinity', '2020-13-45', 'x'.repeat(5000)],
            strategy: ['x'.repeat(129), ''],
            uri: ['', 'x'.repeat(4097)],
            extra: [1],
        })) for (const v of values) cases.push([{ [field]: v }, field]);
        for (const [params, name] of [[{ levels: 'NaN' }, 'levels'], [{ levels: 1e308 }, 'levels'], [{ levels: -1e308 }, 'levels'], [{ ['k'.repeat(129)]: 1 }, 'params'], [{ levels: null }, 'levels'], [{ nope: 1 }, 'nope']] as const) {
            cases.push([{ params }, name]);
        }
        const problems: string[] = [];
        for (const [extra, field] of cases) {
            const label = JSON.stringify(extra).slice(0, 60);
            const e = await rejection(as('alpha').call('hft.backtest', { source, ...extra } as never));
            if (e.code !== ErrorCodes.InvalidParams) problems.push(`${label}: code ${e.code} ${e.message.slice(0, 200)}`);
            else if (!e.message.includes(field)) problems.push(`${label}: the message does not name ${field}: ${e.message.slice(0, 200)}`);
            else if (e.message.length > 1000) problems.push(`${label}: ${e.message.length} characters of message`);
        }
        expect(problems).toEqual([]);
        // The read connection is free: a read on it answers at once (it used to wait 30 s and fail after `from: 'NaN'`).
        expect((await as('alpha', 'viewer').call('data.hft.list', {})).series.length).toBeGreaterThan(0);
    });

    it('af data hft import and af hft backtest go through the daemon that holds the store, as the caller\'s team', async () => {
        const r = await af('data', 'hft', 'import', join(SAMPLE, 'trades.csv'), '--format', 'tardis-trades', '--venue', 'cli', '--symbol', 'BTC/USDT', '--state-dir', sec.stateDir, '--json');
        expect(r.err).toBe('');
        expect(JSON.parse(r.out)).toMatchObject({ venue: 'cli', trades: 937, bookRows: 0 });
        const synth = await af('data', 'hft', 'synth', '--events', '500', '--venue', 'cli2', '--state-dir', sec.stateDir, '--json');
        expect(synth.err).toBe('');
        const owners = await withStore({ stateDir: sec.stateDir }, store => store.rows(`SELECT venue, owner_team, visibility FROM hft_series WHERE venue LIKE 'cli%' ORDER BY 1`));
        expect(owners).toEqual([{ venue: 'cli', owner_team: 'default', visibility: 'team' }, { venue: 'cli2', owner_team: 'default', visibility: 'team' }]);
        await af('data', 'hft', 'sample', '--state-dir', sec.stateDir);
        // The daemon compiles against the packs of the source's folder: the workspace's.
        copyFileSync(EXAMPLE, join(ws, 'mm.af'));
        const bt = await af('--config', join(ws, 'alphaforge.json'), 'hft', 'backtest', join(ws, 'mm.af'), '--state-dir', sec.stateDir, '--json');
        expect(bt.err).toBe('');
        const loc = await af('--config', join(ws, 'alphaforge.json'), 'hft', 'backtest', EXAMPLE, '--state-dir', local, '--json');
        const [a, b] = [JSON.parse(bt.out), JSON.parse(loc.out)] as Record<string, unknown>[];
        expect(a!['dataOwner']).toBe('default');
        expect([a!['pnl'], a!['fills'], a!['provenance']]).toEqual([b!['pnl'], b!['fills'], b!['provenance']]);
    });
});
