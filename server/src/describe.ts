/**
 * Markdown descriptions of declarations and builtins, shared by hover, completion and signature
 * help: catalogue docs and signatures, doc comments, inferred types, units and look-backs.
 */
import type { AstNode } from 'langium';
import * as ast from '../../language/src/generated/ast.js';
import type { Catalogue } from '../../language/src/catalogue/catalogue.js';
import type { CatalogueEntry } from '../../language/src/catalogue/pack-types.js';
import type { Facts } from '../../language/src/analysis/checker.js';
import { formatType } from '../../language/src/analysis/types.js';
import { docComment } from '../../language/src/doc-comments.js';
import { codeHref } from '../../language/src/validation/alphaforge-validator.js';

export function signatureOf(e: CatalogueEntry): string {
    if (e.kind !== 'function') return e.name;
    const ps = e.params.map(p => (p.default === undefined ? `${p.name}: ${p.type}` : `${p.name}: ${p.type} = ${p.default}`));
    return `${e.name}(${ps.join(', ')}) → ${e.returns}${e.outputs ? ` (outputs: ${e.outputs.join(', ')})` : ''}`;
}

export function describeBuiltin(e: CatalogueEntry): string {
    const lines: string[] = [];
    if (e.kind === 'function') {
        lines.push('```af', signatureOf(e), '```', e.doc, '');
        for (const p of e.params) lines.push(`- \`${p.name}\`${p.default !== undefined ? ` (default ${p.default})` : ''}: ${p.doc}`);
        lines.push('', `Look-back: \`${e.lookback}\` bars${e.crossSectional ? ' · cross-sectional' : ''}${e.range ? ` · range ${e.range[0]}..${e.range[1]}` : ''}`);
    } else if (e.kind === 'field') {
        lines.push('```af', `field ${e.name}: ${e.returns}`, '```', e.doc);
    } else {
        lines.push('```af', `const ${e.name}: ${e.enumType}`, '```', e.doc);
    }
    lines.push('', 'Example:', '```af', e.example, '```');
    return lines.join('\n');
}

export function describeFacts(f: Facts | undefined): string {
    if (!f) return '';
    const parts = [`type: \`${formatType(f.ty)}\``];
    if (f.lookback > 0) parts.push(`look-back: ${f.lookback} bar${f.lookback === 1 ? '' : 's'}${f.lookbackMax > f.lookback ? ` (up to ${f.lookbackMax})` : ''}`);
    return parts.join(' · ');
}

export function describeDeclaration(node: AstNode, catalogue: Catalogue, factsOf: (n: AstNode) => Facts | undefined): string | undefined {
    if (ast.isExternFunction(node) || ast.isExternField(node) || ast.isExternConst(node)) {
        const e = catalogue.get(node.name);
        return e ? describeBuiltin(e) : undefined;
    }
    const doc = docComment(node);
    const withDoc = (head: string, extra = ''): string => [head, doc ?? '', extra].filter(Boolean).join('\n\n');
    if (ast.isFeatureDecl(node) || ast.isSignalDecl(node)) {
        const kind = ast.isFeatureDecl(node) ? 'feature' : 'signal';
        return withDoc('```af\n' + `${kind} ${node.name} = ${node.value?.$cstNode?.text ?? ''}` + '\n```', describeFacts(node.value ? factsOf(node.value) : undefined));
    }
    if (ast.isParamDecl(node)) {
        const range = node.low && node.high ? ` in ${node.low.$cstNode?.text}..${node.high.$cstNode?.text}${node.step ? ` step ${node.step.$cstNode?.text}` : ''}` : '';
        return withDoc('```af\n' + `param ${node.name}: ${node.type} = ${node.default?.$cstNode?.text ?? ''}${range}` + '\n```');
    }
    if (ast.isFunctionDef(node)) {
        return withDoc('```af\n' + `def ${node.name}(${node.params.map(p => (p.type ? `${p.name}: ${p.type}` : p.name)).join(', ')})${node.returnType ? `: ${node.returnType}` : ''}` + '\n```');
    }
    if (ast.isDefParam(node)) return '```af\n' + `${node.name}${node.type ? `: ${node.type}` : ''}` + '\n```\nParameter of ' + `\`${(node.$container as ast.FunctionDef).name}\``;
    if (ast.isAsset(node)) return '```af\n' + `${node.symbol} as ${node.name}` + '\n```\n' + `Asset of the universe. Fields: \`${node.name}.close\`, \`${node.name}.volume\`, …`;
    if (ast.isStrategy(node)) return withDoc('```af\nstrategy ' + node.name + '\n```');
    return undefined;
}

export function diagnosticLink(code: string): string {
    return `[${code}](${codeHref(code)})`;
}
