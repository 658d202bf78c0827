/**
 * The workspace scope over real files: a folder with copies of the examples (and the library one
 * of them imports), indexed from disk and kept current file by file. The usefulness test of the
 * feature: a renamed / reformatted / re-parameterised variant of any example finds the original
 * first, and near variants (a small structural edit) rank above every other strategy.
 */
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimilarMatchSchema, type SimilarMatch } from '../../../protocol/src/daemon/index.js';
import { EMBEDDING_KEY, type StrategyPoint } from '../../../language/src/similarity/strategy-point.js';
import { contentHash, inputsHash, workspaceId } from '../../../language/src/similarity/workspace-points.js';
import { readText, WorkspaceIndex, workspaceFiles, workspaceIndexDir } from '../../src/similarity/workspace-index.js';
import { EXAMPLE_FILES, EXAMPLES, example, pointOfFile, pointsOfFiles, replaceOnce, SMA, SMA_EDITED, SMA_EMA, tempDir, variantOf } from './helpers.js';

/** A fresh root with copies of examples/*.af and examples/lib, and a state dir beside it (not examples/packs: those need their pack enabled). */
function workspace(): { root: string; stateDir: string } {
    const base = tempDir('af-ws-');
    const root = join(base, 'root');
    cpSync(EXAMPLES, root, { recursive: true, filter: src => src !== join(EXAMPLES, 'packs') });
    return { root, stateDir: join(base, 'state') };
}

const strategyName = (file: string): string => /^strategy\s+(\w+)/m.exec(example(file))![1]!;
const declLine = (file: string): number => example(file).split('\n').findIndex(l => /^strategy\s/.test(l));

/** The originals' points, computed from the example files themselves (imports resolved). */
let originals: Map<string, StrategyPoint>;

beforeAll(async () => {
    const all = await pointsOfFiles(EXAMPLE_FILES.map(f => join(EXAMPLES, f)));
    originals = new Map(EXAMPLE_FILES.map(f => {
        const [r] = all.get(join(EXAMPLES, f))!;
        if (!r?.ok) throw new Error(`${f} does not compile`);
        return [f, r.point];
    }));
});

/** What the index answers for every example, as plain data. */
const answers = (ws: WorkspaceIndex): SimilarMatch[][] => EXAMPLE_FILES.map(f => ws.find({ point: originals.get(f)!, self: workspaceId(f, strategyName(f)) }, 4));

