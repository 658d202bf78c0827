/**
 * Token buckets keyed by caller (API token, or remote address for failed logins): each key may
 * spend `burst` calls at once and regains `perSecond` per second. Memory is bounded: full buckets
 * are forgotten (they are indistinguishable from new ones) once there are many keys.
 */

export interface RateLimitOptions {
    /** Sustained calls per second per key. */
    readonly perSecond: number;
    /** Calls a key may make at once. */
    readonly burst: number;
    /** Clock in ms (tests move it). */
    readonly now?: () => number;
    /** Keys kept before full buckets are swept. Default 10 000. */
    readonly maxKeys?: number;
}

export interface Admission {
    readonly ok: boolean;
    /** When refused: ms until `cost` calls will be admitted. */
    readonly retryAfterMs: number;
}

interface Bucket { tokens: number; at: number }

export class RateLimiter {
    private readonly buckets = new Map<string, Bucket>();
    private readonly now: () => number;
    private readonly maxKeys: number;

    constructor(private readonly options: RateLimitOptions) {
        if (!(options.perSecond > 0) || !(options.burst >= 1)) throw new Error(`rate limit needs perSecond > 0 and burst ≥ 1 (got ${options.perSecond}, ${options.burst})`);
        this.now = options.now ?? Date.now;
        this.maxKeys = options.maxKeys ?? 10_000;
    }

    /** Takes `cost` calls from `key`'s bucket, or refuses (taking nothing) and says when to retry. */
    take(key: string, cost = 1): Admission {
        const now = this.now();
        const { perSecond, burst } = this.options;
        let b = this.buckets.get(key);
        if (!b) {
            if (this.buckets.size >= this.maxKeys) this.sweep(now);
            b = { tokens: burst, at: now };
            this.buckets.set(key, b);
        } else {
            b.tokens = Math.min(burst, b.tokens + ((now - b.at) / 1000) * perSecond);
            b.at = now;
        }
        if (cost > burst) return { ok: false, retryAfterMs: Math.ceil(((cost - b.tokens) / perSecond) * 1000) };
        if (b.tokens >= cost) {
            b.tokens -= cost;
            return { ok: true, retryAfterMs: 0 };
        }
        return { ok: false, retryAfterMs: Math.max(1, Math.ceil(((cost - b.tokens) / perSecond) * 1000)) };
    }

    /** Would `key` be refused now (without taking anything)? */
    exhausted(key: string): boolean {
        const b = this.buckets.get(key);
        if (!b) return false;
        const tokens = Math.min(this.options.burst, b.tokens + ((this.now() - b.at) / 1000) * this.options.perSecond);
        return tokens < 1;
    }

    get size(): number {
        return this.buckets.size;
    }

    private sweep(now: number): void {
        for (const [k, b] of this.buckets) {
            if (b.tokens + ((now - b.at) / 1000) * this.options.perSecond >= this.options.burst) this.buckets.delete(k);
        }
        // Still full of active keys: drop the oldest half rather than grow without bound.
        if (this.buckets.size >= this.maxKeys) {
            let n = Math.floor(this.buckets.size / 2);
            for (const k of this.buckets.keys()) {
                if (n-- <= 0) break;
                this.buckets.delete(k);
            }
        }
    }
}
