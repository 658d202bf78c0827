/**
 * The `af` command line. Each command is a small function; errors meant for the user are
 * CliErrors printed as one line; anything else is a bug and is reported as such.
 */
import { Command, CommanderError, Option } from 'commander';
import { CliError, errorJson, EXIT } from './errors.js';

/** runtime/src/config's CONFIG_ENV and CONFIG_FILE, for the help text (a test holds them equal): that module loads zod. */
export const CONFIG_HELP = { env: 'AF_CONFIG', file: 'alphaforge.json' } as const;

/**
 * Command modules load when their command runs, not at start: they bring DuckDB, Langium, ccxt,
 * gRPC and the MCP SDK (and zod, with the config and the protocol), so loading them all made
 * `af --version` and `af --help` take seconds.
 */
function lazy<M, K extends keyof M>(load: () => Promise<M>, name: K): M[K] extends (...a: infer A) => infer R ? (...a: A) => Promise<Awaited<R>> : never {
    return (async (...args: unknown[]) => ((await load())[name] as unknown as (...a: unknown[]) => unknown)(...args)) as never;
}
const functions = () => import('./commands/functions.js');
const check = () => import('./commands/check.js'), explain = () => import('./commands/explain.js'), demo = () => import('./commands/demo.js');
const fmt = () => import('./commands/fmt.js'), compile = () => import('./commands/compile.js'), fingerprint = () => import('./commands/fingerprint.js');
const backtest = () => import('./commands/backtest.js'), report = () => import('./commands/report.js'), dataCmds = () => import('./commands/data.js');
const logs = () => import('./commands/logs.js'), audit = () => import('./commands/audit.js'), daemonCmds = () => import('./commands/daemon.js');
const runsCmds = () => import('./commands/runs.js'), mcp = () => import('./commands/mcp.js'), similar = () => import('./commands/similar.js');
const functionsCommand = lazy(functions, 'functionsCommand');
const checkCommand = lazy(check, 'checkCommand'), explainCommand = lazy(explain, 'explainCommand'), demoCommand = lazy(demo, 'demoCommand');
const fmtCommand = lazy(fmt, 'fmtCommand'), compileCommand = lazy(compile, 'compileCommand'), fingerprintCommand = lazy(fingerprint, 'fingerprintCommand');
const backtestCommand = lazy(backtest, 'backtestCommand'), panelCommand = lazy(backtest, 'panelCommand'), sweepCommand = lazy(backtest, 'sweepCommand'), walkforwardCommand = lazy(backtest, 'walkforwardCommand');
const reportCommand = lazy(report, 'reportCommand');
const dataExportCommand = lazy(dataCmds, 'dataExportCommand'), dataFetchCommand = lazy(dataCmds, 'dataFetchCommand'), dataImportCommand = lazy(dataCmds, 'dataImportCommand');
const dataPanelsCommand = lazy(dataCmds, 'dataPanelsCommand'), dataLsCommand = lazy(dataCmds, 'dataLsCommand'), dataResampleCommand = lazy(dataCmds, 'dataResampleCommand');
const dataSampleCommand = lazy(dataCmds, 'dataSampleCommand'), dataShowCommand = lazy(dataCmds, 'dataShowCommand'), dataSynthCommand = lazy(dataCmds, 'dataSynthCommand');
const onchainCmds = () => import('./commands/data-onchain.js');
const dataOnchainImportCommand = lazy(onchainCmds, 'dataOnchainImportCommand'), dataOnchainSampleCommand = lazy(onchainCmds, 'dataOnchainSampleCommand'), dataOnchainSynthCommand = lazy(onchainCmds, 'dataOnchainSynthCommand');
const hftCmds = () => import('./commands/data-hft.js');
const dataHftImportCommand = lazy(hftCmds, 'dataHftImportCommand'), dataHftSampleCommand = lazy(hftCmds, 'dataHftSampleCommand'), dataHftSynthCommand = lazy(hftCmds, 'dataHftSynthCommand');
const hftBacktestCommand = lazy(() => import('./commands/hft-backtest.js'), 'hftBacktestCommand');
const logsCommand = lazy(logs, 'logsCommand'), auditCommand = lazy(audit, 'auditCommand');
const daemonRunCommand = lazy(daemonCmds, 'daemonRunCommand'), daemonStartCommand = lazy(daemonCmds, 'daemonStartCommand'), daemonStatusCommand = lazy(daemonCmds, 'daemonStatusCommand'), daemonHealthCommand = lazy(daemonCmds, 'daemonHealthCommand');
const daemonStopCommand = lazy(daemonCmds, 'daemonStopCommand'), expSearchCommand = lazy(daemonCmds, 'expSearchCommand'), loginCommand = lazy(daemonCmds, 'loginCommand');
const runsCancelCommand = lazy(daemonCmds, 'runsCancelCommand'), runsLogsCommand = lazy(daemonCmds, 'runsLogsCommand'), runsShowCommand = lazy(daemonCmds, 'runsShowCommand');
const submitRemote = lazy(daemonCmds, 'submitRemote'), tokenCreateCommand = lazy(daemonCmds, 'tokenCreateCommand'), tokenLsCommand = lazy(daemonCmds, 'tokenLsCommand');
const tokenRevokeCommand = lazy(daemonCmds, 'tokenRevokeCommand'), userCommand = lazy(daemonCmds, 'userCommand');
const runsLsCommand = lazy(runsCmds, 'runsLsCommand'), runsCompareCommand = lazy(runsCmds, 'runsCompareCommand'), runsExportCommand = lazy(runsCmds, 'runsExportCommand');
const mcpCommand = lazy(mcp, 'mcpCommand'), similarCommand = lazy(similar, 'similarCommand');
const diffCommand = lazy(() => import('./commands/diff.js'), 'diffCommand');
const registryCmds = () => import('./commands/registry.js');
const runsPromoteCommand = lazy(daemonCmds, 'runsPromoteCommand');
const registryPublishCommand = lazy(registryCmds, 'registryPublishCommand'), registryLsCommand = lazy(registryCmds, 'registryLsCommand');
const registryShowCommand = lazy(registryCmds, 'registryShowCommand'), registryTransitionCommand = lazy(registryCmds, 'registryTransitionCommand');
const registryDiffCommand = lazy(registryCmds, 'registryDiffCommand');
const deployCmds = () => import('./commands/deploy.js');
const deployPaperCommand = lazy(deployCmds, 'deployPaperCommand'), deployLiveCommand = lazy(deployCmds, 'deployLiveCommand');
const deploymentsLsCommand = lazy(deployCmds, 'deploymentsLsCommand'), deploymentsShowCommand = lazy(deployCmds, 'deploymentsShowCommand');
const deploymentsStopCommand = lazy(deployCmds, 'deploymentsStopCommand'), killCommand = lazy(deployCmds, 'killCommand');
const positionsCommand = lazy(deployCmds, 'positionsCommand'), ordersCommand = lazy(deployCmds, 'ordersCommand');
const venueCmds = () => import('./commands/venue.js');
const venueStandinCommand = lazy(venueCmds, 'venueStandinCommand'), venueKeysSetCommand = lazy(venueCmds, 'venueKeysSetCommand');
const venueKeysLsCommand = lazy(venueCmds, 'venueKeysLsCommand'), venueKeysRmCommand = lazy(venueCmds, 'venueKeysRmCommand');
const packCmds = () => import('./commands/pack.js');
const packLsCommand = lazy(packCmds, 'packLsCommand'), packInfoCommand = lazy(packCmds, 'packInfoCommand'), packAddCommand = lazy(packCmds, 'packAddCommand');
const packRemoveCommand = lazy(packCmds, 'packRemoveCommand'), packNewCommand = lazy(packCmds, 'packNewCommand');

