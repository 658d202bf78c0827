/**
 * Where a ccxt venue's API is, when not at the exchange's own hosts: the config file's
 * `venues.urls` (exchange id → base URL), read by the daemon only. It is how a deployment on
 * `ccxt:binance` trades against the local stand-in (`af venue standin`), a testnet or a proxy.
 *
 * A base URL replaces the scheme and host of every API URL of that exchange (ccxt-exchange.ts) and
 * the venue's keys go with each request there, so only two kinds are accepted: https:// (any host:
 * the keys travel encrypted) and http:// to this machine's loopback (127.0.0.1, ::1, localhost: the
 * stand-in). Nothing else — no path, query, fragment or user:password — so a config file cannot
 * send signed requests in clear text over a network.
 */
import { z } from 'zod';

const EXCHANGE = /^[a-z][a-z0-9]{1,31}$/;
const LOOPBACK = new Set(['127.0.0.1', '[::1]', 'localhost']);

/** Why a base URL is refused, or null when it is one we accept. */
export function venueUrlProblem(raw: string): string | null {
    let u: URL;
    try {
        u = new URL(raw);
    } catch {
        return 'is not a URL; give e.g. http://127.0.0.1:8080 (the stand-in) or https://testnet.binance.vision';
    }
    if (u.username || u.password) return 'must not carry a user or password';
    if ((u.pathname !== '/' && u.pathname !== '') || u.search || u.hash || /[?#]/.test(raw)) return 'must be a scheme and host (and port) only, without a path, query or fragment';
    if (u.protocol === 'https:') return null;
    if (u.protocol === 'http:') return LOOPBACK.has(u.hostname) ? null : 'http:// is only for this machine (127.0.0.1, ::1, localhost); use https:// for any other host (the venue keys go with every request)';
    return `must be https:// (or http:// to 127.0.0.1), not ${u.protocol}`;
}

export const VenueUrlSchema = z.string().max(300).superRefine((v, ctx) => {
    const p = venueUrlProblem(v);
    if (p) ctx.addIssue({ code: 'custom', message: `'${v.slice(0, 100)}' ${p}` });
}).transform(v => v.replace(/\/+$/, ''));

export const VenueUrlsSchema = z.record(z.string(), VenueUrlSchema).superRefine((urls, ctx) => {
    for (const k of Object.keys(urls)) if (!EXCHANGE.test(k)) ctx.addIssue({ code: 'custom', path: [k], message: 'must be a ccxt exchange id (lower-case letters and digits, e.g. binance)' });
});

export type VenueUrls = z.infer<typeof VenueUrlsSchema>;
