/**
 * Import safety over RPC: a file on the daemon's host whose dates read both day first and month
 * first is refused, never guessed, and the refusal tells a remote caller (who may not read the
 * file) what to do without echoing anything read from it: no date value, no column name. The
 * caller's `dateFormat` then imports it as the dates it names.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCodes } from '../../../protocol/src/daemon/index.js';
import { tempDir } from '../data/helpers.js';
import { expectNoLeak, rejection, startSecureDaemon, type SecureDaemon } from './support.js';

let sec: SecureDaemon;
let ws: string;

beforeAll(async () => {
    ws = tempDir('af-ws-dates-');
    sec = await startSecureDaemon({ dataDirs: [ws] });
    // January 2nd..11th written month first: every day ≤ 12. The column's name is content too.
    const rows = Array.from({ length: 10 }, (_, i) => `01/${String(i + 2).padStart(2, '0')}/2024,10,12,9,11,5`);
    writeFileSync(join(ws, 'us.csv'), `Date-COLSECRET,open,high,low,close,volume\n${rows.join('\n')}\n`);
}, 60_000);

afterAll(async () => {
    await sec?.stop();
});

describe('ambiguous dates in a file on the daemon\'s host', () => {
    it('are refused with the formats to choose from, echoing nothing of the file; dateFormat imports them', async () => {
        const c = sec.client(sec.tokens.alpha.researcher);
        const params = { file: 'us.csv', venue: 'up', symbol: 'USD', timeframe: '1d', map: { ts: 'Date-COLSECRET' } } as const;
        const e = await rejection(c.call('data.import', params));
        expect(e.code).toBe(ErrorCodes.InvalidParams);
        expect(e.message).toMatch(/^us\.csv: ambiguous dates: every value of the timestamp column reads both day first \(%d\/%m\/%Y\) and month first \(%m\/%d\/%Y\)/);
        expect(e.message).toMatch(/--date-format '%m\/%d\/%Y'/);
        expectNoLeak(e, [...sec.secrets, 'COLSECRET', '01/02/2024', '2024-02-01', 'January', 'February']);
        const r = await c.call('data.import', { ...params, dateFormat: '%m/%d/%Y' });
        expect(r.rowsWritten).toBe(10);
        expect(new Date(r.firstTs).toISOString().slice(0, 10)).toBe('2024-01-02');
    }, 60_000);
});
