import { relative } from 'node:path';
import { collectAfFiles } from '../files.js';
import { flatten, languageServices, loadAfFiles } from '../compile-files.js';
import { isStrategy } from '../../../../language/src/index.js';

/** The README's main job (for now): check every example and summarise what the compiler knows about each strategy. */
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
            out(`  ${s.name.padEnd(28)} ${relative(process.cwd(), d.document.uri.fsPath).padEnd(40)} assets ${String(a.assets.length).padStart(2)}  warm-up ${String(a.warmup.bars).padStart(4)} bars  params ${free}/${a.params.params.length}  grid ${a.params.gridSize}\n`);
        }
        for (const x of diags) out(`    ${x.file}:${x.line}:${x.column} ${x.severity} ${x.code} ${x.message}\n`);
    }
    out(`\n${errors === 0 ? 'all examples check clean' : `${errors} error(s)`}\n`);
    return errors > 0 ? 1 : 0;
}
