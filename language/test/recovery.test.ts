import { describe, expect, it } from 'vitest';
import { check } from './helpers.js';

/** A strategy with four independent syntax errors on four lines. */
const BROKEN = `strategy S {
  universe: binance:BTC/USDT
  timeframe: 1h
  feature a = sma(close, 20) +
  signal up = a > > close
  feature ok = close > a
  param p: int = 5 in 1..
  signal fine = close > a
  rules {
    when up => target 100% long
    when fine = flat
  }
}
`;

describe('error recovery', () => {
    it('reports every syntax error of a file, not only the first', async () => {
        const ds = await check(BROKEN);
        const syntax = ds.filter(d => d.code === 'AF001');
        const lines = [...new Set(syntax.map(d => d.range.start.line + 1))].sort((a, b) => a - b);
        // line 5: the dangling `+` of line 4 is noticed at `signal`; line 5 also has `> >`;
        // line 8: the missing range end of line 7 is noticed at `signal`; line 11: `=` instead of `=>`.
        expect(lines).toEqual([5, 8, 11]);
        expect(syntax.length).toBeGreaterThanOrEqual(4);
        for (const d of syntax) expect(d.message).toMatch(/^Syntax error: (expected .+ but found .+|unexpected .+)\.$/);
    });

    it('keeps checking the parts that parsed: a unit error after the syntax errors is still found', async () => {
        const ds = await check(BROKEN.replace('when up => target', 'when up and close > a + 2% => target'));
        expect(ds.map(d => d.code)).toContain('AF202');
    });

    it('does not echo semantic errors on a line the parser had to repair', async () => {
        const ds = await check(`strategy S {
  universe: binance:BTC/USDT
  timeframe: 1h
  feature a = sma(close, 20
  rules {
    when close > a => target 100% long
  }
}
`);
        const byLine = new Map<number, string[]>();
        for (const d of ds) byLine.set(d.range.start.line, [...(byLine.get(d.range.start.line) ?? []), String(d.code)]);
        for (const [, cs] of byLine) if (cs.includes('AF001')) expect(cs.every(c => c === 'AF001')).toBe(true);
    });

    it('an empty file and a file of garbage produce diagnostics, not exceptions', async () => {
        expect(await check('')).toEqual([]);
        const ds = await check('}}}{{{ ))) strategy strategy 1..2 => => %%%');
        expect(ds.some(d => d.code === 'AF001')).toBe(true);
    });
});

describe('validation coverage', () => {
    it('checks are registered only on the node types the document validator visits', async () => {
        const { VALIDATED_TYPES } = await import('../src/validation/document-validator.js');
        const { services } = await import('./helpers.js');
        const registry = services().validation.ValidationRegistry as unknown as { entries: Map<string, unknown[]> };
        const registered = [...registry.entries.keys()];
        expect(registered.length).toBeGreaterThan(0);
        for (const t of registered) expect(VALIDATED_TYPES).toContain(t);
    });

    it('the validator has one Strategy check per concern of the analysis, and each reports exactly its concern', async () => {
        const { CONCERNS } = await import('../src/analysis/analyzer.js');
        const { services } = await import('./helpers.js');
        const { loadString } = await import('../src/workspace/load.js');
        const { document } = await loadString(services(), 'strategy S {\n  universe: binance:BTC/USDT\n  timeframe: 1h\n}\n', 'memory:///concerns.af');
        const strategy = document.parseResult.value.elements[0]!;
        // An analysis whose findings name their concern, to see which check reports which.
        const findings = Object.fromEntries(CONCERNS.map(c => [c, [{ code: 'AF009', node: strategy, message: c }]]));
        const analyzer = services().alphaforge.Analyzer;
        const real = analyzer.analyze.bind(analyzer);
        analyzer.analyze = () => ({ ...real(strategy as never), findings }) as never;
        try {
            const registry = services().validation.ValidationRegistry;
            const reported: string[][] = [];
            for (const check of registry.getChecks('Strategy')) {
                const messages: string[] = [];
                await check(strategy, (_severity, message) => messages.push(message), undefined as never);
                reported.push(messages);
            }
            expect(reported.map(m => m.length)).toEqual(CONCERNS.map(() => 1));
            expect(reported.flat().sort()).toEqual([...CONCERNS].sort());
        } finally {
            analyzer.analyze = real;
        }
    });

    it('every diagnostic carries its code in data, with what its fix needs in the shape the language server reads', async () => {
        const { DIAGNOSTICS } = await import('../src/index.js');
        const { DiagnosticData, FixData } = await import('../src/validation/diagnostic-data.js');
        const { check: checkText } = await import('./helpers.js');
        let fixes = 0;
        for (const [i, d] of DIAGNOSTICS.entries()) {
            for (const diagnostic of await checkText(d.bad, `memory:///data${i}.af`)) {
                const data = DiagnosticData.parse(diagnostic.data);
                expect(data.code).toBe(diagnostic.code);
                if (FixData.safeParse(diagnostic.data).success) fixes++;
            }
        }
        expect(fixes).toBeGreaterThanOrEqual(8);
    });
});
