/**
 * Syntax errors that name the token and say the fix, for the mistakes people bring from other
 * languages, and recovery that keeps them to their own line:
 *
 * - `&&`, `||` and `!` are not tokens of the language (it writes `and`, `or`, `not`). The lexer
 *   reports them and hands the parser the keyword they stand for, so the rest of the condition
 *   keeps its meaning (no "expected => but found …" after them, no cascade to the end of the file).
 * - A `.` at the end of a line (`feature probe = a.`, typed half-way) would take the next line's
 *   `signal`/`feature`/`rules` … for the member name (they may name members: `macd(close).signal`)
 *   and break every declaration after it. A dot followed, on a later line, by a token that starts
 *   a declaration or closes a block is reported and dropped, so the rest of the file parses as written.
 * - The parser's messages (through Langium's ParserErrorMessageProvider): an order or target with
 *   nothing after `buy`/`sell`/`target` says it needs a quantity, with examples.
 *
 * Messages start with "Syntax error:"; the document validator keeps them as they are (AF001).
 */
import { DefaultLexer, LangiumParserErrorMessageProvider, type LexerResult, type TokenizeOptions } from 'langium';

type LexError = LexerResult['errors'][number];
type IToken = LexerResult['tokens'][number];
type TokenType = IToken['tokenType'];

/** Operators of C-like languages, the keyword written instead and an example. */
const FOREIGN_OPERATORS: Readonly<Record<string, { keyword: string; example: string }>> = {
    '&&': { keyword: 'and', example: 'when up and close > ma' },
    '||': { keyword: 'or', example: 'when up or close > ma' },
    '!': { keyword: 'not', example: 'when not up' },
};

/** Tokens that start a strategy member or top-level element, or close a block: never a member name after a dot on an earlier line. */
const DECLARATION_START = new Set([
    'signal', 'feature', 'param', 'constraint', 'rules', 'risk', 'execution', 'portfolio', 'tags', 'universe', 'timeframe',
    'when', 'strategy', 'def', 'import', '}',
]);

export class AlphaForgeLexer extends DefaultLexer {
    override tokenize(text: string, options?: TokenizeOptions): LexerResult {
        const result = super.tokenize(text, options);
        if (result.errors.length === 0 && !result.tokens.some(t => t.image === '.')) return result;
        const tokens = [...result.tokens];
        const errors: LexError[] = [];
        for (const e of result.errors) {
            const image = text.slice(e.offset, e.offset + e.length);
            const op = FOREIGN_OPERATORS[image];
            const type = op ? this.definition[op.keyword] : undefined;
            if (!op || !type) { errors.push(e); continue; }
            errors.push({ ...e, message: `Syntax error: '${image}' is not an operator of AlphaForge; write '${op.keyword}' (${op.example}).` });
            tokens.push(substitute(type, op.keyword, e));
        }
        tokens.sort((a, b) => a.startOffset - b.startOffset);
        // Completion lexes the text up to the cursor ('partial'): a dot there is where the member comes.
        return { ...result, tokens: options?.mode === 'partial' ? tokens : this.dropDanglingDots(tokens, errors), errors };
    }

    private dropDanglingDots(tokens: IToken[], errors: LexError[]): IToken[] {
        const kept: IToken[] = [];
        for (let i = 0; i < tokens.length; i++) {
            const t = tokens[i]!, next = tokens[i + 1];
            // At the end of the file the parser's own error is already the only one.
            const dangling = t.image === '.' && t.tokenType.name === '.' && next !== undefined
                && (next.startLine ?? 0) > (t.endLine ?? 0) && DECLARATION_START.has(next.image);
            if (!dangling) { kept.push(t); continue; }
            errors.push({
                offset: t.startOffset, line: t.startLine ?? 1, column: t.startColumn ?? 1, length: 1,
                message: "Syntax error: '.' needs a member name after it (a.close, macd(close).hist); the line ends first.",
            });
        }
        return kept;
    }
}

/** A token of the keyword's type over the operator's text: the AST gets the keyword (`operator: 'and'`). */
function substitute(type: TokenType, image: string, at: LexError): IToken {
    return {
        image, tokenType: type, tokenTypeIdx: type.tokenTypeIdx!,
        startOffset: at.offset, endOffset: at.offset + at.length - 1,
        startLine: at.line, endLine: at.line, startColumn: at.column, endColumn: (at.column ?? 1) + at.length - 1,
    };
}

/** Order and target keywords and how to write what must follow them. */
const NEEDS_SIZE: Readonly<Record<string, string>> = {
    buy: '`buy` needs a quantity after it: `buy 10 units` (of the asset) or `buy 50%` (a fraction of equity), optionally `limit at …`/`stop at …`',
    sell: '`sell` needs a quantity after it: `sell 10 units` (of the asset) or `sell 50%` (a fraction of equity), optionally `limit at …`/`stop at …`',
    target: '`target` needs a size after it: `target 100% long`, `target 50% short` or `target 10 units`',
};

type MismatchOptions = Parameters<LangiumParserErrorMessageProvider['buildMismatchTokenMessage']>[0];
type NoViableAltOptions = Parameters<LangiumParserErrorMessageProvider['buildNoViableAltMessage']>[0];
type EarlyExitOptions = Parameters<LangiumParserErrorMessageProvider['buildEarlyExitMessage']>[0];

export class AlphaForgeParserErrorMessageProvider extends LangiumParserErrorMessageProvider {
    override buildMismatchTokenMessage(options: MismatchOptions): string {
        return this.missingSize(options.previous, options.actual) ?? super.buildMismatchTokenMessage(options);
    }

    override buildNoViableAltMessage(options: NoViableAltOptions): string {
        return this.missingSize(options.previous, options.actual[0]) ?? super.buildNoViableAltMessage(options);
    }

    override buildEarlyExitMessage(options: EarlyExitOptions): string {
        return this.missingSize(options.previous, options.actual[0]) ?? super.buildEarlyExitMessage(options);
    }

    /** `buy`, `sell` or `target` followed by something that cannot start a size. */
    private missingSize(previous: IToken | undefined, actual: IToken | undefined): string | undefined {
        const fix = previous ? NEEDS_SIZE[previous.image] : undefined;
        if (!fix || previous?.tokenType.name !== previous?.image) return undefined;
        const found = !actual || actual.image === '' || actual.tokenType.name === 'EOF' ? 'the end of the file' : `'${actual.image}'`;
        return `Syntax error: ${fix}; found ${found}.`;
    }
}
