/**
 * The checker, the parameter analysis, the engine and the canonical DAG compute constants with
 * one operation table (language/src/analysis/scalar-ops.ts): on every expression of the table
 * below they give the same value, and the same "no value" for division by zero, 0/0, sqrt(-1),
 * log(0) and overflow.
 */
import { describe, expect, it } from 'vitest';
import { EmptyFileSystem } from 'langium';
import {
    canonicalize, compileStrategy, createAlphaForgeServices, isFeatureDecl, isParamDecl, isStrategy, loadString, type StrategyIr,
} from '../../../language/src/index.js';
import { Checker } from '../../../language/src/analysis/checker.js';
import { evaluate } from '../../../language/src/analysis/params.js';
import type * as ast from '../../../language/src/generated/ast.js';
import { evalScalar } from '../../src/engine/ir-scalar.js';
import { bindParams } from '../../src/engine/params.js';
import { satisfies } from '../../src/engine/param-space.js';

/** [expression over params a = 3 and z = 0, its value by the rule (undefined: no value)]. */
const TABLE: readonly [string, number | boolean | undefined][] = [
    ['1 + 2', 3],
    ['a * 2 - 1', 5],
    ['7 / 2', 3.5],
    ['-a', -3],
    ['1 / 0', undefined],
    ['-1 / 0', undefined],
    ['0 / 0', undefined],
    ['a / z', undefined],
    ['(1 / 0) * 0', undefined],
    ['a - a / z', undefined],
    ['sqrt(-1)', undefined],
    ['sqrt(16)', 4],
    ['log(0)', undefined],
    ['log(-1)', undefined],
    ['log(1)', 0],
    ['1e308 * 10', undefined],
    ['1e308 + 1e308', undefined],
    ['-1e308 - 1e308', undefined],
    ['1e999', undefined],
    ['min(a, 2)', 2],
    ['max(a, z)', 3],
    ['abs(-2.5)', 2.5],
    ['sign(z - a)', -1],
    ['clamp(a, 0, 2)', 2],
    ['clamp(hi=4, x=10, lo=0)', 4],
    ['min(1 / 0, 2)', undefined],
    ['if a > 2 then 1 else 0', 1],
    ['if a > 5 then 1 / 0 else 2', 2],
    ['if a / z > 1 then 1 else 0', undefined],
    ['a > 2 and z == 0', true],
    ['not (a < z)', true],
    ['a / z > 1', undefined],
    ['0 / 0 == 0 / 0', undefined],
    ['sqrt(-1) < 1', undefined],
    ['z == 0 or a / z > 1', undefined],
    ['50%', 0.5],
    ['10 bps * a', 0.003],
];

const SOURCE = `strategy T {
  universe: binance:BTC/USDT
  timeframe: 1h
  param a: int = 3 in 1..5
  param z: int = 0 in 0..2
${TABLE.map(([e], i) => `  feature e${i} = ${e}`).join('\n')}
  rules {
    when close > a + z => target 50% long
  }
}
`;

async function load(): Promise<{ strategy: ast.Strategy; ir: StrategyIr; services: ReturnType<typeof createAlphaForgeServices>['AlphaForge'] }> {
    const services = createAlphaForgeServices(EmptyFileSystem).AlphaForge;
    const { document, diagnostics } = await loadString(services, SOURCE, 'memory:///constants.af');
    expect(diagnostics.filter(d => d.severity === 1)).toEqual([]);
    const strategy = document.parseResult.value.elements.find(isStrategy)!;
    const { ir } = compileStrategy(services, strategy);
    if (!ir) throw new Error('the table does not compile');
    return { strategy, ir, services };
}

