/**
 * The import graph between the folders (modules) of a source tree, for the boundary tests: every
 * static (`import … from`, `export … from`, `import '…'`) and dynamic (`import('…')`) relative
 * import of every .ts file, resolved to the folder it lands in. A small regex walker: comments are
 * stripped first so a documented example is not an edge; worker scripts loaded by URL are not imports.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

/** One import of one file by another, as paths relative to the root (`data/load.ts`). */
export interface ImportEdge {
    readonly from: string;
    readonly to: string;
}

/** Folder → folder, with the file imports that make each edge. */
export type FolderGraph = Map<string, Map<string, ImportEdge[]>>;

const SPECIFIER = /\b(?:import|export)\s+(?:type\s+)?(?:[\w*{}\s,$]+?\s+from\s+)?['"](\.{1,2}\/[^'"]+)['"]|\bimport\s*\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g;

function tsFiles(dir: string): string[] {
    return readdirSync(dir, { withFileTypes: true }).flatMap(e => {
        const p = join(dir, e.name);
        if (e.isDirectory()) return tsFiles(p);
        return e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [p] : [];
    });
}

/** The text without block and line comments (strings that contain `//`, such as URLs, keep the rest of their line). */
function withoutComments(text: string): string {
    return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
}

/** The relative specifiers a file imports, statically or dynamically. */
export function importsOf(text: string): string[] {
    return [...withoutComments(text).matchAll(SPECIFIER)].map(m => (m[1] ?? m[2])!);
}

/** The module (top folder under the root) of a root-relative path; files at the top are their own module. */
export function moduleOf(path: string): string {
    const parts = path.split(/[\\/]/);
    return parts.length > 1 ? parts[0]! : parts[0]!.replace(/\.ts$/, '');
}

/** The folder graph of `root`: an edge a → b for every file of a that imports a file of b (a ≠ b). Imports leaving the root are ignored. */
export function folderGraph(root: string): FolderGraph {
    const graph: FolderGraph = new Map();
    const base = resolve(root);
    for (const file of tsFiles(base)) {
        const from = relative(base, file).split(sep).join('/');
        for (const spec of importsOf(readFileSync(file, 'utf8'))) {
            const target = relative(base, resolve(dirname(file), spec)).split(sep).join('/').replace(/\.js$/, '.ts');
            if (target.startsWith('../') || target === '..') continue;
            const a = moduleOf(from), b = moduleOf(target);
            if (a === b) continue;
            const out = graph.get(a) ?? new Map<string, ImportEdge[]>();
            graph.set(a, out);
            const edges = out.get(b) ?? [];
            out.set(b, edges);
            edges.push({ from, to: target });
        }
    }
    return graph;
}

/**
 * The cycles between folders: one per strongly connected component with more than one folder,
 * as the folders in order around one cycle through it (the first repeated at the end).
 */
export function folderCycles(graph: FolderGraph): string[][] {
    const nodes = [...new Set([...graph.keys(), ...[...graph.values()].flatMap(m => [...m.keys()])])].sort();
    const index = new Map<string, number>(), low = new Map<string, number>(), onStack = new Set<string>();
    const stack: string[] = [];
    const components: string[][] = [];
    let next = 0;
    const connect = (v: string): void => {
        index.set(v, next);
        low.set(v, next++);
        stack.push(v);
        onStack.add(v);
        for (const w of [...(graph.get(v)?.keys() ?? [])].sort()) {
            if (!index.has(w)) {
                connect(w);
                low.set(v, Math.min(low.get(v)!, low.get(w)!));
            } else if (onStack.has(w)) {
                low.set(v, Math.min(low.get(v)!, index.get(w)!));
            }
        }
        if (low.get(v) === index.get(v)) {
            const c: string[] = [];
            let w: string;
            do {
                w = stack.pop()!;
                onStack.delete(w);
                c.push(w);
            } while (w !== v);
            if (c.length > 1) components.push(c.sort());
        }
    };
    for (const v of nodes) if (!index.has(v)) connect(v);
    return components.map(c => cycleThrough(graph, c));
}

/** A cycle through the first folder of a strongly connected component, staying inside it (breadth first: a shortest one). */
function cycleThrough(graph: FolderGraph, component: readonly string[]): string[] {
    const inside = new Set(component);
    const start = component[0]!;
    const previous = new Map<string, string>();
    const queue = [start];
    while (queue.length) {
        const v = queue.shift()!;
        for (const w of [...(graph.get(v)?.keys() ?? [])].sort()) {
            if (!inside.has(w)) continue;
            if (w === start) {
                const path = [v];
                while (path[0] !== start) path.unshift(previous.get(path[0]!)!);
                return [...path, start];
            }
            if (!previous.has(w)) {
                previous.set(w, v);
                queue.push(w);
            }
        }
    }
    return [start];
}

/** A cycle as text: the folders, then each edge with the file imports that make it. */
export function describeCycle(graph: FolderGraph, cycle: readonly string[]): string {
    const lines = [cycle.join(' → ')];
    for (let i = 0; i + 1 < cycle.length; i++) {
        const edges = graph.get(cycle[i]!)?.get(cycle[i + 1]!) ?? [];
        lines.push(`  ${cycle[i]} → ${cycle[i + 1]}: ${edges.map(e => `${e.from} → ${e.to}`).join(', ')}`);
    }
    return lines.join('\n');
}

/** The folders each folder imports, sorted: `module → modules` lines (for reports and the architecture notes). */
export function describeGraph(graph: FolderGraph): string[] {
    return [...graph.keys()].sort().map(a => `${a} → ${[...graph.get(a)!.keys()].sort().join(', ')}`);
}
