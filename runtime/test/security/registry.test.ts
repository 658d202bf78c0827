/**
 * Issue 13, the strategy registry, against the real daemon (security/support.ts): entries are the
 * publishing team's — another team's token of any role lists nothing and gets "not found" for
 * show, approve, retire and diff, with the words of an entry that does not exist, and cannot
 * publish another team's run; a viewer cannot publish; approval is four eyes even for a trader or
 * admin; an import outside the daemon's source folders is never read into an entry (nor echoed);
 * a row altered in the database is refused, not served. Before the registry these methods
 * answered 501 (placeholders), so every test here failed then.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCodes, ROLES } from '../../../protocol/src/daemon/index.js';
import { openStore } from '../../src/schema/registry.js';
import { tempDir } from '../data/helpers.js';
import { expectNoLeak, rejection, startSecureDaemon, TINY, type SecureDaemon } from './support.js';

let sec: SecureDaemon;
let workspace: string;

async function completed(token: string, id: string): Promise<void> {
    const c = sec.client(token);
    const deadline = Date.now() + 60_000;
    let state = (await c.call('runs.get', { id })).run.state;
    while (!['completed', 'failed', 'cancelled'].includes(state) && Date.now() < deadline) {
        await new Promise(r => setTimeout(r, 100));
        state = (await c.call('runs.get', { id })).run.state;
    }
    expect(state).toBe('completed');
}

beforeAll(async () => {
    workspace = tempDir('af-sec-reg-ws-');
    sec = await startSecureDaemon({ workspace });
}, 120_000);

afterAll(async () => {
    await sec?.stop();
});

describe('registry: team isolation', () => {
    it("another team's token of any role lists nothing, and show, approve, retire and diff answer as for an entry that does not exist", async () => {
        const alpha = sec.client(sec.tokens.alpha.researcher);
        const published = await alpha.call('registry.publish', { source: TINY, name: 'Isolated', notes: 'alpha only' });
        expect(published.entry).toMatchObject({ name: 'Isolated', version: 1, state: 'draft', team: 'alpha', author: 'alpha-researcher' });
        for (const role of ROLES) {
            const beta = sec.client(sec.tokens.beta[role]);
            expect((await beta.call('registry.list', {})).entries, role).toEqual([]);
            const missing = await rejection(beta.call('registry.show', { name: 'NoSuchEntry' }));
            const shown = await rejection(beta.call('registry.show', { name: 'Isolated', version: 1 }));
            expect(shown.code, role).toBe(ErrorCodes.NotFound);
            expect(shown.message.replace('Isolated', 'NoSuchEntry')).toBe(missing.message);
            const diff = await rejection(beta.call('registry.diff', { from: { name: 'Isolated', version: 1 }, to: { name: 'Isolated', version: 1 } }));
            expect(diff.code, role).toBe(ErrorCodes.NotFound);
            for (const e of [shown, diff]) expectNoLeak(e, [...sec.secrets, 'alpha only', 'crossover(f, s)']);
            if (role === 'trader' || role === 'admin') {
                expect((await rejection(beta.call('registry.approve', { name: 'Isolated', version: 1 }))).code, role).toBe(ErrorCodes.NotFound);
                expect((await rejection(beta.call('registry.retire', { name: 'Isolated', version: 1 }))).code, role).toBe(ErrorCodes.NotFound);
            }
        }
        // Nothing moved: still a draft with its one event.
        const after = await sec.client(sec.tokens.alpha.viewer).call('registry.show', { name: 'Isolated' });
        expect(after.entry.state).toBe('draft');
        expect(after.entry.events.map(e => e.kind)).toEqual(['published']);
    });

    it("another team cannot publish a team's run (404, as for a run that does not exist)", async () => {
        const runId = (await sec.client(sec.tokens.alpha.researcher).call('runs.submit', { kind: 'backtest', spec: { source: TINY } })).run.id;
        await completed(sec.tokens.alpha.researcher, runId);
        await sec.client(sec.tokens.alpha.researcher).call('runs.promote', { id: runId });
        const stolen = await rejection(sec.client(sec.tokens.beta.admin).call('registry.publish', { runId, name: 'Stolen' }));
        const none = await rejection(sec.client(sec.tokens.beta.admin).call('registry.publish', { runId: 'run_0000000000000000', name: 'Stolen' }));
        expect(stolen.code).toBe(ErrorCodes.NotFound);
        expect(stolen.message.replace(runId, 'X')).toBe(none.message.replace('run_0000000000000000', 'X'));
        expect((await sec.client(sec.tokens.beta.viewer).call('registry.list', {})).entries).toEqual([]);
        // The owning team can.
        const own = await sec.client(sec.tokens.alpha.researcher).call('registry.publish', { runId, name: 'FromRun' });
        expect(own.entry).toMatchObject({ runId, version: 1, params: { fast: 5, slow: 20 } });
    }, 90_000);
});

describe('registry: roles and four eyes', () => {
    it('a viewer cannot publish (403), a researcher can', async () => {
        const denied = await rejection(sec.client(sec.tokens.alpha.viewer).call('registry.publish', { source: TINY, name: 'ByViewer' }));
        expect(denied.code).toBe(ErrorCodes.Forbidden);
        expect((await sec.client(sec.tokens.alpha.researcher).call('registry.publish', { source: TINY, name: 'ByViewer' })).entry.version).toBe(1);
        expect((await sec.client(sec.tokens.alpha.viewer).call('registry.show', { name: 'ByViewer' })).entry.events).toHaveLength(1);
    });

    it('approval needs a trader who is not the author: researcher 403, the author 403 even as trader or admin, another trader succeeds', async () => {
        const trader = sec.client(sec.tokens.alpha.trader);
        await trader.call('registry.publish', { source: TINY, name: 'FourEyes' });
        const researcher = await rejection(sec.client(sec.tokens.alpha.researcher).call('registry.approve', { name: 'FourEyes', version: 1 }));
        expect(researcher).toMatchObject({ code: ErrorCodes.Forbidden, data: { requiredRole: 'trader' } });
        const own = await rejection(trader.call('registry.approve', { name: 'FourEyes', version: 1 }));
        expect(own).toMatchObject({ code: ErrorCodes.Forbidden, message: expect.stringMatching(/four eyes/) });
        const admin = sec.client(sec.tokens.alpha.admin);
        await admin.call('registry.publish', { source: TINY.replace('fast: int = 5', 'fast: int = 6'), name: 'FourEyes' });
        expect((await rejection(admin.call('registry.approve', { name: 'FourEyes', version: 2 }))).code).toBe(ErrorCodes.Forbidden);
        // The other person approves; each approval is an event naming them.
        expect((await admin.call('registry.approve', { name: 'FourEyes', version: 1 })).entry).toMatchObject({ state: 'approved', approvedBy: 'alpha-admin' });
        expect((await trader.call('registry.approve', { name: 'FourEyes', version: 2 })).entry).toMatchObject({ state: 'approved', approvedBy: 'alpha-trader' });
        const events = (await trader.call('registry.show', { name: 'FourEyes', version: 1 })).entry.events;
        expect(events.map(e => [e.kind, e.actor])).toEqual([['published', 'alpha-trader'], ['approved', 'alpha-admin']]);
        // Retiring is a trader's too.
        expect((await rejection(sec.client(sec.tokens.alpha.researcher).call('registry.retire', { name: 'FourEyes', version: 1 }))).code).toBe(ErrorCodes.Forbidden);
    });
});

describe('registry: what an entry may contain', () => {
    it('an import outside the source folders is not read into an entry, and the refusal quotes nothing of it', async () => {
        const outside = join(sec.hostDir, 'lib.af');
        writeFileSync(outside, `/// ${sec.hostSecret.split('\n')[0]}\ndef trend_ok(x, length: int): bool = x > sma(x, length)\n`);
        mkdirSync(join(workspace, 'strategies'), { recursive: true });
        const uri = pathToFileURL(join(workspace, 'strategies', 'escape.af')).href;
        const source = `import "${pathToFileURL(outside).pathname}"\n${TINY.replace('when crossover(f, s)', 'when trend_ok(close, 3) and crossover(f, s)')}`;
        const e = await rejection(sec.client(sec.tokens.alpha.researcher).call('registry.publish', { source, uri, name: 'Escape' }));
        expect(e.code).toBe(ErrorCodes.InvalidParams);
        expect(e.message).toMatch(/does not compile, nothing was published: .*AF004/);
        expectNoLeak(e, sec.secrets);
        expect((await sec.client(sec.tokens.alpha.viewer).call('registry.list', { name: 'Escape' })).entries).toEqual([]);
    });

    it('a row altered in the database is refused by show, approve and diff (409) and marked in the list', async () => {
        const alpha = sec.client(sec.tokens.alpha.researcher);
        await alpha.call('registry.publish', { source: TINY, name: 'Altered' });
        const store = await openStore({ stateDir: sec.stateDir });
        try {
            await store.run(`UPDATE registry_entries SET source = replace(source, '100% long', '300% long') WHERE team = 'alpha' AND name = 'Altered'`);
        } finally {
            store.close();
        }
        const viewer = sec.client(sec.tokens.alpha.viewer);
        expect((await viewer.call('registry.list', { name: 'Altered' })).entries[0]).toMatchObject({ version: 1, intact: false });
        const shown = await rejection(viewer.call('registry.show', { name: 'Altered', version: 1 }));
        expect(shown).toMatchObject({ code: ErrorCodes.Conflict, message: expect.stringMatching(/Altered@1 cannot be trusted/) });
        expect(shown.message).not.toContain('300%');
        expect((await rejection(sec.client(sec.tokens.alpha.trader).call('registry.approve', { name: 'Altered', version: 1 }))).code).toBe(ErrorCodes.Conflict);
        expect((await rejection(viewer.call('registry.diff', { from: { name: 'Altered', version: 1 }, to: { name: 'Altered', version: 1 } }))).code).toBe(ErrorCodes.Conflict);
    });
});