describe('one constant evaluator', () => {
    it('the checker, the parameter analysis and the engine agree on every expression of the table', async () => {
        const { strategy, ir, services } = await load();
        const checker = new Checker({ catalogue: services.alphaforge.Catalogue, universeSize: 1 });
        const params = strategy.members.filter(isParamDecl);
        const defaults = new Map(params.map(p => [p, p.name === 'a' ? 3 : 0] as const));
        const values = { a: 3, z: 0 };
        const features = strategy.members.filter(isFeatureDecl);
        const rows = TABLE.map(([text, expected], i) => {
            const feature = features.find(f => f.name === `e${i}`)!;
            return {
                text,
                expected,
                checker: checker.constValue(feature.value),
                analysis: evaluate(feature.value, defaults),
                engine: evalScalar(ir, ir.features[`e${i}`]!, values),
            };
        });
        for (const r of rows) {
            expect({ text: r.text, value: r.checker }).toEqual({ text: r.text, value: r.expected });
            expect({ text: r.text, value: r.analysis }).toEqual({ text: r.text, value: r.expected });
            expect({ text: r.text, value: r.engine }).toEqual({ text: r.text, value: r.expected });
        }
    });

    it('the canonical DAG folds exactly the literal expressions that have a value, to that value', async () => {
        const literal = TABLE.map(([text, expected], i) => ({ text, expected, i })).filter(x => !/\b[az]\b/.test(x.text));
        // Operations only: a literal too large for a double (1e999) is a constant of its own, hashed as text.
        const numeric = literal.filter(x => typeof x.expected !== 'boolean' && !/[<>=]|\band\b|\bor\b|\bnot\b/.test(x.text) && x.text !== '1e999');
        // Make each literal feature live: a rule compares it with the close.
        const source = `strategy D {
  universe: binance:BTC/USDT
  timeframe: 1h
${numeric.map(x => `  feature e${x.i} = ${x.text}`).join('\n')}
  rules {
    when ${numeric.map(x => `close / open > e${x.i}`).join(' or ')} => target 50% long
  }
}
`;
        const services = createAlphaForgeServices(EmptyFileSystem).AlphaForge;
        const { document } = await loadString(services, source, 'memory:///dag.af');
        const { ir } = compileStrategy(services, document.parseResult.value.elements.find(isStrategy)!);
        if (!ir) throw new Error('the literal table does not compile');
        const { dag, nodeOf } = canonicalize(ir, 'exact');
        for (const x of numeric) {
            const node = dag.nodes[nodeOf(ir.features[`e${x.i}`]!)!]!;
            const folded = node.op === 'const' ? node.attrs['value'] : undefined;
            expect({ text: x.text, folded }).toEqual({ text: x.text, folded: x.expected === undefined ? undefined : x.expected });
        }
    });

    it('a constraint without a value excludes nothing, in the analysis and in the engine alike', async () => {
        const services = createAlphaForgeServices(EmptyFileSystem).AlphaForge;
        const { document, diagnostics } = await loadString(services, `strategy C {
  universe: binance:BTC/USDT
  timeframe: 1h
  param fast: int = 2 in 0..3
  param slow: int = 8 in 0..8 step 4
  constraint slow / fast > 3
  rules {
    when close > sma(close, fast + slow + 1) => target 50% long
  }
}
`, 'memory:///constraint.af');
        expect(diagnostics.filter(d => d.code === 'AF404' || d.code === 'AF405')).toEqual([]);
        const strategy = document.parseResult.value.elements.find(isStrategy)!;
        const { ir } = compileStrategy(services, strategy);
        if (!ir) throw new Error('does not compile');
        const analysis = services.alphaforge.Analyzer.analyze(strategy);
        // fast = 0 divides by zero (0/0 with slow = 0): no value, kept by both. 4/1, 8/1 and 8/2 pass; the rest fail.
        const kept = [0, 1, 2, 3].flatMap(fast => [0, 4, 8].map(slow => ({ fast, slow }))).filter(v => satisfies(ir, v));
        expect(kept).toEqual([{ fast: 0, slow: 0 }, { fast: 0, slow: 4 }, { fast: 0, slow: 8 }, { fast: 1, slow: 4 }, { fast: 1, slow: 8 }, { fast: 2, slow: 8 }]);
        expect(analysis.params.gridSize).toBe(kept.length);
        expect(bindParams(ir, { fast: 0 })).toEqual({ fast: 0, slow: 8 });
    });
});
