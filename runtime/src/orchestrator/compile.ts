/**
 * Compiles a run's .af text to IR in the daemon's main thread. One set of language services is
 * built on first use and kept (building them costs far more than compiling a strategy); compiles
 * run one at a time, each in a clean workspace (the run's text plus the files it imports, read
 * from disk when the spec names a file: URI), which is emptied again afterwards so nothing
 * stale survives into the next run. Any problem becomes a `RunFailure` with one line.
 *
 * The IR of a text that imports nothing depends on nothing but the text, its URI and the strategy
 * chosen: it is kept (the last `cacheSize`), so the hundreds of runs a client submits for one
 * strategy are parsed and validated once. Texts with imports are compiled every time (the files
 * they import may have changed). A cached IR is shared: it is never changed after compiling.
 */
import { URI } from 'langium';
import { compileStrategy, isStrategy, type StrategyIr } from '../../../language/src/index.js';
import { SourceWorkspace } from '../lang/source-workspace.js';

/** A run that cannot go on, with the one-line reason recorded on the run. */
export class RunFailure extends Error {
    constructor(message: string) {
        super(message);
        this.name = 'RunFailure';
    }
}

export class RunCompiler {
    private readonly workspace = new SourceWorkspace();
    /** IR by (uri, strategy, text), least recently used first. */
    private readonly cache = new Map<string, StrategyIr>();

    constructor(private readonly cacheSize = 64) {}

    async compile(source: string, o: { uri?: string; strategy?: string } = {}): Promise<StrategyIr> {
        const key = JSON.stringify([o.uri ?? null, o.strategy ?? null, source]);
        const hit = this.cache.get(key);
        if (hit) {
            this.cache.delete(key);
            this.cache.set(key, hit);
            return hit;
        }
        const { ir, imports } = await this.compileNow(source, o);
        if (!imports && this.cacheSize > 0) {
            this.cache.set(key, ir);
            if (this.cache.size > this.cacheSize) this.cache.delete(this.cache.keys().next().value!);
        }
        return ir;
    }

    private async compileNow(source: string, o: { uri?: string; strategy?: string }): Promise<{ ir: StrategyIr; imports: boolean }> {
        let name = o.uri ?? 'source';
        try {
            if (o.uri) {
                const uri = URI.parse(o.uri);
                if (uri.scheme === 'file') name = uri.fsPath;
            }
        } catch {
            throw new RunFailure(`uri '${o.uri}' is not a URI`);
        }
        try {
            return await this.workspace.with(source, o.uri, ({ services, model, diagnostics }) => {
                const strategies = model.elements.filter(isStrategy);
                const flat = diagnostics.filter(d => d.severity === 'error').map(d => ({ ...d, message: d.message.split('\n')[0]! }));
                const first = (list: readonly { line: number; column: number; code: string; message: string }[]): string => {
                    const e = list[0]!;
                    return `${name}:${e.line}:${e.column} ${e.code ? `${e.code} ` : ''}${e.message}${list.length > 1 ? ` (and ${list.length - 1} more error${list.length > 2 ? 's' : ''})` : ''}`;
                };
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
                return { ir: result.ir, imports: model.imports.length > 0 };
            });
        } catch (e) {
            if (e instanceof RunFailure) throw e;
            throw new RunFailure(`${name}: cannot compile: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`);
        }
    }
}
