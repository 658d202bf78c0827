/**
 * The message of AF003 (unknown name): what the name was probably meant to be. A near miss of a
 * name in scope, ignoring case (`smaa` → `sma`, `Close` → `close`), measured with the repository's
 * one edit distance (util/did-you-mean.ts); or, for a name users bring from other platforms
 * (pandas' `pct_change`, `returns`, TA-Lib's `stddev`), the builtin that does that job, with how to
 * call it. The suggestion also goes into the diagnostic's data for the quick fix.
 */
import { suggest } from '../util/did-you-mean.js';

interface ForeignName {
    /** The builtin to use instead. */
    readonly use: string;
    /** How, in a few words, with an example call. */
    readonly how: string;
}

const ONE_BAR_RETURN: ForeignName = { use: 'roc', how: 'roc(close, 1) is the one-bar return as a fraction (0.05 = 5%); change(close) is the difference' };
const ROLLING_MEAN: ForeignName = { use: 'sma', how: 'sma(close, 20) is the rolling mean; ema(close, 20) the exponential one' };
const ROLLING_MAX: ForeignName = { use: 'highest', how: 'highest(high, 20) is the highest value of the last 20 bars' };
const ROLLING_MIN: ForeignName = { use: 'lowest', how: 'lowest(low, 20) is the lowest value of the last 20 bars' };
const ROLLING_STD: ForeignName = { use: 'stdev', how: 'stdev(close, 20) is the rolling standard deviation' };
const CROSS_UP: ForeignName = { use: 'crossover', how: 'crossover(a, b) is true on the bar a moves above b' };
const CROSS_DOWN: ForeignName = { use: 'crossunder', how: 'crossunder(a, b) is true on the bar a moves below b' };
const DIFFERENCE: ForeignName = { use: 'change', how: 'change(close, 1) is close − close[1]' };
const BANDS: ForeignName = { use: 'bollinger', how: 'bollinger(close, 20, 2).upper / .mid / .lower' };

/** Names of other tools (pandas, TA-Lib, Pine Script, vectorbt) with no builtin of that name. */
const FOREIGN_NAMES: Readonly<Record<string, ForeignName>> = {
    returns: ONE_BAR_RETURN, return: ONE_BAR_RETURN, ret: ONE_BAR_RETURN, pct_change: ONE_BAR_RETURN, pctchange: ONE_BAR_RETURN, pct: ONE_BAR_RETURN,
    ma: ROLLING_MEAN, mean: ROLLING_MEAN, average: ROLLING_MEAN, avg: ROLLING_MEAN, rolling_mean: ROLLING_MEAN,
    rolling_max: ROLLING_MAX, hhv: ROLLING_MAX, max_high: ROLLING_MAX,
    rolling_min: ROLLING_MIN, llv: ROLLING_MIN, min_low: ROLLING_MIN,
    std: ROLLING_STD, stddev: ROLLING_STD, rolling_std: ROLLING_STD, volatility: ROLLING_STD,
    cross: CROSS_UP, crosses_above: CROSS_UP, cross_above: CROSS_UP, cross_over: CROSS_UP,
    crosses_below: CROSS_DOWN, cross_below: CROSS_DOWN, cross_under: CROSS_DOWN,
    diff: DIFFERENCE, delta: DIFFERENCE, mom: DIFFERENCE, momentum: DIFFERENCE,
    bbands: BANDS, bb: BANDS, bollinger_bands: BANDS,
};

export interface UnknownName {
    readonly message: string;
    /** The name to write instead, for the quick fix. */
    readonly suggestion?: string;
}

/**
 * @param name what was written
 * @param inScope the names visible at the reference (params, features, signals, aliases, defs, builtins)
 * @param call whether the name is called (`returns(close)`): the hints then speak of functions
 */
export function unknownName(name: string, inScope: readonly string[], call: boolean): UnknownName {
    const base = `Unknown name '${name}'`;
    const sameButCase = inScope.find(n => n.toLowerCase() === name.toLowerCase());
    if (sameButCase !== undefined) return { message: `${base}; did you mean '${sameButCase}'? Names are case-sensitive.`, suggestion: sameButCase };
    // A name of another tool first: `rolling_std` is one edit-distance step from nothing useful, but means stdev.
    const foreign = FOREIGN_NAMES[name.toLowerCase()];
    if (foreign && inScope.includes(foreign.use)) {
        return { message: `${base}: there is no ${name}${call ? '()' : ''} in AlphaForge; use ${foreign.use}(): ${foreign.how}. \`af functions\` lists every builtin.`, suggestion: foreign.use };
    }
    const near = suggest(name, inScope);
    if (near !== undefined) return { message: `${base}; did you mean '${near}'?`, suggestion: near };
    return { message: `${base}: not a param, feature, signal, asset alias, def or builtin in scope. Defs of other files need an import; \`af functions\` lists the builtins.` };
}
