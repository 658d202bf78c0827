/**
 * The gate every transport authenticates through (HTTP requests, WebSocket upgrades and `auth`
 * messages, gRPC calls and streams, /metrics). It verifies first: a valid token is never refused
 * here, whatever failures others caused from the same address or with a token of the same prefix.
 * Only failures count, twice — against the remote address and against the presented token's public
 * prefix — so a local process flooding bad tokens from 127.0.0.1 cannot lock out the users of that
 * address, and guesses spread over many addresses still meet the per-prefix limit. Past either
 * limit a failure is answered 429 instead of 401. Both counters are bounded (RateLimiter sweeps).
 *
 * Refusals are audited, at most `auditPerMinute` records per address: a flood becomes a few
 * records with the count of the ones left out, not a disk filled by an attacker.
 */
import { ErrorCodes, RpcError } from '../../../protocol/src/daemon/index.js';
import { tokenPrefixOf } from '../audit/targets.js';
import { auditActor, type Dispatcher } from './dispatcher.js';
import { RateLimiter } from './rate-limit.js';
import { type Origin, type Principal } from './types.js';

export interface AuthGateOptions {
    readonly dispatcher: Dispatcher;
    /** Failed authentications per minute per address, and per token prefix, before they are refused with 429. */
    readonly failuresPerMinute: number;
    /** Audit records of refused credentials per minute per address (default 60). */
    readonly auditPerMinute?: number;
    readonly now?: () => number;
}

/** Keys remembered before the counters forget the oldest (bounded memory under a flood of made-up prefixes). */
const MAX_KEYS = 10_000;

export class AuthGate {
    private readonly failures: RateLimiter;
    private readonly auditBudget: RateLimiter;
    /** Refusals not audited one by one, per address: reported with the next record. */
    private readonly unaudited = new Map<string, number>();

    constructor(private readonly o: AuthGateOptions) {
        const now = o.now ? { now: o.now } : {};
        this.failures = new RateLimiter({ perSecond: o.failuresPerMinute / 60, burst: o.failuresPerMinute, maxKeys: MAX_KEYS, ...now });
        const audits = o.auditPerMinute ?? 60;
        this.auditBudget = new RateLimiter({ perSecond: audits / 60, burst: audits, maxKeys: MAX_KEYS, ...now });
    }

    /**
     * The principal of `token`, or an RpcError: 401 (missing, unknown, expired, revoked…), 429 when
     * the failures of this address or of this token prefix are over the limit, 500 when verification
     * itself broke. `method` names the attempt in the audit log (default 'auth').
     */
    async authenticate(token: string | undefined, origin: Origin, method = 'auth'): Promise<Principal> {
        try {
            return await this.o.dispatcher.authenticate(token);
        } catch (e) {
            const err = e instanceof RpcError ? e : new RpcError(ErrorCodes.InternalError, 'internal error');
            if (err.code !== ErrorCodes.Unauthenticated) throw err;
            const remote = origin.remote ?? 'unknown';
            // Both counters take one, whatever the other says: each limit counts every failure.
            const byAddress = this.failures.take(`addr:${remote}`);
            const prefix = tokenPrefixOf(token);
            const byPrefix = prefix ? this.failures.take(`prefix:${prefix}`) : byAddress;
            const refused = !byAddress.ok || !byPrefix.ok
                ? new RpcError(ErrorCodes.RateLimited,
                    `too many failed authentications ${!byAddress.ok ? 'from this address' : 'with this token prefix'}; wait a minute (a valid token is still accepted)`,
                    { retryAfterMs: Math.max(byAddress.retryAfterMs, byPrefix.retryAfterMs, 1000) })
                : err;
            await this.audit(token, origin, method, refused, err);
            throw refused;
        }
    }

    /** Keys held by the failure counters (for stats). */
    get size(): number {
        return this.failures.size;
    }

    private async audit(token: string | undefined, origin: Origin, method: string, answered: RpcError, cause: RpcError): Promise<void> {
        const remote = origin.remote ?? 'unknown';
        if (!this.auditBudget.take(remote).ok) {
            if (this.unaudited.size >= MAX_KEYS && !this.unaudited.has(remote)) this.unaudited.clear();
            this.unaudited.set(remote, (this.unaudited.get(remote) ?? 0) + 1);
            return;
        }
        const left = this.unaudited.get(remote);
        this.unaudited.delete(remote);
        const reason = typeof cause.data?.reason === 'string' ? { reason: cause.data.reason } : {};
        await this.o.dispatcher.audit({
            actor: auditActor(undefined, origin, token), method, target: left ? { unauditedBefore: left } : {},
            result: 'error', code: answered.code, ...reason,
        });
    }
}
