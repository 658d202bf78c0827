/**
 * Every diagnostic the compiler can report, with a stable code, a severity and documentation
 * (what it means, a bad example and its fix). This table is the single source for the
 * validator, `af explain CODE` and docs/diagnostics.md (generated, and tested to be in sync).
 *
 * Ranges: AF0xx structure and names, AF1xx lookahead, AF2xx types and units, AF3xx dead code,
 * AF4xx parameters, AF5xx warm-up and overfitting, AF6xx risk, sizing and execution.
 */

export type Severity = 'error' | 'warning' | 'info' | 'hint';

export interface DiagnosticDoc {
    readonly code: string;
    readonly severity: Severity;
    readonly title: string;
    readonly explanation: string;
    readonly bad: string;
    readonly fixed: string;
}

const STRAT = (body: string, header = 'universe: binance:BTC/USDT\n  timeframe: 1h'): string =>
    `strategy S {\n  ${header}\n${body.split('\n').map(l => `  ${l}`).join('\n')}\n}`;

const rulesUsing = (sig: string): string => `rules {\n  when ${sig} => target 100% long\n}`;

export const DIAGNOSTICS = [
    {
        code: 'AF001', severity: 'error', title: 'Syntax error',
        explanation: 'The text does not follow the grammar. The parser recovers and reports every syntax error in the file, not only the first. Common slips get a message that says the fix: `&&`, `||` and `!` (write `and`, `or`, `not`; the rest of the condition is read as if you had), `buy`, `sell` or `target` with no size after it, and a `.` that ends a line with no member name (a half-typed `a.`; the lines after it keep their meaning).',
        bad: STRAT('feature ma = sma(close, 20\n' + rulesUsing('close > ma')),
        fixed: STRAT('feature ma = sma(close, 20)\n' + rulesUsing('close > ma')),
    },
    {
        code: 'AF002', severity: 'error', title: 'Duplicate name',
        explanation: 'Params, features, signals and asset aliases of a strategy share one namespace; top-level defs and strategies of a file share another. Each name may be declared once.',
        bad: STRAT('feature ma = sma(close, 20)\nfeature ma = ema(close, 20)\n' + rulesUsing('close > ma')),
        fixed: STRAT('feature sma20 = sma(close, 20)\nfeature ema20 = ema(close, 20)\n' + rulesUsing('sma20 > ema20')),
    },
    {
        code: 'AF003', severity: 'error', title: 'Unknown name',
        explanation: 'A name does not refer to a param, feature, signal, asset alias, def or builtin in scope. Defs of other files are visible only through `import`.',
        bad: STRAT(rulesUsing('close > smaa(close, 20)')),
        fixed: STRAT(rulesUsing('close > sma(close, 20)')),
    },
    {
        code: 'AF004', severity: 'error', title: 'Import not found',
        explanation: 'An `import` names a file that does not exist. Paths are relative to the importing file; `.af` may be omitted.',
        bad: 'import "lib/filtres.af"\n' + STRAT(rulesUsing('trend_ok(close, 50)')),
        fixed: 'import "lib/filters.af"\n' + STRAT(rulesUsing('trend_ok(close, 50)')),
    },
    {
        code: 'AF005', severity: 'error', title: 'Cyclic definition',
        explanation: 'A feature or signal depends on itself through other declarations, or a def calls itself. Use a look-back (`x[1]`) of an input instead of a self-reference.',
        bad: STRAT('feature a = b + 1\nfeature b = a * 2\n' + rulesUsing('close > a')),
        fixed: STRAT('feature a = close[1] + 1\nfeature b = a * 2\n' + rulesUsing('close > b')),
    },
    {
        code: 'AF006', severity: 'error', title: 'Missing or repeated strategy header',
        explanation: 'A strategy needs exactly one `universe:` and one `timeframe:`; sections (`rules`, `risk`, `execution`, `portfolio`) may appear at most once.',
        bad: STRAT(rulesUsing('close > sma(close, 20)'), 'universe: binance:BTC/USDT'),
        fixed: STRAT(rulesUsing('close > sma(close, 20)')),
    },
    {
        code: 'AF007', severity: 'error', title: 'Unknown or repeated setting',
        explanation: 'Settings in `risk`, `execution` and `portfolio` are checked against a table of known keys. Each key may be given once.',
        bad: STRAT(rulesUsing('close > sma(close, 20)') + '\nrisk {\n  stoploss: 2%\n}'),
        fixed: STRAT(rulesUsing('close > sma(close, 20)') + '\nrisk {\n  stop_loss: 2%\n}'),
    },
    {
        code: 'AF008', severity: 'error', title: 'Extern declaration outside a library',
        explanation: '`extern` declarations describe builtins; they are generated from the function catalogue. Strategy files declare functions with `def`.',
        bad: 'extern def mysma(source, length)\n',
        fixed: 'def mysma(source, length: int) = sma(source, length)\n',
    },
    {
        code: 'AF009', severity: 'warning', title: 'Strategy never trades',
        explanation: 'A strategy without `rules` or a `portfolio` section never places an order.',
        bad: STRAT('feature ma = sma(close, 20)'),
        fixed: STRAT('feature ma = sma(close, 20)\n' + rulesUsing('close > ma')),
    },
    {
        code: 'AF010', severity: 'warning', title: 'Name shadows a builtin',
        explanation: 'A declaration has the name of a catalogue builtin; inside the strategy the name now refers to the declaration, which is easy to misread.',
        bad: STRAT('feature sma = close[1]\n' + rulesUsing('close > sma')),
        fixed: STRAT('feature prev = close[1]\n' + rulesUsing('close > prev')),
    },
    {
        code: 'AF101', severity: 'error', title: 'Lookahead: negative look-back index',
        explanation: '`x[n]` reads the value n bars ago; a negative n reads the future. n is checked over every combination of params a sweep or the default backtest can run (the grid and defaults, under the constraints; an interval bound when the grid is continuous or too large), through arithmetic with signed ranges, `if`, defs and math functions, and the message names a combination that reads ahead. It also shows the chain from the look-back to the rule, order, setting or allocation it reaches, through features, signals and imported defs (each step a related location).',
        bad: STRAT(rulesUsing('close[-1] > close')),
        fixed: STRAT(rulesUsing('close > close[1]')),
    },
    {
        code: 'AF102', severity: 'error', title: 'Lookahead: same-bar fill',
        explanation: "With `fill: this_close`, an order fills at the close of the bar whose close computed the signal: in reality that price is gone before the signal is known. What decides a market fill is checked: a rule's condition, its target sizes and market order sizes, an allocation's selection and weighting (limit and stop orders rest from the next bar, so their price may use the close). Fill at the next bar's open (the default) or lag every input by one bar.",
        bad: STRAT(rulesUsing('close > sma(close, 20)') + '\nexecution {\n  fill: this_close\n}'),
        fixed: STRAT(rulesUsing('close > sma(close, 20)') + '\nexecution {\n  fill: next_open\n}'),
    },
    {
        code: 'AF103', severity: 'error', title: 'Lookahead: peeking through a resample',
        explanation: '`resample(x, tf, offset=0)` reads the final value of the coarse bar that is still forming, which is not known until it closes. The offset is checked over its whole range (a param offset in 0..2 peeks when it is 0), and the message shows the chain to the rule it reaches. Use the default offset 1 (the last closed coarse bar).',
        bad: STRAT('feature daily = resample(close, 1d, offset=0)\n' + rulesUsing('close > daily')),
        fixed: STRAT('feature daily = resample(close, 1d)\n' + rulesUsing('close > daily')),
    },
    {
        code: 'AF104', severity: 'warning', title: 'Lookahead: cannot bound a look-back',
        explanation: 'A look-back index or resample offset is fixed for the run, but the analysis cannot compute the range of values it takes over the param ranges, so it cannot tell whether some combination reads the future. The check is not passed silently: write the value from literals, params with literal ranges, arithmetic, `if` and defs, which the analysis bounds.',
        bad: STRAT('param n: int = 1 / 0\nfeature prev = close[n]\n' + rulesUsing('close > prev')),
        fixed: STRAT('param n: int = 1 in 1..5\nfeature prev = close[n]\n' + rulesUsing('close > prev')),
    },
    {
        code: 'AF201', severity: 'error', title: 'Type mismatch',
        explanation: 'A value of the wrong kind: a number where a condition (bool) is needed, a bool in arithmetic, a duration where a number is needed.',
        bad: STRAT(rulesUsing('sma(close, 20)')),
        fixed: STRAT(rulesUsing('close > sma(close, 20)')),
    },
    {
        code: 'AF202', severity: 'error', title: 'Unit mismatch',
        explanation: 'Adding, subtracting or comparing values of different units: a percentage to a price, a volume to a price. Scale instead: `close * (1 + 2%)`.',
        bad: STRAT(rulesUsing('close > sma(close, 20) + 2%')),
        fixed: STRAT(rulesUsing('close > sma(close, 20) * (1 + 2%)')),
    },
    {
        code: 'AF203', severity: 'error', title: 'Wrong number of arguments',
        explanation: 'A call gives more arguments than the function takes, or leaves out one that has no default. Hover the function for its signature.',
        bad: STRAT(rulesUsing('close > sma(close)')),
        fixed: STRAT(rulesUsing('close > sma(close, 20)')),
    },
    {
        code: 'AF204', severity: 'error', title: 'Unknown or repeated named argument',
        explanation: 'A named argument does not match a parameter of the function, or gives a parameter that was already given.',
        bad: STRAT(rulesUsing('close > sma(close, window=20)')),
        fixed: STRAT(rulesUsing('close > sma(close, length=20)')),
    },
    {
        code: 'AF205', severity: 'error', title: 'Series where a constant is needed',
        explanation: 'Window lengths, `k` of top_k and look-back indices must be fixed for the whole run: a number or a param, not a series.',
        bad: STRAT(rulesUsing('close > sma(close, volume)')),
        fixed: STRAT('param n: int = 20 in 10..50 step 10\n' + rulesUsing('close > sma(close, n)')),
    },
    {
        code: 'AF206', severity: 'error', title: 'Value outside the allowed domain',
        explanation: 'A constant argument breaks its parameter\'s rule: a window length below 1, a fraction where an integer is required.',
        bad: STRAT(rulesUsing('close > sma(close, 0)')),
        fixed: STRAT(rulesUsing('close > sma(close, 1)')),
    },
    {
        code: 'AF207', severity: 'error', title: 'Unknown member',
        explanation: '`.name` selects an output of a multi-output function (`macd(close).hist`, `bollinger(close).upper`) or a field of an asset alias (`a.close`).',
        bad: STRAT(rulesUsing('close > bollinger(close).top')),
        fixed: STRAT(rulesUsing('close > bollinger(close).upper')),
    },
    {
        code: 'AF208', severity: 'error', title: 'Bad setting value',
        explanation: 'A setting got a value of the wrong kind: `fill` takes a fill mode (next_open, next_close, this_close), `rebalance` a schedule, `fees` a fraction such as `10 bps`.',
        bad: STRAT(rulesUsing('close > sma(close, 20)') + '\nexecution {\n  fill: 1h\n}'),
        fixed: STRAT(rulesUsing('close > sma(close, 20)') + '\nexecution {\n  fill: next_open\n}'),
    },
    {
        code: 'AF209', severity: 'error', title: 'Cross-sectional function on a single asset',
        explanation: '`rank`, `xs_zscore`, `top_k` and `bottom_k` compare the assets of the universe at each bar; with one asset they are meaningless.',
        bad: STRAT('feature r = rank(roc(close, 20))\n' + rulesUsing('r > 0.5')),
        fixed: STRAT('feature r = rank(roc(close, 20))\n' + rulesUsing('r > 0.5'), 'universe: nyse:AAPL, nyse:MSFT, nyse:JPM\n  timeframe: 1d'),
    },
    {
        code: 'AF210', severity: 'warning', title: 'Two-value max/min of a series and a window length',
        explanation: '`max(a, b)` and `min(a, b)` are the larger and smaller of two values on each bar (like Pine\'s `math.max`), not rolling extremes. Given a series and an int param, or a series with a unit (a price, a volume) and a whole number of 2 or more, they were almost certainly meant as the highest or lowest value over that many bars: `highest(high, n)`, `lowest(low, n)`. A floor or cap such as `max(x, 0)` is not reported. The quick fix writes the rolling form.',
        bad: STRAT('param lookback: int = 20 in 10..50 step 10\n' + rulesUsing('close > max(high, lookback)[1]')),
        fixed: STRAT('param lookback: int = 20 in 10..50 step 10\n' + rulesUsing('close > highest(high, lookback)[1]')),
    },
    {
        code: 'AF211', severity: 'error', title: 'Percentage compared with a 0–100 oscillator',
        explanation: 'RSI and the other oscillators whose values run from 0 to 100 (a catalogue range reaching past 1) are compared with levels on that scale: `rsi(close, 14) < 30`. A percentage is a fraction, so `rsi(close, 14) > 30%` compares with 0.3 and is true on nearly every bar. Write the level without `%` (the quick fix does).',
        bad: STRAT(rulesUsing('rsi(close, 14) < 30%')),
        fixed: STRAT(rulesUsing('rsi(close, 14) < 30')),
    },
    {
        code: 'AF301', severity: 'warning', title: 'Unused parameter',
        explanation: 'A param that no rule, portfolio, risk or execution setting depends on. It still multiplies the size of every sweep grid.',
        bad: STRAT('param n: int = 20 in 10..50 step 10\n' + rulesUsing('close > sma(close, 20)')),
        fixed: STRAT('param n: int = 20 in 10..50 step 10\n' + rulesUsing('close > sma(close, n)')),
    },
    {
        code: 'AF302', severity: 'warning', title: 'Unused feature',
        explanation: 'A feature that no rule, portfolio, risk or execution setting depends on, directly or through signals.',
        bad: STRAT('feature ma = sma(close, 20)\nfeature unused = ema(close, 5)\n' + rulesUsing('close > ma')),
        fixed: STRAT('feature ma = sma(close, 20)\n' + rulesUsing('close > ma')),
    },
    {
        code: 'AF303', severity: 'warning', title: 'Unused signal',
        explanation: 'A signal that no rule or portfolio item uses.',
        bad: STRAT('signal up = close > sma(close, 20)\nsignal down = close < sma(close, 20)\n' + rulesUsing('up')),
        fixed: STRAT('signal up = close > sma(close, 20)\nsignal down = close < sma(close, 20)\nrules {\n  when up => target 100% long\n  when down => flat\n}'),
    },
    {
        code: 'AF304', severity: 'warning', title: 'Rule can never fire',
        explanation: 'The condition of a rule is false on every bar: a constant, a comparison outside the known range of a function (RSI lies in 0..100), or contradictory conditions joined by `and`.',
        bad: STRAT(rulesUsing('rsi(close, 14) > 100')),
        fixed: STRAT(rulesUsing('rsi(close, 14) > 70')),
    },
    {
        code: 'AF401', severity: 'error', title: 'Parameter default outside its range',
        explanation: 'The default of a param must lie inside `in low..high`; otherwise the default backtest runs a value no sweep would try.',
        bad: STRAT('param n: int = 60 in 10..50 step 10\n' + rulesUsing('close > sma(close, n)')),
        fixed: STRAT('param n: int = 50 in 10..50 step 10\n' + rulesUsing('close > sma(close, n)')),
    },
    {
        code: 'AF402', severity: 'warning', title: 'Parameter default off the step grid',
        explanation: 'A sweep tries low, low + step, … up to high; a default between grid points is never compared with its neighbours on equal terms.',
        bad: STRAT('param n: int = 25 in 10..50 step 10\n' + rulesUsing('close > sma(close, n)')),
        fixed: STRAT('param n: int = 20 in 10..50 step 10\n' + rulesUsing('close > sma(close, n)')),
    },
    {
        code: 'AF403', severity: 'error', title: 'Malformed parameter range',
        explanation: 'A range whose low is above its high, a step ≤ 0, non-constant bounds, or values that do not fit the declared type (a fraction for an int).',
        bad: STRAT('param n: int = 20 in 50..10 step 10\n' + rulesUsing('close > sma(close, n)')),
        fixed: STRAT('param n: int = 20 in 10..50 step 10\n' + rulesUsing('close > sma(close, n)')),
    },
    {
        code: 'AF404', severity: 'error', title: 'Unsatisfiable constraints',
        explanation: 'No combination of parameter values in their ranges satisfies all constraints, so a sweep has nothing to run.',
        bad: STRAT('param fast: int = 60 in 60..100 step 10\nparam slow: int = 50 in 20..50 step 10\nconstraint fast < slow\n' + rulesUsing('crossover(sma(close, fast), sma(close, slow))')),
        fixed: STRAT('param fast: int = 10 in 5..50 step 5\nparam slow: int = 50 in 20..200 step 10\nconstraint fast < slow\n' + rulesUsing('crossover(sma(close, fast), sma(close, slow))')),
    },
    {
        code: 'AF405', severity: 'error', title: 'Defaults violate a constraint',
        explanation: 'The default parameter values break a constraint, so the default backtest is not a valid configuration.',
        bad: STRAT('param fast: int = 50 in 5..50 step 5\nparam slow: int = 50 in 20..200 step 10\nconstraint fast < slow\n' + rulesUsing('crossover(sma(close, fast), sma(close, slow))')),
        fixed: STRAT('param fast: int = 10 in 5..50 step 5\nparam slow: int = 50 in 20..200 step 10\nconstraint fast < slow\n' + rulesUsing('crossover(sma(close, fast), sma(close, slow))')),
    },
    {
        code: 'AF406', severity: 'warning', title: 'Grid too large for a grid sweep',
        explanation: 'A grid sweep runs every combination of the params\' grid values; the daemon and `af sweep` refuse one of more than 1,000,000 combinations, or with a param of more than 10,000 grid values (such a grid used to run silently as the default value alone). Backtests and random sweeps (a seeded sample of the space) are unaffected. Use a random sweep, a coarser step, or fix some params.',
        bad: STRAT('param band: float = 0 in 0..0.1 step 0.00000000001\n' + rulesUsing('close > sma(close, 20) * (1 + band)')),
        fixed: STRAT('param band: float = 0 in 0..0.1 step 0.01\n' + rulesUsing('close > sma(close, 20) * (1 + band)')),
    },
    {
        code: 'AF501', severity: 'hint', title: 'Inferred warm-up',
        explanation: 'The longest look-back of everything the strategy trades on, in bars, with default params (and the maximum over the param ranges). The engine trades only after this many bars.',
        bad: STRAT(rulesUsing('close > sma(close, 200)')),
        fixed: STRAT(rulesUsing('close > sma(close, 200)')),
    },
    {
        code: 'AF502', severity: 'warning', title: 'Overfitting risk',
        explanation: 'Many free parameters or a large grid for the amount of data. With N trials, the best in-sample Sharpe ratio is inflated by noise; the minimum backtest length (Bailey et al. 2014) for an annual Sharpe of 1 to mean anything is about 2·ln(N) years. Fewer params, coarser steps or more data.',
        bad: STRAT('param a: int = 10 in 5..50 step 1\nparam b: int = 50 in 20..200 step 1\nparam c: int = 14 in 2..30 step 1\nparam d: float = 2 in 1..4 step 0.1\nparam e: int = 20 in 5..60 step 1\nparam f: float = 30 in 10..40 step 1\n' + rulesUsing('crossover(sma(close, a), sma(close, b)) and rsi(close, c) > f and close > bollinger(close, e, d).mid')),
        fixed: STRAT('param a: int = 10 in 5..50 step 5\nparam b: int = 50 in 20..200 step 30\n' + rulesUsing('crossover(sma(close, a), sma(close, b))')),
    },
    {
        code: 'AF503', severity: 'error', title: 'Look-back beyond the limit',
        explanation: 'A look-back (`x[n]`, an indicator\'s length, a resample to a coarser timeframe) needs more than 1,000,000 bars of history, over the param ranges. The engine keeps that history in memory for every asset, so such a strategy is refused before it runs; a run whose params (given at run time) reach past the limit fails the same way. Shorten the look-back, narrow the param\'s range, or use a coarser timeframe.',
        bad: STRAT(rulesUsing('close > close[500000000]')),
        fixed: STRAT(rulesUsing('close > close[500]')),
    },
    {
        code: 'AF601', severity: 'warning', title: 'Target exposure exceeds leverage',
        explanation: 'The sizes a rule can target add up to more than the `leverage` limit (1 by default). In a multi-asset universe a target without an asset applies to every asset.',
        bad: STRAT(rulesUsing('close > sma(close, 20)').replace('100%', '150%')),
        fixed: STRAT(rulesUsing('close > sma(close, 20)').replace('100%', '150%') + '\nrisk {\n  leverage: 2\n}'),
    },
    {
        code: 'AF602', severity: 'warning', title: 'Ambiguous stop distance',
        explanation: 'A stop, take-profit or trailing stop given as a bare number could mean a price distance or a fraction. Write a percentage (`2%`) or a price expression (`2 * atr(14)`).',
        bad: STRAT(rulesUsing('close > sma(close, 20)') + '\nrisk {\n  stop_loss: 2\n}'),
        fixed: STRAT(rulesUsing('close > sma(close, 20)') + '\nrisk {\n  stop_loss: 2%\n}'),
    },
    {
        code: 'AF603', severity: 'error', title: 'Target side contradicts its size',
        explanation: '`long` keeps the sign of a target\'s size as written and `short` negates it, so a negative size trades against the written side: `target -50% long` goes short 50%, and `target -50% short` goes long 50%. Reported when the size is a negation (`-x`) or can never be positive. Write a positive size with the side you mean, or leave the side out when the sign of the size is meant to choose it (`target -50%` is short).',
        bad: STRAT(rulesUsing('close < sma(close, 20)').replace('100% long', '-50% long')),
        fixed: STRAT(rulesUsing('close < sma(close, 20)').replace('100% long', '50% short')),
    },
    {
        code: 'AF604', severity: 'warning', title: 'Target size can be negative under a side',
        explanation: 'A target with a written side whose size can be negative: a param whose range reaches below 0, or an expression the interval analysis bounds below 0. For those values the position is the opposite of the written side (`long` keeps the sign of the size, `short` negates it). Keep the size at or above 0, or leave the side out when the sign of the size is meant to choose it.',
        bad: STRAT('param w: float = 50% in -50%..100% step 50%\n' + rulesUsing('close > sma(close, 20)').replace('100% long', 'w long')),
        fixed: STRAT('param w: float = 50% in 0%..100% step 50%\n' + rulesUsing('close > sma(close, 20)').replace('100% long', 'w long')),
    },
] as const satisfies readonly DiagnosticDoc[];

