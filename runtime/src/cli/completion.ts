/**
 * `af completion bash|zsh|fish`: a shell completion script generated from the command tree itself
 * (commander's commands and options), so it never falls behind a new command or flag. The scripts
 * are static — completing a word runs no node process — and complete command names, subcommands,
 * the options of the command typed so far, the choices of an option that has them
 * (`--format parquet|arrow|csv`), and file names everywhere else.
 */
import type { Command, Option } from 'commander';
import { CliError } from './errors.js';

export const SHELLS = ['bash', 'zsh', 'fish'] as const;
export type Shell = (typeof SHELLS)[number];

interface Node {
    /** Command path from the root, e.g. ['data', 'import']; [] for `af` itself. */
    readonly path: readonly string[];
    readonly description: string;
    readonly subcommands: readonly string[];
    readonly options: readonly Option[];
}

function walk(c: Command, path: readonly string[] = []): Node[] {
    const visible = c.commands.filter(s => !(s as unknown as { _hidden?: boolean })._hidden);
    const self: Node = { path, description: c.description(), subcommands: visible.map(s => s.name()), options: c.options.filter(o => !o.hidden) };
    return [self, ...visible.flatMap(s => walk(s, [...path, s.name()]))];
}

const flags = (o: readonly Option[]): string[] => o.flatMap(x => [x.long, x.short].filter((f): f is string => !!f));
const quote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

function bash(root: Command): string {
    const nodes = walk(root);
    const paths = nodes.filter(n => n.path.length > 0).map(n => n.path.join(' '));
    const words = nodes.map(n => `        ${quote(n.path.join(' '))}) words=${quote([...n.subcommands, ...flags(n.options), ...(n.path.length === 0 ? ['--help', '--version'] : ['--help'])].join(' '))} ;;`);
    const choices = nodes.flatMap(n => n.options.filter(o => o.argChoices?.length && o.long).map(o => `        ${quote(`${n.path.join(' ')} ${o.long}`)}) words=${quote(o.argChoices!.join(' '))} ;;`));
    return `# af completion for bash (and zsh through bashcompinit): source <(af completion bash)
_af_complete() {
    local cur="\${COMP_WORDS[COMP_CWORD]}" prev="\${COMP_WORDS[COMP_CWORD-1]}" path="" w i words=""
    for ((i = 1; i < COMP_CWORD; i++)); do
        w="\${COMP_WORDS[i]}"
        [[ $w == -* ]] && continue
        case "\${path:+$path }$w" in
${paths.map(p => `            ${quote(p)}) path="\${path:+$path }$w" ;;`).join('\n')}
        esac
    done
    case "$path $prev" in
${choices.join('\n')}
        *)
    case "$path" in
${words.join('\n')}
    esac ;;
    esac
    COMPREPLY=($(compgen -W "$words" -- "$cur"))
}
complete -o default -o bashdefault -F _af_complete af
`;
}

function zsh(root: Command): string {
    return `# af completion for zsh: source <(af completion zsh)
autoload -U +X bashcompinit && bashcompinit
${bash(root).split('\n').slice(1).join('\n')}`;
}

function fish(root: Command): string {
    const nodes = walk(root);
    const lines = ['# af completion for fish: af completion fish > ~/.config/fish/completions/af.fish'];
    // The condition that the words typed so far are exactly this command path.
    const cond = (path: readonly string[]): string => `__af_path ${path.join(' ')}`.trimEnd();
    lines.push(`function __af_path
    set -l want $argv
    set -l got
    set -l paths ${nodes.filter(n => n.path.length > 0).map(n => quote(n.path.join(' '))).join(' ')}
    for w in (commandline -opc)[2..-1]
        string match -q -- '-*' $w; and continue
        set -l next (string join ' ' $got $w)
        contains -- $next $paths; and set got $got $w
    end
    test "$got" = "$want"
end`);
    for (const n of nodes) {
        for (const s of n.subcommands) {
            const child = nodes.find(x => x.path.join(' ') === [...n.path, s].join(' '));
            lines.push(`complete -c af -n ${quote(cond(n.path))} -f -a ${quote(s)} -d ${quote((child?.description ?? '').split(/[.:;]/)[0]!.slice(0, 80))}`);
        }
        for (const o of n.options) {
            const names = [o.long ? `-l ${quote(o.long.replace(/^--/, ''))}` : '', o.short ? `-s ${quote(o.short.replace(/^-/, ''))}` : ''].filter(Boolean).join(' ');
            const values = o.argChoices?.length ? ` -x -a ${quote(o.argChoices.join(' '))}` : o.required || o.optional ? ' -r' : '';
            lines.push(`complete -c af -n ${quote(cond(n.path))} ${names}${values} -d ${quote(o.description.split(/[;(]/)[0]!.trim().slice(0, 80))}`);
        }
    }
    return lines.join('\n') + '\n';
}

/** The completion script of `shell` for the program `root`. */
export function completionScript(root: Command, shell: string): string {
    switch (shell) {
        case 'bash': return bash(root);
        case 'zsh': return zsh(root);
        case 'fish': return fish(root);
        default: throw new CliError(`af completion takes ${SHELLS.join(', ')}, not '${shell}'`);
    }
}
