/**
 * The compiler's diagnostics pinned on real files: every example checks clean, and every file of
 * language/test/fixtures/bad produces exactly the codes its `// expect:` line lists (its own code among them).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { URI } from 'langium';
import { NodeFileSystem } from 'langium/node';
import { describe, expect, it } from 'vitest';
import { createAlphaForgeServices, DIAGNOSTICS, loadFiles } from '../src/index.js';

const root = join(__dirname, '..', '..', 'examples');
const services = createAlphaForgeServices(NodeFileSystem).AlphaForge;
const serious = (ds: readonly { severity?: number; code?: unknown }[]) => ds.filter(d => d.severity === 1 || d.severity === 2).map(d => String(d.code)).sort();

describe('examples', () => {
    const files = readdirSync(root).filter(f => f.endsWith('.af'));

    it('there are at least 10 example strategies', () => {
        expect(files.length).toBeGreaterThanOrEqual(10);
    });

    it('every example checks clean (no errors, no warnings)', async () => {
        const docs = await loadFiles(services, files.map(f => URI.file(join(root, f))));
        for (const d of docs) expect(serious(d.diagnostics), d.document.uri.path).toEqual([]);
    });
});

describe('the lint fixtures (language/test/fixtures/bad)', () => {
    const dir = join(__dirname, 'fixtures', 'bad');
    const files = readdirSync(dir).filter(f => f.endsWith('.af')).sort();

    it('has a file for every code except the warm-up hint', () => {
        const covered = new Set(files.map(f => f.slice(0, 5)));
        for (const d of DIAGNOSTICS) if (d.code !== 'AF501') expect(covered.has(d.code), d.code).toBe(true);
    });

    for (const f of files) {
        it(`${f} produces exactly its expected codes`, async () => {
            const text = readFileSync(join(dir, f), 'utf8');
            const expected = (/^\/\/ expect: (.*)$/m.exec(text)?.[1] ?? '').split(/\s+/).filter(Boolean).sort();
            expect(expected).toContain(f.slice(0, 5));
            const [d] = await loadFiles(services, [URI.file(join(dir, f))]);
            expect(serious(d!.diagnostics)).toEqual(expected);
        });
    }
});
