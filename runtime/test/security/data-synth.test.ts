/**
 * data.synth: a researcher's way to put a synthetic market in their team's store through the
 * daemon. Attacks: a viewer writing, a team overwriting another team's series, and requests
 * sized to exhaust the daemon (too many bars, too many symbols) or to smuggle paths in a symbol.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCodes } from '../../../protocol/src/errors.js';
import { expectNoLeak, rejection, startSecureDaemon, type SecureDaemon } from './support.js';

let d: SecureDaemon;
beforeAll(async () => { d = await startSecureDaemon(); }, 120_000);
afterAll(async () => { await d?.stop(); });

describe('data.synth', () => {
    it('imports a seeded market into the caller\'s team only', async () => {
        const r = await d.client(d.tokens.alpha.researcher).call('data.synth', { symbols: ['ALPHA1', 'ALPHA2'], bars: 100, seed: 3 });
        expect(r.series.map(s => [s.instrument.id, s.rowsWritten])).toEqual([['synth:ALPHA1', 100], ['synth:ALPHA2', 100]]);
        const alphaSees = (await d.client(d.tokens.alpha.viewer).call('data.list', { symbol: 'ALPHA1' })).series;
        expect(alphaSees).toEqual([expect.objectContaining({ id: 'synth:ALPHA1', owner: 'alpha', visibility: 'team' })]);
        expect((await d.client(d.tokens.beta.viewer).call('data.list', { symbol: 'ALPHA1' })).series).toEqual([]);
    });

    it('attack: a viewer cannot write bars', async () => {
        const e = await rejection(d.client(d.tokens.alpha.viewer).call('data.synth', { symbols: ['V'] }));
        expect(e.code).toBe(ErrorCodes.Forbidden);
    });

    it('attack: another team cannot overwrite a team\'s series by synthesising the same symbol', async () => {
        await d.client(d.tokens.alpha.researcher).call('data.synth', { symbols: ['OWNED'], bars: 50 });
        const e = await rejection(d.client(d.tokens.beta.researcher).call('data.synth', { symbols: ['OWNED'], bars: 50, seed: 9 }));
        expect(e.code).toBe(ErrorCodes.Forbidden);
        expectNoLeak(e, d.secrets);
    });

    it('attack: sizes that would exhaust the daemon and symbols that look like paths are refused before any work', async () => {
        const c = d.client(d.tokens.alpha.researcher);
        for (const params of [
            { symbols: ['BIG'], bars: 200_001 },
            { symbols: Array.from({ length: 20 }, (_, i) => `S${i}`), bars: 150_000 },
            { symbols: Array.from({ length: 51 }, (_, i) => `S${i}`), bars: 10 },
            { symbols: ['../../etc/passwd'] },
            { symbols: ['A', 'a'] },
            { symbols: ['OK'], venue: 'x y' },
        ]) {
            const e = await rejection(c.call('data.synth', params));
            expect(e.code, JSON.stringify(params).slice(0, 80)).toBe(ErrorCodes.InvalidParams);
        }
    });
});
