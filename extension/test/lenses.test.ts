/**
 * Code-lens placement: one row above each strategy, at the `strategy` keyword, over the real
 * examples (checked against the language library's own parse) and over texts that try to fool
 * the scanner (the word in comments and strings, nested braces, several strategies, errors).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { EmptyFileSystem } from 'langium';
import { describe, expect, it } from 'vitest';
import { createAlphaForgeServices, isStrategy, loadString, type Model } from '../../language/src/index.js';
import { LENSES, lensPlacements, scanStrategies, strategyAt } from '../src/strategy-scan.js';

const root = resolve(__dirname, '..', '..');
const services = createAlphaForgeServices(EmptyFileSystem).AlphaForge;

function afFiles(dir: string): string[] {
    return readdirSync(dir, { withFileTypes: true }).flatMap(e => (e.isDirectory() ? afFiles(join(dir, e.name)) : e.name.endsWith('.af') ? [join(dir, e.name)] : []));
}

/** The strategies as the parser sees them: name and the position of the `strategy` keyword. */
async function parsed(text: string): Promise<{ name: string; line: number; character: number }[]> {
    const { document } = await loadString(services, text);
    return (document.parseResult.value as Model).elements.filter(isStrategy).map(s => {
        const start = s.$cstNode!.range.start;
        return { name: s.name, line: start.line, character: start.character };
    });
}

describe('lens placement', () => {
    const files = afFiles(join(root, 'examples'));

    it('covers the examples', () => {
        expect(files.length).toBeGreaterThanOrEqual(10);
    });

    it.each(files.map(f => [f.slice(root.length + 1), f]))('%s: one row per strategy, where the parser puts it', async (_name, file) => {
        const text = readFileSync(file, 'utf8');
        const want = await parsed(text);
        const got = lensPlacements(text);
        expect(got.map(p => ({ name: p.strategy.name, line: p.strategy.line, character: p.strategy.character }))).toEqual(want);
        for (const p of got) {
            expect(p.commands.map(c => c.title)).toEqual(['▶ Backtest', 'Sweep', 'Walk-forward', 'Show DAG', 'Find similar', 'Paper trade']);
            expect(text.split('\n')[p.strategy.line]!.slice(p.strategy.character)).toMatch(/^strategy\s/);
        }
    });

    it('the lens row is the five commands of the issue, in order', () => {
        expect(LENSES.map(l => l.command)).toEqual(['alphaforge.backtest', 'alphaforge.sweep', 'alphaforge.walkforward', 'alphaforge.showDag', 'alphaforge.findSimilar', 'alphaforge.paperTrade']);
    });

    it('finds several strategies and their extents, ignoring comments, strings and nested blocks', async () => {
        const text = [
            '// strategy NotThis {',
            '/* strategy NorThis { } */',
            'import "strategy Fake.af"',
            'def f(x) = x',
            '/// Doc comment mentioning strategy Doc',
            'strategy First {',
            '  universe: binance:BTC/USDT',
            '  timeframe: 1h',
            '  rules {',
            '    when close > sma(close, 10) => target 100% long',
            '  }',
            '}',
            '',
            '  strategy   Second{',
            '  universe: sp:SPX',
            '  timeframe: 1d',
            '  risk { stop_loss: 2% }',
            '}',
        ].join('\n');
        const s = scanStrategies(text);
        expect(s).toEqual([
            { name: 'First', line: 5, character: 0, endLine: 11 },
            { name: 'Second', line: 13, character: 2, endLine: 17 },
        ]);
        expect((await parsed(text)).map(x => [x.name, x.line, x.character])).toEqual([['First', 5, 0], ['Second', 13, 2]]);
    });

    it('keeps lenses on a strategy whose braces are not closed yet (typing)', () => {
        const text = 'strategy A {\n  universe: sp:SPX\n  rules {\n    when x => flat\n';
        expect(scanStrategies(text)).toEqual([{ name: 'A', line: 0, character: 0, endLine: 4 }]);
        expect(scanStrategies('strategy B\nstrategy C {\n}')).toEqual([
            { name: 'B', line: 0, character: 0, endLine: 1 },
            { name: 'C', line: 1, character: 0, endLine: 2 },
        ]);
        expect(scanStrategies('')).toEqual([]);
        expect(scanStrategies('strategy')).toEqual([]);
        expect(scanStrategies('mystrategy X {}')).toEqual([]);
    });

    it('a cursor means the strategy around it, else the one above, else the first', () => {
        const s = scanStrategies('\n\nstrategy A {\n}\n\nstrategy B {\n  x\n}\n');
        expect(strategyAt(s, 0)?.name).toBe('A');
        expect(strategyAt(s, 3)?.name).toBe('A');
        expect(strategyAt(s, 4)?.name).toBe('A');
        expect(strategyAt(s, 6)?.name).toBe('B');
        expect(strategyAt(s, 100)?.name).toBe('B');
        expect(strategyAt([], 1)).toBeUndefined();
    });
});
