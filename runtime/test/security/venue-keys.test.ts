/**
 * Venue API keys: stored encrypted, usable and visible only by the team that stored them, never
 * in an answer, an error or a log line. Over the real daemon (teams alpha and beta) for the RPC,
 * and over a store of its own for what only the daemon's venue factory can do (reveal) and for
 * what an attacker with the database file could do (tamper, move a row to another team).
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCodes } from '../../../protocol/src/daemon/index.js';
import { startStandin, type StandinServer } from '../../src/execution/standin/binance-server.js';
import { LIVE_CROSS } from '../support/fixtures.js';
import { VENUE_KEY_FILE, VenueKeys } from '../../src/execution/venue-keys.js';
import { createExchange } from '../../src/execution/venues/ccxt-exchange.js';
import { ccxtVenues } from '../../src/execution/venues/ccxt-plugs.js';
import { openStore } from '../../src/schema/registry.js';
import { tempDir } from '../data/helpers.js';
import { expectNoLeak, rejection, startSecureDaemon, type SecureDaemon } from './support.js';

const API_KEY = 'AK-alpha-0d1e2f3a4b5c';
const SECRET = 'SK-alpha-9f8e7d6c5b4a39281706';
/** okx's passphrase: a secret like the others. */
const PASSPHRASE = 'PP-alpha-okx-5e4d3c2b1a';
let s: SecureDaemon;
let standin: StandinServer;

// The stand-in's one account has alpha's keys; the daemon's config points binance at it.
beforeAll(async () => {
    standin = await startStandin({ accounts: [{ apiKey: API_KEY, secret: SECRET }], markets: [{ symbol: 'BTCUSDT', base: 'BTC', quote: 'USDT', priceScale: 1 }], historyBars: 50 });
    s = await startSecureDaemon({ venues: { urls: { binance: standin.url } } });
}, 120_000);
afterAll(async () => {
    await s?.stop();
    await standin?.close();
});

function logText(): string {
    const dir = join(s.stateDir, 'logs');
    return existsSync(dir) ? readdirSync(dir).map(f => readFileSync(join(dir, f), 'utf8')).join('\n') : '';
}

