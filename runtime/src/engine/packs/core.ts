/**
 * The core pack's implementations, given to the engines through the same hook as any other pack
 * (hook.ts): the catalogue data is language/src/catalogue/core-pack.ts; the code stays where the
 * engines' kernels always were — incremental indicators (../indicators), their generated in-line
 * forms (../compiled/inline.ts), cross-sectional kernels (../compiled/cross-sectional.ts) and the
 * reference definitions (../reference/functions.ts) — and this module is the one place that says
 * which function is which. `resample` is declared by core but implemented by the engines
 * themselves (ENGINE_INTRINSICS).
 */
import { corePack } from '../../../../language/src/catalogue/core-pack.js';
import { ALPHAFORGE_VERSION, packToManifest } from '../../../../language/src/catalogue/pack-manifest.js';
import { crossSectional } from '../compiled/cross-sectional.js';
import { INLINE, type InlineIndicator } from '../compiled/inline.js';
import { FUNCTIONS } from '../indicators/index.js';
import * as F from '../reference/functions.js';
import { num, type Val } from '../reference/functions.js';
import type { CompiledFunction, PackImplementation, ReferenceCall, ReferenceFunction } from './hook.js';
import type { RuntimePack } from './registry.js';

// ------------------------------------------------------------------ compiled engine

/** Elementwise math as one statement (the code the engine always generated for them). */
const math = (arity: number, code: (x: readonly string[], out: string) => string): CompiledFunction => ({
    params: Array.from({ length: arity }, () => 'series' as const),
    inline: ((_c, out, _k, x) => code(x, out)) as InlineIndicator,
});
const MATH: Record<string, CompiledFunction> = {
    abs: math(1, ([x], out) => `${out} = Math.abs(${x});`),
    log: math(1, ([x], out) => `${out} = Math.log(${x});`),
    sqrt: math(1, ([x], out) => `${out} = Math.sqrt(${x});`),
    sign: math(1, ([x], out) => `${out} = Math.sign(${x});`),
    min: math(2, ([l, r], out) => `const l = ${l}, r = ${r}; ${out} = (l !== l || r !== r) ? NaN : (l < r ? l : r);`),
    max: math(2, ([l, r], out) => `const l = ${l}, r = ${r}; ${out} = (l !== l || r !== r) ? NaN : (l > r ? l : r);`),
    clamp: math(3, ([v, lo, hi], out) => `const v = ${v}, lo = ${lo}, hi = ${hi}; ${out} = (v !== v || lo !== lo || hi !== hi) ? NaN : (v < lo ? lo : v > hi ? hi : v);`),
};

const compiled: Record<string, CompiledFunction> = { ...MATH };
for (const [name, impl] of Object.entries(FUNCTIONS)) compiled[name] = { ...impl, inline: INLINE[name] };
compiled['rank'] = { params: ['series'], crossSectional: crossSectional.rank };
compiled['xs_zscore'] = { params: ['series'], crossSectional: crossSectional.xs_zscore };
compiled['top_k'] = { params: ['series', 'const'], crossSectional: crossSectional.top_k };
compiled['bottom_k'] = { params: ['series', 'const'], crossSectional: crossSectional.bottom_k };

// ------------------------------------------------------------------ reference interpreter

function arith(x: Val, y: Val, f: (a: number, b: number) => number): Val {
    const a = num(x), b = num(y);
    return a === undefined || b === undefined ? undefined : F.defined(f(a, b));
}
const elementwise = (f: (args: readonly Val[]) => Val): ReferenceFunction => ({ elementwise: f });
const len = (c: ReferenceCall, k: number) => F.lengthArg(c.arg(k), c.fn);
const along = (f: (c: ReferenceCall) => Val): ReferenceFunction => ({ series: f });

const reference: Record<string, ReferenceFunction> = {
    abs: elementwise(([x]) => arith(x, 0, Math.abs)),
    log: elementwise(([x]) => arith(x, 0, Math.log)),
    sqrt: elementwise(([x]) => arith(x, 0, Math.sqrt)),
    sign: elementwise(([x]) => arith(x, 0, Math.sign)),
    min: elementwise(([x, y]) => arith(x, y, (a, b) => (a < b ? a : b))),
    max: elementwise(([x, y]) => arith(x, y, (a, b) => (a > b ? a : b))),
    clamp: elementwise(([x, y, z]) => (num(z) === undefined ? undefined : arith(x, y, (v, lo) => (v < lo ? lo : v > (z as number) ? (z as number) : v)))),
    sma: along(c => F.sma(c.hist(0), c.t, len(c, 1))),
    ema: along(c => F.ema(c.hist(0), c.t, len(c, 1))),
    wma: along(c => F.wma(c.hist(0), c.t, len(c, 1))),
    sum: along(c => F.sum(c.hist(0), c.t, len(c, 1))),
    stdev: along(c => F.stdev(c.hist(0), c.t, len(c, 1))),
    zscore: along(c => F.zscore(c.hist(0), c.t, len(c, 1))),
    highest: along(c => F.highest(c.hist(0), c.t, len(c, 1))),
    lowest: along(c => F.lowest(c.hist(0), c.t, len(c, 1))),
    roc: along(c => F.roc(c.hist(0), c.t, len(c, 1))),
    change: along(c => F.change(c.hist(0), c.t, len(c, 1))),
    rsi: along(c => F.rsi(c.hist(0), c.t, len(c, 1))),
    bollinger: along(c => F.bollinger(c.hist(0), c.t, len(c, 1), num(c.arg(2)) ?? NaN, c.output ?? 'mid')),
    macd: along(c => F.macd(c.hist(0), c.t, len(c, 1), len(c, 2), len(c, 3), c.output ?? 'line')),
    rolling_beta: along(c => F.rollingBeta(c.hist(0), c.hist(1), c.t, len(c, 2))),
    crossover: along(c => F.cross(c.hist(0), c.hist(1), c.t, true)),
    crossunder: along(c => F.cross(c.hist(0), c.hist(1), c.t, false)),
    atr: along(c => F.atr(c.column('high'), c.column('low'), c.column('close'), c.t, len(c, 0))),
    rank: { crossSectional: inputs => F.rank(inputs) },
    xs_zscore: { crossSectional: inputs => F.xsZscore(inputs) },
    top_k: { crossSectional: (inputs, [k]) => F.selectK(inputs, F.lengthArg(k, 'top_k'), true) },
    bottom_k: { crossSectional: (inputs, [k]) => F.selectK(inputs, F.lengthArg(k, 'bottom_k'), false) },
};

const implementation: PackImplementation = { compiled, reference };

export const CORE_PACK: RuntimePack = {
    manifest: packToManifest(corePack, `^${ALPHAFORGE_VERSION}`),
    implementation,
    origin: 'built-in',
    builtIn: true,
};
