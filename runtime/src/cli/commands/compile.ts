import { statSync } from 'node:fs';
import { relative } from 'node:path';
import { URI } from 'langium';
import { collectAfFiles } from '../files.js';
import { CliError } from '../errors.js';
import { withAfFiles } from '../compile-files.js';
import { localLanguage } from '../../language-service/local.js';
import {
    canonicalize, compileStrategy, dagToDot, isStrategy, type IrDiagnostic, type NodeId, type Strategy, type StrategyIr,
} from '../../../../language/src/index.js';

/** `file:line:col code message`, with the file relative to the working directory. */
export function formatIrDiagnostic(d: IrDiagnostic, cwd = process.cwd()): string {
    const uri = URI.parse(d.uri);
    const file = uri.scheme === 'file' ? relative(cwd, uri.fsPath) || uri.fsPath : d.uri;
    return `${file}:${d.line}:${d.column} ${d.code} ${d.message}`;
}

/** Picks the strategy of a file: the only one, or the one named by --strategy. */
export function selectStrategy(file: string, strategies: readonly Strategy[], name: string | undefined): Strategy {
    const names = strategies.map(s => s.name).filter(Boolean);
    if (name !== undefined) {
        const s = strategies.find(x => x.name === name);
        if (!s) throw new CliError(`${file}: no strategy '${name}'${names.length ? `; it has ${names.join(', ')}` : ''}`);
        return s;
    }
    if (strategies.length === 0) throw new CliError(`${file}: no strategy to compile`);
    if (strategies.length > 1) throw new CliError(`${file} has ${strategies.length} strategies (${names.join(', ')}); choose one with --strategy NAME`);
    return strategies[0]!;
}

/** Loads one .af file and compiles one of its strategies; prints the errors and returns undefined when it cannot. */
export async function compileFile(file: string, strategyName: string | undefined, out: (s: string) => void): Promise<StrategyIr | undefined> {
    const paths = collectAfFiles([file]); // checks that it exists and is an .af file
    const path = paths[0];
    if (!path || paths.length > 1 || statSync(file).isDirectory()) throw new CliError(`${file}: compile takes one .af file, not a directory`);
    return withAfFiles([path], ([doc], services): StrategyIr | undefined => {
        if (!doc) throw new CliError(`${file}: could not be loaded`);
        const strategies = doc.document.parseResult.value.elements.filter(isStrategy);
        const strategy = strategies.length === 0 && strategyName === undefined && doc.diagnostics.some(d => d.severity === 1)
            ? undefined // a syntax error can hide the strategy: report the errors instead
            : selectStrategy(file, strategies, strategyName);
        const result = strategy ? compileStrategy(services, strategy) : undefined;
        if (!result?.ir) {
            const errors = result?.errors ?? doc.diagnostics.filter(d => d.severity === 1).map(d => ({
                uri: doc.document.uri.toString(), line: d.range.start.line + 1, column: d.range.start.character + 1, code: String(d.code ?? ''), message: d.message,
            }));
            for (const e of errors) out(`${formatIrDiagnostic(e)}\n`);
            out(`${file}: ${errors.length} error${errors.length === 1 ? '' : 's'}; nothing compiled\n`);
            return undefined;
        }
        return result.ir;
    });
}

export async function compileCommand(file: string, opts: { ir?: boolean; dag?: boolean; dot?: boolean; strategy?: string }, out: (s: string) => void): Promise<number> {
    const chosen = (['ir', 'dag', 'dot'] as const).filter(k => opts[k]);
    if (chosen.length > 1) throw new CliError(`choose one of --ir, --dag, --dot (got ${chosen.map(c => `--${c}`).join(', ')})`);
    const ir = await compileFile(file, opts.strategy, out);
    if (!ir) return 1;
    if (opts.dag || opts.dot) {
        const { dag, nodeOf } = canonicalize(ir, 'exact', { catalogue: localLanguage().warm().alphaforge.Catalogue });
        if (opts.dag) {
            out(`${JSON.stringify(dag, null, 2)}\n`);
        } else {
            // The DAG has no names; label its nodes with the features and signals they come from.
            const names = new Map<NodeId, string[]>();
            for (const [name, id] of [...Object.entries(ir.features), ...Object.entries(ir.signals)]) {
                const n = nodeOf(id);
                if (n !== undefined) names.set(n, [...(names.get(n) ?? []), name]);
            }
            out(dagToDot(dag, { names, title: ir.strategy }));
        }
        return 0;
    }
    out(`${JSON.stringify(ir, null, 2)}\n`);
    return 0;
}
