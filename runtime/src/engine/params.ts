/**
 * Parameter values for a run: the IR defaults overridden by the user's values, checked against
 * type, range and constraints with messages that name the parameter.
 */
import type { StrategyIr } from '../../../protocol/src/ir.js';
import { evalScalar } from './ir-scalar.js';
import { BacktestError, type ParamValues } from './types.js';

/** Objects bindParams returned, with their IR: binding one again gives it back (a run binds what a trial bound). */
const bound = new WeakMap<object, StrategyIr>();

export function bindParams(ir: StrategyIr, overrides: ParamValues = {}): Readonly<Record<string, number | boolean>> {
    if (bound.get(overrides) === ir) return overrides as Readonly<Record<string, number | boolean>>;
    const values: Record<string, number | boolean> = {};
    const known = new Set(ir.params.map(p => p.name));
    for (const name of Object.keys(overrides)) {
        if (!known.has(name)) {
            throw new BacktestError(`unknown param '${name}' for strategy ${ir.strategy}; its params are: ${[...known].join(', ') || '(none)'}`);
        }
    }
    for (const p of ir.params) {
        const v = name(overrides, p.name) ?? p.default;
        if (v === null || v === undefined) throw new BacktestError(`param '${p.name}' has no value`);
        if (p.type === 'bool') {
            if (typeof v !== 'boolean') throw new BacktestError(`param '${p.name}' is bool; got ${v}`);
        } else {
            if (typeof v !== 'number' || !Number.isFinite(v)) throw new BacktestError(`param '${p.name}' is ${p.type}; got ${String(v)}`);
            if (p.type === 'int' && !Number.isInteger(v)) throw new BacktestError(`param '${p.name}' is int; got ${v}`);
            if (p.low !== null && p.high !== null && (v < p.low || v > p.high)) {
                throw new BacktestError(`param '${p.name}' = ${v} is outside its range ${p.low}..${p.high}`);
            }
        }
        values[p.name] = v;
    }
    for (const c of ir.constraints) {
        if (evalScalar(ir, c, values) === false) {
            const shown = ir.params.map(p => `${p.name} = ${values[p.name]}`).join(', ');
            throw new BacktestError(`params (${shown}) violate a constraint of ${ir.strategy}`);
        }
    }
    // Frozen: nothing changes a run's params, and evalScalar remembers values computed for a frozen object.
    Object.freeze(values);
    bound.set(values, ir);
    return values;
}

function name(o: ParamValues, k: string): number | boolean | undefined {
    return Object.prototype.hasOwnProperty.call(o, k) ? o[k] : undefined;
}

/** Parses `k=v` pairs from the command line into typed values for the IR's params. */
export function parseParamArgs(ir: StrategyIr, pairs: readonly string[]): Record<string, number | boolean> {
    const out: Record<string, number | boolean> = {};
    for (const pair of pairs.flatMap(p => p.split(',')).filter(Boolean)) {
        const m = /^\s*([A-Za-z_]\w*)\s*=\s*(.+?)\s*$/.exec(pair);
        if (!m) throw new BacktestError(`--params takes name=value pairs, not '${pair}'`);
        const param = ir.params.find(p => p.name === m[1]);
        if (!param) throw new BacktestError(`unknown param '${m[1]}'; params of ${ir.strategy}: ${ir.params.map(p => p.name).join(', ') || '(none)'}`);
        if (param.type === 'bool') {
            if (m[2] !== 'true' && m[2] !== 'false') throw new BacktestError(`param '${m[1]}' is bool: write ${m[1]}=true or ${m[1]}=false`);
            out[m[1]!] = m[2] === 'true';
        } else {
            const v = Number(m[2]!.replace(/%$/, ''));
            if (!Number.isFinite(v)) throw new BacktestError(`param '${m[1]}' is a number, not '${m[2]}'`);
            out[m[1]!] = m[2]!.endsWith('%') ? v / 100 : v;
        }
    }
    return out;
}
