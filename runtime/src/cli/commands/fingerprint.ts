import { relative } from 'node:path';
import { collectAfFiles } from '../files.js';
import { withAfFiles } from '../compile-files.js';
import { compileStrategy, fingerprints, isStrategy } from '../../../../language/src/index.js';
import { formatIrDiagnostic } from './compile.js';

interface Row { file: string; strategy: string; structural: string; exact: string }

export async function fingerprintCommand(files: string[], opts: { json: boolean }, out: (s: string) => void): Promise<number> {
    const paths = collectAfFiles(files);
    if (paths.length === 0) {
        out(opts.json ? '{ "strategies": [], "errors": [] }\n' : 'no .af files found\n');
        return 0;
    }
    const rows: Row[] = [];
    const errors = new Set<string>();
    await withAfFiles(paths, (docs, services) => {
        for (const d of docs) {
            const file = relative(process.cwd(), d.document.uri.fsPath) || d.document.uri.fsPath;
            for (const s of d.document.parseResult.value.elements.filter(isStrategy)) {
                const r = compileStrategy(services, s);
                if (!r.ir) {
                    // Errors are per document, so strategies of one file share them: print each once.
                    for (const e of r.errors) errors.add(formatIrDiagnostic(e));
                    continue;
                }
                rows.push({ file, strategy: s.name, ...fingerprints(r.ir, { catalogue: services.alphaforge.Catalogue }) });
            }
            if (d.diagnostics.some(x => x.severity === 1) && !d.document.parseResult.value.elements.some(isStrategy)) {
                for (const x of d.diagnostics.filter(y => y.severity === 1)) {
                    errors.add(`${file}:${x.range.start.line + 1}:${x.range.start.character + 1} ${String(x.code ?? '')} ${x.message}`);
                }
            }
        }
    });
    if (opts.json) {
        out(`${JSON.stringify({ strategies: rows, errors: [...errors] }, null, 2)}\n`);
    } else {
        for (const r of rows) out(`${r.file} ${r.strategy} ${r.structural} ${r.exact}\n`);
        for (const e of errors) out(`${e}\n`);
    }
    return errors.size > 0 ? 1 : 0;
}
