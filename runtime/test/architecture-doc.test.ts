/**
 * ARCHITECTURE.md stays true about where things are: every file or folder it names exists.
 * The "Where is …" table names paths from the repository root and is checked strictly; the code
 * map names paths relative to the folder its section is about (`### \`runtime/\``), and a short
 * name there (`loop.ts`, `compiled/broker.ts`) must be a real path under that folder.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Names of files the platform writes at run time (state directory, workspace), not files of this repository. */
const RUNTIME_FILES = new Set(['alphaforge.json', 'daemon.json', 'result.json', 'meta.json', 'admin.token', 'alerts.json', 'audit.log']);

const EXTENSIONS = /\.(ts|js|mjs|cjs|md|json|langium|proto|css|af)$/;

/** The backticked spans of `text` that name a path: a slash or a file extension, no spaces, no placeholders. */
export function pathTokens(text: string): string[] {
    const out: string[] = [];
    for (const m of text.matchAll(/`([^`\n]+)`/g)) {
        const t = m[1]!;
        if (/[\s<>*:(){}=,]/.test(t) || t.startsWith('.') || t.startsWith('/') || t.startsWith('$')) continue;
        if (!t.includes('/') && !EXTENSIONS.test(t)) continue;
        if (t.startsWith('--') || /^https?:/.test(t)) continue;
        out.push(t.replace(/\/$/, ''));
    }
    return out;
}

let files: string[] | undefined;
/** Every file and folder of the repository (sources, docs), as paths from the root. */
function repoPaths(): string[] {
    if (files) return files;
    const acc: string[] = [];
    const walk = (dir: string): void => {
        for (const name of readdirSync(dir)) {
            if (name === 'node_modules' || name === 'out' || name === 'dist' || name.startsWith('.')) continue;
            const p = join(dir, name);
            acc.push(relative(ROOT, p));
            if (statSync(p).isDirectory()) walk(p);
        }
    };
    walk(ROOT);
    return (files = acc);
}

/** Does `token`, named in a section about folder `base` (or none), name a real path? */
export function resolves(token: string, base: string | undefined): boolean {
    if (RUNTIME_FILES.has(token)) return true;
    // Build and test outputs (dist/, out/, screenshots/) exist only once built or run: not checked.
    if (/(^|\/)(dist|out|screenshots)(\/|$)/.test(token)) return true;
    if (existsSync(join(ROOT, token))) return true;
    if (!base) return false;
    if (existsSync(join(ROOT, base, token))) return true;
    return repoPaths().some(p => p.startsWith(`${base}/`) && (p.endsWith(`/${token}`)));
}

interface Named { readonly token: string; readonly line: number; readonly base: string | undefined; readonly strict: boolean }

/** Every path named in the document, with the folder its section is about; the "Where is" table strictly. */
export function namedPaths(doc: string): Named[] {
    const out: Named[] = [];
    let base: string | undefined;
    let strict = false;
    doc.split('\n').forEach((line, i) => {
        const h2 = /^## (.*)/.exec(line);
        if (h2) { strict = h2[1]!.startsWith('Where is'); base = undefined; }
        const h3 = /^### `([^`]+)\/`/.exec(line);
        if (h3) base = h3[1];
        for (const token of pathTokens(line)) out.push({ token, line: i + 1, base: strict ? undefined : base, strict });
    });
    return out;
}

function missing(doc: string): string[] {
    return namedPaths(doc).filter(n => !resolves(n.token, n.base)).map(n => `line ${n.line}: ${n.token}${n.base ? ` (under ${n.base}/)` : ''}`);
}

describe('ARCHITECTURE.md', () => {
    const doc = readFileSync(join(ROOT, 'ARCHITECTURE.md'), 'utf8');

    it('names only paths that exist', () => {
        expect(missing(doc)).toEqual([]);
    });

    it('answers the questions a newcomer asks, each with a path', () => {
        const table = doc.slice(doc.indexOf('## Where is'), doc.indexOf('## Code map'));
        for (const q of ['stops', 'permission matrix', 'Experiment search', 'run pipeline', 'Report rendering', 'AF1xx', 'AF2xx', 'AF3xx', 'AF4xx', 'AF5xx', 'AF6xx']) {
            const row = table.split('\n').find(l => l.includes(q));
            expect(row, q).toBeDefined();
            expect(pathTokens(row!).length, q).toBeGreaterThan(0);
        }
        expect(namedPaths(doc).filter(n => n.strict).length).toBeGreaterThan(40);
    });

    it('catches a stale path, in the table and in the code map', () => {
        const stale = [
            '## Where is …', '| Sources of a text | `runtime/src/daemon/source-workspace.ts` |',
            '## Code map', '### `runtime/` — x', '- `daemon/source-workspace.ts` — gone', '- `compiled/broker.ts` and `loop.ts` — there',
        ].join('\n');
        expect(missing(stale)).toEqual([
            'line 2: runtime/src/daemon/source-workspace.ts',
            'line 5: daemon/source-workspace.ts (under runtime/)',
        ]);
    });
});
