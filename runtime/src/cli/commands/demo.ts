import { relative } from 'node:path';
import { collectAfFiles } from '../files.js';
import { flatten, languageServices, loadAfFiles } from '../compile-files.js';
import { compileStrategy, fingerprints, isStrategy } from '../../../../language/src/index.js';

/** The README's main job (for now): check and compile every example and summarise what the compiler knows about each strategy. */
export async function demoCommand(opts: { examples: string }, out: (s: string) => void): Promise<number> {
    const files = collectAfFiles([opts.examples], ['bad']);
    const docs = await loadAfFiles(files);
    const analyzer = languageServices().alphaforge.Analyzer;
    let errors = 0;
    out(`AlphaForge demo: ${files.length} example files\n\n`);
    for (const d of docs) {
        const diags = flatten(d).filter(x => x.severity === 'error' || x.severity === 'warning');
        errors += diags.filter(x => x.severity === 'error').length;
        for (const s of d.document.parseResult.value.elements.filter(isStrategy)) {
            const a = analyzer.analyze(s);
            const free = a.params.params.filter(p => p.free).length;
            const c = compileStrategy(languageServices(), s);
            const fp = c.ir ? fingerprints(c.ir).structural.slice(0, 12) : 'not compiled';
            out(`  ${s.name.padEnd(22)} ${relative(process.cwd(), d.document.uri.fsPath).padEnd(34)} assets ${String(a.assets.length).padStart(2)}  warm-up ${String(a.warmup.bars).padStart(4)}  params ${free}/${a.params.params.length}  grid ${String(a.params.gridSize).padStart(5)}  IR nodes ${String(c.ir?.nodes.length ?? '-').padStart(3)}  structure ${fp}\n`);
        }
        for (const x of diags) out(`    ${x.file}:${x.line}:${x.column} ${x.severity} ${x.code} ${x.message}\n`);
    }
    out(`\n${errors === 0 ? 'all examples check clean' : `${errors} error(s)`}\n`);
    return errors > 0 ? 1 : 0;
}
