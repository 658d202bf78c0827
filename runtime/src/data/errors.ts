/**
 * A problem with the user's data or request (bad file, unknown symbol, locked database).
 * The message is one line that names the file / row / field and says what to do; the CLI
 * prints it as is. Anything else thrown from this module is a bug.
 */
export class DataError extends Error {
    constructor(message: string) {
        super(message);
        this.name = 'DataError';
    }
}

/** First line of a (possibly multi-line) DuckDB or ccxt message, for one-line errors. */
export function firstLine(e: unknown): string {
    const msg = e instanceof Error ? e.message : String(e);
    return msg.split('\n').map(s => s.trim()).find(s => s.length > 0) ?? msg;
}
