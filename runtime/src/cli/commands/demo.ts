import { mkdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { resolveStateDir } from '../../../../protocol/src/discovery.js';
import { backtestCommand } from './backtest.js';
import { importSample } from './data.js';
import { collectAfFiles } from '../files.js';
import { flatten, withAfFiles } from '../compile-files.js';
import { compileStrategy, fingerprints, isStrategy } from '../../../../language/src/index.js';

export interface DemoOptions {
    examples: string;
    stateDir?: string;
    /** The example the demo backtests. */
    backtest: string;
}

/**
 * The README's main job: check and compile every example and summarise what the compiler
 * knows about each strategy; import the bundled S&P 500 sample into the embedded store;
 * backtest one example on it, print its metrics and write the HTML report.
 */
export async function demoCommand(opts: DemoOptions, out: (s: string) => void): Promise<number> {
    const compiled = await compileExamples(opts, out);
    if (compiled !== 0) return compiled;
    const stateDir = resolveStateDir(opts.stateDir);
    out(`\n1/2 import the bundled sample into ${shown(join(stateDir, 'alphaforge.duckdb'))}\n`);
    const r = await importSample(opts.stateDir);
    out(`    ${r.rowsWritten} daily bars of ${r.instrument.id}, ${new Date(r.firstTs).toISOString().slice(0, 10)} .. ${new Date(r.lastTs).toISOString().slice(0, 10)}`
        + ` (${r.problems.filter(p => p.code === 'gap').reduce((n, p) => n + p.count, 0)} market closures longer than a day kept as gaps)\n`);
    const reports = join(stateDir, 'reports');
    mkdirSync(reports, { recursive: true });
    const report = join(reports, 'demo-backtest.html');
    out(`\n2/2 backtest ${opts.backtest}\n\n`);
    const code = await backtestCommand(opts.backtest, { stateDir: opts.stateDir, report }, out);
    if (code === 0) out(`\nopen ${shown(report)} in a browser for the equity and drawdown charts and the trade list\n`);
    return code;
}

/** A path relative to the working directory when it lies inside it. */
function shown(path: string): string {
    const r = relative(process.cwd(), path);
    return r && !r.startsWith('..') ? r : path;
}

/** Checks and compiles every example; prints one line per strategy (not examples/packs: those need their pack enabled). */
async function compileExamples(opts: DemoOptions, out: (s: string) => void): Promise<number> {
    const files = collectAfFiles([opts.examples], ['bad', 'packs']);
    let errors = 0;
    out(`AlphaForge demo: ${files.length} example files\n\n`);
    await withAfFiles(files, (docs, services) => {
        const analyzer = services.alphaforge.Analyzer;
        for (const d of docs) {
            const diags = flatten(d).filter(x => x.severity === 'error' || x.severity === 'warning');
            errors += diags.filter(x => x.severity === 'error').length;
            for (const s of d.document.parseResult.value.elements.filter(isStrategy)) {
                const a = analyzer.analyze(s);
                const free = a.params.params.filter(p => p.free).length;
                const c = compileStrategy(services, s);
                const fp = c.ir ? fingerprints(c.ir).structural.slice(0, 12) : 'not compiled';
                out(`  ${s.name.padEnd(22)} ${relative(process.cwd(), d.document.uri.fsPath).padEnd(34)} assets ${String(a.assets.length).padStart(2)}  warm-up ${String(a.warmup.bars).padStart(4)}  params ${free}/${a.params.params.length}  grid ${String(a.params.gridSize).padStart(5)}  IR nodes ${String(c.ir?.nodes.length ?? '-').padStart(3)}  structure ${fp}\n`);
            }
            for (const x of diags) out(`    ${x.file}:${x.line}:${x.column} ${x.severity} ${x.code} ${x.message}\n`);
        }
    });
    out(`\n${errors === 0 ? 'all examples check clean' : `${errors} error(s)`}\n`);
    return errors > 0 ? 1 : 0;
}
