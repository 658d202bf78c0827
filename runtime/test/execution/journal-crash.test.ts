/**
 * The journal commits in groups after the order has left (journal.ts): this is the crash in that
 * gap, with a real process. A child process runs a deployment's session against the exchange
 * stand-in (ccxt over 127.0.0.1) on a real DuckDB file and is killed with SIGKILL the moment the
 * venue's submit returns, with the order still in the journal's queue. The restart finds nothing
 * of it in the store, decides the bar again (same client order id), finds the order at the venue by
 * that id instead of sending it, and journals it with its fill: one order at the venue, every fill
 * of it counted once.
 *
 * The child runs from out/ (`npm run build` first), as the daemon tests do.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OrderJournal } from '../../src/execution/journal.js';
import { PaperSession } from '../../src/execution/paper-session.js';
import { startStandin, type StandinServer } from '../../src/execution/standin/binance-server.js';
import type { StreamBar } from '../../src/execution/streaming.js';
import { CcxtVenue } from '../../src/execution/venues/ccxt-venue.js';
import { openStore } from '../../src/schema/registry.js';
import { tempDir } from '../data/helpers.js';
import { irOf } from '../engine/fixtures.js';

const out = (p: string) => fileURLToPath(new URL(`../../../out/runtime/src/${p}`, import.meta.url));

/** The child: the session of deployment dep_crash, killed right after its first submit returns. */
const CHILD = `
import { readFileSync, writeSync } from 'node:fs';
const input = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const { openStore } = await import(${JSON.stringify(out('schema/registry.js'))});
const { PaperSession } = await import(${JSON.stringify(out('execution/paper-session.js'))});
const { CcxtVenue } = await import(${JSON.stringify(out('execution/venues/ccxt-venue.js'))});
const store = await openStore({ stateDir: input.stateDir });
const venue = await CcxtVenue.connect(input.venue);
const submit = venue.submit.bind(venue);
let session;
venue.submit = async o => {
    const r = await submit(o);
    writeSync(1, JSON.stringify({ submitted: o.clientOrderId, pending: session.journal.pending }) + '\\n');
    process.kill(process.pid, 'SIGKILL');
    return r;
};
// A group-commit delay longer than the test: nothing of the bar is committed before the kill.
session = new PaperSession({ store, team: 'alpha', deployment: 'dep_crash', ir: input.ir, symbols: ['BTC/USDT'], venue: () => venue, journalGroupMs: 600000 });
for (const bar of input.bars) await session.bar(bar);
writeSync(1, JSON.stringify({ error: 'no order was submitted' }) + '\\n');
process.exit(3);
`;

const SOURCE = `strategy Once {
  universe: synth:AAA
  timeframe: 1m
  signal up = close > 0
  rules {
    when up => target 20% long
  }
}`;

let standin: StandinServer;
beforeAll(async () => {
    standin = await startStandin({ accounts: [{ apiKey: 'alpha-key', secret: 'alpha-secret' }], historyBars: 10 });
});
afterAll(async () => {
    await standin.close();
});

function runChild(script: string, input: string): Promise<{ signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
    return new Promise((resolve, reject) => {
        const p = spawn(process.execPath, [script, input], { stdio: ['ignore', 'pipe', 'pipe'] });
        let stdout = '', stderr = '';
        p.stdout.on('data', d => { stdout += String(d); });
        p.stderr.on('data', d => { stderr += String(d); });
        const guard = setTimeout(() => p.kill('SIGKILL'), 60_000);
        p.on('error', reject);
        p.on('exit', (_code, signal) => { clearTimeout(guard); resolve({ signal, stdout, stderr }); });
    });
}

describe('the process dies between the submit and the journal commit', () => {
    it('the restart finds the order at the venue by its client id: no duplicate, its fill journaled once', async () => {
        const dir = tempDir('af-journal-crash-');
        const stateDir = join(dir, 'state');
        const ir = await irOf(SOURCE);
        const px = standin.exchange.price('BTCUSDT');
        const bars: StreamBar[] = [Date.UTC(2026, 0, 1), Date.UTC(2026, 0, 1, 0, 1)].map(ts => ({ ts, assets: [{ open: px, high: px, low: px, close: px, volume: 1 }] }));
        const venueConfig = { exchange: 'binance', apiKey: 'alpha-key', secret: 'alpha-secret', baseUrl: standin.url, symbols: ['BTC/USDT'], backoffMs: 20, reconcileMs: 60_000 };
        (await openStore({ stateDir })).close(); // created and checkpointed here, as a daemon's state directory is before it trades
        writeFileSync(join(dir, 'child.mjs'), CHILD);
        writeFileSync(join(dir, 'input.json'), JSON.stringify({ stateDir, ir, bars, venue: venueConfig }));

        const child = await runChild(join(dir, 'child.mjs'), join(dir, 'input.json'));
        expect(child.signal, child.stderr).toBe('SIGKILL');
        const said = JSON.parse(child.stdout.trim().split('\n').at(-1)!) as { submitted: string; pending: number };
        expect(said.pending).toBeGreaterThan(0); // the order's record was still queued when the process died
        const cid = said.submitted;
        expect(standin.exchange.orders.filter(o => o.clientOrderId === cid)).toHaveLength(1);
        const venueFills = standin.exchange.trades.filter(t => t.clientOrderId === cid);
        expect(venueFills.length).toBeGreaterThan(0); // a market order: filled at the venue while no process ran

        const store = await openStore({ stateDir });
        try {
            expect(await new OrderJournal(store, 'alpha', 'dep_crash').get(cid)).toBeUndefined(); // the gap is real
            const known = await new OrderJournal(store, 'alpha', 'dep_crash').orders({ open: true });
            const venue = await CcxtVenue.connect(venueConfig, known);
            try {
                const s = new PaperSession({ store, team: 'alpha', deployment: 'dep_crash', ir, symbols: ['BTC/USDT'], venue: () => venue });
                await s.resume([]); // no bar was stored: the first one is decided again
                const { handed } = await s.bar(bars[0]!);
                expect(handed.submitted).toEqual([]);
                expect(handed.recovered.map(o => o.clientOrderId)).toEqual([cid]);
                await s.settled();
                expect(s.gateway.problems).toEqual([]);
                const o = (await s.journal.get(cid))!;
                const atVenue = standin.exchange.orders.find(x => x.clientOrderId === cid)!;
                expect(o.qty).toBeCloseTo(Number(atVenue.origQty), 8);
                expect(o.state).toBe('filled');
                const fills = (await s.journal.events(cid)).filter(e => e.kind === 'fill');
                expect(fills).toHaveLength(venueFills.length);
                expect(fills.reduce((x, f) => x + f.fillQty!, 0)).toBeCloseTo(venueFills.reduce((x, t) => x + Number(t.qty), 0), 8);
                // Trading goes on: the next bar's decision is the strategy's, and the first order was never sent twice.
                await s.bar(bars[1]!);
                await s.settled();
                s.close();
                expect(standin.exchange.orders.filter(x => x.clientOrderId === cid)).toHaveLength(1);
                expect(new Set((await s.journal.orders()).map(x => x.clientOrderId)).size).toBe((await s.journal.orders()).length);
            } finally {
                await venue.close();
            }
        } finally {
            store.close();
        }
    }, 90_000);
});
