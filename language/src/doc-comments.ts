/**
 * Doc comments: consecutive `///` lines directly above a strategy, def, param, feature or signal.
 * Collected once per document from the hidden DOC_COMMENT tokens of the CST.
 */
import { AstUtils, CstUtils, type AstNode, type LeafCstNode } from 'langium';

const cache = new WeakMap<AstNode, Map<number, string>>();

/** Doc comment text (without the slashes) of the node, if any. */
export function docComment(node: AstNode): string | undefined {
    const start = node.$cstNode?.range.start.line;
    if (start === undefined) return undefined;
    const byEndLine = docLines(AstUtils.findRootNode(node));
    const lines: string[] = [];
    for (let l = start - 1; byEndLine.has(l); l--) lines.unshift(byEndLine.get(l)!);
    return lines.length ? lines.join('\n') : undefined;
}

function docLines(root: AstNode): Map<number, string> {
    let m = cache.get(root);
    if (m) return m;
    m = new Map();
    if (root.$cstNode) {
        for (const n of CstUtils.streamCst(root.$cstNode)) {
            const leaf = n as LeafCstNode;
            if (leaf.hidden && leaf.tokenType?.name === 'DOC_COMMENT') {
                m.set(leaf.range.start.line, leaf.text.replace(/^\/\/\/ ?/, ''));
            }
        }
    }
    cache.set(root, m);
    return m;
}
