/**
 * `af completion bash|zsh|fish`: scripts generated from the command tree, exercised in a real
 * bash (zsh and fish, where installed, check their syntax and complete too): command names,
 * subcommands, a command's options and an option's choices, so a new command or flag is
 * completed without anyone editing a script.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { run } from '../../src/cli/main.js';
import { tempDir } from '../data/helpers.js';

async function script(shell: string): Promise<string> {
    let out = '';
    expect(await run(['completion', shell], s => { out += s; })).toBe(0);
    return out;
}

const has = (cmd: string): boolean => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
const dir = tempDir('af-completion-');

/** What bash completes for the words typed (a trailing space: a new, empty word). */
function bashComplete(file: string, typed: string): string[] {
    const words = typed.split(' ');
    const program = `source ${file}; COMP_WORDS=(${words.map(w => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _af_complete; printf '%s\\n' "\${COMPREPLY[@]}"`;
    return execFileSync('bash', ['-c', program], { encoding: 'utf8' }).split('\n').filter(Boolean);
}

describe('af completion', () => {
    it('bash: commands, subcommands, options and choices from the command tree', async () => {
        const file = join(dir, 'af.bash');
        writeFileSync(file, await script('bash'));
        expect(bashComplete(file, 'af da')).toEqual(['data', 'daemon']);
        expect(bashComplete(file, 'af data im')).toEqual(['import']);
        expect(bashComplete(file, 'af data import prices.csv --date')).toEqual(['--date-format']);
        expect(bashComplete(file, 'af runs ')).toEqual(expect.arrayContaining(['ls', 'show', 'compare', 'export', 'cancel', 'logs']));
        expect(bashComplete(file, 'af runs export --format ')).toEqual(['parquet', 'arrow', 'csv']);
        expect(bashComplete(file, 'af backtest --remote --sy')).toEqual(['--symbols']);
    });

    it('zsh (through bashcompinit) and fish scripts; an unknown shell is a usage error', async () => {
        const z = await script('zsh');
        expect(z).toMatch(/bashcompinit/);
        expect(z).toContain('complete -o default -o bashdefault -F _af_complete af');
        const f = await script('fish');
        expect(f).toContain("complete -c af -n '__af_path data' -f -a 'import'");
        expect(f).toContain("complete -c af -n '__af_path runs export' -l 'format' -x -a 'parquet arrow csv'");
        if (has('fish')) {
            const file = join(dir, 'af.fish');
            writeFileSync(file, f);
            expect(spawnSync('fish', ['-n', file]).status).toBe(0);
            const got = execFileSync('fish', ['-c', `source ${file}; complete -C 'af data im'`], { encoding: 'utf8' });
            expect(got).toMatch(/^import\t/m);
        }
        if (has('zsh')) {
            const file = join(dir, 'af.zsh');
            writeFileSync(file, z);
            expect(spawnSync('zsh', ['-n', file]).status).toBe(0);
        }
        let err = '';
        expect(await run(['completion', 'tcsh'], () => undefined, s => { err += s; })).toBe(2);
        expect(err).toMatch(/af completion takes bash, zsh, fish, not 'tcsh'/);
    });
});
