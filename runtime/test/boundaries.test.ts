/**
 * The repository's boundaries, checked in CI. Module cycles: the folders of runtime/src import
 * each other without a cycle (the store core at the bottom imports no other module; the schema
 * registry above the modules assembles their migrations), and the check is proven to fail on a
 * fixture tree with a deliberate cycle (runtime/test/fixtures/cycle).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { describeCycle, describeGraph, folderCycles, folderGraph, importsOf } from './support/import-graph.js';

const SRC = fileURLToPath(new URL('../src', import.meta.url));
const FIXTURE = fileURLToPath(new URL('./fixtures/cycle/src', import.meta.url));

describe('module cycles', () => {
    it('runtime/src has no import cycle between its folders', () => {
        const graph = folderGraph(SRC);
        const cycles = folderCycles(graph).map(c => describeCycle(graph, c));
        expect(cycles, `import cycles between folders of runtime/src:\n${cycles.join('\n')}\n\nfolder graph:\n${describeGraph(graph).join('\n')}`).toEqual([]);
    });

    it('the store core imports no other runtime module, and each module\'s schema.ts only the store\'s types', () => {
        const graph = folderGraph(SRC);
        expect([...(graph.get('store')?.entries() ?? [])].map(([to, edges]) => `store → ${to}: ${edges.map(e => `${e.from} → ${e.to}`).join(', ')}`)).toEqual([]);
        for (const module of ['data', 'iam', 'orchestrator', 'experiments']) {
            const imports = importsOf(readFileSync(fileURLToPath(new URL(`../src/${module}/schema.ts`, import.meta.url)), 'utf8'));
            expect(imports, `${module}/schema.ts`).toEqual(['../store/migrations.js']);
        }
    });

    it('fails on a tree with a deliberate cycle, naming its edges file by file', () => {
        const graph = folderGraph(FIXTURE);
        const cycles = folderCycles(graph);
        // Static, dynamic and type-only imports all count; comments and imports inside a folder do not.
        expect(cycles).toEqual([['alpha', 'beta', 'gamma', 'alpha']]);
        expect(describeCycle(graph, cycles[0]!).split('\n')).toEqual([
            'alpha → beta → gamma → alpha',
            '  alpha → beta: alpha/a.ts → beta/b.ts',
            '  beta → gamma: beta/b.ts → gamma/g.ts',
            '  gamma → alpha: gamma/g.ts → alpha/types.ts',
        ]);
        expect(describeGraph(graph)).toEqual(['alpha → beta', 'beta → gamma', 'delta → alpha', 'gamma → alpha']);
    });
});