describe('venue keys over RPC', () => {
    it('a trader stores keys; the answers (set, list) carry exchange, label and time, never the key or the secret', async () => {
        const alpha = s.client(s.tokens.alpha.trader);
        const set = await alpha.call('venues.keys.set', { exchange: 'binance', apiKey: API_KEY, secret: SECRET });
        expectNoLeak(set, [API_KEY, SECRET]);
        expect(set.key).toMatchObject({ exchange: 'binance', label: 'default', createdBy: 'alpha-trader' });
        const list = await alpha.call('venues.keys.list', {});
        expect(list.keys.map(k => `${k.exchange}/${k.label}`)).toEqual(['binance/default']);
        expectNoLeak(list, [API_KEY, SECRET]);
        expect(Object.keys(list.keys[0]!).sort()).toEqual(['createdAt', 'createdBy', 'exchange', 'id', 'label']);
    });

    it('team beta can neither list nor remove alpha\'s keys (not found: their existence does not leak)', async () => {
        const beta = s.client(s.tokens.beta.admin);
        expect((await beta.call('venues.keys.list', {})).keys).toEqual([]);
        const id = (await s.client(s.tokens.alpha.trader).call('venues.keys.list', {})).keys[0]!.id;
        for (const ref of ['binance/default', id]) {
            const e = await rejection(beta.call('venues.keys.remove', { ref }));
            expect(e.code).toBe(ErrorCodes.NotFound);
            expectNoLeak(e, [API_KEY, SECRET]);
        }
        expect((await s.client(s.tokens.alpha.trader).call('venues.keys.list', {})).keys).toHaveLength(1);
    });

    it('below trader, no one of the team can store or list keys', async () => {
        for (const role of ['viewer', 'researcher'] as const) {
            const c = s.client(s.tokens.alpha[role]);
            expect((await rejection(c.call('venues.keys.set', { exchange: 'binance', apiKey: 'x', secret: 'y' }))).code).toBe(ErrorCodes.Forbidden);
            expect((await rejection(c.call('venues.keys.list', {}))).code).toBe(ErrorCodes.Forbidden);
        }
    });

    it('a refused call does not echo the secret, and no log line holds the key or the secret', async () => {
        const alpha = s.client(s.tokens.alpha.trader);
        for (const bad of [{ exchange: 'NOT AN EXCHANGE', apiKey: API_KEY, secret: SECRET }, { exchange: 'binance', apiKey: API_KEY, secret: SECRET, extra: SECRET }, { exchange: 'binance', apiKey: API_KEY, secret: SECRET.repeat(300) }]) {
            const e = await rejection(alpha.call('venues.keys.set', bad as never));
            expect(e.code).toBe(ErrorCodes.InvalidParams);
            expectNoLeak(e, [API_KEY, SECRET]);
        }
        const text = logText();
        expect(text.length).toBeGreaterThan(0);
        expect(text).not.toContain(SECRET);
        expect(text).not.toContain(API_KEY);
    });

    it('a venue\'s passphrase (okx, kucoin) is stored with the keys and never comes back: not in an answer, a refusal or a log line', async () => {
        const alpha = s.client(s.tokens.alpha.trader);
        const set = await alpha.call('venues.keys.set', { exchange: 'okx', apiKey: API_KEY, secret: SECRET, password: PASSPHRASE });
        expect(set.key).toMatchObject({ exchange: 'okx', label: 'default' });
        const list = await alpha.call('venues.keys.list', {});
        expect(list.keys.map(k => `${k.exchange}/${k.label}`)).toEqual(['binance/default', 'okx/default']);
        for (const bad of [{ exchange: 'okx', apiKey: API_KEY, secret: SECRET, password: PASSPHRASE.repeat(40) }, { exchange: 'okx', apiKey: API_KEY, secret: SECRET, password: 7 }]) {
            const e = await rejection(alpha.call('venues.keys.set', bad as never));
            expect(e.code).toBe(ErrorCodes.InvalidParams);
            expectNoLeak(e, [API_KEY, SECRET, PASSPHRASE]);
        }
        for (const a of [set, list]) expectNoLeak(a, [API_KEY, SECRET, PASSPHRASE]);
        expect(logText()).not.toContain(PASSPHRASE);
    });

    it('the key file is mode 0600 and the database holds no key, secret or passphrase in clear', () => {
        expect(statSync(join(s.stateDir, VENUE_KEY_FILE)).mode & 0o777).toBe(0o600);
        for (const f of readdirSync(s.stateDir).filter(n => n.startsWith('alphaforge.duckdb'))) {
            const bytes = readFileSync(join(s.stateDir, f)).toString('latin1');
            expect(bytes, f).not.toContain(SECRET);
            expect(bytes, f).not.toContain(API_KEY);
            expect(bytes, f).not.toContain(PASSPHRASE);
        }
        expect(readFileSync(join(s.stateDir, VENUE_KEY_FILE), 'utf8')).not.toContain(SECRET);
    });
});

async function until<T>(what: string, fn: () => Promise<T | undefined> | T | undefined, timeoutMs = 20_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        const v = await fn();
        if (v !== undefined) return v;
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await new Promise(r => setTimeout(r, 25));
    }
}

const BTC = (): number => standin.exchange.balances(API_KEY).find(b => b.asset === 'BTC')?.free ?? 0;

