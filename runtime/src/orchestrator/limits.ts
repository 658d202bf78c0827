/**
 * What one run may use: time (a default limit for runs that ask for none, which is also the most a
 * run may ask for; per team overrides), memory (its worker thread's V8 heap, and the engine's
 * history buffers, which live outside that heap), and trials per sweep or walk-forward. A daemon
 * takes these as `DaemonOptions.runs` (`af daemon run --run-timeout/--team-run-timeout/--run-memory`).
 */
export interface RunLimits {
    /** Time limit of a run that asks for none, and the most a run may ask for (ms); 0: none. Default 30 min. */
    readonly timeoutMs?: number;
    /** Per team (by name): replaces timeoutMs for that team's runs. */
    readonly teamTimeoutMs?: Readonly<Record<string, number>>;
    /** MB of one run: its worker thread's V8 heap, and (separately) the engine's history buffers. Default 1024. */
    readonly memoryMb?: number;
    /** A run's worker left holding more than this (MB) after a run is replaced, so the memory goes back to the system. Default 256. */
    readonly recycleAboveMb?: number;
    /** Trials of one sweep or walk-forward (grid combinations or random samples, × windows). Default 100,000. */
    readonly maxTrials?: number;
}

export const DEFAULT_RUN_LIMITS = { timeoutMs: 30 * 60_000, memoryMb: 1024, recycleAboveMb: 256, maxTrials: 100_000 } as const;

/** The time limit of `team`'s runs (ms; 0: none). */
export function runTimeoutOf(limits: RunLimits, team: string | undefined): number {
    const own = team !== undefined && limits.teamTimeoutMs && Object.prototype.hasOwnProperty.call(limits.teamTimeoutMs, team) ? limits.teamTimeoutMs[team] : undefined;
    return own ?? limits.timeoutMs ?? DEFAULT_RUN_LIMITS.timeoutMs;
}
