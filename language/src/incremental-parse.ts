/**
 * Re-parsing only the strategy member an edit touched. In the language server every keystroke
 * re-parses the whole document (Langium 3.5 has no incremental parser), and the parse is about
 * half of a re-validation's CPU time, with most of its garbage. A one-line edit usually lies
 * inside one member (`feature`, `signal`, `rules { … }`, …), and a member's parse cannot depend on
 * the text around it: every member starts with a keyword that no expression can continue with.
 * So when the edit lies strictly inside one member of a strategy in a document that parsed
 * without errors, only that member's new text is parsed (with the `Member` rule, the text before
 * it blanked out so that offsets, lines and columns come out as in a full parse), and it replaces
 * the old member in the AST and the CST; the positions of the tokens after it are shifted.
 * Anything else — an edit across members, outside a strategy, at a member's first token, a new
 * text that is not exactly one member without errors, a document that had errors — is a full
 * parse, as before. Linking, scoping and validation still run over the whole document.
 * Tests compare the result with a full parse of the same text (test/incremental-parse.test.ts).
 */
import { CompositeCstNodeImpl, DefaultLangiumDocumentFactory, type AstNode, type CstNode, type LangiumDocument, type LangiumSharedCoreServices, type ParseResult, type URI } from 'langium';
import type { CancellationToken } from 'vscode-jsonrpc';
import * as ast from './generated/ast.js';

type Pos = { line: number; character: number };
type Range = { start: Pos; end: Pos };
type Leaf = CstNode & { _offset: number; _range: Range; root: CstNode };
type Composite = CstNode & { content: CstNode[]; _rangeCache?: Range; root: CstNode; grammarSource: unknown; astNode: AstNode };
type Root = Composite & { _text: string };
type Mutable = { $type: string; $container?: AstNode; $containerProperty?: string; $containerIndex?: number; $cstNode?: CstNode };

/** How many documents were re-parsed one member at a time, and how many in full (for tests and benchmarks). */
export const incrementalParseStats = { member: 0, full: 0 };

export class AlphaForgeDocumentFactory extends DefaultLangiumDocumentFactory {
    /** The document `update` is re-parsing, read by `parseAsync` (which Langium calls from `update` with the text only). */
    private updating: LangiumDocument | undefined;

    constructor(services: LangiumSharedCoreServices) {
        super(services);
    }

    override async update<T extends AstNode = AstNode>(document: LangiumDocument<T>, cancellationToken: CancellationToken): Promise<LangiumDocument<T>> {
        this.updating = document;
        try {
            return await super.update(document, cancellationToken);
        } finally {
            this.updating = undefined;
        }
    }

    protected override parseAsync<T extends AstNode>(uri: URI, text: string, cancellationToken: CancellationToken): Promise<ParseResult<T>> {
        const document = this.updating;
        this.updating = undefined;
        if (document && document.uri.toString() === uri.toString()) {
            const parser = this.serviceRegistry.getServices(uri).parser.LangiumParser;
            let result: ParseResult<AstNode> | undefined;
            try {
                result = reparseMember(document.parseResult as ParseResult<AstNode>, text, (t: string) => parser.parse(t, { rule: 'Member' }));
            } catch {
                result = undefined; // never expected; the full parse below replaces whatever the attempt left
            }
            if (result) { incrementalParseStats.member++; return Promise.resolve(result as ParseResult<T>); }
        }
        incrementalParseStats.full++;
        return super.parseAsync(uri, text, cancellationToken);
    }
}

/**
 * The parse result of `text` made from `old` (the parse of the document's previous text) by
 * re-parsing the one strategy member the change lies in; undefined when that is not possible
 * (the caller parses in full). `old` is updated in place: its root AST node and root CST node stay.
 */