describe('trading with the stored keys: ccxt:binance against the stand-in', () => {
    it('keys stored → version approved → live start → an order in the stand-in\'s book → kill → flat at the stand-in; no answer, event or log line holds the keys', async () => {
        const trader = s.client(s.tokens.alpha.trader), researcher = s.client(s.tokens.alpha.researcher);
        const answers: unknown[] = [];
        const keep = <T>(x: T): T => { answers.push(x); return x; };
        keep(await researcher.call('data.synth', { symbols: ['BTC/USDT'], bars: 150, seed: 11 }));
        keep(await researcher.call('registry.publish', { source: LIVE_CROSS, name: 'LiveCcxt' }));
        keep(await trader.call('registry.approve', { name: 'LiveCcxt', version: 1 }));
        const { deployment } = keep(await trader.call('execution.live.start', {
            registry: { name: 'LiveCcxt', version: 1 }, venue: 'ccxt:binance', feed: { kind: 'replay', symbols: ['synth:BTC/USDT'], barMs: 40 },
        }));
        expect(deployment).toMatchObject({ mode: 'live', venue: 'ccxt:binance' });
        // The stand-in's own book: an order of this deployment filled, a position held.
        await until('a position at the stand-in', () => (BTC() > 0 ? true : undefined));
        const journaled = keep(await trader.call('execution.orders', { id: deployment.id })).orders.map(o => o.clientOrderId);
        expect(standin.exchange.orders.filter(o => o.apiKey === API_KEY).map(o => o.clientOrderId).some(c => journaled.includes(c))).toBe(true);
        // The same market on the same account again: refused while this one holds it (a spot position is the account's balance).
        const second = await rejection(trader.call('execution.live.start', {
            registry: { name: 'LiveCcxt', version: 1 }, venue: 'ccxt:binance', feed: { kind: 'replay', symbols: ['synth:BTC/USDT'], barMs: 40 },
        }));
        expect(second.code).toBe(ErrorCodes.Conflict);
        expect(second.message).toBe(`deployment ${deployment.id} (Live, running) already trades BTC/USDT on ccxt:binance with your team's account: on a spot venue a position is the account's balance, so two deployments would trade and flatten each other's; stop it first (af deployments stop ${deployment.id}), then deploy again`);
        expectNoLeak(second, [API_KEY, SECRET]);
        const killed = keep(await trader.call('execution.kill', { id: deployment.id }));
        expect(killed.deployments[0]).toMatchObject({ id: deployment.id, state: 'halted' });
        expect(BTC()).toBeLessThan(1e-5); // flat, to the market's lot step
        expect(standin.exchange.orders.filter(o => o.apiKey === API_KEY && (o.status === 'NEW' || o.status === 'PARTIALLY_FILLED'))).toEqual([]);
        const orders = keep(await trader.call('execution.orders', { id: deployment.id })).orders;
        expect(standin.exchange.orders.filter(o => o.apiKey === API_KEY).map(o => o.clientOrderId).sort()).toEqual(orders.filter(o => o.state !== 'rejected').map(o => o.clientOrderId).sort());
        keep(await trader.call('execution.positions', { id: deployment.id }));
        keep(await trader.call('execution.show', { id: deployment.id }));
        keep(await trader.call('execution.events', { id: deployment.id, limit: 10_000 }));
        for (const a of answers) expectNoLeak(a, [API_KEY, SECRET, ...s.secrets]);
        const logs = logText();
        expect(logs).toContain(`connected to ccxt:binance at ${standin.url}`);
        expect(logs).not.toContain(API_KEY);
        expect(logs).not.toContain(SECRET);
    }, 60_000);

    it('team beta cannot trade with alpha\'s keys: without its own it is refused naming the venue and the command; with wrong ones the venue refuses them', async () => {
        const researcher = s.client(s.tokens.beta.researcher), trader = s.client(s.tokens.beta.trader);
        await researcher.call('registry.publish', { source: LIVE_CROSS, name: 'BetaLive' });
        await trader.call('registry.approve', { name: 'BetaLive', version: 1 });
        const start = () => trader.call('execution.live.start', { registry: { name: 'BetaLive', version: 1 }, venue: 'ccxt:binance', feed: { kind: 'replay', symbols: ['synth:BTC/USDT'], barMs: 40 } });
        const atVenue = standin.exchange.orders.length;
        const none = await rejection(start());
        expect(none.code).toBe(ErrorCodes.InvalidParams);
        expect(none.message).toBe('venue ccxt:binance: team beta has no API keys for binance; store them with af venue keys set binance (the secret from stdin), then start the deployment again');
        expectNoLeak(none, [API_KEY, SECRET, ...s.secrets]);
        const BETA_SECRET = 'SK-beta-not-at-the-venue-77';
        await trader.call('venues.keys.set', { exchange: 'binance', apiKey: 'AK-beta-unknown', secret: BETA_SECRET });
        const wrong = await rejection(start());
        expect(wrong.code).toBe(ErrorCodes.InvalidParams);
        expect(wrong.message).toMatch(/^venue ccxt:binance refused the team's API keys \(.+\); check them and store them again with af venue keys set binance$/);
        expectNoLeak(wrong, [API_KEY, SECRET, 'AK-beta-unknown', BETA_SECRET, ...s.secrets]);
        // Nothing of beta's reached the venue, and beta has no deployment.
        expect(standin.exchange.orders.length).toBe(atVenue);
        expect((await trader.call('execution.list', {})).deployments.filter(d => d.venue === 'ccxt:binance')).toEqual([]);
        expect(logText()).not.toContain(BETA_SECRET);
    }, 30_000);
});

describe('venue keys at rest', () => {
    it('only the storing team can use them; a tampered ciphertext or a row moved to another team is refused with a clear message', async () => {
        const dir = join(tempDir('af-vk-'), 'state');
        const store = await openStore({ stateDir: dir });
        try {
            const keys = VenueKeys.open(store, dir);
            await keys.set('alpha', 'binance', 'main', { apiKey: API_KEY, secret: SECRET }, 'alice');
            expect(await keys.reveal('alpha', 'binance', 'main')).toEqual({ apiKey: API_KEY, secret: SECRET });
            const other = await keys.reveal('beta', 'binance', 'main').catch((e: Error) => e);
            expect(String(other)).toMatch(/team beta has no venue keys for binance\/main/);
            // An attacker with the database copies alpha's row to beta: the ciphertext is bound to its team.
            await store.run(`INSERT INTO venue_keys SELECT 'beta', 'vk_copy', exchange, label, created_at, created_by, nonce, ciphertext, tag FROM venue_keys WHERE team = 'alpha'`);
            const moved = await keys.reveal('beta', 'binance', 'main').catch((e: Error) => e);
            expect(String(moved)).toMatch(/fail their integrity check/);
            // One byte of the ciphertext changed.
            const ct = Buffer.from(String(await store.scalar(`SELECT ciphertext FROM venue_keys WHERE team = 'alpha'`)), 'base64');
            ct[0] = ct[0]! ^ 1;
            await store.run(`UPDATE venue_keys SET ciphertext = $1 WHERE team = 'alpha'`, [ct.toString('base64')]);
            // A passphrase travels with its keys: decrypted for the venue factory, handed to ccxt (okx refuses to sign without one).
            await keys.set('alpha', 'okx', 'default', { apiKey: API_KEY, secret: SECRET, password: PASSPHRASE }, 'alice');
            const okx = await keys.forVenue('alpha', 'okx');
            expect(okx).toEqual({ apiKey: API_KEY, secret: SECRET, password: PASSPHRASE });
            const ex = await createExchange({ exchange: 'okx', ...okx });
            expect(ex.password).toBe(PASSPHRASE);
            expect(() => ex.checkRequiredCredentials()).not.toThrow();
            const bare = await createExchange({ exchange: 'okx', apiKey: API_KEY, secret: SECRET });
            expect(() => bare.checkRequiredCredentials()).toThrow(/password/);
            // Through the daemon's venue factory: a venue that cannot be reached is refused without echoing any of them.
            const venue = ccxtVenues({ credentials: (team, exchange) => keys.forVenue(team, exchange), urls: { okx: standin.url } });
            const refused = await Promise.resolve(venue({ name: 'ccxt:okx', team: 'alpha', deployment: 'dep_x', paper: { capital: 1, fees: 0, slippage: 0, fill: 'next_open' }, symbols: ['okx:BTC/USDT'] })).catch((e: Error) => e);
            expect(refused).toBeInstanceOf(Error);
            expect(String((refused as Error).message)).toMatch(/^cannot reach venue ccxt:okx at http:\/\/127\.0\.0\.1:\d+ \(venues\.urls\)/);
            expectNoLeak({ message: (refused as Error).message }, [API_KEY, SECRET, PASSPHRASE]);
            const tampered = await keys.reveal('alpha', 'binance', 'main').catch((e: Error) => e);
            expect(tampered).toBeInstanceOf(Error);
            expect(String(tampered)).toMatch(/venue keys binance\/main of team alpha fail their integrity check .* set them again/);
            expect(String(tampered)).not.toContain(SECRET);
        } finally {
            store.close();
        }
    });
});
