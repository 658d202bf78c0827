/**
 * The structural diff of two strategies (language/src/ir/dag-diff.ts): what was added, removed
 * and changed is reported where it happened (a function swapped, a param's default or range, a
 * setting's value, a rule added), renaming and reordering are no difference, and the result is
 * the same JSON whichever side computes it (deterministic, no names of temporary objects).
 */
import { describe, expect, it } from 'vitest';
import { services } from './helpers.js';
import { loadString } from '../src/workspace/load.js';
import { compileStrategy, isStrategy, type StrategyIr } from '../src/index.js';
import { diffStrategies, formatDagDiff } from '../src/ir/dag-diff.js';
import { DagDiffSchema } from '../../protocol/src/dag-diff.js';

/** The example strategy examples/sma-cross.af, inlined so the test does not depend on the file. */
const SMA_CROSS = `
strategy SmaCross {
  universe: sp:SPX
  timeframe: 1d
  param fast: int = 20 in 5..60 step 5
  param slow: int = 100 in 50..250 step 25
  constraint fast < slow
  feature fastMa = sma(close, fast)
  feature slowMa = sma(close, slow)
  signal enter = crossover(fastMa, slowMa)
  signal leave = crossunder(fastMa, slowMa)
  rules {
    when enter => target 100% long
    when leave => flat
  }
  risk {
    stop_loss: 3 * atr(14)
    max_drawdown: 25% => halt
  }
}
`;

let counter = 0;
async function compile(text: string): Promise<StrategyIr> {
    const { document } = await loadString(services(), text, `memory:///diff/doc${++counter}.af`);
    const s = document.parseResult.value.elements.find(isStrategy);
    if (!s) throw new Error('no strategy');
    const r = compileStrategy(services(), s);
    if (!r.ir) throw new Error(r.errors.map(e => `${e.line}:${e.column} ${e.message}`).join('; '));
    return r.ir;
}
const diff = async (a: string, b: string) => {
    const d = diffStrategies(await compile(a), await compile(b));
    DagDiffSchema.parse(d);
    return d;
};

describe('diffStrategies', () => {
    it('finds no difference between a strategy and itself renamed and reordered', async () => {
        const renamed = SMA_CROSS.replace(/fastMa/g, 'quick').replace(/SmaCross/, 'Renamed')
            .replace('  signal enter = crossover(quick, slowMa)\n  signal leave = crossunder(quick, slowMa)', '  signal leave = crossunder(quick, slowMa)\n  signal enter = crossover(quick, slowMa)');
        const d = await diff(SMA_CROSS, renamed);
        expect(d.sameExact).toBe(true);
        expect(d.summary).toBe('no difference');
        expect(d.added).toEqual([]);
        expect(d.removed).toEqual([]);
        expect(d.changed).toEqual([]);
        expect(d.matched.length).toBe(d.from.nodes);
    });

    it('reports a swapped function where it happened, not on everything downstream', async () => {
        const d = await diff(SMA_CROSS, SMA_CROSS.replace('feature slowMa = sma(close, slow)', 'feature slowMa = ema(close, slow)'));
        expect(d.sameStructure).toBe(false);
        expect(d.structure).toBe('same DAG except sma→ema in one place');
        expect(d.added).toEqual([]);
        expect(d.removed).toEqual([]);
        expect(d.changed).toHaveLength(1);
        expect(d.changed[0]).toMatchObject({ label: 'sma() → ema()', changes: ['fn sma → ema'] });
        expect(d.changed[0]!.names).toContain('slowMa');
        expect(d.params).toEqual([]);
    });

    it('reports parameter defaults and ranges by name, and only the param node as changed', async () => {
        const d = await diff(SMA_CROSS, SMA_CROSS.replace('param fast: int = 20 in 5..60 step 5', 'param fast: int = 10 in 5..80 step 5'));
        expect(d.sameStructure).toBe(true);
        expect(d.sameExact).toBe(false);
        expect(d.params).toEqual([{
            name: 'fast', change: 'changed',
            from: { type: 'int', default: 20, low: 5, high: 60, step: 5 }, to: { type: 'int', default: 10, low: 5, high: 80, step: 5 },
            changes: ['default 20 → 10', 'range 5..60 step 5 → 5..80 step 5'],
        }]);
        expect(d.changed.map(c => c.label)).toEqual(['param fast = 20 in 5..60 → param fast = 10 in 5..80']);
        expect(d.added).toEqual([]);
        expect(d.removed).toEqual([]);
    });

    it('reports a setting value, an added rule and its nodes', async () => {
        const b = SMA_CROSS.replace('max_drawdown: 25% => halt', 'max_drawdown: 30% => halt')
            .replace('    when leave => flat', '    when leave => flat\n    when rsi(close, 14) > 80 => flat');
        const d = await diff(SMA_CROSS, b);
        expect(d.changed.map(c => c.changes)).toContainEqual(['value 0.25 → 0.3']);
        expect(d.sinks).toContainEqual({ sink: 'rule 3', change: 'added', changes: ['flat all'] });
        expect(d.added.map(n => n.label)).toEqual(expect.arrayContaining(['rsi()', '<', '80']));
        expect(d.removed).toEqual([]);
        const text = formatDagDiff(d, { from: 'a.af', to: 'b.af' });
        expect(text).toMatch(/^a\.af → b\.af: adds /);
        expect(text).toContain('+ rsi()');
        expect(text).toContain('~ 0.25 → 0.3');
        expect(text).toContain('+ rule 3: flat all');
    });

    it('reports removed nodes and params, and a changed action', async () => {
        const b = SMA_CROSS.replace('    stop_loss: 3 * atr(14)\n', '').replace('target 100% long', 'target 50% long');
        const d = await diff(SMA_CROSS, b);
        expect(d.removed.map(n => n.label)).toEqual(expect.arrayContaining(['atr()', '×']));
        expect(d.sinks.find(s => s.sink === 'risk.stop_loss')).toEqual({ sink: 'risk.stop_loss', change: 'removed', changes: [] });
        expect(d.changed.map(c => c.label)).toContain('1 → 0.5');
    });

    it('does not pair a removed constant with an unrelated added one of the same type', async () => {
        const b = SMA_CROSS.replace('    stop_loss: 3 * atr(14)\n', '').replace('    when leave => flat', '    when leave => flat\n    when rsi(close, 14) > 80 => flat');
        const d = await diff(SMA_CROSS, b);
        expect(d.removed.map(n => n.label)).toEqual(expect.arrayContaining(['3', 'atr()', '×']));
        expect(d.added.map(n => n.label)).toEqual(expect.arrayContaining(['80', 'rsi()', '<']));
        expect(d.changed).toEqual([]);
    });

    it('is deterministic: the same pair gives the same JSON', async () => {
        const b = SMA_CROSS.replace('sma(close, slow)', 'ema(high, slow)');
        const [x, y] = [await diff(SMA_CROSS, b), await diff(SMA_CROSS, b)];
        expect(JSON.stringify(x)).toBe(JSON.stringify(y));
        expect(x.added.map(n => n.label)).toEqual(['high']);
        expect(x.changed).toEqual([{ from: expect.any(Number), to: expect.any(Number), label: 'sma() → ema()', names: ['slowMa'], changes: ['fn sma → ema', 'input 1 rewired'] }]);
    });
});
