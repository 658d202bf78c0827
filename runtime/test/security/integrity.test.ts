/**
 * Issue 11, item 12: damage is detected. A database with flipped bytes used to start "ready" (the
 * damage surfaced weeks later, in someone's query), and artifacts had no checksum: a truncated
 * result.json was served as complete and a deleted report vanished from the list.
 *
 * The database tests copy a real store (synthetic bars plus a planted series large enough to span
 * several blocks), flip bytes inside blocks DuckDB says hold the data (pragma_storage_info) or the
 * catalogue (pragma_metadata_info), and start the real daemon on the copy. The artifact tests run
 * a real backtest through the daemon of support.ts and then damage its files on disk.
 */
import { createHash } from 'node:crypto';
import { copyFileSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCodes } from '../../../protocol/src/daemon/index.js';
import { startDaemon, type RunningDaemon } from '../../src/daemon/daemon.js';
import { DB_FILE } from '../../src/store/store.js';
import { withStore } from '../../src/schema/registry.js';
import { DaemonClient } from '../../../protocol/src/client.js';
import { tempDir } from '../data/helpers.js';
import { importSynthBars, TINY } from '../support/fixtures.js';
import { rejection, startSecureDaemon, type SecureDaemon } from './support.js';

const HEADERS = 3 * 4096;
const BLOCK = 262_144;
/** Each block starts with its checksum; block offsets of pragma_storage_info count from after it. */
const CHECKSUM = 8;

let pristine: string | undefined;
/** A real store, checkpointed and closed: synthetic bars and 200 000 one-minute bars of test:BIG. Made once. */
async function pristineStore(): Promise<string> {
    if (pristine) return pristine;
    const dir = tempDir('af-sec-integrity-');
    await importSynthBars(dir);
    await withStore({ stateDir: dir }, async s => {
        await s.run(`INSERT INTO bars SELECT 'test', 'BIG', '1m', TIMESTAMP '2000-01-01' + to_minutes(i), 1 + i % 7 + random(), 2 + i % 7, 0.5, 1.5 + random(), 100
            FROM range(200000) t(i)`, undefined, { timeoutMs: 300_000 });
        await s.run(`INSERT INTO series (venue, symbol, timeframe, owner_team, visibility) VALUES ('test', 'BIG', '1m', 'default', 'shared')`);
    });
    pristine = dir;
    return dir;
}

/** A copy of the pristine store in a fresh state directory. */
async function copyStore(): Promise<string> {
    const dir = tempDir('af-sec-damaged-');
    copyFileSync(join(await pristineStore(), DB_FILE), join(dir, DB_FILE));
    return dir;
}

/** Where in the file a column of bars has its data: the first byte of each of its first segments on disk. */
async function segmentsOf(stateDir: string, column: string): Promise<number[]> {
    const rows = await withStore({ stateDir }, s => s.rows(
        `SELECT block_id::DOUBLE AS b, block_offset::DOUBLE AS o FROM pragma_storage_info('bars') WHERE column_name = $1 AND persistent AND block_id >= 0 AND count > 10000 ORDER BY row_group_id LIMIT 3`, [column]));
    return rows.map(r => HEADERS + Number(r.b) * BLOCK + CHECKSUM + Number(r.o));
}

/** DuckDB splits a metadata block into 64 sub-blocks (its MetadataManager), each 8-byte aligned. */
const METADATA_SUB_BLOCKS = 64;
const METADATA_SUB_BLOCK = Math.floor((BLOCK - CHECKSUM) / METADATA_SUB_BLOCKS / 8) * 8;

/**
 * Where the catalogue is: the start of every sub-block of every metadata block. All of them: the
 * catalogue spans several blocks, and DuckDB reads metadata sub-blocks lazily, so damage in one the
 * open never reads (the first sub-block of each block, as this test flipped up to stop 22) goes
 * unnoticed until something reads it. The catalogue's root is among them wherever it lands.
 */
