// The parser without per-node garbage (src/parser-allocations.ts) builds the same AST and CST as
// Langium's own construction: every example, and a text with comments, recovery and error tokens,
// parsed by the language's parser and by a plain Langium parser of the same grammar, compare equal
// node for node (types, properties, containers, CST offsets, children and their owners).
import { readdirSync, readFileSync } from 'node:fs';
import { createLangiumParser, isAstNode, isReference, type AstNode, type CstNode } from 'langium';
import { describe, expect, it } from 'vitest';
import { isOperatorChain, rebuildOperatorChains } from '../src/operator-chains.js';
import { services } from './helpers.js';

const svc = services();
const ours = svc.parser.LangiumParser;
const plain = createLangiumParser(svc);

function ast(node: AstNode): unknown {
    const out: Record<string, unknown> = { $type: node.$type, $containerProperty: node.$containerProperty, $containerIndex: node.$containerIndex };
    for (const [k, v] of Object.entries(node)) {
        if (k.startsWith('$')) continue;
        const one = (x: unknown): unknown => {
            if (isReference(x)) return { ref: x.$refText };
            if (isAstNode(x)) {
                expect(x.$container).toBe(node);
                return ast(x);
            }
            return x;
        };
        out[k] = Array.isArray(v) ? v.map(one) : one(v);
    }
    return out;
}

/** The flat operator chains of a plain parse, innermost first (the language's parser rebuilds its own). */
function chains(node: AstNode): AstNode[] {
    const out: AstNode[] = [];
    for (const [k, v] of Object.entries(node)) {
        if (k.startsWith('$')) continue;
        for (const x of Array.isArray(v) ? v : [v]) if (isAstNode(x)) out.push(...chains(x));
    }
    if (isOperatorChain(node)) out.push(node);
    return out;
}

function cst(node: CstNode): unknown {
    const content = (node as { content?: CstNode[] }).content;
    const own = (node as unknown as { _astNode?: AstNode })._astNode;
    const shape = { offset: node.offset, length: node.length, hidden: node.hidden, owner: own?.$type, self: own?.$cstNode === node };
    if (!content) return shape;
    for (const c of content) expect(c.container).toBe(node);
    return { ...shape, content: content.map(cst) };
}

const examples = readdirSync(new URL('../../examples/', import.meta.url)).filter(f => f.endsWith('.af'));
const texts: [string, string][] = [
    ...examples.map(f => [f, readFileSync(new URL(`../../examples/${f}`, import.meta.url), 'utf8')] as [string, string]),
    ['comments, recovery, foreign operators', '// lead\nstrategy S { /* a */ feature f = sma(close, /* b */ 10) + \n signal s = f > ( /// doc\n signal t = s && not -f[1] > 2\n rules { when s => target 1% long, buy } }\n// tail\n'],
];

describe('parser construction without garbage', () => {
    it('is installed on the language\'s parser only', () => {
        expect((ours as unknown as { construct: unknown }).construct).not.toBe((plain as unknown as { construct: unknown }).construct);
    });
    it.each(texts)('builds the same AST and CST as Langium on %s', (_name, text) => {
        const a = ours.parse(text), b = plain.parse(text);
        rebuildOperatorChains(chains(b.value));
        expect(ast(a.value)).toEqual(ast(b.value));
        expect(cst(a.value.$cstNode!)).toEqual(cst(b.value.$cstNode!));
        expect(a.parserErrors.map(e => e.message)).toEqual(b.parserErrors.map(e => e.message));
    });
});
