/**
 * Liveness and readiness. `/healthz` answers 200 whenever the process can serve a request;
 * `/readyz` answers 200 only when every registered readiness check passes (database open,
 * orchestrator started, …), else 503 with JSON naming the failing checks.
 *
 * Components register checks on a `Readiness` owned by the daemon; the gateway mounts the plain
 * node:http handlers returned by `createHealthHandlers(readiness)` (or `healthzHandler` alone).
 */
import { type IncomingMessage, type ServerResponse } from 'node:http';

/** What a check returns: true/false, or an object with a detail shown when it fails. */
export type CheckOutcome = boolean | { ok: boolean; detail?: string };
export type ReadinessCheck = () => CheckOutcome | Promise<CheckOutcome>;

export interface CheckResult {
    name: string;
    ok: boolean;
    detail?: string;
}

export interface ReadinessReport {
    ready: boolean;
    checks: CheckResult[];
    /** Names of the failing checks, in registration order. */
    failing: string[];
}

/** A settable readiness flag (see `Readiness.flag`). */
export interface ReadinessFlag {
    set(ok: boolean, detail?: string): void;
    readonly ok: boolean;
}

export interface ReadinessOptions {
    /** A check that has not answered after this long fails ("timed out"). Default 2000 ms. */
    timeoutMs?: number;
}

export class Readiness {
    private readonly checks = new Map<string, ReadinessCheck>();
    private readonly timeoutMs: number;

    constructor(options: ReadinessOptions = {}) {
        this.timeoutMs = options.timeoutMs ?? 2000;
    }

    /** Register a check under a unique name; returns a function that unregisters it. */
    register(name: string, check: ReadinessCheck): () => void {
        if (this.checks.has(name)) throw new Error(`readiness check '${name}' is already registered`);
        this.checks.set(name, check);
        return () => {
            if (this.checks.get(name) === check) this.checks.delete(name);
        };
    }

    /**
     * Register a flag that starts failing with `detail` (default "not ready") and is flipped by the
     * component itself, e.g. `const started = readiness.flag('orchestrator', 'not started'); … started.set(true)`.
     */
    flag(name: string, detail = 'not ready'): ReadinessFlag {
        let state: { ok: boolean; detail?: string } = { ok: false, detail };
        this.register(name, () => state);
        return {
            set(ok, d) { state = ok ? { ok } : { ok, detail: d ?? detail }; },
            get ok() { return state.ok; },
        };
    }

    /** The registered check names. */
    names(): string[] {
        return [...this.checks.keys()];
    }

    /** Run every check (concurrently, each bounded by the timeout); exceptions count as failures. */
    async check(): Promise<ReadinessReport> {
        const entries = [...this.checks.entries()];
        const checks = await Promise.all(entries.map(([name, check]) => this.runOne(name, check)));
        const failing = checks.filter(c => !c.ok).map(c => c.name);
        return { ready: failing.length === 0, checks, failing };
    }

    private async runOne(name: string, check: ReadinessCheck): Promise<CheckResult> {
        let timer: NodeJS.Timeout | undefined;
        try {
            const timeout = new Promise<CheckOutcome>(resolve => {
                timer = setTimeout(() => resolve({ ok: false, detail: `timed out after ${this.timeoutMs} ms` }), this.timeoutMs);
                timer.unref();
            });
            const outcome = await Promise.race([Promise.resolve().then(check), timeout]);
            if (typeof outcome === 'boolean') return outcome ? { name, ok: true } : { name, ok: false, detail: 'check failed' };
            return outcome.ok ? { name, ok: true } : { name, ok: false, detail: outcome.detail ?? 'check failed' };
        } catch (e) {
            return { name, ok: false, detail: e instanceof Error ? e.message : String(e) };
        } finally {
            if (timer) clearTimeout(timer);
        }
    }
}

export type HttpHandler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

function sendJson(req: IncomingMessage, res: ServerResponse, status: number, body: unknown): void {
    const text = JSON.stringify(body) + '\n';
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
    res.end(req.method === 'HEAD' ? undefined : text);
}

/** `/healthz`: the process is alive and serving — always 200 `{ status: 'ok', uptimeSeconds }`. */
export function healthzHandler(req: IncomingMessage, res: ServerResponse): void {
    sendJson(req, res, 200, { status: 'ok', uptimeSeconds: Math.round(process.uptime()) });
}

/**
 * `/readyz`: 200 `{ status: 'ready', checks }` when every check passes, else
 * 503 `{ status: 'not ready', failing: ['db'], checks: [{ name: 'db', ok: false, detail: '…' }, …] }`.
 */
export function readyzHandler(readiness: Readiness): HttpHandler {
    return async (req, res) => {
        const report = await readiness.check();
        if (report.ready) sendJson(req, res, 200, { status: 'ready', checks: report.checks });
        else sendJson(req, res, 503, { status: 'not ready', failing: report.failing, checks: report.checks });
    };
}

/** Both handlers for the gateway to mount at `/healthz` and `/readyz`. */
export function createHealthHandlers(readiness: Readiness): { healthz: HttpHandler; readyz: HttpHandler } {
    return { healthz: healthzHandler, readyz: readyzHandler(readiness) };
}
