/**
 * Issue 11, items 2 and 11: what market data a team can see and change, and that no caller's text
 * reaches SQL as SQL. Against the real daemon (security/support.ts): free SQL over `data.export` is
 * refused (host files, other teams' tables, DuckDB's catalogue and settings, ATTACH, COPY); the
 * structured export returns exactly the stored rows; a team's private series is invisible to other
 * teams in data.list, data.export and runs; a shared series is read-only to other teams (the
 * poisoned re-import of the issue); the owner's replacement is logged, changes the snapshot hash
 * and keeps the old snapshot reconstructible. The other places where caller text reaches SQL
 * (data.list, runs.list, experiments filter and orderBy, tag keys) are driven with hostile values.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { tableFromIPC } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCodes, type RunSummary } from '../../../protocol/src/daemon/index.js';
import { findSnapshot } from '../../src/data/load.js';
import { withStore } from '../../src/schema/registry.js';
import { type DaemonClient } from '../../../protocol/src/client.js';
import { expectNoLeak, rejection, startSecureDaemon, type SecureDaemon } from './support.js';

const DAY = 86_400_000;
const T0 = Date.UTC(2024, 0, 1);

let sec: SecureDaemon;
let importsDir: string;
/** Where data.export over RPC writes for a team (its export folder, files named by `name`). */
const exportsOf = (team: 'alpha' | 'beta'): string => join(sec.stateDir, 'exports', teamIds[team]);
const teamIds = { alpha: '', beta: '' };
const as = (team: 'alpha' | 'beta', role: 'viewer' | 'researcher' | 'trader' | 'admin'): DaemonClient => sec.client(sec.tokens[team][role]);

/** A CSV of `n` daily bars from T0 + start days, close = base + i (+ a wiggle so a crossover strategy trades). */
function barsCsv(name: string, n: number, o: { base?: number; start?: number } = {}): string {
    const base = o.base ?? 100, start = o.start ?? 0;
    const lines = ['date,open,high,low,close,volume'];
    for (let i = 0; i < n; i++) {
        const c = base + 10 * Math.sin((start + i) / 4) + (start + i) / 10;
        lines.push(`${new Date(T0 + (start + i) * DAY).toISOString().slice(0, 10)},${c - 0.5},${c + 1},${c - 1},${c},${1000 + i}`);
    }
    const file = join(importsDir, name);
    writeFileSync(file, lines.join('\n') + '\n');
    return file;
}

const strategyOn = (id: string): string => `strategy On {
  universe: ${id}
  timeframe: 1d
  param fast: int = 3 in 2..5
  param slow: int = 8 in 6..10
  feature f = sma(close, fast)
  feature s = sma(close, slow)
  rules {
    when crossover(f, s) => target 100% long
    when crossunder(f, s) => flat
  }
}
`;

/** Submits a backtest (against `benchmark` when given) and waits until it ends. */
async function backtest(c: DaemonClient, source: string, benchmark?: string): Promise<RunSummary> {
    const { run } = await c.call('runs.submit', { kind: 'backtest', spec: { source, ...(benchmark ? { benchmark } : {}) } });
    for (let i = 0; i < 600; i++) {
        const r = (await c.call('runs.get', { id: run.id })).run;
        if (r.state === 'completed' || r.state === 'failed' || r.state === 'cancelled') return r;
        await new Promise(res => setTimeout(res, 50));
    }
    throw new Error(`run ${run.id} did not end`);
}

/** Rows of a CSV file written by an export (header first). */
function csvRows(file: string): string[][] {
    return readFileSync(file, 'utf8').trim().split('\n').map(l => l.split(','));
}

