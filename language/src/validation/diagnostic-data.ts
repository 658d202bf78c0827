/**
 * What a diagnostic carries in its `data`: its code and, for a diagnostic with a mechanical fix,
 * what the fix needs. The LSP hands `data` back with the code-action request, so the language
 * server builds quick fixes from it (and from the AST) and never reads a message. Zod schemas:
 * `data` comes back from the client.
 *
 * The fix replaces the diagnostic's range unless said otherwise.
 */
import * as z from 'zod';

export const FixData = z.union([
    /** A near miss: the name, key, argument name or member it was probably meant to be. */
    z.object({ code: z.enum(['AF003', 'AF007', 'AF204', 'AF207']), suggestion: z.string().min(1) }),
    /** `x[-n]` read the future; `x[n]` is the past it probably meant. */
    z.object({ code: z.literal('AF101'), lookback: z.number().int().nonnegative() }),
    /**
     * The text to write instead: AF103 the resample argument that reads the coarse bar still forming,
     * rewritten to read the last closed one; AF210 `highest(x, n)` for `max(x, n)`; AF211 the level
     * on the oscillator's 0–100 scale for a percentage.
     */
    z.object({ code: z.enum(['AF103', 'AF210', 'AF211']), replacement: z.string().min(1) }),
    /** AF401: the default moved into the range; AF402: the nearest grid value below the default. */
    z.object({ code: z.enum(['AF401', 'AF402']), value: z.number().finite() }),
    /** The range is written high..low: swap the bounds (the fix finds them in the param). */
    z.object({ code: z.literal('AF403'), swapBounds: z.literal(true) }),
    /** A bare stop distance meant as a percentage of the entry price: the text to write. */
    z.object({ code: z.literal('AF602'), percent: z.string().min(1) }),
    /** `target -x long|short`: drop the minus, or drop it and flip the side (the fix finds both in the target). */
    z.object({ code: z.literal('AF603'), negatedSize: z.literal(true) }),
]);
export type FixData = z.infer<typeof FixData>;

/** A diagnostic's data: its code, with what its fix needs when it has one. */
export const DiagnosticData = z.union([FixData, z.object({ code: z.string() })]);
export type DiagnosticData = z.infer<typeof DiagnosticData>;
