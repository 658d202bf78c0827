/**
 * Compiles a run's .af text to IR in the daemon's main thread. One set of language services is
 * built on first use and kept (building them costs far more than compiling a strategy); compiles
 * run one at a time, each in a clean workspace (the run's text plus the files it imports, read
 * from disk when the spec names a file: URI), which is emptied again afterwards so nothing
 * stale survives into the next run. Any problem becomes a `RunFailure` with one line.
 */
import { URI, type LangiumDocument } from 'langium';
import { NodeFileSystem } from 'langium/node';
import {
    compileStrategy, createAlphaForgeServices, isStrategy, resolveImport, type AlphaForgeServices, type Model, type StrategyIr,
} from '../../../language/src/index.js';
import { Mutex } from './util.js';

/** A run that cannot go on, with the one-line reason recorded on the run. */
export class RunFailure extends Error {
    constructor(message: string) {
        super(message);
        this.name = 'RunFailure';
    }
}

export class RunCompiler {
    private services: AlphaForgeServices | undefined;
    private readonly mutex = new Mutex();
    private counter = 0;

    async compile(source: string, o: { uri?: string; strategy?: string } = {}): Promise<StrategyIr> {
        return this.mutex.run(() => this.compileNow(source, o));
    }

    private async compileNow(source: string, o: { uri?: string; strategy?: string }): Promise<StrategyIr> {
        const services = this.services ??= createAlphaForgeServices(NodeFileSystem).AlphaForge;
        const ws = services.shared.workspace;
        let uri: URI;
        try {
            uri = o.uri ? URI.parse(o.uri) : URI.parse(`memory:///run-${++this.counter}.af`);
        } catch {
            throw new RunFailure(`uri '${o.uri}' is not a URI`);
        }
        const name = uri.scheme === 'file' ? uri.fsPath : o.uri ?? 'source';
        const loaded: LangiumDocument[] = [];
        try {
            const doc = ws.LangiumDocumentFactory.fromString<Model>(source, uri);
            ws.LangiumDocuments.addDocument(doc);
            loaded.push(doc);
            // Imported files, transitively (a missing one is reported on its import statement).
            const queue = importsOf(doc);
            const seen = new Set([uri.toString()]);
            while (queue.length) {
                const u = queue.shift()!;
                if (seen.has(u.toString())) continue;
                seen.add(u.toString());
                try {
                    const d = await ws.LangiumDocuments.getOrCreateDocument(u);
                    loaded.push(d);
                    queue.push(...importsOf(d));
                } catch {
                    // missing import: AF004 on the import statement
                }
            }
            await ws.DocumentBuilder.build([services.alphaforge.Builtins.document(), ...loaded], { validation: true });

            const strategies = doc.parseResult.value.elements.filter(isStrategy);
            const errors = (doc.diagnostics ?? []).filter(d => (d.severity ?? 1) === 1);
            const first = (list: readonly { line: number; column: number; code: string; message: string }[]): string => {
                const e = list[0]!;
                return `${name}:${e.line}:${e.column} ${e.code ? `${e.code} ` : ''}${e.message}${list.length > 1 ? ` (and ${list.length - 1} more error${list.length > 2 ? 's' : ''})` : ''}`;
            };
            const flat = errors.map(d => ({ line: d.range.start.line + 1, column: d.range.start.character + 1, code: String(d.code ?? ''), message: d.message.split('\n')[0]! }));
            let strategy;
            if (o.strategy !== undefined) {
                strategy = strategies.find(s => s.name === o.strategy);
                if (!strategy) {
                    if (flat.length) throw new RunFailure(first(flat));
                    const names = strategies.map(s => s.name).filter(Boolean);
                    throw new RunFailure(`${name}: no strategy '${o.strategy}'${names.length ? `; it has ${names.join(', ')}` : ''}`);
                }
            } else {
                if (strategies.length === 0) throw new RunFailure(flat.length ? first(flat) : `${name}: no strategy to run`);
                if (strategies.length > 1) throw new RunFailure(`${name} has ${strategies.length} strategies (${strategies.map(s => s.name).join(', ')}); say which one to run (strategy)`);
                strategy = strategies[0]!;
            }
            const result = compileStrategy(services, strategy);
            if (!result.ir) throw new RunFailure(result.errors.length ? first(result.errors.map(e => ({ ...e, message: e.message.split('\n')[0]! }))) : `${name}: the strategy does not compile`);
            return result.ir;
        } catch (e) {
            if (e instanceof RunFailure) throw e;
            throw new RunFailure(`${name}: cannot compile: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`);
        } finally {
            if (loaded.length) await ws.DocumentBuilder.update([], loaded.map(d => d.uri)).catch(() => undefined);
        }
    }
}

function importsOf(doc: LangiumDocument): URI[] {
    const model = doc.parseResult.value as Model;
    return (model.imports ?? []).flatMap(i => (i.path ? [resolveImport(doc.uri, i.path)] : []));
}
