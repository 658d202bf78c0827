/**
 * The orchestrator's public types: what a client submits (RunSpec), what it reads back (Run,
 * RunEvent, RunLog, Artifact) and what the `completed` hook receives (CompletedRun). Plain data,
 * JSON-safe (times are ISO strings in UTC), so the gateway can hand them out as they are.
 * The gateway validates specs (zod); the orchestrator only re-checks what it relies on.
 */
import { ConflictError, NotAvailableError, NotFoundError, UserInputError } from '../../../protocol/src/errors.js';

export type RunKind = 'backtest' | 'sweep' | 'walkforward';
export const RUN_KINDS: readonly RunKind[] = ['backtest', 'sweep', 'walkforward'];

/**
 * created → queued → running → completed | failed | cancelled. A running run interrupted by a
 * daemon restart (or a graceful stop) goes back to queued. `promoted` is a flag of a completed run.
 */
export type RunState = 'created' | 'queued' | 'running' | 'completed' | 'failed' | 'cancelled';
export const RUN_STATES: readonly RunState[] = ['created', 'queued', 'running', 'completed', 'failed', 'cancelled'];
export const TERMINAL_STATES: readonly RunState[] = ['completed', 'failed', 'cancelled'];

export type SweepSortMetric = 'sharpe' | 'sortino' | 'cagr' | 'totalReturn' | 'calmar' | 'maxDrawdown' | 'profitFactor' | 'winRate';

export interface RunSpec {
    readonly kind: RunKind;
    /** The .af text. */
    readonly source: string;
    /** Where the text came from (e.g. file:///…/strategy.af): names the document in errors and resolves its imports from disk. */
    readonly uri?: string;
    /** Which strategy of the text (required when it has several). */
    readonly strategy?: string;
    /** Backtest: parameter values (defaults for the rest). Sweep / walk-forward: params held fixed. */
    readonly params?: Readonly<Record<string, number | boolean>>;
    /** `venue:SYMBOL` per asset of the universe, in order (default: the strategy's universe). */
    readonly symbols?: readonly string[];
    /** First / last bar: YYYY-MM-DD, ISO time or epoch ms as text. */
    readonly from?: string;
    readonly to?: string;
    /** `venue:SYMBOL` of a stored series to compare with (default: buy-and-hold of the traded assets). */
    readonly benchmark?: string;
    readonly sweep?: {
        readonly mode: 'grid' | 'random';
        /** Random mode: number of combinations (default 100). */
        readonly samples?: number;
        /** Random mode seed (default 1); recorded as the run's seed. */
        readonly seed?: number;
        readonly sortBy?: SweepSortMetric;
    };
    /** Window lengths in bars (default: a quarter and an eighth of the data). */
    readonly walkforward?: { readonly inSample?: number; readonly outOfSample?: number; readonly anchored?: boolean };
    readonly experimentId?: string;
    readonly tags?: Readonly<Record<string, string>>;
    /** Wall-clock limit of one attempt, from the start of running (default: the orchestrator's). */
    readonly timeoutMs?: number;
}

export interface Provenance {
    readonly exactFingerprint: string;
    readonly structuralFingerprint: string;
    readonly dataSnapshot: string;
    readonly engineVersion: string;
    readonly seed: number;
    /** The workspace packs the strategy uses (the result's provenance; not a column of the run). */
    readonly packs?: readonly { readonly name: string; readonly version: string; readonly integrity?: string }[];
}

/** A run as stored. Times are ISO strings (UTC), null until they happened. */
export interface Run {
    readonly id: string;
    readonly kind: RunKind;
    readonly state: RunState;
    readonly promoted: boolean;
    readonly owner: string;
    readonly team: string;
    readonly experimentId: string | null;
    readonly traceId: string;
    /** How many times the run has started running (1 on its first start; a restart after a crash makes it 2, …). */
    readonly attempt: number;
    readonly createdAt: string;
    readonly queuedAt: string | null;
    readonly startedAt: string | null;
    readonly finishedAt: string | null;
    readonly spec: RunSpec;
    /** The strategy's name once known (from the spec, then from the compiled IR). */
    readonly strategy: string | null;
    /** Fraction done of the current attempt, 0..1. */
    readonly progress: number;
    /** One line saying why the run failed (or was cancelled); null otherwise. */
    readonly error: string | null;
    /**
     * Results (completed runs): the params run (a sweep's: the best; a walk-forward's: the latest
     * window's pick), metrics (null: undefined, e.g. a Sharpe without returns; ±Infinity possible,
     * e.g. the profit factor without a losing trade), trade count, provenance.
     */
    readonly params: Readonly<Record<string, number | boolean>> | null;
    readonly metrics: Readonly<Record<string, number | null>> | null;
    readonly tradeCount: number | null;
    readonly provenance: Provenance | null;
}

