/**
 * Errors meant for the user and the exit codes of `af` (docs/cli.md):
 *
 *   0  success
 *   1  failure: the command ran and failed or found problems (check found errors, a run failed,
 *      the daemon cannot be reached, a call was refused or names nothing that exists)
 *   2  usage: the command line is wrong (unknown command or option, a bad option value, a missing
 *      argument, a filter that does not parse or names an unknown metric, an ambiguous id prefix)
 *   3  rejected input: a file or data the command reads was refused (an import that does not
 *      validate, ambiguous dates, a malformed CSV, a strategy's params or data that do not fit)
 *  70  internal error (a bug)
 *
 * `af daemon status` exits 3 when no daemon runs (not an error: the answer to its question).
 * Under --json an error is printed on stdout as {"error": {"code", "message", "hint"?}}.
 */
export const EXIT = { ok: 0, failure: 1, usage: 2, rejected: 3, internal: 70 } as const;

/** The `code` of a JSON error: what kind of failure, stable for scripts. */
export type ErrorCode = 'usage' | 'rejected' | 'failure' | 'not_found' | 'forbidden' | 'unauthenticated' | 'conflict' | 'unavailable' | 'ambiguous_id' | 'internal';

export interface CliErrorOptions {
    readonly code?: ErrorCode;
    readonly exitCode?: number;
    /** What to do about it, when the message does not already say. */
    readonly hint?: string;
    /** More for --json readers (an import's problems), printed inside the error object. */
    readonly details?: Readonly<Record<string, unknown>>;
}

/** An error meant for the user: printed as one line (or as JSON under --json), no stack trace. */
export class CliError extends Error {
    readonly exitCode: number;
    readonly code: ErrorCode;
    readonly hint: string | undefined;
    readonly details: Readonly<Record<string, unknown>> | undefined;
    constructor(message: string, o: CliErrorOptions | number = {}) {
        super(message);
        this.name = 'CliError';
        const opts = typeof o === 'number' ? { exitCode: o } : o;
        this.exitCode = opts.exitCode ?? (opts.code === 'rejected' ? EXIT.rejected : opts.code && opts.code !== 'usage' && opts.code !== 'ambiguous_id' ? EXIT.failure : EXIT.usage);
        this.code = opts.code ?? (this.exitCode === EXIT.usage ? 'usage' : this.exitCode === EXIT.rejected ? 'rejected' : 'failure');
        this.hint = opts.hint;
        this.details = opts.details;
    }
}

/** A refused file or data (exit 3). */
export const rejected = (message: string, details?: Record<string, unknown>): CliError => new CliError(message, { code: 'rejected', ...(details ? { details } : {}) });

/** The one JSON shape of an error under --json. */
export function errorJson(e: CliError): string {
    return JSON.stringify({ error: { code: e.code, message: e.message, ...(e.hint ? { hint: e.hint } : {}), ...e.details } }, null, 2) + '\n';
}