beforeAll(async () => {
    sec = await startSecureDaemon();
    importsDir = join(sec.stateDir, 'imports');
    mkdirSync(importsDir, { recursive: true });
    for (const team of ['alpha', 'beta'] as const) teamIds[team] = (await as(team, 'viewer').call('iam.whoami')).principal.teamId;
    // alpha's private series and alpha's shared one (sharing needs an admin).
    await as('alpha', 'researcher').call('data.import', { file: barsCsv('ta.csv', 40), venue: 'test', symbol: 'TA', timeframe: '1d' });
    await as('alpha', 'admin').call('data.import', { file: barsCsv('tb.csv', 40, { base: 50 }), venue: 'test', symbol: 'TB', timeframe: '1d', visibility: 'shared' });
}, 120_000);

afterAll(async () => {
    await sec?.stop();
});

describe('data.export takes no SQL over RPC', () => {
    const attacks = (): Record<string, string> => ({
        'read_text of a host file': `SELECT * FROM read_text('${sec.hostSecretFile}')`,
        'read_csv of a host file': `SELECT * FROM read_csv('${sec.hostSecretFile}', header = false)`,
        'glob over a host directory': `SELECT * FROM glob('${sec.hostDir}/*')`,
        'the admin token file': `SELECT * FROM read_text('${join(sec.stateDir, 'admin.token')}')`,
        'every team\'s tokens': 'SELECT * FROM tokens',
        'every team\'s runs': 'SELECT * FROM runs',
        'every team\'s tags': 'SELECT * FROM run_tags',
        'the catalogue': 'SELECT * FROM information_schema.tables',
        'the settings': 'SELECT * FROM duckdb_settings()',
        'ATTACH': `ATTACH '${join(sec.hostDir, 'x.duckdb')}' AS x`,
        'COPY to a host file': `COPY (SELECT 1) TO '${join(sec.hostDir, 'out.csv')}'`,
        'a harmless SELECT of bars': 'SELECT * FROM bars',
    });

    it('every query is refused with a clear -32602 that names the structured export, and nothing leaks or is written', async () => {
        const researcher = as('alpha', 'researcher');
        for (const [what, query] of Object.entries(attacks())) {
            const name = `attack-${what.replace(/\W+/g, '-')}.csv`, file = join(exportsOf('alpha'), name);
            const e = await rejection(researcher.call('data.export', { name, query } as never));
            expect(e.code, what).toBe(ErrorCodes.InvalidParams);
            expect(e.message, what).toMatch(/query: free SQL is not accepted over RPC.*bars.*af data export --sql/);
            expectNoLeak(e, sec.secrets);
            expect(existsSync(file), `${what} wrote ${file}`).toBe(false);
        }
        // Even an admin: free SQL is for the local CLI only.
        const e = await rejection(sec.client(sec.adminToken).call('data.export', { name: 'admin.csv', query: 'SELECT * FROM tokens' } as never));
        expect(e.code).toBe(ErrorCodes.InvalidParams);
        expect(existsSync(join(sec.stateDir, 'exports'))).toBe(true);
        for (const dir of readdirSync(join(sec.stateDir, 'exports'))) expect(existsSync(join(sec.stateDir, 'exports', dir, 'admin.csv'))).toBe(false);
        expect(existsSync(join(sec.hostDir, 'out.csv'))).toBe(false);
    });

    it('hostile values in the structured request are values, not SQL', async () => {
        const researcher = as('alpha', 'researcher');
        const file = join(exportsOf('alpha'), 'hostile.csv');
        const hostile: Record<string, unknown>[] = [
            { ids: [`test:TA') UNION SELECT token_hash, 1, 1, 1, 1, 1, 1 FROM tokens --`], timeframe: '1d' },
            { ids: [`x:'||(SELECT string_agg(content, '') FROM read_text('${sec.hostSecretFile}'))||'`], timeframe: '1d' },
            { ids: ['test:TA'], timeframe: `1d' OR 1=1 --` },
            { ids: ['test:TA'], timeframe: '1d', from: `2024-01-01' OR 1=1 --` },
            { ids: ['test:TA'], timeframe: '1d', columns: ['ts', `(SELECT content FROM read_text('${sec.hostSecretFile}'))`] },
            { ids: ['test:TA'], timeframe: '1d', columns: ['ts', 'ts'] },
        ];
        for (const bars of hostile) {
            const e = await rejection(researcher.call('data.export', { name: 'hostile.csv', bars } as never));
            expect([ErrorCodes.InvalidParams, ErrorCodes.NotFound], JSON.stringify(bars)).toContain(e.code);
            expectNoLeak(e, sec.secrets);
        }
        expect(existsSync(file)).toBe(false);
    });
});