export type DiagnosticCode = (typeof DIAGNOSTICS)[number]['code'];

const byCode = new Map<string, DiagnosticDoc>(DIAGNOSTICS.map(d => [d.code, d]));

export function diagnosticDoc(code: string): DiagnosticDoc | undefined {
    return byCode.get(code.toUpperCase());
}

/** Renders the full reference (docs/diagnostics.md). */
export function renderDiagnosticsMarkdown(): string {
    const out: string[] = [
        '# Diagnostics',
        '',
        'Every diagnostic of the AlphaForge compiler has a stable code. `af explain CODE` prints the entry.',
        'This file is generated from `language/src/validation/diagnostic-codes.ts` (`af explain --all --markdown`); a test keeps it in sync.',
        '',
        '| code | severity | title |',
        '|---|---|---|',
        ...DIAGNOSTICS.map(d => `| [${d.code}](#${d.code.toLowerCase()}) | ${d.severity} | ${d.title} |`),
        '',
    ];
    for (const d of DIAGNOSTICS) out.push(renderDiagnosticMarkdown(d), '');
    return out.join('\n');
}

export function renderDiagnosticMarkdown(d: DiagnosticDoc): string {
    return [
        `## ${d.code}`,
        '',
        `**${d.title}** (${d.severity})`,
        '',
        d.explanation,
        '',
        'Bad:',
        '',
        '```af',
        d.bad,
        '```',
        '',
        'Fixed:',
        '',
        '```af',
        d.fixed,
        '```',
    ].join('\n');
}

/** Plain-text rendering for the terminal. */
export function renderDiagnosticText(d: DiagnosticDoc): string {
    const indent = (s: string): string => s.split('\n').map(l => `    ${l}`).join('\n');
    return `${d.code} (${d.severity}): ${d.title}\n\n${d.explanation}\n\nBad:\n${indent(d.bad)}\n\nFixed:\n${indent(d.fixed)}\n`;
}
