/**
 * Live sessions — WebSocket sessions and gRPC event streams — outlive the request that
 * authenticated them, so they must learn when their credential stops being valid:
 *
 * - IAM's change events act at once: a revoked token's sessions, a disabled user's, and those of
 *   a user removed from the team end before the change's caller gets its answer; a role change
 *   re-verifies the sessions of that user in that team (they carry the new role from then on)
 *   and re-checks their subscriptions;
 * - a timer ends a session when its token expires;
 * - every session is also re-verified every `reverifyIntervalMs`, a backstop for changes IAM did
 *   not announce (another process writing the database, an OIDC verifier without events).
 *
 * A re-verification that fails for another reason than the credential (the database does not
 * answer) keeps the session: the next one decides.
 */
import { ErrorCodes, RpcError } from '../../../protocol/src/daemon/index.js';
import { type Dispatcher } from './dispatcher.js';
import { type CredentialChange, type CredentialChanges, type GatewayLogger, type Principal } from './types.js';

/** A session as the registry sees it (ws.ts's Session, grpc.ts's stream). */
export interface LiveSession {
    /** The bearer token it authenticated with; undefined until it has. */
    readonly token: string | undefined;
    readonly principal: Principal | undefined;
    /** It holds event subscriptions (re-authorised after a principal change). */
    readonly subscribed: boolean;
    /** Its credential verified again: from now on it acts as `principal`. */
    adopt(principal: Principal): void;
    /** Its credential is no longer valid (401) or no longer allows its subscriptions (403): stop delivering and close. */
    end(code: typeof ErrorCodes.Unauthenticated | typeof ErrorCodes.Forbidden, reason: string): void;
}

export interface SessionRegistryOptions {
    readonly dispatcher: Dispatcher;
    readonly changes?: CredentialChanges;
    /** Periodic re-verification of every session. */
    readonly reverifyIntervalMs: number;
    readonly logger: GatewayLogger;
}

/** setTimeout's longest delay; later expiries re-arm when it fires. */
const MAX_TIMER_MS = 2 ** 31 - 1;

interface Tracked {
    expiry?: ReturnType<typeof setTimeout>;
    /** A verification is running; `again`: run another when it ends (a change arrived meanwhile). */
    verifying: boolean;
    again: boolean;
}

export class SessionRegistry {
    private readonly sessions = new Map<LiveSession, Tracked>();
    private readonly unsubscribe: (() => void) | undefined;
    private readonly timer: ReturnType<typeof setInterval>;

    constructor(private readonly o: SessionRegistryOptions) {
        this.unsubscribe = o.changes?.onChange(c => this.onChange(c));
        this.timer = setInterval(() => { for (const s of this.sessions.keys()) this.reverify(s); }, o.reverifyIntervalMs);
        this.timer.unref();
    }

    /** Starts (or, after `adopt`, refreshes) tracking an authenticated session: arms its expiry. */
    track(s: LiveSession): void {
        let t = this.sessions.get(s);
        if (!t) this.sessions.set(s, t = { verifying: false, again: false });
        this.arm(s, t);
    }

    untrack(s: LiveSession): void {
        const t = this.sessions.get(s);
        if (t?.expiry) clearTimeout(t.expiry);
        this.sessions.delete(s);
    }

    get size(): number {
        return this.sessions.size;
    }

    close(): void {
        this.unsubscribe?.();
        clearInterval(this.timer);
        for (const t of this.sessions.values()) if (t.expiry) clearTimeout(t.expiry);
        this.sessions.clear();
    }

    /** Verifies the session's token again now: ends it, or adopts the (possibly changed) principal. */
    reverify(s: LiveSession): void {
        const t = this.sessions.get(s);
        if (!t || !s.token) return;
        if (t.verifying) { t.again = true; return; }
        t.verifying = true;
        void this.verify(s, s.token).finally(() => {
            t.verifying = false;
            if (t.again && this.sessions.has(s)) {
                t.again = false;
                this.reverify(s);
            }
        });
    }

    private async verify(s: LiveSession, token: string): Promise<void> {
        let principal: Principal;
        try {
            principal = await this.o.dispatcher.authenticate(token);
        } catch (e) {
            if (e instanceof RpcError && e.code === ErrorCodes.Unauthenticated) this.end(s, ErrorCodes.Unauthenticated, e.message);
            else this.o.logger.warn({ err: e }, 'could not re-verify a live session; keeping it until the next check');
            return;
        }
        if (!this.sessions.has(s)) return;
        s.adopt(principal);
        this.track(s);
        if (!s.subscribed) return;
        try {
            await this.o.dispatcher.authorizeSession(principal, 'events.subscribe');
        } catch (e) {
            if (e instanceof RpcError && e.code === ErrorCodes.Forbidden) this.end(s, ErrorCodes.Forbidden, e.message);
        }
    }

    private end(s: LiveSession, code: typeof ErrorCodes.Unauthenticated | typeof ErrorCodes.Forbidden, reason: string): void {
        if (!this.sessions.has(s)) return;
        this.untrack(s);
        s.end(code, reason);
    }

    /** A timer at the principal's expiry that re-verifies (IAM, not this clock, decides). */
    private arm(s: LiveSession, t: Tracked): void {
        if (t.expiry) clearTimeout(t.expiry);
        t.expiry = undefined;
        const at = s.principal?.expiresAt ? Date.parse(s.principal.expiresAt) : NaN;
        if (!Number.isFinite(at)) return;
        // A few ms past the expiry: IAM refuses from the expiry on, and timers may fire a ms early.
        const delay = Math.min(MAX_TIMER_MS, Math.max(0, at - Date.now()) + 5);
        t.expiry = setTimeout(() => { t.expiry = undefined; this.reverify(s); }, delay);
        t.expiry.unref();
    }

    private onChange(c: CredentialChange): void {
        for (const s of [...this.sessions.keys()]) {
            const p = s.principal;
            if (!p) continue;
            switch (c.kind) {
                case 'token-revoked':
                    if (p.tokenId === c.tokenId) this.end(s, ErrorCodes.Unauthenticated, 'the token was revoked');
                    break;
                case 'user-disabled':
                    if (p.userId === c.userId) this.end(s, ErrorCodes.Unauthenticated, `user ${p.userName} was disabled`);
                    break;
                case 'membership-changed':
                    if (p.userId !== c.userId || p.teamId !== c.teamId) break;
                    if (c.role === null) this.end(s, ErrorCodes.Unauthenticated, `user ${p.userName} was removed from team ${p.teamName}`);
                    else this.reverify(s);
                    break;
                default:
                    // A change this gateway does not know: the user's sessions verify again.
                    this.reverify(s);
            }
        }
    }
}
