/** File arguments of the CLI: files and directories (searched for *.af), with clear errors. */
import { readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CliError } from './errors.js';

export function collectAfFiles(args: readonly string[], exclude: readonly string[] = []): string[] {
    const out: string[] = [];
    for (const a of args) {
        const p = resolve(a);
        let st;
        try {
            st = statSync(p);
        } catch {
            throw new CliError(`${a}: no such file or directory`);
        }
        if (st.isDirectory()) walk(p, out, exclude);
        else if (p.endsWith('.af')) out.push(p);
        else throw new CliError(`${a}: not an .af file`);
    }
    return [...new Set(out)].sort();
}

function walk(dir: string, out: string[], exclude: readonly string[]): void {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
        if (entry.name === 'node_modules' || entry.name.startsWith('.') || exclude.includes(entry.name)) continue;
        const p = join(dir, entry.name);
        if (entry.isDirectory()) walk(p, out, exclude);
        else if (entry.name.endsWith('.af')) out.push(p);
    }
}
