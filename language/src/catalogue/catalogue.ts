/**
 * The function catalogue: every builtin the language knows, assembled from capability packs.
 * The compiler asks it for signatures; the language server for docs; `builtinLibrary()` turns it
 * into the text of a generated `.af` document of `extern` declarations so that ordinary Langium
 * cross-references (go to definition, find references, hover) work for builtins too.
 */
import { compileFormula, formulaNames, type Formula } from './formula.js';
import type { CapabilityPack, CatalogueConst, CatalogueEntry, CatalogueField, CatalogueFunction, CatalogueParam } from './pack-types.js';
import { corePack } from './core-pack.js';

/** A parsed type spec: see pack-types.ts for the string forms. */
export type TypeSpec =
    | { readonly form: 'num'; readonly shape: 'series' | 'any' | 'const'; readonly unit: UnitSpec; readonly int?: boolean }
    | { readonly form: 'bool'; readonly shape: 'series' | 'any' }
    | { readonly form: 'duration' }
    | { readonly form: 'enum'; readonly enumType: string };

/** A unit in a spec: a variable (U, V), a base unit, dimensionless (1), or a quotient of two variables. */
export type UnitSpec =
    | { readonly kind: 'var'; readonly name: string }
    | { readonly kind: 'fixed'; readonly dims: Readonly<Record<string, number>> }
    | { readonly kind: 'div'; readonly num: string; readonly den: string };

export function parseTypeSpec(spec: string): TypeSpec {
    const s = spec.replace(/\s+/g, '');
    if (s === 'int') return { form: 'num', shape: 'const', unit: { kind: 'fixed', dims: {} }, int: true };
    if (s === 'float') return { form: 'num', shape: 'const', unit: { kind: 'var', name: '_any' } };
    if (s === 'duration') return { form: 'duration' };
    let m = /^enum<(\w+)>$/.exec(s);
    if (m) return { form: 'enum', enumType: m[1]! };
    m = /^(series|num)<(.+)>$/.exec(s);
    if (!m) throw new Error(`bad type spec '${spec}'`);
    const shape = m[1] === 'series' ? 'series' : 'any';
    const inner = m[2]!;
    if (inner === 'bool') return { form: 'bool', shape };
    return { form: 'num', shape, unit: parseUnitSpec(inner, spec) };
}

function parseUnitSpec(u: string, spec: string): UnitSpec {
    if (u === '1') return { kind: 'fixed', dims: {} };
    // usd and gwei: the on-chain pack's amounts (a pool's TVL is not a price, nor gas a volume).
    if (u === 'price' || u === 'volume' || u === 'bars' || u === 'usd' || u === 'gwei') return { kind: 'fixed', dims: { [u]: 1 } };
    if (/^[A-Z]$/.test(u)) return { kind: 'var', name: u };
    const m = /^([A-Z])\/([A-Z])$/.exec(u);
    if (m) return { kind: 'div', num: m[1]!, den: m[2]! };
    throw new Error(`bad unit in type spec '${spec}'`);
}

export interface FunctionInfo {
    readonly entry: CatalogueFunction;
    readonly pack: string;
    readonly params: readonly (CatalogueParam & { readonly spec: TypeSpec })[];
    readonly returns: TypeSpec;
    readonly lookback: Formula;
    readonly lookbackNames: readonly string[];
}

export class Catalogue {
    private readonly functions = new Map<string, FunctionInfo>();
    private readonly fields = new Map<string, CatalogueField>();
    private readonly consts = new Map<string, CatalogueConst>();
    private readonly packs: CapabilityPack[] = [];

    /** Name → pack, for the names of packs that exist but are not enabled. */
    private readonly disabled = new Map<string, string>();

    private readonly base: readonly CapabilityPack[];
    private readonly known: readonly CapabilityPack[];

    /** @param known packs that exist but are not enabled: their names stay unknown, `disabledPackOf` names the pack. */
    constructor(packs: readonly CapabilityPack[] = [corePack], known: readonly CapabilityPack[] = []) {
        this.base = packs;
        this.known = known;
        this.setWorkspacePacks([]);
    }

