import type { AstNode } from 'langium';

/** The source text of a node with whitespace collapsed, for messages (`sma(close, fast)`). */
export function textOf(node: AstNode | undefined, max = 60): string {
    const t = node?.$cstNode?.text.replace(/\s+/g, ' ').trim() ?? '?';
    return t.length > max ? `${t.slice(0, max - 1)}…` : t;
}
