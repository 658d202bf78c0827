/**
 * The `af` command line. Each command is a small function; errors meant for the user are
 * CliErrors printed as one line; anything else is a bug and is reported as such.
 */
import { Command, CommanderError, Option } from 'commander';
import { CliError } from './errors.js';
import { checkCommand } from './commands/check.js';
import { explainCommand } from './commands/explain.js';
import { demoCommand } from './commands/demo.js';
import { fmtCommand } from './commands/fmt.js';
import { compileCommand } from './commands/compile.js';
import { fingerprintCommand } from './commands/fingerprint.js';

export function buildProgram(out: (s: string) => void, err: (s: string) => void): Command {
    const program = new Command('af')
        .description('AlphaForge: check, compile and run strategies written in the AlphaForge Strategy Language (*.af).')
        .version('0.1.0')
        .showHelpAfterError('(run with --help for usage)')
        .configureOutput({ writeOut: out, writeErr: err })
        .exitOverride();

    program.command('check')
        .description('Parse, validate and lint .af files and directories; prints file:line:col severity code message. Exit 1 on errors.')
        .argument('<paths...>', 'files or directories (searched for *.af)')
        .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
        .option('--exclude <names...>', 'directory names to skip', [])
        .option('--bars <n>', 'bars of data the strategy will run on (enables the data-length overfitting check)', parseInteger)
        .option('--hints', 'also print hints (e.g. inferred warm-up)', false)
        .action(async (paths: string[], opts) => { program.setOptionValue('exit', await checkCommand(paths, opts, out)); });

    program.command('explain')
        .description('Explain a diagnostic code, with a bad and a fixed example.')
        .argument('[code]', 'diagnostic code, e.g. AF101')
        .option('--all', 'print every code', false)
        .option('--markdown', 'print Markdown (docs/diagnostics.md)', false)
        .action((code: string | undefined, opts) => { program.setOptionValue('exit', explainCommand(code, opts, out)); });

    program.command('compile')
        .description('Compile a strategy and print its IR (default), canonical DAG, or the DAG as Graphviz dot.')
        .argument('<file>', '.af file')
        .option('--ir', 'print the IR as JSON (default)')
        .option('--dag', 'print the canonical DAG as JSON')
        .option('--dot', 'print the canonical DAG as Graphviz dot')
        .option('--strategy <name>', 'which strategy, when the file has several')
        .action(async (file: string, opts) => { program.setOptionValue('exit', await compileCommand(file, opts, out)); });

    program.command('fingerprint')
        .description('Print the structural and exact fingerprints (SHA-256 of the canonical DAG) of each strategy.')
        .argument('<files...>', '.af files or directories')
        .option('--json', 'print JSON', false)
        .action(async (files: string[], opts) => { program.setOptionValue('exit', await fingerprintCommand(files, opts, out)); });

    program.command('fmt')
        .description('Format .af files in the canonical layout (in place), or with --check list files that are not formatted (exit 1).')
        .argument('<paths...>', 'files or directories')
        .option('--check', 'do not write; exit 1 if a file would change', false)
        .option('--stdout', 'print the formatted text instead of writing files', false)
        .action(async (paths: string[], opts) => { program.setOptionValue('exit', await fmtCommand(paths, opts, out)); });

    program.command('demo')
        .description('The main job: check and compile every example and print a summary.')
        .option('--examples <dir>', 'examples directory', 'examples')
        .action(async opts => { program.setOptionValue('exit', await demoCommand(opts, out)); });

    for (const c of program.commands) c.configureOutput({ writeOut: out, writeErr: err }).exitOverride().showHelpAfterError('(run with --help for usage)');
    return program;
}

function parseInteger(v: string): number {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) throw new CliError(`--bars takes a whole number, not '${v}'`);
    return n;
}

/** Runs the CLI and returns the exit code (never calls process.exit, so it is testable in-process). */
export async function run(argv: readonly string[], out = (s: string) => { process.stdout.write(s); }, err = (s: string) => { process.stderr.write(s); }): Promise<number> {
    const program = buildProgram(out, err);
    try {
        await program.parseAsync([...argv], { from: 'user' });
        return (program.getOptionValue('exit') as number | undefined) ?? 0;
    } catch (e) {
        if (e instanceof CommanderError) return e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help' ? 0 : 2;
        if (e instanceof CliError) {
            err(`af: ${e.message}\n`);
            return e.exitCode;
        }
        err(`af: internal error: ${(e as Error).message}\n(this is a bug; please report it with the command you ran)\n`);
        return 70;
    }
}
