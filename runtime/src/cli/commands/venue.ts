/**
 * `af venue standin` (the local exchange stand-in: Binance spot formats on 127.0.0.1, a fake
 * account, a synthetic price path — for paper trading through the real ccxt adapter without an
 * exchange) and `af venue keys set|ls|rm` (a team's venue API keys, stored encrypted by the daemon).
 * A secret is read from $AF_VENUE_SECRET or stdin, never from the command line (argv is visible to
 * every user of the machine through ps).
 */
import { randomBytes } from 'node:crypto';
import { CliError } from '../errors.js';
import { connect, remote, type ConnectOptions } from './daemon.js';

export interface StandinCliOptions {
    port: number;
    interval: string;
    seed: number;
    /** Resolves when the stand-in should stop (tests); default: SIGINT or SIGTERM. */
    until?: Promise<void>;
}

export async function venueStandinCommand(o: StandinCliOptions, out: (s: string) => void): Promise<number> {
    const { startStandin } = await import('../../execution/standin/binance-server.js');
    const { parseTimeframe } = await import('../../data/timeframe.js');
    let intervalMs: number;
    try { intervalMs = parseTimeframe(o.interval).ms; } catch { throw new CliError(`--interval '${o.interval}' is not a timeframe; give e.g. 1s, 1m, 5m`); }
    const apiKey = `standin-${randomBytes(6).toString('hex')}`, secret = randomBytes(18).toString('hex');
    const s = await startStandin({ port: o.port, clock: 'real', intervalMs, seed: o.seed, accounts: [{ apiKey, secret }] }).catch((e: Error) => {
        throw new CliError(`cannot listen on 127.0.0.1:${o.port}: ${e.message.split('\n')[0]}; pick another --port`);
    });
    out(`exchange stand-in listening on ${s.url} (Binance spot REST; WebSockets ${s.url.replace('http', 'ws')}/ws and /ws-api/v3)\n`
        + `markets ${s.exchange.markets.map(m => `${m.base}/${m.quote}`).join(', ')}, ${o.interval} bars, a fake account with 100000 USDT\n`
        + `its API key: ${apiKey}\nits secret (a fake account's, shown once): ${secret}\n`
        + `store them for your team:  AF_VENUE_SECRET=${secret} af venue keys set binance --label standin --api-key ${apiKey}\n`
        + `Ctrl-C stops it.\n`);
    await (o.until ?? new Promise<void>(resolve => { process.once('SIGINT', () => resolve()); process.once('SIGTERM', () => resolve()); }));
    await s.close();
    return 0;
}

async function readSecret(): Promise<string> {
    const env = process.env['AF_VENUE_SECRET'];
    if (env) return env;
    if (process.stdin.isTTY) throw new CliError('give the secret on stdin (printf %s "$SECRET" | af venue keys set …) or in $AF_VENUE_SECRET; it is never taken from the command line');
    let text = '';
    for await (const chunk of process.stdin) text += String(chunk);
    const secret = text.split(/\r?\n/)[0]!.trim();
    if (!secret) throw new CliError('no secret on stdin; pipe it in, or set $AF_VENUE_SECRET');
    return secret;
}

export async function venueKeysSetCommand(exchange: string, o: ConnectOptions & { label: string; apiKey?: string; json?: boolean }, out: (s: string) => void): Promise<number> {
    const apiKey = o.apiKey ?? process.env['AF_VENUE_API_KEY'];
    if (!apiKey) throw new CliError('give the API key with --api-key or $AF_VENUE_API_KEY');
    const secret = await readSecret();
    // A venue's passphrase (okx, kucoin) is a secret too: from the environment only, never argv.
    const password = process.env['AF_VENUE_PASSWORD'] || undefined;
    const r = await remote(() => connect(o).call('venues.keys.set', { exchange, label: o.label, apiKey, secret, ...(password ? { password } : {}) }));
    out(o.json ? JSON.stringify(r, null, 2) + '\n' : `stored venue keys ${r.key.exchange}/${r.key.label} for your team (${r.key.id}), encrypted; they are never shown again\n`);
    return 0;
}

export async function venueKeysLsCommand(o: ConnectOptions & { json?: boolean }, out: (s: string) => void): Promise<number> {
    const r = await remote(() => connect(o).call('venues.keys.list', {}));
    if (o.json) out(JSON.stringify(r, null, 2) + '\n');
    else if (r.keys.length === 0) out('no venue keys stored for your team (af venue keys set EXCHANGE --api-key KEY, the secret on stdin)\n');
    else for (const k of r.keys) out(`${k.id}  ${`${k.exchange}/${k.label}`.padEnd(28)} ${k.createdAt.slice(0, 19)}  ${k.createdBy}\n`);
    return 0;
}

export async function venueKeysRmCommand(ref: string, o: ConnectOptions & { json?: boolean }, out: (s: string) => void): Promise<number> {
    const r = await remote(() => connect(o).call('venues.keys.remove', { ref }));
    out(o.json ? JSON.stringify(r, null, 2) + '\n' : `removed venue keys ${r.key.exchange}/${r.key.label} (${r.key.id})\n`);
    return 0;
}
