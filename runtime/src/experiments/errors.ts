/**
 * The errors of the experiment store: ExperimentError is a bad request (-32602); unknown runs are
 * NotFoundErrors (404) and duplicate names ConflictErrors (409), the protocol's failure classes.
 * FilterError is a bad request whose message points at the offending token of a filter or orderBy
 * text (column and caret line). Anything else thrown from this module is a bug.
 */
import { UserInputError } from '../../../protocol/src/errors.js';

export class ExperimentError extends UserInputError {
    constructor(message: string) {
        super(message);
        this.name = 'ExperimentError';
    }
}

/**
 * A filter (or orderBy) that does not parse or does not type-check. `column` is 1-based into
 * `text`; `token` is the offending token as written ('' at the end of the text); `reason` is the
 * one-line explanation; `message` adds the text and a caret under the token:
 *
 *     filter error at column 18: expected a value after '>' but found 'and'
 *       metrics.sharpe > and metrics.cagr < 1
 *                        ^
 */
export class FilterError extends ExperimentError {
    constructor(
        readonly reason: string,
        readonly column: number,
        readonly token: string,
        readonly text: string,
        readonly what: 'filter' | 'orderBy' = 'filter',
    ) {
        super(`${what} error at column ${column}: ${reason}\n${caretLines(text, column)}`);
        this.name = 'FilterError';
    }
}

const WINDOW = 60;

/** The text (one line, windowed around the column if long) and a caret under the column. */
function caretLines(text: string, column: number): string {
    // One display line: newlines and tabs become spaces so the caret stays under its character.
    let line = text.replace(/[\r\n\t]/g, ' ');
    let at = column - 1;
    if (line.length > 2 * WINDOW) {
        const start = Math.max(0, Math.min(at - WINDOW, line.length - 2 * WINDOW));
        const end = Math.min(line.length, start + 2 * WINDOW);
        const head = start > 0 ? '… ' : '';
        line = `${head}${line.slice(start, end)}${end < line.length ? ' …' : ''}`;
        at = at - start + head.length;
    }
    return `  ${line}\n  ${' '.repeat(at)}^`;
}
