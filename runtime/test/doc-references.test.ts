/**
 * What the product tells its users to read exists: every `docs/….md` an error message, a `--help`
 * text or a comment in the sources names is a file of the repository, and a section named after it
 * (`docs/packs.md § The onchain pack`, sections within sections joined by ` § `) is a heading of
 * that file. Three messages once sent users to docs/data.md, docs/monitoring.md and docs/metrics.md,
 * none of which existed.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** The product's sources (tests may name docs they check, as this one does). */
const SOURCES = ['runtime/src', 'server/src', 'extension/src', 'language/src', 'protocol/src', 'webviews/src', 'bin', 'scripts'];

/** `docs/x.md` and its ` § Section § Sub` (up to a closing bracket, quote or the end of the line). */
const REFERENCE = /docs\/[\w./-]+?\.(?:md|json)(?: § [^)'`"\n]+)?/g;

function sourceFiles(dir: string, acc: string[] = []): string[] {
    for (const name of readdirSync(dir)) {
        if (name === 'node_modules' || name === 'generated' || name.startsWith('.')) continue;
        const p = join(dir, name);
        if (statSync(p).isDirectory()) sourceFiles(p, acc);
        else if (/\.(ts|js|mjs|cjs)$/.test(name)) acc.push(p);
    }
    return acc;
}

/** The headings of a markdown file, lower-cased. */
function headings(file: string): string[] {
    return readFileSync(file, 'utf8').split('\n').filter(l => /^#{1,6} /.test(l)).map(l => l.replace(/^#+ /, '').toLowerCase());
}

/** The references in the sources: "file:line → reference". */
function references(): { where: string; ref: string }[] {
    const out: { where: string; ref: string }[] = [];
    for (const dir of SOURCES) {
        for (const f of sourceFiles(join(ROOT, dir))) {
            readFileSync(f, 'utf8').split('\n').forEach((line, i) => {
                for (const m of line.matchAll(REFERENCE)) out.push({ where: `${relative(ROOT, f)}:${i + 1}`, ref: m[0] });
            });
        }
    }
    return out;
}

describe('documentation the sources refer to', () => {
    const refs = references();

    it('finds the references (the pattern still matches how the sources cite docs)', () => {
        expect(refs.length).toBeGreaterThan(50);
        expect(refs.some(r => r.ref.includes(' § '))).toBe(true);
    });

    it('every docs file named exists, and every section named is a heading of it', () => {
        const wrong: string[] = [];
        for (const { where, ref } of refs) {
            const [file, ...sections] = ref.split(' § ');
            const path = join(ROOT, file!);
            if (!existsSync(path)) {
                wrong.push(`${where}: ${file} does not exist`);
                continue;
            }
            if (!file!.endsWith('.md')) continue;
            const hs = headings(path);
            for (const s of sections) {
                // Cited by its heading, some of its words ("§ Limits at", "§ onchain"), or the heading and then prose
                // on the same line ("§ The order of events in bar t, each emitted by …").
                const name = s.trim().replace(/[.,;:]+$/, '').toLowerCase();
                if (!hs.some(h => h.includes(name) || name.startsWith(h))) wrong.push(`${where}: ${file} has no section "${s.trim()}"`);
            }
        }
        expect(wrong).toEqual([]);
    });
});