export type RunEventKind = 'state' | 'progress' | 'log' | 'result' | 'promoted';

/**
 * One entry of a run's history. State, progress, result and promoted events are the rows of
 * run_events (`seq` 1, 2, … per run); log events are the rows of run_logs and carry their own
 * `seq` (see `logs()`): order a mixed stream by `ts`, or keep the two sequences apart by `kind`.
 */
export interface RunEvent {
    readonly runId: string;
    readonly seq: number;
    /** ISO time (UTC). */
    readonly ts: string;
    readonly kind: RunEventKind;
    /** The state entered (kind 'state'). */
    readonly state?: RunState;
    /** Who caused it: the submitting / cancelling / promoting user, or 'system'. */
    readonly actor: string;
    readonly message?: string;
    /** Fraction done, 0..1 (kind 'progress'). */
    readonly progress?: number;
    /** Kind 'log'. */
    readonly level?: LogLevel;
}

export type LogLevel = 'info' | 'warn' | 'error';

export interface RunLog {
    readonly runId: string;
    readonly seq: number;
    readonly ts: string;
    readonly level: LogLevel;
    readonly message: string;
}

/** ok: as recorded (size; the content is checked when read) · missing: recorded, the file is gone · damaged: its size differs from the record. */
export type ArtifactStatus = 'ok' | 'missing' | 'damaged';

export interface Artifact {
    readonly name: string;
    /** Size on disk (the recorded size when the file is missing). */
    readonly bytes: number;
    /** Absolute path on the daemon's machine. */
    readonly path: string;
    /** SHA-256 recorded when the run completed; null for runs completed before artifacts were hashed. */
    readonly sha256: string | null;
    /** Size recorded when the run completed (null when nothing was recorded). */
    readonly recordedBytes: number | null;
    readonly status: ArtifactStatus;
}

/** What a completed run produced: handed to `completed` listeners (the experiment store indexes it). */
export interface CompletedRun {
    readonly strategy: string;
    readonly params: Readonly<Record<string, number | boolean>>;
    /** Metric name → value; NaN (undefined) is null. */
    readonly metrics: Readonly<Record<string, number | null>>;
    readonly tradeCount: number;
    readonly provenance: Provenance;
    readonly tags: Readonly<Record<string, string>>;
    readonly artifacts: readonly Artifact[];
}

export interface SubmitContext {
    readonly user: string;
    readonly team: string;
    /** Correlates the run with the request that created it (a fresh id when absent). */
    readonly traceId?: string;
}

export interface ListQuery {
    readonly state?: RunState;
    readonly owner?: string;
    readonly team?: string;
    readonly experimentId?: string;
    /** Default 100, at most 1000. Newest first. */
    readonly limit?: number;
    readonly offset?: number;
}

// The requests the orchestrator refuses, each a failure class of the protocol (protocol/src/errors.ts).

/** No such run, or no such artifact of it (404). */
export class RunNotFound extends NotFoundError {
    constructor(message: string) {
        super(message);
        this.name = 'RunNotFound';
    }
}

/** The request does not fit the run's state (cancel a finished run, promote an unfinished one) or the orchestrator's (409). */
export class RunStateConflict extends ConflictError {
    constructor(message: string) {
        super(message);
        this.name = 'RunStateConflict';
    }
}

/** A run spec the orchestrator refuses: over a limit, no user or team, a malformed field (-32602). */
export class InvalidRunSpec extends UserInputError {
    constructor(message: string) {
        super(message);
        this.name = 'InvalidRunSpec';
    }
}

/** The orchestrator is not started, stopping or stopped (501). */
export class OrchestratorStopped extends NotAvailableError {
    constructor(message: string) {
        super(message);
        this.name = 'OrchestratorStopped';
    }
}

/** An artifact whose file no longer matches the size and SHA-256 recorded when its run completed (409). */
export class ArtifactDamaged extends ConflictError {
    constructor(message: string) {
        super(message);
        this.name = 'ArtifactDamaged';
    }
}
