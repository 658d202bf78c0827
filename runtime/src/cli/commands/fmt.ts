/** `af fmt`: rewrite files in the canonical layout, or check that they are. */
import { readFileSync, writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import { formatText } from '../../../../language/src/index.js';
import { collectAfFiles } from '../files.js';
import { localLanguage } from '../../language-service/local.js';

export async function fmtCommand(paths: string[], opts: { check: boolean; stdout: boolean }, out: (s: string) => void): Promise<number> {
    const files = collectAfFiles(paths);
    let exit = 0;
    const changed: string[] = [];
    for (const f of files) {
        const rel = relative(process.cwd(), f) || f;
        const text = readFileSync(f, 'utf8');
        const r = await formatText(localLanguage().warm(), text);
        if (!r.ok) {
            for (const e of r.errors) out(`${rel}:${e.line}:${e.column} AF001 not formatted: ${e.message.split('\n')[0]}\n`);
            exit = 1;
            continue;
        }
        if (opts.stdout) { out(r.text); continue; }
        if (r.text === text) continue;
        changed.push(rel);
        if (!opts.check) writeFileSync(f, r.text);
    }
    if (opts.check) {
        for (const c of changed) out(`${c}: not formatted\n`);
        if (changed.length) exit = 1;
    } else if (!opts.stdout) {
        out(`formatted ${changed.length} of ${files.length} file${files.length === 1 ? '' : 's'}\n`);
    }
    return exit;
}