export function reparseMember(old: ParseResult<AstNode>, text: string, parseMember: (text: string) => ParseResult<AstNode>): ParseResult<AstNode> | undefined {
    if (old.lexerErrors.length > 0 || old.parserErrors.length > 0 || (old.lexerReport?.diagnostics?.length ?? 0) > 0) return undefined;
    const model = old.value;
    const root = model.$cstNode as Root | undefined;
    if (!ast.isModel(model) || !root || (root.root as unknown) !== root) return undefined;
    const oldText = root._text;
    if (oldText === text) return undefined;

    // The changed region: [from, oldTo) of the old text became [from, newTo) of the new one.
    const min = Math.min(oldText.length, text.length);
    let from = 0;
    while (from < min && oldText.charCodeAt(from) === text.charCodeAt(from)) from++;
    let tail = 0;
    while (tail < min - from && oldText.charCodeAt(oldText.length - 1 - tail) === text.charCodeAt(text.length - 1 - tail)) tail++;
    const oldTo = oldText.length - tail, newTo = text.length - tail, delta = newTo - oldTo;

    const found = memberAround(model, from, oldTo);
    if (!found) return undefined;
    const { strategy, index, member } = found;
    const oldCst = member.$cstNode as Composite;
    const strategyCst = oldCst.container as Composite | undefined;
    const at = strategyCst ? strategyCst.content.indexOf(oldCst) : -1;
    if (!strategyCst || at < 0 || strategy.$cstNode === undefined) return undefined;
    const start = oldCst.offset, oldEnd = oldCst.end, newEnd = oldEnd + delta;
    if (newEnd <= start) return undefined;

    // Parse the member's new text where it stands: before it, blanks with as many line breaks
    // and the same column, so that offsets, lines and columns come out as in a full parse.
    const { line, character } = oldCst.range.start;
    const padded = ' '.repeat(start - line - character) + '\n'.repeat(line) + ' '.repeat(character) + text.slice(start, newEnd);
    let fresh: ParseResult<AstNode>;
    try {
        fresh = parseMember(padded);
    } catch {
        return undefined;
    }
    if (fresh.lexerErrors.length > 0 || fresh.parserErrors.length > 0 || (fresh.lexerReport?.diagnostics?.length ?? 0) > 0) return undefined;
    if (!ast.isMember(fresh.value)) return undefined;
    const node = fresh.value as unknown as Mutable;
    const freshRoot = node.$cstNode as Composite | undefined;
    // Exactly one member, its first token where the old one's was, its last token at the end of the new text, no hidden tokens around it.
    if (node.$type !== member.$type || !freshRoot || freshRoot.content.length === 0) return undefined;
    if (freshRoot.content[0]!.hidden || freshRoot.content[freshRoot.content.length - 1]!.hidden) return undefined;
    if (freshRoot.offset !== start || freshRoot.end !== newEnd) return undefined;

    // Shift everything after the old member (and forget cached ranges) before the new member goes in.
    const oldEndPos = oldCst.range.end, newEndPos = freshRoot.range.end;
    const lineDelta = newEndPos.line - oldEndPos.line, charDelta = newEndPos.character - oldEndPos.character;
    const shift = (p: Pos): Pos => ({ line: p.line + lineDelta, character: p.line === oldEndPos.line ? p.character + charDelta : p.character });
    const stack: CstNode[] = [root];
    while (stack.length > 0) {
        const n = stack.pop()!;
        const content = (n as Composite).content;
        if (content !== undefined) {
            if (n === oldCst) continue;
            // Nodes that end before the member are unchanged; its ancestors and what follows it change.
            if (n !== root && n.end <= start) continue;
            (n as Composite)._rangeCache = undefined;
            for (let i = 0; i < content.length; i++) stack.push(content[i]!);
        } else {
            const leaf = n as Leaf;
            if (leaf._offset >= oldEnd) {
                leaf._offset += delta;
                if (lineDelta !== 0 || charDelta !== 0) leaf._range = { start: shift(leaf._range.start), end: shift(leaf._range.end) };
            }
        }
    }

    // The new member's CST node takes the old one's place (a composite, not the parse's root).
    const cst = new CompositeCstNodeImpl() as unknown as Composite;
    cst.grammarSource = oldCst.grammarSource;
    (cst as unknown as { root: unknown }).root = root;
    for (const child of [...freshRoot.content]) cst.content.push(child);
    cst.astNode = node as unknown as AstNode;
    node.$cstNode = cst;
    const rest: CstNode[] = [...cst.content];
    while (rest.length > 0) {
        const n = rest.pop() as Composite;
        (n as unknown as { root: unknown }).root = root;
        if (n.content !== undefined) for (let i = 0; i < n.content.length; i++) rest.push(n.content[i]!);
    }
    strategyCst.content.splice(at, 1, cst as unknown as CstNode);
    node.$container = strategy;
    node.$containerProperty = 'members';
    node.$containerIndex = index;
    (strategy.members as ast.Member[])[index] = node as unknown as ast.Member;
    root._text = text;
    return { value: model, lexerErrors: [], lexerReport: fresh.lexerReport, parserErrors: [] };
}

/** The strategy member whose tokens strictly enclose the change [from, to): after its first token, up to its end. */
function memberAround(model: ast.Model, from: number, to: number): { strategy: ast.Strategy; index: number; member: ast.Member } | undefined {
    for (const element of model.elements) {
        if (!ast.isStrategy(element) || !element.$cstNode) continue;
        const s = element.$cstNode;
        if (from < s.offset || to > s.end) continue;
        const members = element.members;
        // Members are in text order: binary search the last one starting before the change.
        let lo = 0, hi = members.length - 1, found = -1;
        while (lo <= hi) {
            const mid = (lo + hi) >> 1;
            const c = members[mid]!.$cstNode;
            if (!c) return undefined;
            if (c.offset <= from) { found = mid; lo = mid + 1; } else hi = mid - 1;
        }
        if (found < 0) return undefined;
        const member = members[found]!;
        const c = member.$cstNode as Composite;
        const first = firstLeaf(c);
        if (!first || from <= first.end || to > c.end) return undefined;
        return { strategy: element, index: found, member };
    }
    return undefined;
}

function firstLeaf(n: CstNode): CstNode | undefined {
    let c: CstNode | undefined = n;
    while (c && (c as Composite).content !== undefined) {
        const content: CstNode[] = (c as Composite).content;
        c = content.find(x => !x.hidden) ?? content[0];
    }
    return c;
}
