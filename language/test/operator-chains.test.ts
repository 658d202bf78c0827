// The flat binary-operator grammar (operator-chains.ts) builds the trees the six-level precedence
// cascade built: every example, every diagnostic fixture, generated strategies and hand-written
// precedence cases are parsed by the language's parser and by a plain Langium parser of the old
// grammar (fixtures/cascade-expressions.langium), and compared node for node: types, properties,
// containers, each node's CST range, and which AST node every token belongs to (hovers, ranges).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CstUtils, isAstNode, isLeafCstNode, isReference, type AstNode, type LangiumParser } from 'langium';
import { createServicesForGrammar } from 'langium/grammar';
import { beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error the benchmark generator is plain JavaScript without types
import { generateStrategy } from '../../bench/gen-strategy.js';
import { rebuildOperatorChain } from '../src/operator-chains.js';
import { services } from './helpers.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
let cascade: LangiumParser;

beforeAll(async () => {
    const grammar = readFileSync(join(root, 'language/test/fixtures/cascade-expressions.langium'), 'utf8');
    cascade = (await createServicesForGrammar({ grammar })).parser.LangiumParser;
});

/** The AST with containers checked, each node's CST range, and every token's owner. */
function shape(model: AstNode): unknown {
    const node = (n: AstNode): unknown => {
        const out: Record<string, unknown> = { $type: n.$type, $containerProperty: n.$containerProperty, $containerIndex: n.$containerIndex, at: [n.$cstNode?.offset, n.$cstNode?.length] };
        for (const [k, v] of Object.entries(n)) {
            if (k.startsWith('$')) continue;
            const one = (x: unknown): unknown => {
                if (isReference(x)) return { ref: x.$refText };
                if (isAstNode(x)) {
                    expect(x.$container).toBe(n);
                    return node(x);
                }
                return x;
            };
            out[k] = Array.isArray(v) ? v.map(one) : one(v);
        }
        return out;
    };
    const owners: string[] = [];
    for (const c of CstUtils.streamCst(model.$cstNode!)) {
        if (!isLeafCstNode(c) || c.hidden) continue;
        const owner = c.astNode;
        owners.push(`${c.offset}:${c.text}→${owner.$type}@${owner.$cstNode?.offset}+${owner.$cstNode?.length}`);
    }
    return { ast: node(model), owners };
}

function afFiles(dir: string): string[] {
    return readdirSync(dir).flatMap(f => {
        const p = join(dir, f);
        return statSync(p).isDirectory() ? afFiles(p) : f.endsWith('.af') ? [p] : [];
    });
}

const valid: [string, string][] = [
    ...[...afFiles(join(root, 'examples')), ...afFiles(join(root, 'language/test/fixtures'))].map(p => [p.slice(root.length), readFileSync(p, 'utf8')] as [string, string]),
    ['generated, 1,000 lines', generateStrategy(1000) as string],
    ['generated, dense, 300 lines', generateStrategy(300, { density: 'dense' }) as string],
    ['precedence', `strategy P {
  feature a = 1 + 2 * 3 - 4 / 5 * 6 + 7
  feature b = 1 - 2 - 3 < 4 + 5 * 6 == 7 > 8
  signal c = a > 1 and b or not a < 2 and b + 1 >= 3 or a != b and not not b
  signal d = -a * +b[1] - (a + b) * -(a - b) / sma(close + 1, 2 * 3).value
  feature e = if a + 1 > 2 and b then a * 2 + 1 else b / 2 - 1
  feature f = a /* x */ + /* y */ b // z
      * /// w
      close
}`],
];

const broken: [string, string][] = [
    ['an operand missing at the end', 'strategy S { feature f = 1 + 2 * \n}'],
    ['an operand missing in the middle', 'strategy S { feature f = 1 + * 3 < 4\n signal s = f > 1 and or f < 2 }'],
    ['foreign operators', 'strategy S { feature f = sma(close, 10) + \n signal s = f > ( /// doc\n signal t = s && not -f[1] > 2\n rules { when s => target 1% long, buy } }'],
    ['two operators', 'strategy S { feature f = close + + 1 - - 2 * * 3 }'],
];

describe('binary operators parsed flat', () => {
    const ours = services().parser.LangiumParser;

    it.each(valid)('builds the same tree as the precedence cascade on %s', (_name, text) => {
        const a = ours.parse(text), b = cascade.parse(text);
        expect(a.parserErrors.length).toBe(b.parserErrors.length);
        expect(shape(a.value)).toEqual(shape(b.value));
    });

    it.each(broken)('recovers from %s with well-formed trees', (_name, text) => {
        const a = ours.parse(text);
        expect(a.parserErrors.length).toBeGreaterThan(0);
        shape(a.value); // containers checked; every token has an owner
        for (const n of [a.value, ...streamAll(a.value)]) expect(Object.keys(n).filter(k => k.startsWith('more'))).toEqual([]);
    });

    it('rebuilds a chain of 20,000 operands without recursion', () => {
        const text = `strategy S { feature f = ${Array.from({ length: 20_000 }, (_, i) => `${i + 1}`).join(' + ')} * 2 }`;
        const r = ours.parse(text);
        expect(r.parserErrors).toEqual([]);
        // The rightmost operand binds to `* 2`; the rest is a left-leaning chain of `+`.
        const value = (r.value as unknown as { elements: { members: { value: AstNode & Record<string, unknown> }[] }[] }).elements[0]!.members[0]!.value;
        expect(value.operator).toBe('+');
        expect((value.right as Record<string, unknown>).operator).toBe('*');
    });

    it('leaves a chain the parser did not flatten as it is', () => {
        const single = { $type: 'BinaryExpr', left: { $type: 'NumberLit', value: 1 }, operator: '+', right: { $type: 'NumberLit', value: 2 } };
        rebuildOperatorChain(single);
        expect(single).toMatchObject({ left: { value: 1 }, operator: '+', right: { value: 2 } });
    });
});

function streamAll(n: AstNode): AstNode[] {
    const out: AstNode[] = [];
    for (const v of Object.entries(n).filter(([k]) => !k.startsWith('$')).map(([, v]) => v)) {
        for (const x of Array.isArray(v) ? v : [v]) if (isAstNode(x)) out.push(x, ...streamAll(x));
    }
    return out;
}
