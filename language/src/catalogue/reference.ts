/**
 * The function reference, generated from the catalogue (every pack's functions, fields and
 * constants with their signatures, units, look-backs, docs and examples): `af functions [NAME]`
 * prints it, `docs/functions.md` is it in Markdown (a test keeps the file current).
 */
import type { Catalogue } from './catalogue.js';
import type { CatalogueEntry, CatalogueParam } from './pack-types.js';

const param = (p: CatalogueParam): string => `${p.name}: ${p.type}${p.default !== undefined ? ` = ${String(p.default)}` : ''}`;

/** `sma(source: series<U>, length: int)` → `series<U>`, a field's or constant's type. */
export function signatureOf(e: CatalogueEntry): string {
    if (e.kind === 'function') return `${e.name}(${e.params.map(param).join(', ')}) → ${e.returns}`;
    if (e.kind === 'field') return `${e.name}: ${e.returns}`;
    return `${e.name}: ${e.enumType}`;
}

/** Every entry, pack by pack, in catalogue order. */
function entriesOf(catalogue: Catalogue): { pack: string; entries: readonly CatalogueEntry[] }[] {
    return catalogue.packList().map(p => ({ pack: `${p.id} ${p.version}`, entries: p.entries }));
}

/** One line per entry: the signature and the first sentence of its doc. */
export function renderFunctionList(catalogue: Catalogue): string {
    const lines: string[] = [];
    for (const { pack, entries } of entriesOf(catalogue)) {
        lines.push(`pack ${pack}:`);
        for (const kind of ['function', 'field', 'const'] as const) {
            for (const e of entries.filter(x => x.kind === kind)) lines.push(`  ${signatureOf(e).padEnd(56)} ${firstSentence(e.doc)}`);
        }
    }
    return lines.join('\n') + '\n';
}

/** One entry in full: signature, parameters, look-back, doc and example. */
export function renderFunctionText(e: CatalogueEntry): string {
    const lines = [signatureOf(e), '', e.doc];
    if (e.kind === 'function') {
        if (e.params.length) lines.push('', 'parameters:', ...e.params.map(p => `  ${param(p)}${p.min !== undefined ? ` (at least ${p.min})` : ''} — ${p.doc}`));
        lines.push('', `look-back: ${e.lookback} bars`);
        if (e.range) lines.push(`values: ${e.range[0]} to ${e.range[1]}`);
    }
    lines.push('', 'example:', `  ${e.example}`);
    return lines.join('\n') + '\n';
}

/** docs/functions.md. */
export function renderFunctionsMarkdown(catalogue: Catalogue): string {
    const out = ['# Functions, fields and constants', '',
        '<!-- Generated from the function catalogue by `af functions --markdown`. Do not edit: a test fails when this file is stale. -->', '',
        'Every name a strategy can call or read without defining it, by pack. `af functions NAME` prints one entry.', ''];
    for (const { pack, entries } of entriesOf(catalogue)) {
        out.push(`## Pack \`${pack}\``, '');
        for (const [kind, title] of [['function', 'Functions'], ['field', 'Fields'], ['const', 'Constants']] as const) {
            const of = entries.filter(x => x.kind === kind);
            if (!of.length) continue;
            out.push(`### ${title}`, '');
            for (const e of of) {
                out.push(`#### ${e.name}`, '', `\`${signatureOf(e)}\``, '', e.doc, '');
                if (e.kind === 'function') {
                    for (const p of e.params) out.push(`- \`${param(p)}\`${p.min !== undefined ? ` (at least ${p.min})` : ''}: ${p.doc}`);
                    if (e.params.length) out.push('');
                    out.push(`Look-back: ${e.lookback} bars.${e.range ? ` Values from ${e.range[0]} to ${e.range[1]}.` : ''}`, '');
                }
                out.push('```af', e.example, '```', '');
            }
        }
    }
    return out.join('\n');
}

function firstSentence(doc: string): string {
    const m = /^(.*?[.!?])(\s|$)/.exec(doc.replace(/\s+/g, ' '));
    return m ? m[1]! : doc;
}
