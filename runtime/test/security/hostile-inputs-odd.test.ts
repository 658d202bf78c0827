/**
 * Hostile values in every string field of the odd-numbered methods of the table (hostile-sweep.ts holds the sweep and
 * every method's base params; the other hostile-inputs file takes the other half, so CI's two
 * workers run the halves side by side, each against its own daemon).
 */
import { afterAll, beforeAll, describe, it } from 'vitest';
import { hostileSweep } from './hostile-sweep.js';
import { startSecureDaemon, type SecureDaemon } from './support.js';

let sec: SecureDaemon;
// One language worker: the sweep is about answers, not the pool, and a second worker's start
// (~950 modules to load) costs more CPU than the calls it would serve.
beforeAll(async () => { sec = await startSecureDaemon({ language: { workers: 1 } }); }, 60_000);
afterAll(async () => { await sec?.stop(); });

describe('every string field of the odd-numbered methods of the table, with hostile values', () => {
    it('never an internal error, never a secret, the daemon keeps serving', () => hostileSweep(sec, 1, 2), 600_000);
});