    /**
     * The packs a workspace declares, on top of those the catalogue was made with (the language
     * server calls it when the workspace's configuration changes; the documents must then be
     * relinked). The packs were checked (cataloguePacksOf); one that still clashes is left out.
     */
    setWorkspacePacks(packs: readonly CapabilityPack[]): void {
        this.functions.clear();
        this.fields.clear();
        this.consts.clear();
        this.packs.length = 0;
        this.disabled.clear();
        for (const p of this.base) this.register(p);
        for (const p of packs) {
            if (p.entries.some(e => this.get(e.name))) continue;
            this.register(p);
        }
        for (const p of this.known) {
            if (this.packs.some(q => q.id === p.id)) continue;
            for (const e of p.entries) if (!this.get(e.name) && !this.disabled.has(e.name)) this.disabled.set(e.name, p.id);
        }
    }

    /** The pack, not enabled in this workspace, that contributes `name`. */
    disabledPackOf(name: string): string | undefined {
        return this.disabled.get(name);
    }

    /** Adds a pack. Throws with the entry's name if the pack is malformed or clashes. */
    register(pack: CapabilityPack): void {
        for (const e of pack.entries) {
            if (this.get(e.name)) throw new Error(`pack '${pack.id}': '${e.name}' is already defined`);
            if (!/^[A-Za-z_]\w*(\.[A-Za-z_]\w*)*$/.test(e.name)) throw new Error(`pack '${pack.id}': bad name '${e.name}'`);
            if (e.kind === 'function') {
                try {
                    const params = e.params.map(p => ({ ...p, spec: parseTypeSpec(p.type) }));
                    const lookbackNames = formulaNames(e.lookback);
                    for (const n of lookbackNames) {
                        if (!e.params.some(p => p.name === n)) throw new Error(`look-back formula names unknown parameter '${n}'`);
                    }
                    this.functions.set(e.name, {
                        entry: e, pack: pack.id, params, returns: parseTypeSpec(e.returns),
                        lookback: compileFormula(e.lookback), lookbackNames,
                    });
                } catch (err) {
                    throw new Error(`pack '${pack.id}', function '${e.name}': ${(err as Error).message}`);
                }
            } else if (e.kind === 'field') {
                parseTypeSpec(e.returns);
                this.fields.set(e.name, e);
            } else {
                this.consts.set(e.name, e);
            }
        }
        this.packs.push(pack);
    }

    get(name: string): CatalogueEntry | undefined {
        return this.functions.get(name)?.entry ?? this.fields.get(name) ?? this.consts.get(name);
    }
    fn(name: string): FunctionInfo | undefined { return this.functions.get(name); }
    field(name: string): CatalogueField | undefined { return this.fields.get(name); }
    constant(name: string): CatalogueConst | undefined { return this.consts.get(name); }
    fieldSpec(name: string): TypeSpec | undefined {
        const f = this.fields.get(name);
        return f ? parseTypeSpec(f.returns) : undefined;
    }
    allEntries(): CatalogueEntry[] { return this.packs.flatMap(p => [...p.entries]); }
    enumValues(enumType: string): string[] {
        return [...this.consts.values()].filter(c => c.enumType === enumType).map(c => c.name);
    }
    packIds(): string[] { return this.packs.map(p => p.id); }
    /** The pack that contributes a name (function, field or constant). */
    packOf(name: string): CapabilityPack | undefined { return this.packs.find(p => p.entries.some(e => e.name === name)); }
    /** The registered packs, in registration order. */
    packList(): readonly CapabilityPack[] { return this.packs; }

    /** The generated `.af` text declaring every builtin; its doc comments carry the catalogue docs. */
    builtinLibrary(): string {
        const lines: string[] = ['// Generated from the function catalogue. Do not edit.'];
        for (const p of this.packs) {
            lines.push('', `// pack ${p.id} ${p.version}: ${p.description}`);
            for (const e of p.entries) {
                lines.push(`/// ${e.doc.replace(/\s+/g, ' ')}`);
                if (e.kind === 'function') lines.push(`extern def ${e.name}(${e.params.map(x => x.name).join(', ')})`);
                else if (e.kind === 'field') lines.push(`extern field ${e.name}`);
                else lines.push(`extern const ${e.name}`);
            }
        }
        return lines.join('\n') + '\n';
    }
}

/** URI of the generated builtin library (as `URI.toString()` prints it). */
export const BUILTIN_URI = 'builtin:/core.af';
