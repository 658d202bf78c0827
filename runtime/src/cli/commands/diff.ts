/**
 * `af diff A B`: the structural difference of two strategies' canonical DAGs (added, removed and
 * changed nodes, params, rules and settings) in words, or as JSON with --json — the same JSON as
 * the daemon's lang.diff, the language server's alphaforge/diff and the MCP tool `diff`, because
 * all of them call language/src/ir/dag-diff.ts. Each side is a file (FILE or FILE#Strategy), a
 * registry version (NAME@VERSION) or a run id. Two files are compared here, without a daemon;
 * anything else goes to the daemon (lang.diff), which reads runs and registry versions of your
 * team only.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type DagDiff, type DiffSide } from '../../../../protocol/src/daemon/index.js';
import { compileStrategy, diffStrategies, formatDagDiff, isStrategy, type StrategyIr } from '../../../../language/src/index.js';
import { withAfFiles } from '../compile-files.js';
import { CliError } from '../errors.js';
import { formatIrDiagnostic } from './compile.js';
import { connect, remote, type ConnectOptions } from './daemon.js';
import { parseRef } from './registry.js';

type Side =
    | { readonly kind: 'file'; readonly path: string; readonly strategy?: string }
    | { readonly kind: 'registry'; readonly name: string; readonly version: number }
    | { readonly kind: 'run'; readonly id: string };

/** FILE[#Strategy] when it names a file (or ends in .af), NAME@VERSION, else a run id. */
export function parseSide(text: string): Side {
    const hash = text.lastIndexOf('#');
    const [file, strategy] = hash > 0 ? [text.slice(0, hash), text.slice(hash + 1)] : [text, undefined];
    if (existsSync(file) || /\.af$/i.test(file)) {
        if (!existsSync(file)) throw new CliError(`${file}: no such file`);
        if (strategy === '') throw new CliError(`'${text}': write FILE#Strategy with the strategy's name after #`);
        return { kind: 'file', path: file, ...(strategy !== undefined ? { strategy } : {}) };
    }
    if (text.includes('@')) {
        const r = parseRef(text);
        return { kind: 'registry', name: r.name, version: r.version! };
    }
    if (!/^[A-Za-z0-9_.:-]{1,128}$/.test(text)) throw new CliError(`'${text}' is not a file, a NAME@VERSION or a run id (af runs ls lists runs)`);
    return { kind: 'run', id: text };
}

/** The IR of one strategy of a file (the only one, or the one named), or a CliError naming the file and line. */
async function compileFile(path: string, strategy: string | undefined): Promise<StrategyIr> {
    return withAfFiles([resolve(path)], (docs, services) => {
        const doc = docs[0]!;
        const all = doc.document.parseResult.value.elements.filter(isStrategy);
        const s = strategy !== undefined ? all.find(x => x.name === strategy) : all[0];
        if (!s) throw new CliError(strategy !== undefined ? `${path}: no strategy '${strategy}'; it has ${all.map(x => x.name).join(', ') || 'none'}` : `${path}: no strategy`);
        if (strategy === undefined && all.length > 1) throw new CliError(`${path} has ${all.length} strategies (${all.map(x => x.name).join(', ')}); say which with ${path}#${all[0]!.name}`);
        const r = compileStrategy(services, s);
        if (!r.ir) throw new CliError(`${path} does not compile:\n${r.errors.map(e => `  ${formatIrDiagnostic(e)}`).join('\n')}`);
        return r.ir;
    });
}

function wire(side: Side): DiffSide {
    switch (side.kind) {
        case 'file': return { source: readFileSync(side.path, 'utf8'), uri: pathToFileURL(resolve(side.path)).href, ...(side.strategy !== undefined ? { strategy: side.strategy } : {}) };
        case 'registry': return { registry: { name: side.name, version: side.version } };
        case 'run': return { runId: side.id };
    }
}

export async function diffCommand(a: string, b: string, o: ConnectOptions, out: (s: string) => void): Promise<number> {
    const from = parseSide(a), to = parseSide(b);
    let d: DagDiff;
    if (from.kind === 'file' && to.kind === 'file') {
        d = diffStrategies(await compileFile(from.path, from.strategy), await compileFile(to.path, to.strategy));
    } else {
        d = await remote(() => connect(o).call('lang.diff', { from: wire(from), to: wire(to) }));
    }
    out(o.json ? `${JSON.stringify(d, null, 2)}\n` : formatDagDiff(d, { from: a, to: b }));
    return 0;
}