describe('the structured export', () => {
    it('writes exactly the stored rows of the requested instruments, range and columns (CSV, Parquet, Arrow)', async () => {
        const researcher = as('alpha', 'researcher');
        const from = '2024-01-05', to = '2024-01-20';
        const want = await withStore({ stateDir: sec.stateDir }, store => store.rows(
            `SELECT venue || ':' || symbol AS symbol, epoch_ms(ts)::DOUBLE AS ts, close, volume FROM bars
             WHERE timeframe = '1d' AND (venue, symbol) IN (('test', 'TA'), ('test', 'TB')) AND ts BETWEEN TIMESTAMP '2024-01-05' AND TIMESTAMP '2024-01-20 23:59:59.999'
             ORDER BY CASE symbol WHEN 'TB' THEN 0 ELSE 1 END, ts`));
        expect(want.length).toBe(32); // 16 days of both series, TB first (the request's order)

        const csv = join(exportsOf('alpha'), 'ta.csv');
        const r = await researcher.call('data.export', { name: 'ta.csv', bars: { ids: ['test:TB', 'test:TA'], timeframe: '1d', from, to, columns: ['symbol', 'ts', 'close', 'volume'] } });
        expect(r).toMatchObject({ format: 'csv', rows: want.length, columns: ['symbol', 'ts', 'close', 'volume'] });
        const [header, ...rows] = csvRows(csv);
        expect(header).toEqual(['symbol', 'ts', 'close', 'volume']);
        expect(rows.map(x => [x[0], Date.parse(x[1]!.replace(' ', 'T').replace(/\+00$/, 'Z')), Number(x[2]), Number(x[3])]))
            .toEqual(want.map(w => [w.symbol, w.ts, w.close, w.volume]));

        const pq = join(exportsOf('alpha'), 'ta.parquet');
        expect((await researcher.call('data.export', { name: 'ta.parquet', bars: { ids: ['test:TB', 'test:TA'], timeframe: '1d', from, to, columns: ['symbol', 'ts', 'close', 'volume'] } })).rows).toBe(want.length);
        const db = await DuckDBInstance.create(':memory:');
        const conn = await db.connect();
        const back = (await conn.runAndReadAll(`SELECT symbol, epoch_ms(ts)::DOUBLE AS ts, close, volume FROM read_parquet('${pq}')`)).getRowObjectsJS();
        conn.closeSync();
        db.closeSync();
        expect(back).toEqual(want);

        const arrow = join(exportsOf('alpha'), 'ta.arrow');
        await researcher.call('data.export', { name: 'ta.arrow', bars: { ids: ['test:TA'], timeframe: '1d', columns: ['ts', 'close'] } });
        const table = tableFromIPC(readFileSync(arrow));
        const ta = await withStore({ stateDir: sec.stateDir }, store => store.rows(`SELECT epoch_ms(ts)::DOUBLE AS ts, close FROM bars WHERE venue = 'test' AND symbol = 'TA' ORDER BY ts`));
        expect(table.schema.fields.map(f => f.name)).toEqual(['ts', 'close']);
        expect([...table.getChild('close')!].map(Number)).toEqual(ta.map(x => x.close));
        expect([...table.getChild('ts')!].map(Number)).toEqual(ta.map(x => x.ts));
    });

    it('resamples to a coarser timeframe as runs see it (complete buckets only)', async () => {
        const csv = join(exportsOf('alpha'), 'ta-2d.csv');
        await as('alpha', 'viewer').call('data.export', { name: 'ta-2d.csv', bars: { ids: ['test:TA'], timeframe: '2d' } }).catch(() => undefined);
        // A viewer may not export (researcher): the file is the researcher's.
        // 2-day buckets are epoch-aligned: 2024-01-02 opens one, and the one opening 2024-02-07 ends with the stored 2024-02-08.
        const r = await as('alpha', 'researcher').call('data.export', { name: 'ta-2d.csv', bars: { ids: ['test:TA'], timeframe: '2d', from: '2024-01-02', to: '2024-02-07' } });
        const want = await withStore({ stateDir: sec.stateDir }, store => store.rows(
            `SELECT (floor(epoch_ms(ts) / ${2 * DAY}) * ${2 * DAY})::DOUBLE AS ts, first(open ORDER BY ts) AS open, max(high) AS high, min(low) AS low,
                last(close ORDER BY ts) AS close, sum(volume) AS volume
             FROM bars WHERE venue = 'test' AND symbol = 'TA' AND timeframe = '1d' AND ts BETWEEN TIMESTAMP '2024-01-02' AND TIMESTAMP '2024-02-08'
             GROUP BY 1 HAVING count(*) = 2 ORDER BY 1`));
        expect(want.length).toBe(19);
        expect(r.rows).toBe(want.length);
        const [header, ...rows] = csvRows(csv);
        expect(header).toEqual(['symbol', 'ts', 'open', 'high', 'low', 'close', 'volume']);
        expect(rows.map(x => ({ ts: Date.parse(x[1]!.replace(' ', 'T').replace(/\+00$/, 'Z')), open: Number(x[2]), high: Number(x[3]), low: Number(x[4]), close: Number(x[5]), volume: Number(x[6]) })))
            .toEqual(want);
    });
});

