// The cheaper CST position getters (src/cst-offsets.ts) give the same offsets, ends, lengths and
// first/last children as Langium's own on every composite node of every example, and of a text
// with comments and syntax errors (hidden leaves, recovery).
import { readdirSync, readFileSync } from 'node:fs';
import { CompositeCstNodeImpl, type CstNode } from 'langium';
import { describe, expect, it } from 'vitest';

const names = ['offset', 'end', 'length', 'firstNonHiddenNode', 'lastNonHiddenNode'] as const;
// Captured before the language's services install the replacements (vitest runs each test file in a fresh module graph).
const langiums = Object.fromEntries(names.map(n => [n, Object.getOwnPropertyDescriptor(CompositeCstNodeImpl.prototype, n)!.get!]));
const { services } = await import('./helpers.js');
const parser = services().parser.LangiumParser;

function* composites(node: CstNode): Generator<CstNode> {
    const content = (node as { content?: CstNode[] }).content;
    if (!content) return;
    yield node;
    for (const c of content) yield* composites(c);
}

const examples = readdirSync(new URL('../../examples/', import.meta.url)).filter(f => f.endsWith('.af'));
const texts: [string, string][] = [
    ...examples.map(f => [f, readFileSync(new URL(`../../examples/${f}`, import.meta.url), 'utf8')] as [string, string]),
    ['comments and errors', '// lead\nstrategy S { /* a */ feature f = sma(close, /* b */ 10) + \n signal s = f > ( /// doc\n rules { when s => target 1% long } }\n// tail\n'],
];

describe('CST position getters', () => {
    it('are replaced once the parser exists', () => {
        expect(Object.getOwnPropertyDescriptor(CompositeCstNodeImpl.prototype, 'offset')!.get).not.toBe(langiums.offset);
        expect(examples.length).toBeGreaterThan(3);
    });
    it.each(texts)('agree with Langium on %s', (_name, text) => {
        const root = parser.parse(text).value.$cstNode!;
        let checked = 0;
        for (const node of composites(root)) {
            for (const n of names) expect((node as unknown as Record<string, unknown>)[n], n).toBe(langiums[n]!.call(node));
            checked++;
        }
        expect(checked).toBeGreaterThan(10);
    });
});
