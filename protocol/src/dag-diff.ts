/**
 * The structural difference of two strategies' canonical DAGs (`af diff`, the daemon's lang.diff,
 * the language server's alphaforge/diff, the MCP tool `diff`, the DAG panel's comparison): one
 * shape, defined once, so every surface answers the same JSON. The language library computes it
 * (language/src/ir/dag-diff.ts); docs/ir.md §6 describes it.
 *
 * Node ids are the canonical DAG's own (`from` ids in the first DAG, `to` ids in the second).
 */
import * as z from 'zod';

export const DAG_DIFF_VERSION = 1;

const Int = z.number().int().nonnegative();
const ParamValue = z.union([z.number(), z.boolean()]);

export const DiffEndSchema = z.object({
    strategy: z.string(),
    fingerprints: z.object({ exact: z.string(), structural: z.string() }),
    nodes: Int.describe('nodes of its exact canonical DAG'),
});

export const DiffNodeSchema = z.object({
    id: Int,
    label: z.string().describe('what the node is: `sma()`, `param fast = 10 in 5..20`, `close`, `<`, `0.02`'),
    names: z.array(z.string()).describe('feature / signal names and rules or settings that use it directly'),
});
export type DiffNode = z.infer<typeof DiffNodeSchema>;

export const ChangedNodeSchema = z.object({
    from: Int,
    to: Int,
    label: z.string().describe('the `from` node\'s label, then → the `to` node\'s when it differs'),
    names: z.array(z.string()),
    changes: z.array(z.string()).describe('each change in words: "fn sma → ema", "value 0.02 → 0.03", "input 2 rewired"'),
});
export type ChangedNode = z.infer<typeof ChangedNodeSchema>;

export const ParamShapeSchema = z.object({
    type: z.enum(['int', 'float', 'bool']),
    default: ParamValue.nullable(),
    low: z.number().nullable(),
    high: z.number().nullable(),
    step: z.number().nullable(),
});

export const ParamChangeSchema = z.object({
    name: z.string(),
    change: z.enum(['added', 'removed', 'changed']),
    from: ParamShapeSchema.nullable(),
    to: ParamShapeSchema.nullable(),
    changes: z.array(z.string()).describe('"default 10 → 12", "range 5..20 → 5..30"'),
});
export type ParamChange = z.infer<typeof ParamChangeSchema>;

export const SinkChangeSchema = z.object({
    sink: z.string().describe('"rule 2", "risk.max_drawdown", "long allocation", "constraint", "universe", "timeframe", "fill"'),
    change: z.enum(['added', 'removed', 'changed']),
    changes: z.array(z.string()),
});
export type SinkChange = z.infer<typeof SinkChangeSchema>;

export const DagDiffSchema = z.object({
    dagDiffVersion: z.literal(DAG_DIFF_VERSION),
    from: DiffEndSchema,
    to: DiffEndSchema,
    sameExact: z.boolean().describe('same structure and values'),
    sameStructure: z.boolean().describe('same structure (values may differ)'),
    structure: z.string().describe('the difference in building blocks, in words (the words of "find similar")'),
    summary: z.string().describe('one line: counts of added, removed and changed nodes, params, rules and settings'),
    added: z.array(DiffNodeSchema).describe('nodes only in `to` (ids of `to`)'),
    removed: z.array(DiffNodeSchema).describe('nodes only in `from` (ids of `from`)'),
    changed: z.array(ChangedNodeSchema).describe('matched nodes whose own content or wiring changed'),
    matched: z.array(z.tuple([Int, Int])).describe('every matched pair [from id, to id], changed or not (for drawing one DAG over the other)'),
    params: z.array(ParamChangeSchema).describe('declared parameters by name: added, removed, changed type / default / range'),
    sinks: z.array(SinkChangeSchema).describe('rules, settings, allocations, constraints, universe, timeframe and fill that differ'),
});
export type DagDiff = z.infer<typeof DagDiffSchema>;
