/**
 * The simplest incremental indicators as generated code, for the compiled engine's hot loop: the
 * same operations in the same order as their classes in ../indicators/index.ts (so the values are
 * bit-identical), with the state in plain variables (one asset) or typed arrays (several) instead of
 * an object per (node, asset). A call through an object costs more than the arithmetic of an SMA;
 * in line, V8 keeps the state in registers across bars.
 *
 * Each generator returns statements that assign `out`; `x`, `i` and similar short names are local
 * to the block the caller wraps them in. Rare work (an exact re-summation of a window) calls a
 * helper, whose result is coerced with `+`: V8 types a call's result as anything, and a state
 * variable that may hold anything is kept boxed, one allocation per update. Functions not listed
 * here run through their objects (program.ts).
 */
import { intArg } from '../indicators/index.js';
import type { CodeScope } from './scope.js';

export interface InlineContext {
    readonly scope: CodeScope;
    /** The node: suffix of every name its code binds. */
    readonly id: number;
    /** The asset expression (`a`, or `0` with one asset). */
    readonly a: string;
    /** Only whether the value is 1 matters: undefined may come out as 0 (see compileGraph). */
    readonly truthOnly: boolean;
}

/** Statements computing the node's value into `out`, from its constant arguments and its series inputs (expressions). */
export type InlineIndicator = (c: InlineContext, out: string, consts: readonly number[], series: readonly string[]) => string;

/**
 * Sum of a ring's window, oldest first (as Ring.forEach): the exact re-summation of Sma. `m` values
 * (the window, or fewer while it fills), the newest just before position `pos`.
 */
export function ringSum(buf: Float64Array, off: number, n: number, m: number, pos: number): number {
    let s = 0;
    for (let k = m - 1; k >= 0; k--) s += buf[off + ((pos - 1 - k + n) % n)]!;
    return s;
}

/**
 * Whether the counts of an indicator of length n (at most 64 n) fit a 32-bit integer, so that its
 * counters can be integer state (see CodeScope.state).
 */
const smallInts = (n: number) => 64 * n < 2 ** 31;

/** Offset of the asset's slice of a per-asset buffer of `len` values (nothing with one asset). */
const sliceOf = (a: string, len: string) => (a === '0' ? '' : `${a} * ${len} + `);

/**
 * Sma (and Sum = Sma × n): a ring of the last n inputs and the running sum, re-summed exactly after
 * a NaN left the window and every 64 n pushes (bounds the drift), as the class does. The class's
 * state becomes cheaper facts with the same effect, all small integers: how many values the window
 * holds (up to n), how many pushes until the latest NaN has left it, and a countdown to the next
 * re-summation, set to 1 while a NaN is in the window (so the first clean push re-sums). While the
 * window fills, the slot a push replaces still holds its initial 0, so `sum += x - old` adds x.
 */
function windowSum(c: InlineContext, out: string, len: number | undefined, x: string, sum: boolean): string {
    const { scope: s, id, a } = c;
    const n = intArg(len, 'length');
    const L = s.bind(`len${id}`, n);
    const ring = s.bind(`ring${id}`, new Float64Array(s.N * n));
    if (!s.has('ringSum')) s.bind('ringSum', ringSum);
    const int = (k: string, init: number) => s.state(`${k}${id}`, init, a, smallInts(n));
    const cnt = int('cnt', 0), pos = int('pos', 0), nanLeft = int('nanLeft', 0), exact = int('exact', 64 * n);
    const total = s.state(`sum${id}`, 0, a);
    const at = sliceOf(a, L);
    const resum = `if (--${exact} === 0) { ${total} = +ringSum(${ring}, ${at}0, ${L}, ${cnt}, ${pos}); ${exact} = 64 * ${L}; }
        else ${total} += x - old;`;
    const value = `${total} / ${L}${sum ? ` * ${L}` : ''}`;
    if (s.N === 1) {
        // Once the window is full and holds no NaN (the steady loop, loop.ts): the count stays full,
        // and a NaN arriving does what the full code does with it, then leaves the steady loop.
        s.steadyForms.set(id, {
            when: `${cnt} === ${L} && ${nanLeft} === 0`,
            code: `const x = ${x}, i = ${pos}, old = ${ring}[i];
      ${ring}[i] = x; ${pos} = ${pos} + 1 === ${L} ? 0 : ${pos} + 1;
      if (x !== x) { ${nanLeft} = ${L} - 1; ${exact} = 1; ${out} = NaN; leaveSteady = true; } else {
        ${resum}
        ${out} = ${value};
      }`,
        });
    }
    return `const x = ${x}, i = ${at}${pos}, old = ${ring}[i];
      ${ring}[i] = x; ${pos} = ${pos} + 1 === ${L} ? 0 : ${pos} + 1; if (${cnt} < ${L}) ${cnt}++;
      if (x !== x) ${nanLeft} = ${L};
      if (${nanLeft} > 0) { ${nanLeft}--; ${exact} = 1; ${out} = NaN; } else {
        ${resum}
        ${out} = ${cnt} === ${L} ? ${value} : NaN;
      }`;
}

