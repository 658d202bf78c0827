import type { AstNode } from 'langium';
import type { DiagnosticCode } from '../validation/diagnostic-codes.js';
import type { FixData } from '../validation/diagnostic-data.js';

/** One problem found by the analysis; the validator turns it into a diagnostic. */
export interface Finding {
    readonly code: DiagnosticCode;
    readonly node: AstNode;
    /** Narrow the range to a property of the node (e.g. 'name'). */
    readonly property?: string;
    readonly index?: number;
    readonly message: string;
    readonly related?: readonly RelatedInfo[];
    /** What the quick fix needs (same code as the finding), sent in the diagnostic's `data`. */
    readonly data?: FixData;
}

export interface RelatedInfo {
    readonly node: AstNode;
    readonly message: string;
}

/** A path through the dataflow, from a use to the value that causes a problem (or the reverse). */
export interface ChainStep {
    readonly node: AstNode;
    readonly label: string;
}
export type Chain = readonly ChainStep[];

export function formatChain(chain: Chain): string {
    return chain.map(s => s.label).join(' → ');
}
