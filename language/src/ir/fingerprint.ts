/**
 * Fingerprints: SHA-256 of the canonical serialisation of the canonical DAG.
 * - structural: numeric values abstracted (literals, param defaults and ranges, durations,
 *   timeframe, the universe's symbols); shape, ops, functions, fields, enums, types and units kept.
 * - exact: everything that changes what the strategy trades, values included.
 * Both are independent of names, declaration order, layout and commutative operand order, and
 * only change when DAG_VERSION does (the version is part of the hashed text).
 */
import { createHash } from 'node:crypto';
import { canonicalDag, stableStringify, type CanonicalDag, type DagOptions } from './dag.js';
import type { StrategyIr } from '../../../protocol/src/ir.js';

export interface Fingerprints {
    readonly structural: string;
    readonly exact: string;
}

/** The exact text that is hashed: a version line, then the DAG as key-sorted JSON. */
export function serializeDag(dag: CanonicalDag): string {
    return `alphaforge-dag/${dag.dagVersion}\n${stableStringify(dag)}`;
}

export function fingerprintDag(dag: CanonicalDag): string {
    return createHash('sha256').update(serializeDag(dag)).digest('hex');
}

export function fingerprints(ir: StrategyIr, options: DagOptions = {}): Fingerprints {
    return {
        structural: fingerprintDag(canonicalDag(ir, 'structural', options)),
        exact: fingerprintDag(canonicalDag(ir, 'exact', options)),
    };
}