/** Ema: seeded with the mean of the first n defined values, then e += α (x − e); NaN inputs skipped. */
const ema: InlineIndicator = (c, out, [len], [x]) => {
    const { scope: s, id, a } = c;
    const n = intArg(len, 'length');
    const L = s.bind(`len${id}`, n), alpha = s.bind(`alpha${id}`, 2 / (n + 1));
    const seen = s.state(`seen${id}`, 0, a, smallInts(n)), seed = s.state(`seed${id}`, 0, a), value = s.state(`ema${id}`, NaN, a);
    return `const x = ${x};
      if (x !== x) ${out} = NaN;
      else if (${seen} < ${L}) { ${seed} += x; ${seen}++; if (${seen} === ${L}) ${value} = ${seed} / ${L}; ${out} = ${seen} === ${L} ? ${value} : NaN; }
      else { ${value} += ${alpha} * (x - ${value}); ${out} = ${value}; }`;
};

/** Atr (Wilder) over bars with high, low and close defined: the mean of the first n TRs, then smoothed. */
const atr: InlineIndicator = (c, out, [len], [h, l, cl]) => {
    const { scope: s, id, a } = c;
    const n = intArg(len, 'length');
    const L = s.bind(`len${id}`, n);
    const prev = s.state(`prevClose${id}`, NaN, a), trs = s.state(`trs${id}`, 0, a, smallInts(n)), value = s.state(`atr${id}`, 0, a);
    return `const h = ${h}, l = ${l}, c = ${cl};
      if (h !== h || l !== l || c !== c) ${out} = NaN;
      else {
        const pc = ${prev}; ${prev} = c;
        if (pc !== pc) ${out} = NaN;
        else {
          const tr = Math.max(h - l, Math.abs(h - pc), Math.abs(l - pc));
          if (${trs} < ${L}) { ${value} += tr; ${trs}++; if (${trs} < ${L}) ${out} = NaN; else { ${value} /= ${L}; ${out} = ${value}; } }
          else { ${value} = (${value} * (${L} - 1) + tr) / ${L}; ${out} = ${value}; }
        }
      }`;
};

/** Rsi (Wilder): simple means of the first n gains and losses, then smoothed. */
const rsi: InlineIndicator = (c, out, [len], [x]) => {
    const { scope: s, id, a } = c;
    const n = intArg(len, 'length');
    const L = s.bind(`len${id}`, n);
    const st = (k: string, init = 0) => s.state(`${k}${id}`, init, a);
    const prev = st('prev', NaN), changes = s.state(`changes${id}`, 0, a, smallInts(n)), gain = st('gain'), loss = st('loss');
    return `const x = ${x};
      if (x !== x) ${out} = NaN;
      else {
        const p = ${prev}; ${prev} = x;
        if (p !== p) ${out} = NaN;
        else {
          const d = x - p, g = d > 0 ? d : 0, l = d < 0 ? -d : 0;
          let ready = true;
          if (${changes} < ${L}) {
            ${gain} += g; ${loss} += l; ${changes}++;
            if (${changes} < ${L}) ready = false; else { ${gain} /= ${L}; ${loss} /= ${L}; }
          } else { ${gain} = (${gain} * (${L} - 1) + g) / ${L}; ${loss} = (${loss} * (${L} - 1) + l) / ${L}; }
          ${out} = !ready ? NaN : ${loss} === 0 ? (${gain} === 0 ? 50 : 100) : 100 - 100 / (1 + ${gain} / ${loss});
        }
      }`;
};

/** Cross: this bar's and the previous bar's values of both inputs. */
function cross(up: boolean): InlineIndicator {
    return (c, out, _consts, [x, y]) => {
        const { scope: s, id, a } = c;
        const pa = s.state(`prevA${id}`, NaN, a), pb = s.state(`prevB${id}`, NaN, a);
        const test = up ? 'x > y && pa <= pb' : 'x < y && pa >= pb';
        // (any NaN makes the test false, so as a bare condition it needs no check of its own)
        const value = c.truthOnly ? `${test} ? 1 : 0` : `(x !== x || y !== y || pa !== pa || pb !== pb) ? NaN : (${test} ? 1 : 0)`;
        return `const x = ${x}, y = ${y}, pa = ${pa}, pb = ${pb}; ${pa} = x; ${pb} = y;
      ${out} = ${value};`;
    };
}

/** Lagged: change (x − x[n]) or roc (x / x[n] − 1) from a ring of n + 1 values. */
function lagged(ratio: boolean): InlineIndicator {
    return (c, out, [len], [x]) => {
        const { scope: s, id, a } = c;
        const m = intArg(len, 'length') + 1;
        const M = s.bind(`size${id}`, m);
        const ring = s.bind(`ring${id}`, new Float64Array(s.N * m));
        const cnt = s.state(`cnt${id}`, 0, a, smallInts(m)), pos = s.state(`pos${id}`, 0, a, smallInts(m));
        const at = sliceOf(a, M);
        // After the push the slot at the next position holds the value n pushes ago.
        return `const x = ${x}; ${ring}[${at}${pos}] = x; if (${cnt} < ${M}) ${cnt}++; ${pos} = ${pos} + 1 === ${M} ? 0 : ${pos} + 1;
      ${out} = ${cnt} === ${M} ? ${ratio ? `x / ${ring}[${at}${pos}] - 1` : `x - ${ring}[${at}${pos}]`} : NaN;`;
    };
}

export const INLINE: Readonly<Record<string, InlineIndicator>> = {
    sma: (c, out, [len], [x]) => windowSum(c, out, len, x!, false),
    sum: (c, out, [len], [x]) => windowSum(c, out, len, x!, true),
    ema, atr, rsi,
    crossover: cross(true), crossunder: cross(false),
    change: lagged(false), roc: lagged(true),
};
