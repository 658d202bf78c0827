/**
 * Linking and indexing with less work per node — these phases run on every keystroke in the
 * language server, over the whole document. Behaviour is Langium's; what changes is cost:
 * - descriptions of declarations and references compute their AST paths and source segments
 *   only when read (find references and rename read a few; linking reads none), and a
 *   reference's description is a small class instance, not an object literal with getters;
 * - reference descriptions come from the document's list of linked references instead of a
 *   second walk over every AST node;
 * - the linker walks the AST once (not two streams per node) and checks for cancellation every
 *   few hundred nodes instead of awaiting at each one.
 */
import {
    AstUtils, Cancellation, CstUtils, DefaultAstNodeDescriptionProvider, DefaultLinker, interruptAndCheck, isAstNode, isReference,
    type AstNode, type AstNodeDescription, type AstNodeLocator, type LangiumCoreServices, type LangiumDocument,
    type CstNode, type DocumentSegment, type ReferenceDescription, type ReferenceDescriptionProvider, type URI,
} from 'langium';

/** Nodes visited between two cancellation checks. */
const CHECK_EVERY = 256;

export class AlphaForgeAstNodeDescriptionProvider extends DefaultAstNodeDescriptionProvider {
    override createDescription(node: AstNode, name: string | undefined, document?: LangiumDocument): AstNodeDescription {
        name ??= this.nameProvider.getName(node);
        if (!name) return super.createDescription(node, name, document); // throws Langium's error
        const locator = this.astNodeLocator, nameProvider = this.nameProvider;
        let path: string | undefined, nameSegment: AstNodeDescription['nameSegment'], selectionSegment: AstNodeDescription['selectionSegment'];
        return {
            node, name, type: node.$type,
            documentUri: (document ?? AstUtils.getDocument(node)).uri,
            get path(): string { return (path ??= locator.getAstNodePath(node)); },
            get nameSegment() { return (nameSegment ??= CstUtils.toDocumentSegment(nameProvider.getNameNode(node) ?? node.$cstNode)); },
            get selectionSegment() { return (selectionSegment ??= CstUtils.toDocumentSegment(node.$cstNode)); },
        };
    }
}

export class AlphaForgeReferenceDescriptionProvider implements ReferenceDescriptionProvider {
    private readonly locator: AstNodeLocator;

    constructor(services: LangiumCoreServices) {
        this.locator = services.workspace.AstNodeLocator;
    }

    async createDescriptions(document: LangiumDocument, cancelToken = Cancellation.CancellationToken.None): Promise<ReferenceDescription[]> {
        const out: ReferenceDescription[] = [];
        const sourceUri = document.uri, source = sourceUri.toString(), locator = this.locator;
        let k = 0;
        // Every reference of the document, each once: the linker records them as it resolves them.
        for (const reference of document.references) {
            if (++k % CHECK_EVERY === 0) await interruptAndCheck(cancelToken);
            const target = reference.$nodeDescription, refNode = reference.$refNode;
            if (!target || !refNode) continue; // unresolved
            out.push(new LazyReferenceDescription(sourceUri, target, refNode, target.documentUri.toString() === source, locator));
        }
        return out;
    }
}

/**
 * A reference's description whose segment and AST paths are computed when first read (an object
 * literal with getters, one per reference, cost more to create than the rest of this phase).
 */
class LazyReferenceDescription implements ReferenceDescription {
    private segmentValue: DocumentSegment | undefined;
    private sourcePathValue: string | undefined;

    constructor(
        readonly sourceUri: URI, private readonly target: AstNodeDescription, private readonly refNode: CstNode,
        readonly local: boolean, private readonly locator: AstNodeLocator,
    ) {}

    get targetUri(): URI { return this.target.documentUri; }
    get segment(): DocumentSegment { return (this.segmentValue ??= CstUtils.toDocumentSegment(this.refNode)); }
    // The node holding the reference is the AST node of its CST leaf (as in Langium's References).
    get sourcePath(): string { return (this.sourcePathValue ??= this.locator.getAstNodePath(this.refNode.astNode)); }
    get targetPath(): string { return this.target.path; }
}

export class AlphaForgeLinker extends DefaultLinker {
    /**
     * Links every reference, visiting the AST in the same order as Langium's `streamAst` +
     * `streamReferences` (pre-order; a node's references before its children), in one pass over
     * each node's properties instead of two streams per node.
     */
    override async link(document: LangiumDocument, cancelToken = Cancellation.CancellationToken.None): Promise<void> {
        const stack: AstNode[] = [document.parseResult.value];
        let k = 0;
        while (stack.length > 0) {
            if (k++ % CHECK_EVERY === 0) await interruptAndCheck(cancelToken);
            const node = stack.pop()!;
            // The children go on the stack in order, then that stretch is reversed (no array per node).
            const first = stack.length;
            for (const property in node) {
                if (property.charCodeAt(0) === 36 /* $ */) continue;
                const value = (node as unknown as Record<string, unknown>)[property];
                if (typeof value !== 'object' || value === null) continue;
                if (isReference(value)) this.doLink({ reference: value, container: node, property }, document);
                else if (isAstNode(value)) stack.push(value);
                else if (Array.isArray(value)) {
                    for (let index = 0; index < value.length; index++) {
                        const element: unknown = value[index];
                        if (isReference(element)) this.doLink({ reference: element, container: node, property, index }, document);
                        else if (isAstNode(element)) stack.push(element);
                    }
                }
            }
            for (let i = first, j = stack.length - 1; i < j; i++, j--) { const t = stack[i]!; stack[i] = stack[j]!; stack[j] = t; }
        }
    }
}
