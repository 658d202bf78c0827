/**
 * The store's own user errors: the database cannot be opened (locked by another process, not an
 * AlphaForge file, a newer schema) or a call was too heavy (QueryTimeout). The message is one line
 * that names the file and says what to do. Busy, stopping and damaged databases are
 * UnavailableErrors (call-gate.ts, store.ts). Anything else thrown from the store is a bug.
 */
import { UserInputError } from '../../../protocol/src/errors.js';

export class StoreError extends UserInputError {
    constructor(message: string) {
        super(message);
        this.name = 'StoreError';
    }
}

/** First line of a (possibly multi-line) DuckDB or ccxt message, for one-line errors. */
export function firstLine(e: unknown): string {
    const msg = e instanceof Error ? e.message : String(e);
    return msg.split('\n').map(s => s.trim()).find(s => s.length > 0) ?? msg;
}
