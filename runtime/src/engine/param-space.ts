/**
 * Parameter sets for sweeps: the full grid (every combination of the params' grid values that
 * satisfies the constraints) or a seeded random sample, with fixed overrides for some params.
 */
import type { StrategyIr } from '../../../protocol/src/ir.js';
import { evalScalar } from './ir-scalar.js';
import { BacktestError } from './types.js';
import { MAX_GRID, MAX_GRID_COMBINATIONS } from '../../../language/src/analysis/limits.js';
import { mulberry32 } from '../../../language/src/util/prng.js';

export type ParamSet = Record<string, number | boolean>;

function valuesOf(ir: StrategyIr, name: string, fixed: ParamSet): readonly (number | boolean)[] {
    if (Object.prototype.hasOwnProperty.call(fixed, name)) return [fixed[name]!];
    const p = ir.params.find(x => x.name === name)!;
    if (p.grid) return p.grid;
    if (p.low !== null && p.high !== null && p.step !== null && p.high > p.low) {
        // A stepped range the IR does not enumerate (over MAX_GRID values): never silently its default alone.
        const count = Math.floor((p.high - p.low) / p.step + 1e-9) + 1;
        throw new BacktestError(`param '${name}' has ${count.toLocaleString('en-US')} grid values (${p.low}..${p.high} step ${p.step}), over the ${MAX_GRID.toLocaleString('en-US')} a grid sweep tries per param (AF406); use a random sweep, a coarser step, or fix it with params`);
    }
    if (p.default !== null) return [p.default];
    throw new BacktestError(`param '${name}' has no grid (a float range needs a step for a grid sweep; use --random)`);
}

export function satisfies(ir: StrategyIr, values: ParamSet): boolean {
    return ir.constraints.every(c => evalScalar(ir, c, values) !== false);
}

/** Every grid combination that satisfies the constraints, in a deterministic order. */
export function gridParamSets(ir: StrategyIr, fixed: ParamSet = {}, limit = MAX_GRID_COMBINATIONS): ParamSet[] {
    const names = ir.params.map(p => p.name);
    const lists = names.map(n => valuesOf(ir, n, fixed));
    const total = lists.reduce((n, l) => n * l.length, 1);
    if (total > limit) throw new BacktestError(`the grid has ${total.toLocaleString('en-US')} combinations, over the limit of ${limit.toLocaleString('en-US')} per run (AF406); fix some params (params / --params) or use a random sweep (samples / --random N)`);
    const out: ParamSet[] = [];
    const cur: ParamSet = {};
    const rec = (i: number): void => {
        if (i === names.length) {
            if (satisfies(ir, cur)) out.push({ ...cur });
            return;
        }
        for (const v of lists[i]!) { cur[names[i]!] = v; rec(i + 1); }
    };
    rec(0);
    return out;
}

/** `n` distinct random combinations (grid values, or uniform in a continuous range), seeded. */
export function randomParamSets(ir: StrategyIr, n: number, seed: number, fixed: ParamSet = {}): ParamSet[] {
    // The one seeded PRNG: the same seed gives the same sample on every machine.
    const rnd = mulberry32(seed);
    const out: ParamSet[] = [];
    const seen = new Set<string>();
    let attempts = 0;
    while (out.length < n && attempts < n * 50) {
        attempts++;
        const set: ParamSet = {};
        for (const p of ir.params) {
            if (Object.prototype.hasOwnProperty.call(fixed, p.name)) set[p.name] = fixed[p.name]!;
            else if (p.grid) set[p.name] = p.grid[Math.floor(rnd() * p.grid.length)]!;
            else if (p.low !== null && p.high !== null) set[p.name] = p.type === 'int' ? p.low + Math.floor(rnd() * (p.high - p.low + 1)) : p.low + rnd() * (p.high - p.low);
            else set[p.name] = p.default!;
        }
        const key = JSON.stringify(set);
        if (seen.has(key) || !satisfies(ir, set)) continue;
        seen.add(key);
        out.push(set);
    }
    return out;
}