async function metadataBlocks(stateDir: string): Promise<number[]> {
    const rows = await withStore({ stateDir }, s => s.rows(`SELECT block_id::DOUBLE AS b FROM pragma_metadata_info() ORDER BY block_id`));
    return rows.flatMap(r => Array.from({ length: METADATA_SUB_BLOCKS }, (_, i) => HEADERS + Number(r.b) * BLOCK + CHECKSUM + i * METADATA_SUB_BLOCK));
}

function flip(file: string, offsets: readonly number[]): void {
    const buf = readFileSync(file);
    for (const at of offsets) for (let k = 16; k < 32; k++) buf[at + k] = buf[at + k]! ^ 0xff;
    writeFileSync(file, buf);
}

const sha256 = (file: string): string => createHash('sha256').update(readFileSync(file)).digest('hex');

let running: RunningDaemon | SecureDaemon | undefined;
afterEach(async () => {
    await running?.stop();
    running = undefined;
});

describe('a database with flipped bytes', () => {
    it('an undamaged copy passes the check and serves', async () => {
        const stateDir = await copyStore();
        running = await startDaemon({ stateDir, port: 0 });
        expect((await fetch(`${running.url}/readyz`)).status).toBe(200);
        const c = new DaemonClient({ url: running.url, token: running.adminToken! });
        expect((await c.call('data.list', {})).series.find(s => s.id === 'test:BIG')?.bars).toBe(200_000);
    });

    it('flipped bytes in a data block: the daemon refuses to start, naming the file, the table, the column and what to do', async () => {
        const stateDir = await copyStore();
        const at = await segmentsOf(stateDir, 'close');
        expect(at.length).toBeGreaterThan(0);
        flip(join(stateDir, DB_FILE), at);
        const e = await startDaemon({ stateDir, port: 0 }).then(d => { running = d; return undefined; }, (err: unknown) => err as Error);
        expect(e, 'the daemon started on a damaged database').toBeInstanceOf(Error);
        expect(e!.message).toContain(`the database ${join(stateDir, DB_FILE)} is damaged (table bars (column close): IO Error: Corrupt database file`);
        expect(e!.message).toMatch(/restore alphaforge\.duckdb from a backup; without one, move it aside .* re-import/);
    });

    it('flipped bytes in the catalogue: the open fails with the same clear words', async () => {
        const stateDir = await copyStore();
        flip(join(stateDir, DB_FILE), await metadataBlocks(stateDir));
        const e = await startDaemon({ stateDir, port: 0 }).then(d => { running = d; return undefined; }, (err: unknown) => err as Error);
        expect(e, 'the daemon started on a damaged database').toBeInstanceOf(Error);
        expect(e!.message).toMatch(/^the database .* is damaged \(found when opening it: .*Corrupt database file/);
        expect(e!.message).toMatch(/restore alphaforge\.duckdb from a backup/);
    });

    it('damage found after the start (check skipped) fails the call with what to do, and /readyz goes not ready', async () => {
        const stateDir = await copyStore();
        flip(join(stateDir, DB_FILE), await segmentsOf(stateDir, 'close'));
        const d = await startDaemon({ stateDir, port: 0, integrityCheckMs: 0 });
        running = d;
        expect((await fetch(`${d.url}/readyz`)).status).toBe(200);
        const c = new DaemonClient({ url: d.url, token: d.adminToken! });
        const err = await rejection(c.call('data.export', { bars: { ids: ['test:BIG'], timeframe: '1m' }, name: 'big.csv' }));
        expect(err.code).toBe(ErrorCodes.Unavailable);
        expect(err.message).toMatch(/^the database .* is damaged \(the export: IO Error: Corrupt database file.*\); stop every process using it, then restore/);
        const r = await fetch(`${d.url}/readyz`);
        expect(r.status).toBe(503);
        const body = await r.json() as { failing: string[]; checks: { name: string; detail?: string }[] };
        expect(body.failing).toEqual(['integrity']);
        expect(body.checks.find(x => x.name === 'integrity')?.detail).toMatch(/is damaged/);
    });
});

describe('artifacts', () => {
    it('carry the SHA-256 recorded at completion; a truncated, altered or deleted artifact is reported, never served or dropped silently', async () => {
        const d = await startSecureDaemon();
        running = d;
        const alpha = d.client(d.tokens.alpha.researcher);
        const { run } = await alpha.call('runs.submit', { kind: 'backtest', spec: { source: TINY } });
        const deadline = Date.now() + 60_000;
        let state = run.state;
        while (!['completed', 'failed', 'cancelled'].includes(state) && Date.now() < deadline) {
            await new Promise(r => setTimeout(r, 100));
            state = (await alpha.call('runs.get', { id: run.id })).run.state;
        }
        expect(state).toBe('completed');

        const dir = join(d.stateDir, 'runs', run.id);
        const listed = (await alpha.call('runs.artifacts', { id: run.id })).artifacts;
        expect(listed.map(a => a.name)).toEqual(['result.json']);
        for (const a of listed) {
            expect(a.status).toBe('ok');
            expect(a.sha256, `${a.name} has no recorded SHA-256`).toBe(sha256(join(dir, a.name)));
        }
        const whole = await alpha.call('runs.artifacts', { id: run.id, name: 'result.json' });
        expect(JSON.parse(whole.content!.data)).toMatchObject({ schema: 'alphaforge.run-result', runId: run.id });
        expect((await alpha.call('runs.result', { id: run.id })).result.runId).toBe(run.id);

        // Truncated: listed as damaged; its content is refused, not served as complete — as a file or as the run's result.
        const result = join(dir, 'result.json');
        const original = readFileSync(result);
        const size = original.length;
        truncateSync(result, Math.floor(size / 2));
        const afterTruncate = (await alpha.call('runs.artifacts', { id: run.id })).artifacts.find(a => a.name === 'result.json')!;
        expect(afterTruncate).toMatchObject({ status: 'damaged', bytes: Math.floor(size / 2) });
        const damaged = `artifact result.json of run ${run.id} is damaged (truncated or altered): ${Math.floor(size / 2)} bytes, not the ${size} recorded, do not match the SHA-256 recorded when the run completed; run it again (runs.submit with the same spec) to produce it anew`;
        const truncated = await rejection(alpha.call('runs.artifacts', { id: run.id, name: 'result.json' }));
        expect(truncated.code).toBe(ErrorCodes.Conflict);
        expect(truncated.message).toBe(damaged);
        const truncatedResult = await rejection(alpha.call('runs.result', { id: run.id }));
        expect([truncatedResult.code, truncatedResult.message]).toEqual([ErrorCodes.Conflict, damaged]);

        // Altered, same size: the size check passes, the content check does not.
        const altered = Buffer.from(original);
        altered[altered.length - 20] = altered[altered.length - 20]! ^ 0x01;
        writeFileSync(result, altered);
        expect((await alpha.call('runs.artifacts', { id: run.id })).artifacts[0]!.status).toBe('ok'); // the size is right
        for (const call of [() => alpha.call('runs.artifacts', { id: run.id, name: 'result.json' }), () => alpha.call('runs.result', { id: run.id })]) {
            const e = await rejection(call());
            expect(e.code).toBe(ErrorCodes.Conflict);
            expect(e.message).toMatch(/^artifact result\.json of run .* is damaged \(truncated or altered\): its \d+ bytes do not match the SHA-256/);
        }
        // Put back as it was: served again.
        writeFileSync(result, original);
        expect((await alpha.call('runs.result', { id: run.id })).result.runId).toBe(run.id);

        // Deleted: still listed, as missing; reading it says so.
        rmSync(result);
        const afterDelete = (await alpha.call('runs.artifacts', { id: run.id })).artifacts;
        expect(afterDelete.map(a => [a.name, a.status])).toEqual([['result.json', 'missing']]);
        for (const call of [() => alpha.call('runs.artifacts', { id: run.id, name: 'result.json' }), () => alpha.call('runs.result', { id: run.id })]) {
            const missing = await rejection(call());
            expect(missing.code).toBe(ErrorCodes.NotFound);
            expect(missing.message).toMatch(/^artifact result\.json of run .* is missing: the run recorded it when it completed, but the file is gone; run it again/);
        }
    });
});
