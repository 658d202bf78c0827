import { collectAfFiles } from '../files.js';
import { flatten, withAfFiles, type FlatDiagnostic } from '../compile-files.js';
import { workspacePacks } from '../workspace-packs.js';

export interface CheckOptions {
    format: 'text' | 'json';
    exclude: string[];
    bars?: number;
    hints: boolean;
}

export async function checkCommand(paths: string[], opts: CheckOptions, out: (s: string) => void): Promise<number> {
    const files = collectAfFiles(paths, opts.exclude);
    if (files.length === 0) {
        out('no .af files found\n');
        return 0;
    }
    const all: FlatDiagnostic[] = await withAfFiles(files, docs => docs.flatMap(d => flatten(d)), { dataBars: opts.bars });
    // A declared pack that was refused is an error of the workspace (said on stderr too): its names are unknown.
    const refused = workspacePacks().problems.map(p => ({ pack: p.pack, message: p.message }));
    const shown = all.filter(d => opts.hints || d.severity !== 'hint');
    const errors = all.filter(d => d.severity === 'error').length + refused.length;
    const warnings = all.filter(d => d.severity === 'warning').length;
    if (opts.format === 'json') {
        out(JSON.stringify({ files: files.length, errors, warnings, diagnostics: shown, ...(refused.length ? { refusedPacks: refused } : {}) }, null, 2) + '\n');
    } else {
        for (const r of refused) out(`error pack ${r.message}\n`);
        for (const d of shown) {
            out(`${d.file}:${d.line}:${d.column} ${d.severity} ${d.code} ${d.message}\n`);
            // A lookahead's chain, one clickable location a line, from where it reads ahead to the rule it reaches.
            if (d.code.startsWith('AF1')) for (const r of d.related ?? []) out(`    ${r.file}:${r.line}:${r.column} ${r.message}\n`);
        }
        out(`checked ${files.length} file${files.length === 1 ? '' : 's'}: ${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}\n`);
    }
    return errors > 0 ? 1 : 0;
}