describe('market data has an owner team and a visibility', () => {
    it('beta cannot list, export or backtest alpha\'s private series; alpha can', async () => {
        const beta = as('beta', 'researcher');
        const alpha = as('alpha', 'researcher');
        expect((await beta.call('data.list', {})).series.map(s => s.id)).not.toContain('test:TA');
        expect((await beta.call('data.list', { venue: 'test', symbol: 'TA' })).series).toEqual([]);
        const listed = (await alpha.call('data.list', { venue: 'test' })).series;
        expect(listed.map(s => [s.id, s.owner, s.visibility])).toEqual([['test:TA', 'alpha', 'team'], ['test:TB', 'alpha', 'shared']]);
        // Shared data of the local CLI (owned by the bootstrap team) is visible to everyone.
        expect((await beta.call('data.list', { venue: 'synth' })).series.map(s => [s.id, s.owner, s.visibility])).toEqual([['synth:AAA', 'default', 'shared'], ['synth:BBB', 'default', 'shared']]);

        const file = join(exportsOf('beta'), 'stolen.csv');
        const e = await rejection(beta.call('data.export', { name: 'stolen.csv', bars: { ids: ['test:TA'], timeframe: '1d' } }));
        expect(e.code).toBe(ErrorCodes.NotFound);
        expect(e.message).toMatch(/no data for test:TA 1d visible to team beta/);
        expect(existsSync(file)).toBe(false);
        // Nor through resampling from the private 1d bars.
        expect((await rejection(beta.call('data.export', { name: 'stolen.csv', bars: { ids: ['test:TA'], timeframe: '2d' } }))).message).toMatch(/no data for test:TA 2d visible to team beta/);

        const run = await backtest(beta, strategyOn('test:TA'));
        expect(run.state).toBe('failed');
        expect(run.error).toMatch(/no data for test:TA 1d visible to team beta/);
        expect(run.dataSnapshot).toBeNull();

        const mine = await backtest(alpha, strategyOn('test:TA'));
        expect(mine.state).toBe('completed');
        // beta's failed attempt did not leave alpha's bars in a cache beta can hit.
        expect((await backtest(beta, strategyOn('test:TA'))).state).toBe('failed');
    }, 60_000);

    it('beta cannot show or resample alpha\'s private series; alpha can, and the coarser series is alpha\'s', async () => {
        const beta = as('beta', 'researcher');
        const alpha = as('alpha', 'researcher');
        for (const call of [
            () => beta.call('data.show', { instrument: 'test:TA' }),
            () => beta.call('data.show', { instrument: 'test:TA', timeframe: '1d', tail: true }),
            () => beta.call('data.show', { instrument: 'test:TA', timeframe: '2d' }),
            () => beta.call('data.resample', { instrument: 'test:TA', to: '2d' }),
        ]) {
            const e = await rejection(call());
            expect(e.code).toBe(ErrorCodes.NotFound);
            expect(e.message).toMatch(/no data for test:TA (1d|2d|any timeframe) visible to team beta/);
        }
        expect((await alpha.call('data.list', { venue: 'test', symbol: 'TA' })).series.map(x => x.timeframe)).toEqual(['1d']);
        const shown = await alpha.call('data.show', { instrument: 'test:TA', limit: 5, tail: true });
        expect(shown).toMatchObject({ instrument: 'test:TA', timeframe: '1d', source: '1d', bars: 40 });
        expect(shown.rows).toHaveLength(5);
        expect(shown.rows.at(-1)!.ts).toBe(shown.lastTs);
        // Stored as runs see it on the fly (complete buckets only).
        const coarse = (await alpha.call('data.show', { instrument: 'test:TA', timeframe: '2d' })).bars;
        expect(coarse).toBeGreaterThanOrEqual(19);
        const r = await alpha.call('data.resample', { instrument: 'test:TA', to: '2d' });
        expect(r.rowsWritten).toBe(coarse);
        expect((await alpha.call('data.list', { venue: 'test', symbol: 'TA', timeframe: '2d' })).series.map(x => [x.owner, x.visibility, x.bars])).toEqual([['alpha', 'team', coarse]]);
        expect((await beta.call('data.list', { venue: 'test', symbol: 'TA' })).series).toEqual([]);
        // A viewer reads, but does not write.
        expect((await rejection(as('alpha', 'viewer').call('data.resample', { instrument: 'test:TA', to: '4d' }))).code).toBe(ErrorCodes.Forbidden);
    });

    it('data.show names an import\'s source file only to the team that imported it', async () => {
        // test:TB is alpha's, shared: beta reads its bars, but the file alpha imported it from is alpha's business.
        const own = await as('alpha', 'viewer').call('data.show', { instrument: 'test:TB', limit: 1 });
        expect(own.imports.length).toBeGreaterThan(0);
        expect(own.imports.every(i => i.source.includes('tb.csv'))).toBe(true);
        const other = await as('beta', 'viewer').call('data.show', { instrument: 'test:TB', limit: 1 });
        expect(other.bars).toBe(own.bars);
        expect(other.imports.map(i => i.id)).toEqual(own.imports.map(i => i.id));
        expect(JSON.stringify(other)).not.toContain('tb.csv');
        expect(JSON.stringify(other)).not.toContain(importsDir);
    });

    it('beta cannot read alpha\'s private prices as its benchmark; alpha can', async () => {
        const beta = as('beta', 'researcher');
        // test:TB is shared (beta may trade it); test:TA is alpha's: its closes would come back as series.benchmark.
        const run = await backtest(beta, strategyOn('test:TB'), 'test:TA');
        expect(run.state).toBe('failed');
        expect(run.error).toMatch(/^benchmark test:TA: no data for test:TA 1d visible to team beta/);
        expect(run.dataSnapshot).toBeNull();
        expectNoLeak(run.error ?? '', sec.secrets);
        const mine = await backtest(as('alpha', 'researcher'), strategyOn('test:TB'), 'test:TA');
        expect(mine.state).toBe('completed');
        const r = (await as('alpha', 'researcher').call('runs.result', { id: mine.id })).result;
        expect(r.benchmark).toMatchObject({ name: 'buy and hold test:TA', symbols: ['test:TA'] });
        expect(r.series!.benchmark).toHaveLength(r.series!.ts.length);
    }, 60_000);

    it('only an admin makes data shared', async () => {
        const e = await rejection(as('alpha', 'researcher').call('data.import', { file: barsCsv('tc.csv', 5), venue: 'test', symbol: 'TC', timeframe: '1d', visibility: 'shared' }));
        expect(e.code).toBe(ErrorCodes.Forbidden);
        expect(e.message).toMatch(/admin/);
        expect((await as('alpha', 'researcher').call('data.list', { venue: 'test', symbol: 'TC' })).series).toEqual([]);
    });

    it('beta cannot replace alpha\'s shared series with poisoned prices (the issue\'s attack)', async () => {
        const beta = as('beta', 'researcher');
        const before = await withStore({ stateDir: sec.stateDir }, store => store.rows(`SELECT epoch_ms(ts)::DOUBLE AS ts, close FROM bars WHERE venue = 'test' AND symbol = 'TB' ORDER BY ts`));
        // beta reads it (shared) …
        expect((await beta.call('data.list', { venue: 'test', symbol: 'TB' })).series.map(s => s.bars)).toEqual([40]);
        // … but a re-import of 10 bars with poisoned prices is refused, naming the owner.
        const poisoned = barsCsv('tb-poison.csv', 10, { base: 1e6, start: 5 });
        const e = await rejection(beta.call('data.import', { file: poisoned, venue: 'test', symbol: 'TB', timeframe: '1d' }));
        expect(e.code).toBe(ErrorCodes.Forbidden);
        expect(e.message).toMatch(/test:TB 1d belongs to team alpha.*another venue or symbol/);
        expectNoLeak(e, sec.secrets);
        // beta's own admin cannot either, nor can anyone append bars outside its range.
        expect((await rejection(as('beta', 'admin').call('data.import', { file: poisoned, venue: 'test', symbol: 'TB', timeframe: '1d' }))).code).toBe(ErrorCodes.Forbidden);
        expect((await rejection(beta.call('data.import', { file: barsCsv('tb-append.csv', 3, { start: 100 }), venue: 'test', symbol: 'TB', timeframe: '1d', allowGaps: true }))).code).toBe(ErrorCodes.Forbidden);
        // The CLI's shared data (owned by the bootstrap team) is just as read-only to a team.
        expect((await rejection(beta.call('data.import', { file: poisoned, venue: 'synth', symbol: 'AAA', timeframe: '1d' }))).message).toMatch(/synth:AAA 1d belongs to team default/);
        // alpha's private series: refused without naming its owner.
        const hidden = await rejection(beta.call('data.import', { file: poisoned, venue: 'test', symbol: 'TA', timeframe: '1d' }));
        expect(hidden.code).toBe(ErrorCodes.Forbidden);
        expect(hidden.message).not.toMatch(/alpha/);
        const after = await withStore({ stateDir: sec.stateDir }, store => store.rows(`SELECT epoch_ms(ts)::DOUBLE AS ts, close FROM bars WHERE venue = 'test' AND symbol = 'TB' ORDER BY ts`));
        expect(after).toEqual(before);
        // Under its own name beta may import the same file (private to beta).
        const own = await beta.call('data.import', { file: poisoned, venue: 'beta', symbol: 'TB', timeframe: '1d' });
        expect(own.rowsWritten).toBe(10);
        expect((await as('alpha', 'researcher').call('data.list', { venue: 'beta' })).series).toEqual([]);
    });

    it('the owner\'s replacement is logged, changes the snapshot hash, and the old snapshot stays reconstructible', async () => {
        const alpha = as('alpha', 'researcher');
        const old = await backtest(alpha, strategyOn('test:TB'));
        expect(old.state).toBe('completed');
        const oldBars = await withStore({ stateDir: sec.stateDir }, store => store.rows(`SELECT epoch_ms(ts)::DOUBLE AS ts, close FROM bars WHERE venue = 'test' AND symbol = 'TB' ORDER BY ts`));

        const r = await alpha.call('data.import', { file: barsCsv('tb-fix.csv', 10, { base: 55, start: 5 }), venue: 'test', symbol: 'TB', timeframe: '1d' });
        expect(r.replaced).toBe(10);
        const log = readFileSync(join(sec.stateDir, 'logs', 'daemon.log'), 'utf8').split('\n').filter(l => l.includes('"data.replaced"')).map(l => JSON.parse(l) as Record<string, unknown>);
        expect(log.at(-1)).toMatchObject({ event: 'data.replaced', series: 'test:TB', timeframe: '1d', team: 'alpha', owner: 'alpha', replaced: 10, user: 'alpha-researcher' });

        const fresh = await backtest(alpha, strategyOn('test:TB'));
        expect(fresh.state).toBe('completed');
        expect(fresh.dataSnapshot).not.toBe(old.dataSnapshot);
        // beta (shared reader) sees the new data too, through its own load.
        expect((await backtest(as('beta', 'researcher'), strategyOn('test:TB'))).dataSnapshot).toBe(fresh.dataSnapshot);

        // The replaced bars were kept: the old run's exact data is found again by its hash.
        const found = await withStore({ stateDir: sec.stateDir }, store => findSnapshot(store, { assets: [{ venue: 'test', symbol: 'TB' }], timeframe: '1d', team: 'alpha' }, old.dataSnapshot!));
        expect(found?.snapshotHash).toBe(old.dataSnapshot);
        expect([...found!.assets[0]!.close]).toEqual(oldBars.map(b => b.close));
        expect([...found!.ts]).toEqual(oldBars.map(b => b.ts));
        // Another team cannot reconstruct a private series' past either.
        const ta = await backtest(alpha, strategyOn('test:TA'));
        expect(await withStore({ stateDir: sec.stateDir }, store => findSnapshot(store, { assets: [{ venue: 'test', symbol: 'TA' }], timeframe: '1d', team: 'beta' }, ta.dataSnapshot!).catch(e => (e as Error).message)))
            .toMatch(/no data for test:TA 1d visible to team beta/);
    }, 60_000);
});