describe('WorkspaceIndex', () => {
    it('workspaceFiles lists .af files under the root, leaving out dot-names, node_modules and out', () => {
        const { root } = workspace();
        for (const d of ['.git', 'node_modules/pkg', 'out', 'deep/er']) mkdirSync(join(root, d), { recursive: true });
        for (const f of ['.git/x.af', 'node_modules/pkg/y.af', 'out/z.af', '.hidden.af', 'deep/er/kept.af', 'notes.txt']) writeFileSync(join(root, f), '');
        expect(workspaceFiles(root).map(p => p.slice(root.length + 1))).toEqual([...EXAMPLE_FILES, 'deep/er/kept.af', 'lib/filters.af'].sort());
        expect(workspaceFiles(join(root, 'missing'))).toEqual([]);
        expect(workspaceIndexDir('/s', '/a')).not.toBe(workspaceIndexDir('/s', '/b'));
        expect(workspaceIndexDir('/s', '/a')).toMatch(/^\/s\/similarity\/workspace-[0-9a-f]{12}$/);
    });

    it('reconcileFromDisk indexes every strategy once; an unchanged second reconcile indexes nothing', async () => {
        const { root, stateDir } = workspace();
        const ws = WorkspaceIndex.open({ root, stateDir });
        expect(ws.opened).toEqual({ state: 'empty', reason: 'no index yet' });
        const progress: [number, number][] = [];
        const r = await ws.reconcileFromDisk((done, total) => progress.push([done, total]));
        expect(r).toEqual({ indexed: EXAMPLE_FILES.length + 1, removed: 0, problems: [] }); // + lib/filters.af
        expect(progress).toEqual([[EXAMPLE_FILES.length + 1, EXAMPLE_FILES.length + 1]]);
        expect(ws.size).toBe(EXAMPLE_FILES.length);
        expect(ws.info()).toEqual({ scope: 'workspace', points: EXAMPLE_FILES.length, embeddingVersion: EMBEDDING_KEY, backend: 'hnsw' });
        const hashes = ws.fileHashes();
        for (const f of EXAMPLE_FILES) expect(hashes.get(f)).toBe(inputsHash(join(root, f), example(f), readText));
        expect(hashes.get('sma-cross.af')).toBe(contentHash(example('sma-cross.af'))); // no imports: just its text
        expect(hashes.get('mtf-breakout.af')).not.toBe(contentHash(example('mtf-breakout.af'))); // its library counts too

        expect(await ws.reconcileFromDisk()).toEqual({ indexed: 0, removed: 0, problems: [] });
        // A library edit re-embeds the strategies that import it (their own text did not change).
        const before = ws.fileHashes().get('mtf-breakout.af');
        const lib = join(root, 'lib', 'filters.af');
        writeFileSync(lib, readFileSync(lib, 'utf8').replace('x > sma(x, length)', 'x > ema(x, length)'));
        expect(await ws.reconcileFromDisk()).toEqual({ indexed: 2, removed: 0, problems: [] });
        expect(ws.fileHashes().get('mtf-breakout.af')).not.toBe(before);
        ws.close();
    });

    describe('usefulness', () => {
        let ws: WorkspaceIndex;
        let variants: string;

        beforeAll(async () => {
            const { root, stateDir } = workspace();
            ws = WorkspaceIndex.open({ root, stateDir });
            await ws.reconcileFromDisk();
            // Variants live outside the root (with the library, for the example that imports it).
            variants = join(dirname(root), 'variants');
            cpSync(join(EXAMPLES, 'lib'), join(variants, 'lib'), { recursive: true });
        });

        afterAll(() => ws.close());

        it('every example is indexed at its file and line', () => {
            for (const f of EXAMPLE_FILES) {
                const [self] = ws.find({ point: originals.get(f)! }, 1);
                expect(self).toMatchObject({ scope: 'workspace', strategy: strategyName(f), match: 'identical', similarity: 1, difference: 'identical structure and values' });
                expect(self!.file).toEqual({ path: f, uri: expect.stringMatching(new RegExp(`^file:///.*/root/${f}$`)), line: declLine(f) });
            }
        });

        it.each(EXAMPLE_FILES)('%s: a renamed, reformatted, re-parameterised variant finds the original as its nearest neighbour', async f => {
            const path = join(variants, f);
            writeFileSync(path, variantOf(example(f)));
            const q = await pointOfFile(path);
            expect(q.strategy).toBe(`${strategyName(f)}Variant`);
            const found = ws.find({ point: q }, 5);
            expect(found).toHaveLength(5);
            for (const m of found) SimilarMatchSchema.parse(m);
            expect(found[0]).toMatchObject({
                strategy: strategyName(f), match: 'structure', similarity: 1, difference: 'same structure, different parameter values',
                fingerprints: { structural: originals.get(f)!.fingerprints.structural, exact: [originals.get(f)!.fingerprints.exact] },
                file: { path: f, line: declLine(f) },
            });
            // Everything else is another structure, clearly farther.
            for (const m of found.slice(1)) {
                expect(m.match).toBe('similar');
                expect(m.similarity).toBeLessThan(0.9);
            }
        });

        it.each(EXAMPLE_FILES.filter(f => /^\s*signal\s+\w+\s*=.*$/m.test(example(f))))('%s: a near variant (one more condition) ranks the original above every other strategy', async f => {
            const src = example(f);
            const line = /^\s*signal\s+\w+\s*=.*$/m.exec(src)![0];
            const path = join(variants, `near-${f}`);
            writeFileSync(path, replaceOnce(src, line, `${line} and close > sma(close, 200)`));
            const found = ws.find({ point: await pointOfFile(path) }, EXAMPLE_FILES.length);
            expect(found).toHaveLength(EXAMPLE_FILES.length);
            expect(found[0]).toMatchObject({ file: { path: f }, match: 'similar' });
            expect(found[0]!.difference).toMatch(/^drops (<, )?and(, sma)?$/);
            expect(found[0]!.similarity).toBeGreaterThan(found[1]!.similarity + 0.1);
        });

        it('SmaCross: sma→ema and an extra condition are each nearest to it, described in words', async () => {
            const emaPath = join(variants, 'sma-ema.af');
            writeFileSync(emaPath, SMA_EMA);
            const ema = ws.find({ point: await pointOfFile(emaPath) }, 3);
            expect(ema[0]).toMatchObject({ file: { path: 'sma-cross.af' }, match: 'similar', difference: 'same DAG except ema→sma in one place' });
            expect(ema[0]!.similarity).toBeGreaterThan(ema[1]!.similarity);
            const editedPath = join(variants, 'sma-edited.af');
            writeFileSync(editedPath, SMA_EDITED);
            const edited = ws.find({ point: await pointOfFile(editedPath) }, 3);
            expect(edited[0]).toMatchObject({ file: { path: 'sma-cross.af' }, match: 'similar', difference: 'drops <, and, sma' });
            expect(edited[0]!.similarity).toBeGreaterThan(edited[1]!.similarity);
        });
    });

    it('near variants in the workspace rank above structurally different strategies; the query itself is left out', async () => {
        const { root, stateDir } = workspace();
        mkdirSync(join(root, 'variants'));
        writeFileSync(join(root, 'variants', 'sma-ema.af'), SMA_EMA.replace('strategy SmaCross', 'strategy SmaEma'));
        writeFileSync(join(root, 'variants', 'sma-edited.af'), SMA_EDITED.replace('strategy SmaCross', 'strategy SmaFiltered'));
        writeFileSync(join(root, 'variants', 'sma-copy.af'), variantOf(SMA));
        const ws = WorkspaceIndex.open({ root, stateDir });
        expect((await ws.reconcileFromDisk()).problems).toEqual([]);
        expect(ws.size).toBe(EXAMPLE_FILES.length + 3);

        const found = ws.find({ point: originals.get('sma-cross.af')!, self: workspaceId('sma-cross.af', 'SmaCross') }, 6);
        expect(found[0]).toMatchObject({ file: { path: 'variants/sma-copy.af' }, match: 'structure', similarity: 1 });
        expect(found.slice(1, 3).map(m => [m.file!.path, m.match]).sort()).toEqual([['variants/sma-edited.af', 'similar'], ['variants/sma-ema.af', 'similar']]);
        expect(found.map(m => m.file!.path)).not.toContain('sma-cross.af');
        const nearest = Math.min(found[1]!.similarity, found[2]!.similarity);
        for (const m of found.slice(3)) {
            expect(m.file!.path).not.toMatch(/^variants\//);
            expect(m.similarity).toBeLessThan(nearest);
        }
        // Without `self`, the strategy finds itself first.
        expect(ws.find({ point: originals.get('sma-cross.af')! }, 1)[0]).toMatchObject({ file: { path: 'sma-cross.af' }, match: 'identical' });
        ws.close();
    });

    it('a file edited into a syntax error: problems name the path and line, and its previous points stay', async () => {
        const { root, stateDir } = workspace();
        const ws = WorkspaceIndex.open({ root, stateDir });
        await ws.reconcileFromDisk();
        const before = answers(ws);
        const broken = replaceOnce(SMA, 'signal leave = crossunder(fastMa, slowMa)', 'signal leave = crossunder(fastMa, slowMa');
        writeFileSync(join(root, 'sma-cross.af'), broken);
        const r = await ws.reconcileFromDisk();
        expect(r.indexed).toBe(1);
        expect(r.removed).toBe(0);
        expect(r.problems.length).toBeGreaterThan(0);
        expect(r.problems[0]).toMatchObject({ path: 'sma-cross.af', code: 'AF001', line: broken.split('\n').findIndex(l => l.includes('crossunder(fastMa, slowMa')) + 1 });
        expect(r.problems.every(p => p.path === 'sma-cross.af' && p.code === 'AF001')).toBe(true);
        expect(ws.size).toBe(EXAMPLE_FILES.length);
        expect(answers(ws)).toEqual(before);
        expect(ws.fileHashes().get('sma-cross.af')).toBe(contentHash(SMA));

        // Back to the indexed text: nothing to do.
        writeFileSync(join(root, 'sma-cross.af'), SMA);
        expect(await ws.reconcileFromDisk()).toEqual({ indexed: 0, removed: 0, problems: [] });
        ws.close();
    });

    it('a file edited into a compile error keeps its points (with the new hash); a real edit moves its point', async () => {
        const { root, stateDir } = workspace();
        const ws = WorkspaceIndex.open({ root, stateDir });
        await ws.reconcileFromDisk();
        const before = answers(ws);
        const wrong = replaceOnce(SMA, 'feature slowMa = sma(close, slow)', 'feature slowMa = smaa(close, slow)');
        writeFileSync(join(root, 'sma-cross.af'), wrong);
        const r = await ws.reconcileFromDisk();
        expect(r).toMatchObject({ indexed: 1, removed: 0 });
        expect(r.problems).toEqual([expect.objectContaining({ path: 'sma-cross.af', code: 'AF003', line: wrong.split('\n').findIndex(l => l.includes('smaa')) + 1 })]);
        expect(answers(ws)).toEqual(before);
        expect(ws.fileHashes().get('sma-cross.af')).toBe(contentHash(wrong));
        // The broken file is not read again until it changes.
        expect(await ws.reconcileFromDisk()).toEqual({ indexed: 0, removed: 0, problems: [] });

        writeFileSync(join(root, 'sma-cross.af'), SMA_EDITED);
        expect(await ws.reconcileFromDisk()).toEqual({ indexed: 1, removed: 0, problems: [] });
        const [self] = ws.find({ point: originals.get('sma-cross.af')! }, 1);
        expect(self).toMatchObject({ file: { path: 'sma-cross.af' }, match: 'similar', difference: 'adds <, and, sma' });
        expect(ws.size).toBe(EXAMPLE_FILES.length);
        ws.close();
    });

    it('deleting a file removes its points', async () => {
        const { root, stateDir } = workspace();
        const ws = WorkspaceIndex.open({ root, stateDir });
        await ws.reconcileFromDisk();
        rmSync(join(root, 'donchian-breakout.af'));
        expect(await ws.reconcileFromDisk()).toEqual({ indexed: 0, removed: 1, problems: [] });
        expect(ws.size).toBe(EXAMPLE_FILES.length - 1);
        expect(ws.fileHashes().has('donchian-breakout.af')).toBe(false);
        const found = ws.find({ point: originals.get('donchian-breakout.af')! }, EXAMPLE_FILES.length);
        expect(found).toHaveLength(EXAMPLE_FILES.length - 1);
        expect(found.map(m => m.file!.path)).not.toContain('donchian-breakout.af');
        ws.close();
    });

    it('a file with several strategies: one point each; one removed from the file goes', async () => {
        const { root, stateDir } = workspace();
        const two = `${SMA}\n${SMA_EMA.replace('strategy SmaCross', 'strategy EmaCross')}`;
        writeFileSync(join(root, 'two.af'), two);
        const ws = WorkspaceIndex.open({ root, stateDir });
        await ws.reconcileFromDisk();
        expect(ws.size).toBe(EXAMPLE_FILES.length + 2);
        const ema = ws.find({ point: originals.get('sma-cross.af')!, self: workspaceId('sma-cross.af', 'SmaCross') }, 2);
        expect(ema.map(m => [m.file!.path, m.strategy, m.match])).toEqual([['two.af', 'SmaCross', 'identical'], ['two.af', 'EmaCross', 'similar']]);
        expect(ema[1]!.file!.line).toBe(SMA.split('\n').length + declLine('sma-cross.af'));
        writeFileSync(join(root, 'two.af'), SMA);
        expect(await ws.reconcileFromDisk()).toMatchObject({ indexed: 1, removed: 0 });
        expect(ws.size).toBe(EXAMPLE_FILES.length + 1);
        ws.close();
    });

    it('reopened after close: loaded, the same answers, nothing to re-index', async () => {
        const { root, stateDir } = workspace();
        const ws = WorkspaceIndex.open({ root, stateDir });
        await ws.reconcileFromDisk();
        const before = answers(ws);
        ws.close();
        const again = WorkspaceIndex.open({ root, stateDir });
        expect(again.opened).toEqual({ state: 'loaded', replayed: 0, droppedTornLine: false });
        expect(again.size).toBe(EXAMPLE_FILES.length);
        expect(answers(again)).toEqual(before);
        const r = await again.reconcileFromDisk();
        expect(r.removed).toBe(0);
        expect(r.problems).toEqual([]);
        expect(r.indexed).toBe(1); // the library file only: it has no point to keep its hash across processes
        expect(answers(again)).toEqual(before);
        again.close();
    });

    it('a second index on the same state dir is read-only and leaves the files alone', async () => {
        const { root, stateDir } = workspace();
        const ws = WorkspaceIndex.open({ root, stateDir });
        await ws.reconcileFromDisk();
        ws.close();
        const writer = WorkspaceIndex.open({ root, stateDir });
        const reader = WorkspaceIndex.open({ root, stateDir });
        rmSync(join(root, 'sma-cross.af'));
        expect(await reader.reconcileFromDisk()).toMatchObject({ removed: 1 });
        expect(reader.size).toBe(EXAMPLE_FILES.length - 1);
        reader.close();
        writer.close();
        const again = WorkspaceIndex.open({ root, stateDir });
        expect(again.size).toBe(EXAMPLE_FILES.length);
        again.close();
    });

    it('an index of another embedding version is rebuilt from disk with the same answers', async () => {
        const { root, stateDir } = workspace();
        const ws = WorkspaceIndex.open({ root, stateDir });
        await ws.reconcileFromDisk();
        const before = answers(ws);
        ws.close();
        const metaFile = join(workspaceIndexDir(stateDir, root), 'meta.json');
        writeFileSync(metaFile, JSON.stringify({ ...JSON.parse(readFileSync(metaFile, 'utf8')) as object, version: 'wl-v0/256' }));

        const logs: [string, string][] = [];
        const again = WorkspaceIndex.open({ root, stateDir, log: (level, message) => logs.push([level, message]) });
        expect(again.opened).toEqual({ state: 'stale', reason: `embedding version wl-v0/256 (256 dims) ≠ ${EMBEDDING_KEY} (256 dims)` });
        expect(logs).toEqual([['warn', expect.stringContaining('from another embedding version')]]);
        expect(again.size).toBe(0);
        expect(await again.reconcileFromDisk()).toEqual({ indexed: EXAMPLE_FILES.length + 1, removed: 0, problems: [] });
        expect(answers(again)).toEqual(before);
        again.close();
        expect(JSON.parse(readFileSync(metaFile, 'utf8'))).toMatchObject({ version: EMBEDDING_KEY });
        const third = WorkspaceIndex.open({ root, stateDir });
        expect(third.opened.state).toBe('loaded');
        expect(answers(third)).toEqual(before);
        third.close();
    });
});
