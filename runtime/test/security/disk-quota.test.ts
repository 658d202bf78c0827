/**
 * A team cannot fill the daemon's disk: its uploads and exports together are capped by a quota
 * (an upload past it is cut off and leaves nothing, an export is refused), other teams are not
 * affected, and files past the retention are removed by the sweep. Real daemon, 64 KiB quota.
 */
import { utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCodes } from '../../../protocol/src/daemon/index.js';
import { TeamFiles } from '../../src/daemon/team-files.js';
import { tempDir } from '../data/helpers.js';
import { rejection, startSecureDaemon, type SecureDaemon } from './support.js';

let sec: SecureDaemon;
const QUOTA = 64 * 1024;

beforeAll(async () => {
    sec = await startSecureDaemon({ teamQuotaBytes: QUOTA });
}, 60_000);
afterAll(async () => { await sec?.stop(); });

function csvOf(bytes: number): string {
    const header = 'ts,open,high,low,close,volume\n';
    const rows: string[] = [];
    let size = header.length;
    for (let i = 0; size < bytes; i++) {
        const row = `${new Date(Date.UTC(2000, 0, 1) + i * 86_400_000).toISOString().slice(0, 10)},1,2,0.5,1.5,10\n`;
        rows.push(row);
        size += row.length;
    }
    return header + rows.join('');
}

describe('per-team disk quota', () => {
    it('uploads count against the team\'s quota; past it an upload is refused (413) and another team is unaffected', async () => {
        const dir = tempDir('af-quota-');
        const small = join(dir, 'small.csv');
        writeFileSync(small, csvOf(40 * 1024));
        const alpha = sec.client(sec.tokens.alpha.researcher);
        const first = await alpha.upload(small);
        expect(first.bytes).toBeGreaterThan(40 * 1024 - 100);
        // 40 KiB used of 64: a second 40 KiB upload would pass the quota.
        const e = await rejection(alpha.upload(small));
        expect(e.code).toBe(ErrorCodes.PayloadTooLarge);
        expect(e.message).toMatch(/uploads and exports use .* of its/);
        const teamFiles = new TeamFiles(sec.stateDir, { quotaBytes: QUOTA });
        const whoami = await alpha.call('iam.whoami');
        expect(teamFiles.usedBy(whoami.principal.teamId)).toBe(first.bytes);
        // Beta has its own quota.
        expect((await sec.client(sec.tokens.beta.researcher).upload(small)).bytes).toBe(first.bytes);
        // An export that would pass alpha's quota is refused too.
        await alpha.call('data.import', { upload: first.id, venue: 'quota', symbol: 'Q', timeframe: '1d' });
        const ex = await rejection(alpha.call('data.export', { bars: { ids: ['quota:Q'], timeframe: '1d' }, name: 'q.csv' }));
        expect(ex.code).toBe(ErrorCodes.PayloadTooLarge);
    });

    it('the sweep removes uploads and exports older than the retention, and leftovers of a crash', () => {
        const state = tempDir('af-sweep-');
        const files = new TeamFiles(state, { retentionMs: 3_600_000 });
        const old = join(state, 'exports', 'team_x', 'old.csv');
        const fresh = join(state, 'exports', 'team_x', 'fresh.csv');
        const partial = join(state, 'imports', 'team_x', '.partial-upl_000000000000000000000000');
        files.usedBy('team_x'); // creates the team's folders
        for (const f of [old, fresh, partial]) writeFileSync(f, 'x');
        const twoHours = (Date.now() - 7_200_000) / 1000, twoDays = (Date.now() - 2 * 86_400_000) / 1000;
        utimesSync(old, twoHours, twoHours);
        utimesSync(partial, twoDays, twoDays);
        expect(files.sweep()).toBe(2);
        expect(files.usedBy('team_x')).toBe(1);
    });
});