describe('the other places where caller text reaches SQL take it as values', () => {
    it('data.list filters', async () => {
        const beta = as('beta', 'viewer');
        for (const p of [{ venue: `test' OR '1'='1` }, { symbol: `TA' OR '1'='1` }, { timeframe: `1d' OR '1'='1` }, { venue: 'test', symbol: `x') OR TRUE --` }]) {
            const r = await beta.call('data.list', p).then(x => x.series, (e: Error) => e);
            if (r instanceof Error) expectNoLeak(r, sec.secrets);
            else expect(r, JSON.stringify(p)).toEqual([]);
        }
    });

    it('runs.list owner and experimentId, experiments filter, orderBy, tag keys and values', async () => {
        const alpha = as('alpha', 'researcher');
        const beta = as('beta', 'researcher');
        const pwn = join(sec.hostDir, 'pwn.csv');
        // Tag keys are checked by the protocol (letters, digits, _ . -); a hostile one never reaches SQL.
        expect((await rejection(alpha.call('runs.submit', { kind: 'backtest', spec: { source: strategyOn('synth:AAA'), tags: { [`k"') TO '${pwn}' --`]: 'v' } } }))).code).toBe(ErrorCodes.InvalidParams);
        const hostileValue = `v' OR '1'='1`;
        const { run } = await alpha.call('runs.submit', { kind: 'backtest', spec: { source: strategyOn('synth:AAA'), tags: { probe: hostileValue } } });
        expect((await beta.call('runs.list', { owner: `x' OR '1'='1` })).runs).toEqual([]);
        expect((await beta.call('runs.list', { owner: `alpha-researcher' OR team = 'alpha` })).runs).toEqual([]);
        expect((await rejection(beta.call('runs.list', { experimentId: `x' OR 1=1 --` }))).code).toBe(ErrorCodes.InvalidParams);
        for (const filter of [`tags.probe = 'a'' OR ''1''=''1'`, "tags.`x' OR 1=1 --` = 'y'", `attributes.owner LIKE '%'`, `tags.probe = '${hostileValue.replace(/'/g, "''")}'`, `params.fast = 3 OR attributes.team = 'alpha'`]) {
            const r = await beta.call('experiments.search', { filter }).then(x => x.runs.map(y => y.run.id), (e: Error) => e);
            if (r instanceof Error) expectNoLeak(r, sec.secrets);
            else expect(r, filter).not.toContain(run.id);
        }
        for (const orderBy of ['metrics.sharpe; DROP TABLE runs', 'metrics.sharpe DESC, (SELECT 1 FROM tokens)', "tags.`a') --` DESC"]) {
            const r = await alpha.call('experiments.search', { filter: "attributes.kind = 'backtest'", orderBy }).then(x => x.runs.length, (e: Error) => e);
            if (r instanceof Error) {
                expect((r as { code?: number }).code, orderBy).toBe(ErrorCodes.InvalidParams);
                expectNoLeak(r, sec.secrets);
            }
        }
        // The hostile value is found as a value, by alpha only; an injected OR matches nothing.
        expect((await alpha.call('experiments.search', { filter: `tags.probe = '${hostileValue.replace(/'/g, "''")}'` })).runs.map(x => x.run.id)).toEqual([run.id]);
        expect((await alpha.call('experiments.search', { filter: `tags.probe = 'x'' OR ''1''=''1'` })).runs).toEqual([]);
        expect(existsSync(pwn)).toBe(false);
        // The runs table is intact.
        expect((await alpha.call('runs.get', { id: run.id })).run.id).toBe(run.id);
    });
});

