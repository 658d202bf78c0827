/**
 * The DAG panel's view of a strategy: the canonical DAG, and for each of its nodes the source
 * ranges that produced it (declarations of params, features and signals, constraints, rule
 * conditions, risk and execution settings) and the param, feature and signal names it carries. Names and
 * ranges come from the AST; the DAG erases them, `canonicalize` says where each IR node went.
 */
import type { AstNode } from 'langium';
import * as ast from '../../language/src/generated/ast.js';
import { canonicalize, type DagMode } from '../../language/src/ir/dag.js';
import type { NodeId, StrategyIr } from '../../protocol/src/ir.js';
import type { DagView } from '../../protocol/src/lsp.js';

type Range = DagView['ranges'][number][number];

function rangeOf(node: AstNode | undefined): Range | undefined {
    const r = node?.$cstNode?.range;
    return r ? { start: { line: r.start.line, character: r.start.character }, end: { line: r.end.line, character: r.end.character } } : undefined;
}

export function dagView(strategy: ast.Strategy, ir: StrategyIr, mode: DagMode = 'exact'): DagView {
    const { dag, nodeOf } = canonicalize(ir, mode);
    const ranges: Record<number, Range[]> = {};
    const names: Record<number, string[]> = {};
    const add = (irNode: NodeId | undefined | null, at: AstNode | undefined, name?: string): void => {
        if (irNode === undefined || irNode === null) return;
        const n = nodeOf(irNode);
        const r = rangeOf(at);
        if (n === undefined || !r) return;
        (ranges[n] ??= []).push(r);
        if (name && !(names[n] ??= []).includes(name)) names[n]!.push(name);
    };
    const members = strategy.members ?? [];
    for (const m of members) {
        if (ast.isParamDecl(m)) add(ir.params.find(p => p.name === m.name)?.node, m, m.name);
        else if (ast.isFeatureDecl(m)) add(ir.features[m.name], m, m.name);
        else if (ast.isSignalDecl(m)) add(ir.signals[m.name], m, m.name);
    }
    members.filter(ast.isConstraintDecl).forEach((m, i) => add(ir.constraints[i], m));
    members.filter(ast.isRulesBlock).flatMap(b => b.rules ?? []).forEach((r, i) => add(ir.rules[i]?.condition, r.condition));
    for (const b of members) {
        if (ast.isRiskBlock(b)) for (const s of b.settings ?? []) add(ir.risk[s.key]?.value, s);
        else if (ast.isExecutionBlock(b)) for (const s of b.settings ?? []) add(ir.execution[s.key]?.value, s);
    }
    for (const rs of Object.values(ranges)) rs.sort((a, b) => a.start.line - b.start.line || a.start.character - b.start.character);
    return { strategy: ir.strategy, dag, ranges, names };
}
