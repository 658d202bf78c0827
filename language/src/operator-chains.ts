/**
 * Binary operators parsed flat, rebuilt by precedence. The grammar parses `a + b * c < d` as one
 * BinaryExpr chain (`left operator right`, then `moreOperators`/`moreOperands`), because every rule
 * level of a precedence cascade costs Langium 3.5 an AST object, a CST node and a rule call per
 * operand. This module turns each chain into the tree the cascade used to build: left-associative,
 * precedence or < and < comparisons < + - < * /, made of the same BinaryExpr nodes with their
 * containers, and a CST node per BinaryExpr spanning its operands and operator, so that ranges,
 * hovers and `leaf.astNode` point where they did. It runs without recursion (long chains are fine).
 * The parser collects the chains as it constructs them (inner before outer) and rebuilds them once
 * the document is parsed (parser-guard.ts); tests compare the trees with the cascade grammar's.
 */
import { CompositeCstNodeImpl, type CstNode } from 'langium';

/** A node as the parser builds it: mutable, its containment set here. */
type Node = Record<string, unknown> & { $type: string; $cstNode?: CstNode; $container?: unknown };
type Composite = CstNode & { content: CstNode[]; _rangeCache?: unknown; astNode: unknown };

const PRECEDENCE: Readonly<Record<string, number>> = {
    or: 1, and: 2,
    '<': 3, '<=': 3, '>': 3, '>=': 3, '==': 3, '!=': 3,
    '+': 4, '-': 4,
    '*': 5, '/': 5,
};

/** Is this a BinaryExpr still holding a flat chain (the parser's output before `rebuildOperatorChain`)? */
export function isOperatorChain(node: { $type?: unknown; moreOperands?: unknown; moreOperators?: unknown }): boolean {
    return node.$type === 'BinaryExpr' && (Array.isArray(node.moreOperands) && node.moreOperands.length > 0 || Array.isArray(node.moreOperators) && node.moreOperators.length > 0);
}

/** An operand or a built subtree: its AST node and the CST children of the chain it spans. */
interface Item { node: Node | undefined; cst: CstNode | undefined; first: number; last: number }

/**
 * Rebuilds one chain in place: `chain` becomes the root BinaryExpr (the parent already points at
 * it), new BinaryExpr nodes are made for the inner operators. Without a usable CST (error recovery
 * dropped an operand) the inner nodes share the chain's CST node.
 */
export function rebuildOperatorChain(c: object): void {
    const chain = c as Node;
    const operands = [chain.left, chain.right, ...((chain.moreOperands as unknown[] | undefined) ?? [])] as (Node | undefined)[];
    const operators = [chain.operator, ...((chain.moreOperators as unknown[] | undefined) ?? [])] as (string | undefined)[];
    delete chain.moreOperands;
    delete chain.moreOperators;
    // Recovery can drop an operand (`a + b *` at the end of a file) or an operator; pad to n operands, n - 1 operators.
    while (operands.length < operators.length + 1) operands.push(undefined);
    while (operators.length < operands.length - 1) operators.push(undefined);

    const firstCst = operands[0]?.$cstNode;
    const chainCst = firstCst?.container as Composite | undefined;
    const children = chainCst ? [...chainCst.content] : [];
    const at = operands.map(o => (o?.$cstNode && chainCst ? children.indexOf(o.$cstNode) : -1));
    const precise = chainCst !== undefined && at.every((i, k) => i >= 0 && (k === 0 || i > at[k - 1]!));

    const values: Item[] = [];
    const ops: number[] = [];
    const reduce = (isRoot: boolean): void => {
        const k = ops.pop()!;
        const right = values.pop()!, left = values.pop()!;
        const node: Node = isRoot ? chain : { $type: 'BinaryExpr' } as Node;
        node.left = left.node;
        node.operator = operators[k];
        node.right = right.node;
        if (left.node) { left.node.$container = node; left.node.$containerProperty = 'left'; delete left.node.$containerIndex; }
        if (right.node) { right.node.$container = node; right.node.$containerProperty = 'right'; delete right.node.$containerIndex; }
        let cst: CstNode | undefined = chainCst;
        if (precise) {
            const parts: CstNode[] = [];
            // The root keeps what the chain's CST node held before its first operand and after its last.
            if (isRoot) for (let i = 0; i < left.first; i++) parts.push(children[i]!);
            parts.push(left.cst!);
            for (let i = left.last + 1; i < right.first; i++) parts.push(children[i]!);
            parts.push(right.cst!);
            if (isRoot) for (let i = right.last + 1; i < children.length; i++) parts.push(children[i]!);
            let c: Composite;
            if (isRoot) {
                c = chainCst;
                c.content.length = 0;
                c._rangeCache = undefined;
            } else {
                c = new CompositeCstNodeImpl() as unknown as Composite;
                (c as unknown as { grammarSource: unknown }).grammarSource = chainCst.grammarSource;
                (c as unknown as { root: unknown }).root = chainCst.root;
                (c as unknown as { astNode: unknown }).astNode = node;
            }
            for (const p of parts) c.content.push(p);
            cst = c;
        }
        if (!isRoot) node.$cstNode = cst;
        values.push({ node, cst, first: left.first, last: right.last });
    };
    for (let k = 0; k < operands.length; k++) {
        const o = operands[k];
        values.push({ node: o, cst: o?.$cstNode, first: at[k]!, last: at[k]! });
        if (k === operators.length) break;
        const p = PRECEDENCE[operators[k] ?? ''] ?? 0;
        // Left-associative: reduce while the operator on the stack binds at least as tightly.
        while (ops.length > 0 && (PRECEDENCE[operators[ops[ops.length - 1]!] ?? ''] ?? 0) >= p) reduce(false);
        ops.push(k);
    }
    while (ops.length > 0) reduce(ops.length === 1);
}

/** Rebuilds the chains of a parsed document, innermost first (the order the parser constructed them in). */
export function rebuildOperatorChains(chains: readonly object[]): void {
    for (const c of chains) rebuildOperatorChain(c as Node);
}
