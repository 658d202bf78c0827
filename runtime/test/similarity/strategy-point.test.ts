/**
 * A strategy's point (fingerprints, embedding, signature) from a source text: names, layout and
 * parameter values do not move it; syntax and compile errors come back as problems with 1-based
 * lines, never as a point.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EMBEDDING_VERSION } from '../../../language/src/index.js';
import { EMBEDDING_DIMS, EMBEDDING_KEY, type PointResult } from '../../../language/src/similarity/strategy-point.js';
import { pointFromSource } from '../../src/language-service/local.js';
import { EXAMPLE_FILES, LINT_FIXTURES, example, point, SMA, SMA_EDITED, SMA_RENAMED, SMA_VALUES, variantOf } from './helpers.js';

/** Examples that stand alone (mtf-breakout imports lib/filters.af, which a bare source cannot). */
const STANDALONE = EXAMPLE_FILES.filter(f => !/^import /m.test(example(f)));

const errorsOf = (r: PointResult): readonly { line: number; column: number; code: string; message: string }[] => {
    if (r.ok) throw new Error(`expected errors, got a point for ${r.point.strategy}`);
    return r.errors;
};

describe('pointFromSource', () => {
    it('the embedding key names the embedding version and dims', () => {
        expect(EMBEDDING_KEY).toBe(`wl-v${EMBEDDING_VERSION}/${EMBEDDING_DIMS}`);
        expect(EMBEDDING_DIMS).toBe(256);
    });

    it('covers at least nine standalone examples', () => {
        expect(STANDALONE.length).toBeGreaterThanOrEqual(9);
    });

    it.each(STANDALONE)('%s: a point with the strategy name, its 0-based line, fingerprints, a non-zero vector and a signature', async file => {
        const src = example(file);
        const p = await point(src);
        const decl = src.split('\n').findIndex(l => /^strategy\s/.test(l));
        expect(p.strategy).toBe(/^strategy\s+(\w+)/m.exec(src)![1]);
        expect(p.line).toBe(decl);
        expect(p.fingerprints.exact).toMatch(/^[0-9a-f]{16,}$/);
        expect(p.fingerprints.structural).toMatch(/^[0-9a-f]{16,}$/);
        expect(p.fingerprints.exact).not.toBe(p.fingerprints.structural);
        expect(p.vector).toHaveLength(EMBEDDING_DIMS);
        expect(p.vector.every(Number.isFinite)).toBe(true);
        expect(p.vector.some(x => x !== 0)).toBe(true);
        expect(Object.keys(p.signature).length).toBeGreaterThan(5);
        expect(Object.values(p.signature).every(n => Number.isInteger(n) && n > 0)).toBe(true);
        // The same text gives the same point every time.
        expect(await point(src)).toEqual(p);
    });

    it.each(STANDALONE)('%s: a renamed, reordered, reformatted, re-parameterised variant has the same structure and vector', async file => {
        const a = await point(example(file));
        const v = await point(variantOf(example(file)));
        expect(v.strategy).toBe(`${a.strategy}Variant`);
        expect(v.fingerprints.structural).toBe(a.fingerprints.structural);
        expect(v.fingerprints.exact).not.toBe(a.fingerprints.exact); // the defaults moved
        expect(v.vector).toEqual(a.vector);
        expect(v.signature).toEqual(a.signature);
    });

    it('SmaCross renamed, reordered and reformatted (same values) has equal fingerprints and vector', async () => {
        const a = await point(SMA);
        const b = await point(SMA_RENAMED);
        expect(a.strategy).toBe('SmaCross');
        expect(b.strategy).toBe('TwoAverages');
        expect(b.line).toBe(0);
        expect(b.fingerprints).toEqual(a.fingerprints);
        expect(b.vector).toEqual(a.vector);
        expect(b.signature).toEqual(a.signature);
        const v = await point(SMA_VALUES);
        expect(v.fingerprints.structural).toBe(a.fingerprints.structural);
        expect(v.fingerprints.exact).not.toBe(a.fingerprints.exact);
        expect(v.vector).toEqual(a.vector);
        // A structural edit moves everything.
        const e = await point(SMA_EDITED);
        expect(e.fingerprints.structural).not.toBe(a.fingerprints.structural);
        expect(e.vector).not.toEqual(a.vector);
    });

    it('picks the named strategy of several (default: the first)', async () => {
        const two = `${SMA}\n${SMA_RENAMED}`;
        expect((await point(two)).strategy).toBe('SmaCross');
        const second = await point(two, 'TwoAverages');
        expect(second.strategy).toBe('TwoAverages');
        expect(second.line).toBe(SMA.split('\n').length);
        expect(errorsOf(await pointFromSource(two, 'Nope'))).toEqual([{ line: 1, column: 1, code: 'AF000', message: 'no strategy named Nope (it has SmaCross, TwoAverages)' }]);
        expect(errorsOf(await pointFromSource('  \n'))).toEqual([{ line: 1, column: 1, code: 'AF000', message: 'no strategy in the source' }]);
        expect(errorsOf(await pointFromSource('def f(x) = x + 1\n'))[0]!.code).toBe('AF000');
    });

    it('syntax errors are AF001 problems with 1-based lines and columns', async () => {
        const parser = errorsOf(await pointFromSource('strategy Broken {\n  universe: sp:SPX\n  timeframe: 1d\n  signal s = (close\n}'));
        expect(parser.length).toBeGreaterThan(0);
        expect(parser.every(e => e.code === 'AF001')).toBe(true);
        expect(parser[0]).toMatchObject({ line: 5, column: 1, code: 'AF001' });
        expect(parser[0]!.message).toMatch(/\)/);

        const lexer = errorsOf(await pointFromSource('strategy Broken {\n  universe: sp:SPX\n  timeframe: 1d\n  signal s = close ¤ 2\n  rules { when s => flat }\n}'));
        expect(lexer.every(e => e.code === 'AF001')).toBe(true);
        expect(lexer[0]).toMatchObject({ line: 4, code: 'AF001' });

        const bad = readFileSync(`${LINT_FIXTURES}AF001-syntax-error.af`, 'utf8');
        expect(errorsOf(await pointFromSource(bad))).toEqual([expect.objectContaining({ line: 6, column: 19, code: 'AF001' })]);
    });

    it('compile errors come back with their codes and 1-based positions', async () => {
        const unknown = errorsOf(await pointFromSource('strategy Broken {\n  universe: sp:SPX\n  timeframe: 1d\n  signal s = nosuchfn(close)\n  rules { when s => flat }\n}'));
        expect(unknown).toEqual([{ line: 4, column: 14, code: 'AF003', message: expect.stringMatching(/^Unknown name 'nosuchfn'/) }]);
        // The bad examples: each fails with the error it demonstrates, where the file has it.
        const cases: [string, string, number, number][] = [
            ['AF002-duplicate-name.af', 'AF002', 7, 11],
            ['AF003-unknown-name.af', 'AF003', 7, 18],
            ['AF101-lookahead-negative-look-back-index.af', 'AF101', 7, 16],
            ['AF201-type-mismatch.af', 'AF201', 7, 10],
            ['AF203-wrong-number-of-arguments.af', 'AF203', 7, 18],
            ['AF208-bad-setting-value.af', 'AF208', 10, 11],
            ['AF401-parameter-default-outside-its-range.af', 'AF401', 6, 18],
        ];
        for (const [file, code, line, column] of cases) {
            const errors = errorsOf(await pointFromSource(readFileSync(`${LINT_FIXTURES}${file}`, 'utf8')));
            expect(errors, file).toContainEqual(expect.objectContaining({ code, line, column }));
        }
        // The AF003 case points at the misspelt name itself.
        const af003 = readFileSync(`${LINT_FIXTURES}AF003-unknown-name.af`, 'utf8').split('\n');
        expect(af003[6]!.indexOf('smaa') + 1).toBe(18);
        // A standalone source cannot import: the import is reported, not resolved.
        const mtf = errorsOf(await pointFromSource(example('mtf-breakout.af')));
        expect(mtf.map(e => e.code)).toContain('AF004');
    });

    it('concurrent calls share one workspace but do not mix their sources', async () => {
        const sources = [SMA, SMA_EDITED, SMA_RENAMED, 'strategy X {', ...STANDALONE.map(example)];
        const sequential: PointResult[] = [];
        for (const s of sources) sequential.push(await pointFromSource(s));
        expect(await Promise.all(sources.map(s => pointFromSource(s)))).toEqual(sequential);
    });
});
