/**
 * Guards the parser against inputs that would exhaust the call stack (the parser and the checker
 * are recursive): bracket nesting deeper than MAX_NESTING is reported as a syntax error up front;
 * any other exception while parsing (e.g. a stack overflow on 10,000 nested `not`) becomes an
 * error on the document too. The parser never throws.
 *
 * It also works around a quadratic cost in Langium 3.5's CST builder: `addHiddenNodes` is called
 * for every token, and with an empty list it still searches the parent's children (indexOf) —
 * O(n) per token in a strategy with n members. Skipping the no-op call makes parsing linear.
 * And it installs cheaper CST position getters (cst-offsets.ts), which the parser calls per rule,
 * and node construction without per-node garbage (parser-allocations.ts), and rebuilds the binary
 * operators, parsed flat, into their precedence tree (operator-chains.ts).
 */
import { createLangiumParser, type AstNode, type LangiumCoreServices, type LangiumParser, type ParseResult } from 'langium';
import { installFastCstOffsets } from './cst-offsets.js';
import { installAllocationFreeConstruct, installSingleItemCstPush, takeOperatorChains } from './parser-allocations.js';
import { rebuildOperatorChains } from './operator-chains.js';

export const MAX_NESTING = 64;

type LexError = ParseResult['lexerErrors'][number];

export function createGuardedParser(services: LangiumCoreServices): LangiumParser {
    installFastCstOffsets();
    installSingleItemCstPush();
    const parser = createLangiumParser(services);
    installAllocationFreeConstruct(parser);
    const internals = parser as unknown as { stack: unknown[]; nodeBuilder: { addHiddenNodes(tokens: unknown[]): void } };
    const addHidden = internals.nodeBuilder.addHiddenNodes.bind(internals.nodeBuilder);
    internals.nodeBuilder.addHiddenNodes = tokens => { if (tokens.length > 0) addHidden(tokens); };
    const parse = parser.parse.bind(parser);
    parser.parse = (<T extends AstNode>(text: string, options?: Parameters<LangiumParser['parse']>[1]): ParseResult<T> => {
        const tooDeep = nestingError(text);
        if (tooDeep) return refuse<T>(parse, tooDeep);
        let result: ParseResult<T>;
        try {
            result = parse<T>(text, options);
            rebuildOperatorChains(takeOperatorChains(parser));
        } catch (e) {
            internals.stack.length = 0; // the parser keeps a node stack between calls; an exception leaves it dirty
            takeOperatorChains(parser);
            return refuse<T>(parse, { offset: 0, line: 1, column: 1, length: 1, message: `The parser gave up on this file: ${(e as Error).message}. Simplify the file and report it.` });
        }
        return result;
    }) as LangiumParser['parse'];
    return parser;
}

function refuse<T extends AstNode>(parse: LangiumParser['parse'], error: LexError): ParseResult<T> {
    const empty = parse<T>('');
    return { ...empty, lexerErrors: [error], parserErrors: [] };
}

/** Bracket nesting beyond MAX_NESTING, skipping strings and comments. */
export function nestingError(text: string): LexError | undefined {
    let depth = 0, line = 1, col = 1;
    for (let i = 0; i < text.length; i++) {
        const c = text[i]!;
        if (c === '\n') { line++; col = 1; continue; }
        col++;
        if (c === '/' && text[i + 1] === '/') { while (i < text.length && text[i] !== '\n') i++; i--; continue; }
        if (c === '/' && text[i + 1] === '*') { const end = text.indexOf('*/', i + 2); const skipped = text.slice(i, end < 0 ? text.length : end + 2); line += skipped.split('\n').length - 1; i += skipped.length - 1; continue; }
        if (c === '"') { const m = /"(\\.|[^"\\\r\n])*"?/y; m.lastIndex = i; const r = m.exec(text); i += (r?.[0].length ?? 1) - 1; continue; }
        if (c === '(' || c === '[' || c === '{') {
            if (++depth > MAX_NESTING) return { offset: i, line, column: col - 1, length: 1, message: `Brackets are nested more than ${MAX_NESTING} levels deep; split the expression into features.` };
        } else if (c === ')' || c === ']' || c === '}') {
            depth = Math.max(0, depth - 1);
        }
    }
    return undefined;
}
