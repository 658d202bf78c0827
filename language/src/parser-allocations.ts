/**
 * Langium 3.5's parser without its per-node garbage. The CPU profile of a 5,000-line strategy's
 * full build put a third of the time in the garbage collector, most of it from the parser: every
 * rule level an expression passes through (eight per operand) constructs its AST node again, and
 * each construction walks the node with `Object.entries` (an array of pairs per call, in
 * `linkContentToContainer` and in `assignWithoutOverride`) and a closure per array property, and
 * every CST child is added through `push(...items)` (a rest array per node).
 * The replacements do the same work with plain loops: the same AST, the same CST, the same
 * containers (tested by comparing both parsers' trees on the examples).
 */
import { CompositeCstNodeImpl, DatatypeSymbol, type AstNode, type AstReflection, type CstNode, type LangiumParser } from 'langium';

type Obj = Record<string, unknown> & { $type?: unknown; $cstNode?: { astNode?: unknown } };

function isAstNodeLike(v: unknown): v is AstNode {
    return typeof v === 'object' && v !== null && typeof (v as { $type?: unknown }).$type === 'string';
}

/** Langium's `linkContentToContainer` (ast-utils.ts) without allocating. */
function linkContent(node: Obj): void {
    for (const name in node) {
        if (name.charCodeAt(0) === 36 /* $ */) continue;
        const value = node[name];
        if (Array.isArray(value)) {
            for (let i = 0; i < value.length; i++) {
                const item: unknown = value[i];
                if (isAstNodeLike(item)) {
                    const n = item as unknown as Obj;
                    n.$container = node; n.$containerProperty = name; n.$containerIndex = i;
                }
            }
        } else if (isAstNodeLike(value)) {
            const n = value as unknown as Obj;
            n.$container = node; n.$containerProperty = name;
        }
    }
}

/** Langium's `assignMandatoryProperties`: default values (false, []) for properties the parser did not set. */
function assignDefaults(reflection: AstReflection, node: Obj): void {
    const properties = reflection.getTypeMetaData(node.$type as string).properties;
    for (let i = 0; i < properties.length; i++) {
        const p = properties[i]!;
        if (p.defaultValue !== undefined && node[p.name] === undefined) node[p.name] = Array.isArray(p.defaultValue) ? copyDefault(p.defaultValue) : p.defaultValue;
    }
}

function copyDefault(v: unknown): unknown {
    return Array.isArray(v) ? v.map(copyDefault) : v;
}

interface ParserInternals {
    stack: Obj[];
    operatorChains: Set<Obj>;
    nodeBuilder: { construct(item: Obj): void };
    converter: { convert(value: string, cst: unknown): unknown };
    astReflection: AstReflection;
    isRecording(): boolean;
    construct(): unknown;
    assignWithoutOverride(target: Obj, source: Obj): Obj;
}

/** The operator chains the last parse constructed, innermost first; the caller rebuilds and clears them. */
export function takeOperatorChains(parser: LangiumParser): AstNode[] {
    const set = (parser as unknown as ParserInternals).operatorChains;
    const chains = [...set] as unknown as AstNode[];
    set.clear();
    return chains;
}

/**
 * Replaces `construct` and `assignWithoutOverride` on this parser instance (same behaviour as Langium 3.5's),
 * and collects the flat operator chains it constructs (innermost first) for operator-chains.ts.
 */
export function installAllocationFreeConstruct(parser: LangiumParser): void {
    const p = parser as unknown as ParserInternals;
    p.operatorChains = new Set();
    p.construct = function (this: ParserInternals): unknown {
        if (this.isRecording()) return undefined;
        const obj = this.stack[this.stack.length - 1]!;
        linkContent(obj);
        this.nodeBuilder.construct(obj);
        this.stack.pop();
        if (obj.$type === DatatypeSymbol) return this.converter.convert(obj.value as string, obj.$cstNode);
        assignDefaults(this.astReflection, obj);
        // A node is constructed again at each enclosing rule level it passes through; the set keeps one entry.
        if (obj.moreOperands !== undefined || obj.moreOperators !== undefined) this.operatorChains.add(obj);
        return obj;
    };
    p.assignWithoutOverride = (target: Obj, source: Obj): Obj => {
        for (const name in source) {
            const existing = source[name], fresh = target[name];
            if (fresh === undefined) target[name] = existing;
            else if (Array.isArray(fresh) && Array.isArray(existing)) {
                for (let i = 0; i < fresh.length; i++) existing.push(fresh[i]);
                target[name] = existing;
            }
        }
        // As Langium: the target's CST node is about to be replaced; it must not point back at the target.
        const cst = target.$cstNode;
        if (cst) { cst.astNode = undefined; target.$cstNode = undefined; }
        return target;
    };
}

let installed = false;

/**
 * The CST's child list (an Array subclass that sets each child's container) with a one-item
 * `push` that allocates no rest array; the parser adds every CST node through it.
 */
export function installSingleItemCstPush(): void {
    if (installed) return;
    installed = true;
    const containerProto = Object.getPrototypeOf(new CompositeCstNodeImpl().content) as { push(...items: CstNode[]): number; parent?: unknown };
    const pushMany = containerProto.push;
    // The common case, one child, through a fixed-arity function V8 can inline.
    Object.defineProperty(containerProto, 'push', {
        configurable: true, writable: true,
        value: function (this: CstNode[] & { parent: unknown }, item: CstNode): number {
            // A rest parameter would allocate on every call.
            // eslint-disable-next-line prefer-rest-params
            if (arguments.length !== 1) return pushMany.apply(this, Array.prototype.slice.call(arguments) as CstNode[]);
            (item as { container?: unknown }).container = this.parent;
            // An indexed store: Array.prototype.push called on the subclass takes a generic, slower path.
            this[this.length] = item;
            return this.length;
        },
    });
}
