/** Shared fixtures of the similarity tests: the examples, variants of them, and a seeded RNG. */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { URI } from 'langium';
import { NodeFileSystem } from 'langium/node';
import { createAlphaForgeServices, isStrategy, loadFiles, type Model } from '../../../language/src/index.js';
import { strategyPoint, type PointResult, type StrategyPoint } from '../../../language/src/similarity/strategy-point.js';
import { pointFromSource } from '../../src/language-service/local.js';
import { mulberry32 } from '../../../language/src/util/prng.js';

export { tempDir } from '../experiments/helpers.js';

/** The examples folder (absolute path, with a trailing slash). */
export const EXAMPLES = fileURLToPath(new URL('../../../examples/', import.meta.url));
/** The deliberately broken strategies, one per lint (test fixtures, out of the examples). */
export const LINT_FIXTURES = fileURLToPath(new URL('../../../language/test/fixtures/bad/', import.meta.url));

/** The example strategies (file names), without examples/lib. */
export const EXAMPLE_FILES = readdirSync(EXAMPLES).filter(f => f.endsWith('.af')).sort();

export const example = (name: string): string => readFileSync(`${EXAMPLES}${name}`, 'utf8');

export const SMA = example('sma-cross.af');
export const RSI = example('rsi-mean-reversion.af');
export const DONCHIAN = example('donchian-breakout.af');
export const MACD = example('macd-trend.af');

/** SmaCross renamed (strategy, params, features, signals), reordered and reformatted: the same strategy. */
export const SMA_RENAMED = `strategy   TwoAverages{
  universe:sp:SPX
  timeframe:1d
  tags: trend, equity_index
  signal goIn=crossover(quick,  lazy)
  signal goOut=crossunder(quick,lazy)
  feature lazy=sma(close,long_len)
  feature quick = sma( close , short_len )
  param long_len : int = 100 in 50..250 step 25
  param short_len : int = 20 in 5..60 step 5
  constraint short_len < long_len
  rules { when goIn => target 100% long
          when goOut => flat }
  execution { slippage: 2 bps
    fees: 5 bps
    fill: next_open }
  risk { max_drawdown: 25% => halt
    stop_loss: 3 * atr(14) }
}`;

/** Same structure, other values: a structural match. */
export const SMA_VALUES = replaceOnce(replaceOnce(SMA, 'param fast: int = 20 in 5..60 step 5', 'param fast: int = 10 in 5..40 step 5'), '3 * atr(14)', '2 * atr(20)');

/** A small structural edit: one more condition on entry. */
export const SMA_EDITED = replaceOnce(SMA, 'signal enter = crossover(fastMa, slowMa)', 'signal enter = crossover(fastMa, slowMa) and close > sma(close, 200)');

/** A one-function swap: the fast average becomes exponential. */
export const SMA_EMA = replaceOnce(SMA, 'feature fastMa = sma(close, fast)', 'feature fastMa = ema(close, fast)');

/** `text` with `from` replaced by `to`, insisting that `from` occurs exactly once (so a fixture cannot silently stop editing anything). */
export function replaceOnce(text: string, from: string, to: string): string {
    const i = text.indexOf(from);
    if (i < 0 || text.indexOf(from, i + 1) >= 0) throw new Error(`fixture: '${from}' does not occur exactly once`);
    return text.slice(0, i) + to + text.slice(i + from.length);
}

/**
 * The same strategy as the user might rewrite it: strategy, params, features and signals renamed;
 * each ranged param's default moved to another value of its range; doc comments dropped; params
 * declared in reverse order; spacing inside expressions and the indentation changed. Throws if
 * the source has nothing to rename or no ranged param (the variant would prove nothing).
 */
export function variantOf(src: string): string {
    const names = [...src.matchAll(/^\s*(?:param|feature|signal)\s+(\w+)/gm)].map(m => m[1]!);
    let renamedStrategy = 0, movedDefaults = 0;
    const lines = src.split('\n').filter(l => !l.trim().startsWith('///')).map(line => {
        if (/^\s*tags\s*:/.test(line)) return line; // tags are labels, not names
        let l = line.replace(/\bstrategy\s+(\w+)/, (_m, n: string) => { renamedStrategy++; return `strategy ${n}Variant`; });
        // Declarations and references, not members (`macd(…).line`) nor longer names (`trend_ok`).
        for (const n of names) l = l.replace(new RegExp(`(?<![.\\w])${n}(?!\\w)`, 'g'), `${n}_v`);
        return l.replace(/^(\s*param\s+\w+\s*:\s*\w+\s*=\s*)(\S+)(\s+in\s+)(\S+?)\.\.(\S+)/, (_m, head: string, def: string, inn: string, lo: string, hi: string) => {
            movedDefaults++;
            return `${head}${def === lo ? hi : lo}${inn}${lo}..${hi}`;
        });
    });
    if (renamedStrategy !== 1 || names.length === 0 || movedDefaults === 0) throw new Error('fixture: nothing to vary in this source');
    // Params in reverse order (they are a contiguous block in every example).
    const params = lines.flatMap((l, i) => (/^\s*param\s/.test(l) ? [i] : []));
    const reversed = params.map(i => lines[i]!).reverse();
    params.forEach((i, j) => { lines[i] = reversed[j]!; });
    return lines.join('\n')
        .replace(/\(/g, '( ').replace(/\)/g, ' )').replace(/,/g, ' ,')
        .replace(/\s*(?<![<>=!])=(?![>=])\s*/g, ' =  ')
        .replace(/\n[ \t]*/g, '\n\t\t');
}

/** The points of the strategies in files on disk, by path, their imports resolved (as the language server sees them). */
export async function pointsOfFiles(paths: readonly string[]): Promise<Map<string, PointResult[]>> {
    const services = createAlphaForgeServices(NodeFileSystem).AlphaForge;
    const loaded = await loadFiles(services, paths.map(p => URI.file(p)));
    if (loaded.length !== paths.length) throw new Error(`could not load all of ${paths.join(', ')}`);
    return new Map(loaded.map((d, i) => [paths[i]!, (d.document.parseResult.value as Model).elements.filter(isStrategy).map(s => strategyPoint(services, s))]));
}

/** The point of the one strategy in a file on disk, which must compile. */
export async function pointOfFile(path: string): Promise<StrategyPoint> {
    const [r, more] = (await pointsOfFiles([path])).get(path)!;
    if (!r || more) throw new Error(`${path} does not hold exactly one strategy`);
    if (!r.ok) throw new Error(`${path} does not compile: ${JSON.stringify(r.errors)}`);
    return r.point;
}

/** The point of a source that must compile. */
export async function point(source: string, strategy?: string): Promise<StrategyPoint> {
    const r = await pointFromSource(source, strategy);
    if (!r.ok) throw new Error(`fixture does not compile: ${JSON.stringify(r.errors)}`);
    return r.point;
}

/** A seeded PRNG (mulberry32, the engine's), so random data is the same on every run. */
export const rng = mulberry32;