describe('data.sample: the bundled sample into the caller\'s team', () => {
    it('imports sp:SPX 1d for the researcher\'s team only, again without changes; a viewer and another team are refused', async () => {
        const viewer = await rejection(as('beta', 'viewer').call('data.sample', {}));
        expect(viewer.code).toBe(ErrorCodes.Forbidden);

        const first = await as('beta', 'researcher').call('data.sample', {});
        expect(first.instrument.id).toBe('sp:SPX');
        expect(first.timeframe).toBe('1d');
        expect(first.rowsWritten).toBeGreaterThan(5000); // 2000–2020 daily
        const listed = (team: 'alpha' | 'beta') => as(team, 'viewer').call('data.list', { venue: 'sp' }).then(r => r.series.map(s => `${s.id} ${s.timeframe} ${s.owner} ${s.visibility}`));
        expect(await listed('beta')).toEqual(['sp:SPX 1d beta team']);
        expect(await listed('alpha')).toEqual([]);

        // Again: the same bars, nothing replaced, the same snapshot for a run.
        const again = await as('beta', 'researcher').call('data.sample', {});
        expect(again.replaced).toBe(0);
        expect(again.rowsWritten).toBe(first.rowsWritten);

        // sp:SPX 1d is beta's now: alpha cannot write into it, with the sample or otherwise.
        const alpha = await rejection(as('alpha', 'researcher').call('data.sample', {}));
        expect(alpha.code).toBe(ErrorCodes.Forbidden);
        expect(alpha.message).toMatch(/sp:SPX/);
        expect(await listed('alpha')).toEqual([]);
    });
});