function parseScope(v: string): 'workspace' | 'store' | 'all' {
    if (v !== 'workspace' && v !== 'store' && v !== 'all') throw new CliError(`--scope must be workspace, store or all, not '${v}'`);
    return v;
}

export function buildProgram(out: (s: string) => void, err: (s: string) => void): Command {
    const program = new Command('af')
        .description('AlphaForge: check, compile and run strategies written in the AlphaForge Strategy Language (*.af).')
        .version('0.1.0')
        .showHelpAfterError('(run with --help for usage)')
        .configureOutput({ writeOut: out, writeErr: err })
        .exitOverride()
        .option('--config <file>', `config file (default: $${CONFIG_HELP.env}, or ${CONFIG_HELP.file} in the current directory; docs/config.md)`)
        // Settings a command takes come from flags, then the environment, then the config file.
        .hook('preAction', async (root, action) => {
            const config = root.opts<{ config?: string }>().config;
            (await import('./config.js')).applyConfig(action, config);
            // The workspace's packs are read when a command first compiles or runs (cli/workspace-packs.ts).
            (await import('./pack-context.js')).setPackContext(config, err);
        });

    program.command('check')
        .description('Parse, validate and lint .af files and directories; prints file:line:col severity code message. Exit 1 on errors.')
        .argument('<paths...>', 'files or directories (searched for *.af)')
        .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
        .addOption(new Option('--exclude <names...>', 'directory names to skip').default([], 'none'))
        .option('--bars <n>', 'bars of data the strategy will run on (enables the data-length overfitting check)', parseInteger('--bars'))
        .option('--hints', 'also print hints (e.g. inferred warm-up)', false)
        .action(async (paths: string[], opts) => { program.setOptionValue('exit', await checkCommand(paths, opts, out)); });

    program.command('explain')
        .description('Explain a diagnostic code, with a bad and a fixed example.')
        .argument('[code]', 'diagnostic code, e.g. AF101')
        .option('--all', 'print every code', false)
        .option('--markdown', 'print Markdown (docs/diagnostics.md)', false)
        .action(async (code: string | undefined, opts) => { program.setOptionValue('exit', await explainCommand(code, opts, out)); });

    program.command('functions')
        .description('The functions, fields and constants a strategy can use (docs/functions.md), or one of them in full.')
        .argument('[name]', 'e.g. sma')
        .option('--markdown', 'print Markdown (docs/functions.md)', false)
        .action(async (name: string | undefined, opts) => { program.setOptionValue('exit', await functionsCommand(name, opts, out)); });

    const pack = program.command('pack').description('The workspace\'s capability packs: list, inspect, add, remove, scaffold (docs/packs.md).');
    const configOf = () => { const c = program.opts<{ config?: string }>().config; return c !== undefined ? { config: c } : {}; };
    pack.command('ls')
        .description('The packs this workspace loads (built-in and declared), and each declared pack that is refused, with why. Exit 1 if any is refused.')
        .option('--json', 'print JSON', false)
        .action(async opts => { program.setOptionValue('exit', await packLsCommand({ ...configOf(), json: opts.json }, out)); });
    pack.command('info')
        .description('A pack\'s version, AlphaForge range, origin and functions.')
        .argument('<name>', 'e.g. core')
        .action(async (name: string) => { program.setOptionValue('exit', await packInfoCommand(name, configOf(), out)); });
    pack.command('add')
        .description('Declare a pack folder in the config file: its name, a version range and the integrity hash of its files (run again after changing the pack); or a pack shipped with AlphaForge by name (mid-frequency).')
        .argument('<folder>', 'the pack\'s folder (holds alphaforge-pack.json), or the name of a pack shipped with AlphaForge')
        .option('--version <range>', 'the version range to accept (default ^<the pack\'s version>)')
        .action(async (folder: string, opts) => { program.setOptionValue('exit', await packAddCommand(folder, { ...configOf(), ...(opts.version ? { version: opts.version } : {}) }, out)); });
    pack.command('remove')
        .description('Take a pack out of the config file\'s packs.')
        .argument('<name>', 'the pack\'s name')
        .action(async (name: string) => { program.setOptionValue('exit', await packRemoveCommand(name, configOf(), out)); });
    pack.command('new')
        .description('Scaffold a pack folder: manifest, one function for both engines, a test and a README.')
        .argument('<name>', 'lower-case letters, digits and -')
        .option('--dir <folder>', 'where (default ./<name>)')
        .action(async (name: string, opts) => { program.setOptionValue('exit', await packNewCommand(name, opts, out)); });

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

    program.command('similar')
        .description('Strategies that look like this one: the workspace\'s .af files (index under <state dir>/similarity, updated from disk) and the daemon\'s experiment store (how often this structure was tried, and how it did).')
        .argument('<file>', '.af file with the strategy')
        .option('--strategy <name>', 'which strategy of the file (default: the first)')
        .option('--k <n>', 'how many neighbours', parsePositive('--k'), 10)
        .option('--scope <scope>', 'workspace, store (needs the daemon) or all', parseScope, 'workspace')
        .option('--root <dir>', 'workspace root (default: the current directory)')
        .option('--state-dir <dir>', 'state directory (default .alphaforge, or $AF_STATE_DIR)')
        .option('--url <url>', 'daemon URL for the store scope')
        .option('--token <token>', 'API token for the store scope')
        .option('--json', 'print JSON (the same shape as the language server\'s alphaforge/similar and the daemon\'s similar.find)', false)
        .action(async (file: string, opts) => { program.setOptionValue('exit', await similarCommand(file, opts, out)); });

    program.command('fmt')
        .description('Format .af files in the canonical layout (in place), or with --check list files that are not formatted (exit 1).')
        .argument('<paths...>', 'files or directories')
        .option('--check', 'do not write; exit 1 if a file would change', false)
        .option('--stdout', 'print the formatted text instead of writing files', false)
        .action(async (paths: string[], opts) => { program.setOptionValue('exit', await fmtCommand(paths, opts, out)); });

    const dataOptions = (c: Command): Command => c
        .option('--strategy <name>', 'which strategy, when the file has several')
        .option('--symbols <list>', 'instruments to run on instead of the universe, e.g. sp:SPX (same count and order)')
        .option('--from <date>', 'first bar (YYYY-MM-DD or ISO time)')
        .option('--to <date>', 'last bar (YYYY-MM-DD or ISO time)')
        .option('--params <k=v...>', 'parameter values, e.g. fast=10 slow=50 (sweeps: held fixed)')
        .option('--benchmark <venue:SYMBOL>', 'compare with buy-and-hold of this stored series, e.g. sp:SPX (default: the traded assets); it must cover the run\'s bars')
        .option('--state-dir <dir>', 'state directory with the database (default .alphaforge, or $AF_STATE_DIR)')
        .option('--json', 'print JSON', false)
        .option('--url <url>', 'with --remote: the daemon URL')
        .option('--token <token>', 'with --remote: an API token');

    dataOptions(program.command('backtest')
        .description('Backtest a strategy on stored bars and print its metrics; --json prints the run result (series, trades, provenance); --report renders it as a self-contained HTML report.')
        .argument('<file>', '.af file'))
        .option('--report <file.html>', 'write the HTML report')
        .option('--remote', 'submit to the running daemon instead of running here', false)
        .action(async (file: string, opts) => { program.setOptionValue('exit', opts.remote ? await submitRemote('backtest', file, opts, out) : await backtestCommand(file, opts, out)); });

    program.command('hft').description('The hft pack\'s event-driven mode (docs/packs.md § The HFT pack).')
        .command('backtest')
        .description('Backtest a strategy with execution { mode: event_driven } event by event over its instrument\'s stored tick data (af data hft import|sample|synth).')
        .argument('<file>', '.af file')
        .option('--strategy <name>', 'strategy in the file (default: the only one)')
        .option('--from <date>', 'first event (YYYY-MM-DD or ISO time)')
        .option('--to <date>', 'last event (YYYY-MM-DD or ISO time)')
        .option('--params <k=v...>', 'parameter values, e.g. levels=2')
        .option('--latency-ms <ms>', 'latency between a decision and the venue (default: the strategy\'s latency_ms)', parseNumber('--latency-ms'))
        .option('--state-dir <dir>', 'state directory with the database (default .alphaforge, or $AF_STATE_DIR)')
        .option('--json', 'print JSON', false)
        .action(async (file: string, opts) => { program.setOptionValue('exit', await hftBacktestCommand(file, opts, out)); });

    const searchOptions = (c: Command): Command => dataOptions(c)
        .option('--random <n>', 'sample n random combinations instead of the full grid', parsePositive('--random'))
        .option('--seed <n>', 'seed of the random sample', parsePositive('--seed'), 1)
        .option('--sort <metric>', 'metric to optimise: sharpe, sortino, cagr, totalReturn, calmar, maxDrawdown, profitFactor, winRate', 'sharpe')
        .option('--workers <n>', 'worker threads (default: all cores)', parsePositive('--workers'));

    searchOptions(program.command('sweep')
        .description('Run every parameter combination (or a random sample) in parallel and rank them; reports the deflated Sharpe ratio of the best.')
        .argument('<file>', '.af file'))
        .option('--top <n>', 'rows to print', parsePositive('--top'), 20)
        .option('--remote', 'submit to the running daemon instead of running here', false)
        .action(async (file: string, opts) => { program.setOptionValue('exit', opts.remote ? await submitRemote('sweep', file, opts, out) : await sweepCommand(file, opts, out)); });

    searchOptions(program.command('walkforward')
        .description('Walk-forward analysis: optimise on each in-sample window, test on the next out-of-sample window.')
        .argument('<file>', '.af file'))
        .option('--in <bars>', 'in-sample bars per window (default: a quarter of the data)', parsePositive('--in'))
        .option('--out <bars>', 'out-of-sample bars per window (default: an eighth of the data)', parsePositive('--out'))
        .option('--anchored', 'in-sample windows all start at the first bar', false)
        .option('--remote', 'submit to the running daemon instead of running here', false)
        .action(async (file: string, opts) => { program.setOptionValue('exit', opts.remote ? await submitRemote('walkforward', file, opts, out) : await walkforwardCommand(file, opts, out)); });

    const data = program.command('data').description('The embedded market-data store (DuckDB in the state directory): import, list, show, resample, synthesise.');
    const stateDir = (c: Command): Command => c
        .option('--state-dir <dir>', 'state directory with the database (default .alphaforge, or $AF_STATE_DIR)')
        .option('--json', 'print JSON', false);

    stateDir(data.command('import')
        .description('Import bars from a CSV or Parquet file. Every row is validated; the import is rejected (nothing written) unless it is clean, or --repair / --allow-gaps say what to do.')
        .argument('<file>', 'CSV or Parquet file')
        .requiredOption('--venue <venue>', 'venue, e.g. binance, nyse, sp')
        .requiredOption('--symbol <symbol>', 'symbol on the venue, e.g. BTC/USDT, SPX')
        .requiredOption('--timeframe <tf>', 'bar length, e.g. 1m, 1h, 1d'))
        .option('--calendar <calendar>', '24x7 (crypto), weekdays (weekends are not gaps) or nyse (NYSE trading days: weekends and NYSE holidays are not gaps)', '24x7')
        .option('--map <field=column...>', 'column mapping, e.g. ts=Date close="Adj Close" (default: matched by name)')
        .option('--date-format <fmt>', 'strptime format of the timestamp column, e.g. %m/%d/%Y (US), %d.%m.%Y %H:%M; tokens in docs/cli.md. Numeric dates whose day/month order the data leaves open are refused until it is given')
        .addOption(new Option('--format <format>', 'file format (default: from the extension)').choices(['csv', 'parquet']))
        .option('--repair', 'drop invalid rows, keep the last of duplicate timestamps, sort', false)
        .option('--allow-gaps', 'import despite missing bars (never invented; they stay missing)', false)
        .action(async (file: string, opts) => { program.setOptionValue('exit', await dataImportCommand(file, opts, out)); });

    stateDir(data.command('sample')
        .description('Import the bundled sample: real S&P 500 daily bars 2000–2020 (vega-datasets, BSD-3-Clause) as sp:SPX 1d.'))
        .action(async opts => { program.setOptionValue('exit', await dataSampleCommand(opts, out)); });

    stateDir(data.command('synth')
        .description('Generate and import a seeded synthetic market: correlated assets, regime-switching (trending, mean-reverting, volatile).')
        .requiredOption('--symbols <list>', 'comma-separated symbols, e.g. AAA,BBB,CCC'))
        .option('--venue <venue>', 'venue to store them under', 'synth')
        .option('--timeframe <tf>', 'bar length', '1d')
        .option('--bars <n>', 'bars per symbol', parsePositive('--bars'), 2000)
        .option('--seed <n>', 'random seed (same seed, same bars)', parseInteger('--seed'), 1)
        .option('--start <date>', 'first bar (default 2020-01-01)')
        .option('--correlation <rho>', 'correlation of returns between assets, 0 ≤ rho < 1', parseNumber('--correlation'))
        .option('--vol <sigma>', 'annualised volatility of the calm regimes, e.g. 0.6', parseNumber('--vol'))
        .action(async opts => { program.setOptionValue('exit', await dataSynthCommand(opts, out)); });

    stateDir(data.command('fetch')
        .description('Fetch OHLCV bars from an exchange through ccxt (paginated, rate-limited; the still-forming candle is left out) and import them.')
        .argument('<venue>', 'ccxt exchange id, e.g. binance')
        .argument('<symbol>', 'market, e.g. BTC/USDT')
        .argument('<timeframe>', 'e.g. 1m, 1h, 1d')
        .requiredOption('--since <date>', 'first bar (YYYY-MM-DD, ISO time or epoch ms)'))
        .option('--until <date>', 'last bar (default: now)')
        .option('--limit <n>', 'at most n bars', parsePositive('--limit'))
        .option('--urls <base>', 'API base URL instead of the exchange\'s (e.g. a local mirror)')
        .option('--timeout <ms>', 'per-request timeout', parsePositive('--timeout'))
        .action(async (venue: string, symbol: string, timeframe: string, opts) => { program.setOptionValue('exit', await dataFetchCommand(venue, symbol, timeframe, opts, out, err)); });

    stateDir(data.command('ls').description('List stored series: instrument, timeframe, bar count, first and last bar.'))
        .action(async opts => { program.setOptionValue('exit', await dataLsCommand(opts, out)); });

    stateDir(data.command('show')
        .description('Print the bars of one instrument (resampled on the fly when only a finer timeframe is stored) and its import log.')
        .argument('<instrument>', 'venue:SYMBOL, e.g. sp:SPX'))
        .option('--timeframe <tf>', 'timeframe (default: the stored one)')
        .option('--from <date>', 'first bar')
        .option('--to <date>', 'last bar')
        .option('--limit <n>', 'rows to print', parsePositive('--limit'), 20)
        .option('--tail', 'print the last rows instead of the first', false)
        .action(async (instrument: string, opts) => { program.setOptionValue('exit', await dataShowCommand(instrument, opts, out)); });

    stateDir(data.command('export')
        .description('Write a read-only query, stored bars or a stored panel to Parquet, Arrow IPC or CSV (format from the extension) for notebooks.')
        .argument('<out>', 'output file: .parquet, .arrow / .feather / .ipc, or .csv'))
        .option('--sql <query>', 'one SELECT over the tables bars, instruments, imports, panels, panel_values, onchain_series')
        .option('--symbols <list>', 'bars of these instruments, e.g. sp:SPX,binance:BTC/USDT (with --timeframe)')
        .option('--timeframe <tf>', 'timeframe of --symbols')
        .option('--from <date>', 'first bar (with --symbols)')
        .option('--to <date>', 'last bar (with --symbols)')
        .option('--panel <name>', 'a stored feature panel (long: ts, symbol, feature, value)')
        .option('--wide', 'with --panel: one column per feature', false)
        .addOption(new Option('--format <format>', 'override the format').choices(['parquet', 'arrow', 'csv']))
        .action(async (file: string, opts) => { program.setOptionValue('exit', await dataExportCommand(file, opts, out)); });

    dataOptions(data.command('panel')
        .description('Compute a strategy\'s features and signals at every bar for every symbol (its universe, or any --symbols list) and store them as a named panel; --out exports it.')
        .argument('<file>', '.af file'))
        .option('--name <name>', 'panel name (default: the strategy name)')
        .option('--out <file>', 'also export the panel (.parquet, .arrow, .csv)')
        .option('--wide', 'export one column per feature', false)
        .action(async (file: string, opts) => { program.setOptionValue('exit', await panelCommand(file, opts, out)); });

    stateDir(data.command('panels').description('List stored feature panels with their provenance.'))
        .action(async opts => { program.setOptionValue('exit', await dataPanelsCommand(opts, out)); });

    stateDir(data.command('resample')
        .description('Store a coarser timeframe of a stored series (a coarse bar exists only once all its source bars have closed).')
        .argument('<instrument>', 'venue:SYMBOL')
        .requiredOption('--to <tf>', 'target timeframe, e.g. 4h, 1d, 1w'))
        .action(async (instrument: string, opts) => { program.setOptionValue('exit', await dataResampleCommand(instrument, opts, out)); });

    const onchain = data.command('onchain').description('On-chain/DeFi data for the onchain pack: pools, swaps, TVL and gas (docs/packs.md § The onchain pack).');
    stateDir(onchain.command('import')
        .description('Import one file of a documented on-chain layout (CSV with a header row, or a JSON array of objects). Every row is checked; nothing is written unless all are clean.')
        .argument('<file>', 'CSV or JSON file')
        .addOption(new Option('--kind <kind>', 'the layout').choices(['pools', 'swaps', 'tvl', 'gas']).makeOptionMandatory())
        .addOption(new Option('--format <format>', 'file format (default: from the extension)').choices(['csv', 'json'])))
        .action(async (file: string, opts) => { program.setOptionValue('exit', await dataOnchainImportCommand(file, opts, out)); });
    stateDir(onchain.command('sample')
        .description('Import the bundled on-chain sample: synth:ETH/USDT 1h bars and two DEX pools trading WETH with their swaps, TVL and gas (synthetic, seed 1).'))
        .action(async opts => { program.setOptionValue('exit', await dataOnchainSampleCommand(opts, out)); });
    stateDir(onchain.command('synth')
        .description('Generate and import a seeded synthetic venue market and its on-chain dataset (two pools trading the base token, swaps, TVL, gas).'))
        .option('--venue <venue>', 'venue of the bars', 'synth')
        .option('--symbol <symbol>', 'symbol of the bars; the pools trade its base token', 'ETH/USDT')
        .option('--timeframe <tf>', 'bar length', '1h')
        .option('--bars <n>', 'bars', parsePositive('--bars'), 500)
        .option('--seed <n>', 'random seed (same seed, same data)', parseInteger('--seed'), 1)
        .option('--start <date>', 'first bar (default 2020-01-01)')
        .action(async opts => { program.setOptionValue('exit', await dataOnchainSynthCommand(opts, out)); });

    const hft = data.command('hft').description('Tick data for the hft pack: trades and L2 order-book snapshots and deltas (docs/packs.md § The HFT pack).');
    stateDir(hft.command('import')
        .description('Import one trades or order-book CSV file in a public dataset\'s layout. Every row is checked; nothing is written unless all are clean.')
        .argument('<file>', 'CSV file')
        .addOption(new Option('--format <format>', 'the layout').choices(['binance-trades', 'binance-aggtrades', 'tardis-trades', 'tardis-book-l2', 'tardis-book-snapshot']).makeOptionMandatory())
        .requiredOption('--venue <venue>', 'venue to store it under, e.g. binance')
        .requiredOption('--symbol <symbol>', 'symbol to store it under, e.g. BTC/USDT'))
        .action(async (file: string, opts) => { program.setOptionValue('exit', await dataHftImportCommand(file, opts, out)); });
    stateDir(hft.command('sample')
        .description('Import the bundled tick sample: synth:BTC/USDT trades and L2 book updates in Tardis.dev layouts (synthetic, seed 1).'))
        .action(async opts => { program.setOptionValue('exit', await dataHftSampleCommand(opts, out)); });
    stateDir(hft.command('synth')
        .description('Generate and import a seeded synthetic tick market: Poisson order flow, a mean-reverting mid, spreads that walk in ticks, queues that deplete.'))
        .option('--venue <venue>', 'venue', 'synth')
        .option('--symbol <symbol>', 'symbol', 'BTC/USDT')
        .option('--events <n>', 'events (trades and book rows)', parsePositive('--events'), 100_000)
        .option('--seed <n>', 'random seed (same seed, same data)', parseInteger('--seed'), 1)
        .option('--start <date>', 'first event (default 2024-01-02)')
        .action(async opts => { program.setOptionValue('exit', await dataHftSynthCommand(opts, out)); });

    // ---- the daemon and the commands that talk to it
    const client = (c: Command): Command => c
        .option('--state-dir <dir>', 'state directory (default .alphaforge, or $AF_STATE_DIR)')
        .option('--url <url>', 'daemon URL (default: $AF_DAEMON_URL, af login, or <state dir>/daemon.json)')
        .option('--token <token>', 'API token (default: $AF_TOKEN, af login, or the local admin token)')
        .option('--json', 'print JSON', false);

    const daemon = program.command('daemon').description('The runtime daemon: gateway (HTTP/WebSocket JSON-RPC, gRPC), IAM, orchestrator, experiments, monitoring.');
    daemon.command('run')
        .description('Run the daemon in the foreground (SIGTERM/SIGINT stop it gracefully).')
        .option('--state-dir <dir>', 'state directory')
        .option('--host <host>', 'bind address (default 127.0.0.1; others need --tls-key/--tls-cert or --allow-insecure-remote)')
        .option('--port <port>', 'port (0: any free port)', parseInteger('--port'), 7411)
        .option('--concurrency <n>', 'runs at once (default: all cores)', parsePositive('--concurrency'))
        .option('--grpc', 'also serve gRPC', false)
        .option('--tls-key <file>', 'TLS private key (PEM)')
        .option('--tls-cert <file>', 'TLS certificate (PEM)')
        .option('--allow-insecure-remote', 'bind a non-loopback address without TLS (trusted networks only)', false)
        .option('--public-metrics', 'serve /metrics without a token', false)
        .addOption(new Option('--data-dir <dir>', DATA_DIR_HELP).argParser(collect).default([], 'the current directory, the workspace'))
        .option('--max-upload-mb <n>', 'largest upload (PUT /uploads/<name>) in MiB (default 1024)', parsePositive('--max-upload-mb'))
        .option('--team-quota-mb <n>', 'disk one team\'s uploads and exports may use together, in MiB (default 20480)', parsePositive('--team-quota-mb'))
        .option('--file-retention-days <n>', 'uploads and exports older than this are removed (default 7)', parsePositive('--file-retention-days'))
        .addOption(new Option('--source-root <dir>', 'a folder `import` statements of sources sent to the daemon may read (repeatable)').argParser((v: string, all: string[]) => [...all, v]).default([] as string[], 'the working directory'))
        .option('--run-timeout <ms>', 'time limit of a run that asks for none, and the most one may ask for (0: none; default 30 min)', parseInteger('--run-timeout'))
        .addOption(new Option('--team-run-timeout <team=ms>', "a team's own run time limit (repeatable)").argParser((v: string, all: string[]) => [...all, v]).default([] as string[], 'none'))
        .option('--run-memory <mb>', 'memory of one run: its worker heap and its look-back history (default 1024)', parsePositive('--run-memory'))
        .option('--lang-workers <n>', 'threads that parse, lint and compile sources (default 2)', parsePositive('--lang-workers'))
        .option('--lang-timeout <ms>', 'time limit of one lint, compile or analysis (default 30000)', parsePositive('--lang-timeout'))
        .option('--query-timeout <seconds>', 'time limit of one interactive database call; longer ones are stopped (default 30)', parsePositiveNumber('--query-timeout'))
        .option('--bulk-timeout <seconds>', 'time limit of one import, export or bar load (default 600)', parsePositiveNumber('--bulk-timeout'))
        .option('--integrity-budget <seconds>', 'time the integrity check of the database may take at start (default 60; 0: no check)', parseNumber('--integrity-budget'))
        .addOption(new Option('--log-level <level>', 'minimum level of the daemon log (default info, or $AF_LOG_LEVEL)').choices(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']))
        .action(async opts => { program.setOptionValue('exit', await daemonRunCommand(opts, out)); });
    daemon.command('start')
        .description('Start the daemon in the background and wait until it is ready.')
        .option('--state-dir <dir>', 'state directory')
        .option('--host <host>', 'bind address')
        .option('--port <port>', 'port (0: any free port)', parseInteger('--port'), 7411)
        .option('--grpc', 'also serve gRPC', false)
        .addOption(new Option('--data-dir <dir>', DATA_DIR_HELP).argParser(collect).default([], 'the current directory, the workspace'))
        .option('--max-upload-mb <n>', 'largest upload in MiB (default 1024)', parsePositive('--max-upload-mb'))
        .action(async opts => { program.setOptionValue('exit', await daemonStartCommand(opts, out)); });
    daemon.command('stop').description('Stop the daemon (SIGTERM, then SIGKILL after 10 s).').option('--state-dir <dir>', 'state directory')
        .action(async opts => { program.setOptionValue('exit', await daemonStopCommand(opts, out)); });
    client(daemon.command('health').description('Queue, workers and your team\'s recent runs (what the editor\'s Platform Health view shows). Exit 0 when ready, 3 when not.'))
        .option('--window <minutes>', 'how far back your team\'s figures look (default 15)', parsePositive('--window'))
        .action(async opts => { program.setOptionValue('exit', await daemonHealthCommand(opts, out)); });
    daemon.command('status').description('Is a daemon running for this state directory, and ready? Exit 0 when running, 3 when not.')
        .option('--state-dir <dir>', 'state directory').option('--json', 'print JSON', false)
        .action(async opts => { program.setOptionValue('exit', await daemonStatusCommand(opts, out)); });

    program.command('worker')
        .description('Team mode: pull runs from the BullMQ queue named by the config file\'s queue section and compute them (docs/team-mode.md). Any number, on any host.')
        .option('--concurrency <n>', 'runs at once (default: runs.concurrency of the config, else all cores)', parsePositive('--concurrency'))
        .option('--run-memory <mb>', 'memory of one run (default 1024)', parsePositive('--run-memory'))
        .addOption(new Option('--log-level <level>', 'minimum level of the log on stderr (default info)').choices(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']))
        .action(async opts => { program.setOptionValue('exit', await (await import('./commands/worker.js')).workerCommand(opts, out)); });

    client(program.command('login').description('Check a token against the daemon and remember it (and the URL) in <state dir>/credentials.json (0600).'))
        // Only a token given here is remembered (not $AF_TOKEN's).
        .action(async (opts, cmd: Command) => { program.setOptionValue('exit', await loginCommand({ ...opts, token: cmd.getOptionValueSource('token') === 'cli' ? opts.token : undefined }, out)); });

    const token = program.command('token').description('API tokens: create (shown once), list, revoke.');
    client(token.command('create').description('Create a token (for yourself; admins: for anyone).').argument('<name>', 'what it is for'))
        .option('--scopes <list>', 'method namespaces it may call, e.g. runs,data,experiments (default *)')
        .option('--ttl <duration>', 'lifetime, e.g. 12h, 90d (default: no expiry)')
        .option('--user <user>', 'admins: for this user').option('--team <team>', 'admins: in this team')
        .action(async (name: string, opts) => { program.setOptionValue('exit', await tokenCreateCommand(name, opts, out)); });
    client(token.command('ls').description('List tokens (never their secrets).')).option('--user <user>', 'admins: this user\'s')
        .action(async opts => { program.setOptionValue('exit', await tokenLsCommand(opts, out)); });
    client(token.command('revoke').description('Revoke a token at once.').argument('<id>', 'token id (tok_…)'))
        .action(async (id: string, opts) => { program.setOptionValue('exit', await tokenRevokeCommand(id, opts, out)); });

    client(program.command('user').description('Users and teams (admin): create NAME | ls | disable USER | enable USER | role USER TEAM ROLE|none | team NAME')
        .argument('<action>', 'create, ls, disable, enable, role, team').argument('[args...]', 'arguments of the action'))
        .action(async (action: string, args: string[], opts) => { program.setOptionValue('exit', await userCommand(action, args, opts, out)); });

    const runs = program.command('runs').description('Runs on the daemon: list, show, compare, export, cancel, promote, logs.');
    client(runs.command('ls').description('Runs of your team, newest first.'))
        .addOption(new Option('--state <state>', 'only this state').choices(['created', 'queued', 'running', 'completed', 'failed', 'cancelled']))
        .option('--limit <n>', 'rows', parsePositive('--limit'), 20)
        .action(async opts => { program.setOptionValue('exit', await runsLsCommand(opts, out)); });
    client(runs.command('compare').description('Runs side by side: params (the differing ones marked), metrics and, for two runs, the difference.').argument('<ids...>', 'two or more run ids (or unique prefixes)'))
        .option('--metrics <keys>', 'only these metrics, e.g. sharpe,cagr,maxDrawdown')
        .action(async (ids: string[], opts) => { program.setOptionValue('exit', await runsCompareCommand(ids, opts, out)); });
    client(runs.command('export').description('Write a run\'s trades, series and metrics (a sweep\'s trials, a walk-forward\'s windows) for notebooks: OUT.trades.EXT, OUT.series.EXT, OUT.metrics.EXT … (docs/cli.md).')
        .argument('<id>', 'run id (or a unique prefix)').argument('<out>', 'out.parquet, out.arrow (Arrow IPC / Feather v2) or out.csv'))
        .addOption(new Option('--format <format>', 'override the format of the extension').choices(['parquet', 'arrow', 'csv']))
        .action(async (id: string, file: string, opts) => { program.setOptionValue('exit', await runsExportCommand(id, file, opts, out)); });
    client(runs.command('show').description('One run: state, params, metrics, provenance.').argument('<id>', 'run id (or a unique prefix)'))
        .action(async (id: string, opts) => { program.setOptionValue('exit', await runsShowCommand(id, opts, out)); });
    client(runs.command('cancel').description('Cancel a queued or running run (the work stops).').argument('<id>', 'run id (or a unique prefix)'))
        .action(async (id: string, opts) => { program.setOptionValue('exit', await runsCancelCommand(id, opts, out)); });
    client(runs.command('promote').description('Mark a completed run as a candidate for the strategy registry (then: af registry publish ID).').argument('<id>', 'run id'))
        .option('--note <text>', 'why')
        .action(async (id: string, opts) => { program.setOptionValue('exit', await runsPromoteCommand(id, opts, out)); });
    client(runs.command('logs').description('The log lines of a run.').argument('<id>', 'run id (or a unique prefix)'))
        .action(async (id: string, opts) => { program.setOptionValue('exit', await runsLogsCommand(id, opts, out)); });

    const registry = program.command('registry').description('The strategy registry: versioned, approved strategies of your team (NAME@VERSION). See docs/registry.md.');
    client(registry.command('publish').description('Publish a promoted run or an .af file as the next version of a registry entry (a draft).').argument('<run-or-file>', 'a promoted run id, or an .af file'))
        .option('--name <name>', 'registry name (default: the strategy\'s name)')
        .option('--notes <text>', 'why this version')
        .option('--strategy <name>', 'a file: which strategy, when it has several')
        .option('--params <k=v...>', 'a file: parameter values (default: the declared defaults)')
        .action(async (target: string, opts) => { program.setOptionValue('exit', await registryPublishCommand(target, opts, out)); });
    client(registry.command('ls').description('Entries of your team, every version, newest first.').argument('[name]', 'only this entry'))
        .addOption(new Option('--state <state>', 'only this state').choices(['draft', 'approved', 'deployed', 'retired']))
        .option('--limit <n>', 'rows', parsePositive('--limit'), 50)
        .action(async (name: string | undefined, opts) => { program.setOptionValue('exit', await registryLsCommand(name, opts, out)); });
    client(registry.command('show').description('One version (default: the latest): provenance, imports, events; --source prints the texts.').argument('<name[@version]>', 'e.g. SmaCross@2'))
        .option('--source', 'print the source and imported files', false)
        .action(async (ref: string, opts) => { program.setOptionValue('exit', await registryShowCommand(ref, opts, out)); });
    client(registry.command('approve').description('Approve a draft (a trader who is not its author: four eyes).').argument('<name@version>', 'e.g. SmaCross@2'))
        .option('--note <text>', 'recorded with the approval')
        .action(async (ref: string, opts) => { program.setOptionValue('exit', await registryTransitionCommand('approve', ref, opts, out)); });
    client(registry.command('retire').description('Retire a version: it can no longer be approved or deployed.').argument('<name@version>', 'e.g. SmaCross@1'))
        .option('--note <text>', 'recorded with the retirement')
        .action(async (ref: string, opts) => { program.setOptionValue('exit', await registryTransitionCommand('retire', ref, opts, out)); });
    client(registry.command('diff').description('Two versions compared: the structural difference in words, parameter values, unified diffs of the source and imports.')
        .argument('<from>', 'NAME@VERSION').argument('<to>', 'NAME@VERSION'))
        .action(async (from: string, to: string, opts) => { program.setOptionValue('exit', await registryDiffCommand(from, to, opts, out)); });

    // Deployments: paper and live trading through the daemon (docs/trading.md).
    const feedOptions = (c: Command): Command => c
        .option('--symbols <list>', 'venue:SYMBOL per asset of the universe, comma-separated (default: its universe)')
        .option('--from <date>', 'replay: first bar (YYYY-MM-DD or ISO time)')
        .option('--to <date>', 'replay: last bar')
        .option('--bar-ms <ms>', 'replay: wall time between two bars (default 1000)', parsePositive('--bar-ms'))
        .option('--capital <amount>', 'starting cash of the paper venue (default: the strategy\'s capital, else 100000)', parsePositiveNumber('--capital'));
    const deploy = program.command('deploy').description('Start trading a strategy behind the risk engine: paper (a file or NAME@VERSION) or live (an approved NAME@VERSION).');
    client(feedOptions(deploy.command('paper').description('Paper trade an .af file or a registry version on the paper venue, fed by stored bars replayed one every --bar-ms.').argument('<file-or-version>', 'an .af file, or NAME@VERSION')))
        .option('--strategy <name>', 'which strategy of the file (default: the first)')
        .option('--params <k=v...>', 'a file: parameter values (default: the declared defaults)')
        .option('--feed <name>', 'the feed (default replay)')
        .action(async (target: string, opts) => { program.setOptionValue('exit', await deployPaperCommand(target, opts, out)); });
    client(feedOptions(deploy.command('live').description('Trade an approved registry version on a venue (you need the trader role; the version becomes deployed).').argument('<name@version>', 'e.g. SmaCross@2')))
        .requiredOption('--venue <name>', 'paper, or a venue the daemon has (e.g. ccxt:binance)')
        .option('--feed <name>', 'the feed (default: the venue\'s own)')
        .action(async (ref: string, opts) => { program.setOptionValue('exit', await deployLiveCommand(ref, opts, out)); });
    const deployments = program.command('deployments').description('Deployments of your team: ls, show, stop.');
    client(deployments.command('ls').description('Deployments of your team, newest first.'))
        .addOption(new Option('--state <state>', 'only this state').choices(['starting', 'warming', 'running', 'halted', 'stopping', 'stopped', 'failed']))
        .option('--limit <n>', 'rows', parsePositive('--limit'), 20)
        .action(async opts => { program.setOptionValue('exit', await deploymentsLsCommand(opts, out)); });
    client(deployments.command('show').description('One deployment: state and why, feed, bars, risk state, equity and PnL.').argument('<id>', 'deployment id (dep_…)'))
        .action(async (id: string, opts) => { program.setOptionValue('exit', await deploymentsShowCommand(id, opts, out)); });
    client(deployments.command('stop').description('Stop a deployment: no new order (open orders stay; af kill cancels them and flattens).').argument('<id>', 'deployment id'))
        .option('--reason <text>', 'why')
        .action(async (id: string, opts) => { program.setOptionValue('exit', await deploymentsStopCommand(id, opts, out)); });
    client(program.command('kill').description('Kill switch: halt a deployment (or all of your team\'s), cancel its open orders and flatten its positions.').argument('[id]', 'deployment id'))
        .option('--all', 'every deployment of your team that has not ended')
        .option('--reason <text>', 'why')
        .action(async (id: string | undefined, opts) => { program.setOptionValue('exit', await killCommand(id, opts, out)); });
    client(program.command('positions').description('Positions and balances of a deployment (default: every live one of your team).').argument('[id]', 'deployment id'))
        .action(async (id: string | undefined, opts) => { program.setOptionValue('exit', await positionsCommand(id, opts, out)); });
    client(program.command('orders').description('Orders of a deployment (default: all of your team\'s), as journaled.').argument('[id]', 'deployment id'))
        .option('--open', 'only orders not in a final state')
        .option('--limit <n>', 'rows', parsePositive('--limit'), 100)
        .action(async (id: string | undefined, opts) => { program.setOptionValue('exit', await ordersCommand(id, opts, out)); });
    const venue = program.command('venue').description('Trading venues: the local exchange stand-in, and your team\'s venue API keys (stored encrypted by the daemon). See docs/trading.md.');
    venue.command('standin').description('Run the local exchange stand-in (Binance spot REST + WebSocket formats, a fake account, a seeded synthetic price path) on 127.0.0.1 and print its address and keys.')
        .option('--port <port>', 'port (0: any free one)', parseWhole('--port', 65535), 8090)
        .option('--interval <tf>', 'bar interval of the price path (1s, 1m, …)', '1m')
        .option('--seed <n>', 'seed of the price path', parseWhole('--seed', 2 ** 31), 42)
        .action(async opts => { program.setOptionValue('exit', await venueStandinCommand(opts, out)); });
    const venueKeys = venue.command('keys').description('Your team\'s venue API keys: set (the secret from stdin or $AF_VENUE_SECRET, never argv), ls, rm.');
    client(venueKeys.command('set').description('Store (or replace) the API key and secret for an exchange; the secret is read from stdin or $AF_VENUE_SECRET, a passphrase (okx, kucoin) from $AF_VENUE_PASSWORD.').argument('<exchange>', 'ccxt exchange id, e.g. binance'))
        .option('--label <label>', 'a name for this key pair', 'default')
        .option('--api-key <key>', 'the API key (or $AF_VENUE_API_KEY)')
        .action(async (exchange: string, opts) => { program.setOptionValue('exit', await venueKeysSetCommand(exchange, opts, out)); });
    client(venueKeys.command('ls').description('Stored venue keys of your team: exchange, label, created (never the secrets).'))
        .action(async opts => { program.setOptionValue('exit', await venueKeysLsCommand(opts, out)); });
    client(venueKeys.command('rm').description('Remove stored venue keys.').argument('<ref>', 'id (vk_…) or EXCHANGE/LABEL'))
        .action(async (ref: string, opts) => { program.setOptionValue('exit', await venueKeysRmCommand(ref, opts, out)); });

    client(program.command('diff').description('The structural difference of two strategies\' canonical DAGs: added, removed and changed nodes, params, rules and settings. Two files are compared locally; runs and registry versions through the daemon (your team\'s only).')
        .argument('<a>', 'FILE, FILE#Strategy, NAME@VERSION or a run id').argument('<b>', 'the same kinds; how b differs from a'))
        .action(async (a: string, b: string, opts) => { program.setOptionValue('exit', await diffCommand(a, b, opts, out)); });

    client(program.command('report').description('Render the self-contained HTML report of a run result: a result file (af backtest --json > result.json) or a daemon run.')
        .argument('<target>', 'a result.json, or a run id'))
        .option('-o, --output <file.html>', 'where to write it (default: <run id or file name>.html)')
        .action(async (target: string, opts) => { program.setOptionValue('exit', await reportCommand(target, opts, out)); });

    const exp = program.command('exp').description('Experiments: search runs with the filter language.');
    client(exp.command('search').description('e.g. af exp search "metrics.sharpe > 1 and tags.style = \'trend\'" --order-by "metrics.sharpe desc"').argument('[filter]', 'filter expression'))
        .option('--order-by <terms>', 'e.g. "metrics.sharpe desc"').option('--limit <n>', 'rows', parsePositive('--limit'), 50).option('--experiment <id>', 'only this experiment')
        .action(async (filter: string | undefined, opts) => { program.setOptionValue('exit', await expSearchCommand(filter, opts, out)); });

    // ---- af mcp: the MCP server for AI agents (stdout carries MCP only; messages go to stderr)
    program.command('mcp')
        .description('Serve the platform to AI agents over MCP (stdio): lint, compile, backtest, sweep, search experiments, find similar, runs, data. See docs/agents.md.')
        .option('--state-dir <dir>', 'state directory (default .alphaforge, or $AF_STATE_DIR)')
        .option('--url <url>', 'daemon URL (default: $AF_DAEMON_URL, af login, or <state dir>/daemon.json)')
        .option('--token <token>', 'API token (default: $AF_TOKEN, af login, or the local admin token); prefer a scoped one: af token create agent --scopes lang,runs,experiments,similar,data')
        .option('--workspace <dir>', 'the folder whose .af files the tools may read (default: the current directory)')
        .action(async opts => { program.setOptionValue('exit', await mcpCommand(opts, err)); });

    program.command('logs')
        .description('Print the daemon\'s structured log, filtered by run, trace, request, component or level; --follow keeps printing.')
        .option('--run <id>', 'lines of one run (its id or a prefix, e.g. the 8 characters af runs ls prints)')
        .option('--trace <id>', 'lines of one trace (a request and the runs it started)')
        .option('--request <id>', 'lines of one request')
        .option('--component <name>', 'e.g. gateway, orchestrator, alerts')
        .addOption(new Option('--level <level>', 'minimum level').choices(['trace', 'debug', 'info', 'warn', 'error', 'fatal']))
        .option('--since <when>', 'e.g. 15m, 2h, 1d or an ISO time')
        .option('--limit <n>', 'last n lines', parsePositive('--limit'))
        .option('--follow', 'keep printing new lines', false)
        .option('--state-dir <dir>', 'state directory (default .alphaforge, or $AF_STATE_DIR)')
        .option('--json', 'print JSON lines', false)
        .action(async opts => { program.setOptionValue('exit', await logsCommand(opts, out)); });

    program.command('audit')
        .description('Print the audit log: IAM changes, refused credentials and calls (401, 403), imports, exports, promotions, cancellations, daemon start, stop and crash recovery.')
        .option('--since <when>', 'e.g. 15m, 2h, 1d or an ISO time')
        .option('--actor <name>', 'a user name or id, token id or prefix (af_…), or address')
        .option('--method <prefix>', 'method prefix, e.g. iam. or data.import')
        .option('--limit <n>', 'last n records (default 1000)', parsePositive('--limit'))
        .option('--state-dir <dir>', 'state directory (default .alphaforge, or $AF_STATE_DIR)')
        .option('--json', 'print JSON lines', false)
        .action(async opts => { program.setOptionValue('exit', await auditCommand(opts, out)); });

    program.command('demo')
        .description('The main job: check and compile every example, import the bundled S&P 500 sample, backtest an example on it, print its metrics and write the HTML report.')
        .option('--examples <dir>', 'examples directory', 'examples')
        .option('--backtest <file>', 'the example to backtest', 'examples/sma-cross.af')
        .option('--state-dir <dir>', 'state directory with the database (default .alphaforge, or $AF_STATE_DIR)')
        .action(async opts => { program.setOptionValue('exit', await demoCommand(opts, out)); });

    program.command('completion')
        .description('Print a shell completion script: source <(af completion bash) · source <(af completion zsh) · af completion fish > ~/.config/fish/completions/af.fish')
        .argument('<shell>', 'bash, zsh or fish')
        .action(async (shell: string) => { out((await import('./completion.js')).completionScript(program, shell)); });

    const configure = (c: Command): void => {
        c.configureOutput({ writeOut: out, writeErr: err }).exitOverride().showHelpAfterError('(run with --help for usage)');
        c.commands.forEach(configure);
    };
    program.commands.forEach(configure);
    return program;
}

const DATA_DIR_HELP = 'a folder data.import may read files from over RPC (repeatable); <state dir>/imports/ always';

/** Commander's accumulator for a repeatable option. */
function collect(value: string, previous: string[]): string[] {
    return [...previous, value];
}

function parsePositive(flag: string): (v: string) => number {
    return v => {
        const n = Number(v);
        if (!Number.isInteger(n) || n <= 0) throw new CliError(`${flag} takes a whole number > 0, not '${v}'`);
        return n;
    };
}

function parseWhole(flag: string, max: number): (v: string) => number {
    return v => {
        const n = Number(v);
        if (!Number.isInteger(n) || n < 0 || n > max) throw new CliError(`${flag} takes a whole number from 0 to ${max}, not '${v}'`);
        return n;
    };
}

function parseNumber(flag: string): (v: string) => number {
    return v => {
        const n = Number(v);
        if (v.trim() === '' || !Number.isFinite(n)) throw new CliError(`${flag} takes a number, not '${v}'`);
        return n;
    };
}

function parsePositiveNumber(flag: string): (v: string) => number {
    return v => {
        const n = Number(v);
        if (v.trim() === '' || !Number.isFinite(n) || n <= 0) throw new CliError(`${flag} takes a number > 0, not '${v}'`);
        return n;
    };
}

function parseInteger(flag: string): (v: string) => number {
    return v => {
        const n = Number(v);
        if (v.trim() === '' || !Number.isInteger(n) || n < 0) throw new CliError(`${flag} takes a whole number, not '${v}'`);
        return n;
    };
}

/** Does the command line ask for JSON output (--json, or --format json)? Then errors are JSON too. */
function wantsJson(argv: readonly string[]): boolean {
    return argv.some((a, i) => a === '--json' || (a === '--format' && argv[i + 1] === 'json') || a === '--format=json');
}

/**
 * Runs the CLI and returns the exit code (never calls process.exit, so it is testable in-process).
 * Exit codes (errors.ts, docs/cli.md): 0 ok, 1 failure, 2 usage, 3 rejected input, 70 a bug.
 */
export async function run(argv: readonly string[], out = (s: string) => { process.stdout.write(s); }, err = (s: string) => { process.stderr.write(s); }): Promise<number> {
    const json = wantsJson(argv);
    // Under --json, commander's own error text is kept back: the error is printed once, as JSON.
    let usageText = '';
    const program = buildProgram(out, json ? s => { usageText += s; } : err);
    const fail = (e: CliError): number => {
        if (json) out(errorJson(e));
        else err(`af: ${e.message}${e.hint ? ` (${e.hint})` : ''}\n`);
        return e.exitCode;
    };
    try {
        await program.parseAsync([...argv], { from: 'user' });
        return (program.getOptionValue('exit') as number | undefined) ?? 0;
    } catch (e) {
        if (e instanceof CommanderError) {
            if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') {
                if (json && usageText) err(usageText);
                return EXIT.ok;
            }
            if (json) out(errorJson(new CliError(e.message.replace(/^error: /, ''), { code: 'usage', hint: 'run with --help for usage' })));
            return EXIT.usage;
        }
        if (e instanceof CliError) return fail(e);
        // A failure class thrown past a command (protocol/src/errors.ts): bad input is rejected input.
        const { Failure, UserInputError } = await import('../../../protocol/src/errors.js');
        // A bad setting (flag, environment, config file) is the command line's fault: usage.
        if (e instanceof (await import('../config/config.js')).ConfigError) return fail(new CliError(e.message, { code: 'usage' }));
        if (e instanceof Failure) return fail(new CliError(e.message, e instanceof UserInputError ? { code: 'rejected' } : { code: 'failure', exitCode: EXIT.failure }));
        const message = `internal error: ${(e as Error).message}`;
        if (json) out(JSON.stringify({ error: { code: 'internal', message, hint: 'this is a bug; please report it with the command you ran' } }, null, 2) + '\n');
        else err(`af: ${message}\n(this is a bug; please report it with the command you ran)\n`);
        return EXIT.internal;
    }
}
