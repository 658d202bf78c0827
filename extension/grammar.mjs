// The TextMate grammar of the extension (syntaxes/alphaforge.tmLanguage.json), written from the
// one Langium generates (syntaxes/alphaforge.tmLanguage.generated.json: its keyword list is the
// grammar's) with what a reader wants coloured besides keywords: declarations and their names,
// venue:SYMBOL instruments, durations, percentages and basis points, function calls, setting
// keys, operators, doc comments. Every generated keyword is in exactly one group below (the
// rest fall into `keyword.other`), so a new keyword of the grammar is never left uncoloured.
//
//   node extension/grammar.mjs          writes the file
//   node extension/grammar.mjs --check  exits 1 when it is out of date
/* global process, console */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const GENERATED = join(root, 'syntaxes', 'alphaforge.tmLanguage.generated.json');
export const OUT = join(root, 'syntaxes', 'alphaforge.tmLanguage.json');

/** Keyword groups → scope. */
export const GROUPS = {
    'keyword.other.declaration.alphaforge': ['strategy', 'def', 'extern', 'import', 'param', 'feature', 'signal', 'constraint', 'field', 'const'],
    'keyword.other.section.alphaforge': ['universe', 'timeframe', 'tags', 'rules', 'risk', 'execution', 'portfolio'],
    'keyword.control.alphaforge': ['when', 'then', 'if', 'else'],
    'keyword.operator.logical.alphaforge': ['and', 'or', 'not'],
    'keyword.other.action.alphaforge': ['target', 'flat', 'buy', 'sell', 'long', 'short', 'weight', 'limit', 'stop', 'market', 'at', 'expire'],
    'keyword.other.range.alphaforge': ['in', 'step', 'as'],
    'storage.type.alphaforge': ['int', 'float', 'bool', 'series', 'duration'],
    'keyword.other.unit.alphaforge': ['bps', 'bars', 'units'],
    'constant.language.boolean.alphaforge': ['true', 'false'],
};

export function keywordsOf(generated) {
    for (const p of generated.patterns ?? []) {
        const m = /^\\b\((.*)\)\\b$/.exec(p.match ?? '');
        if (m && p.name?.startsWith('keyword')) return m[1].split('|');
    }
    throw new Error(`no keyword pattern in ${GENERATED}`);
}

const ID = '[_a-zA-Z][\\w]*';
const words = ws => `\\b(?:${ws.join('|')})\\b`;

export function grammar(generated) {
    const keywords = keywordsOf(generated);
    const grouped = new Set(Object.values(GROUPS).flat());
    const rest = keywords.filter(k => !grouped.has(k));
    const present = ws => ws.filter(w => keywords.includes(w));
    const keywordPatterns = Object.entries(GROUPS)
        .map(([name, ws]) => ({ name, ws: present(ws) }))
        .filter(g => g.ws.length)
        .map(g => ({ name: g.name, match: words(g.ws) }));
    if (rest.length) keywordPatterns.push({ name: 'keyword.other.alphaforge', match: words(rest) });
    return {
        $schema: 'https://raw.githubusercontent.com/martinring/tmlanguage/master/tmlanguage.json',
        name: 'AlphaForge',
        scopeName: generated.scopeName ?? 'source.alphaforge',
        fileTypes: ['af'],
        comment: 'Written by extension/grammar.mjs from alphaforge.tmLanguage.generated.json; do not edit by hand.',
        patterns: [
            { include: '#comments' },
            { include: '#strings' },
            { include: '#declarations' },
            { include: '#instruments' },
            { include: '#setting-keys' },
            { include: '#numbers' },
            { include: '#keywords' },
            { include: '#calls' },
            { include: '#operators' },
            { include: '#punctuation' },
        ],
        repository: {
            comments: {
                patterns: [
                    { name: 'comment.line.documentation.alphaforge', begin: '///', beginCaptures: { 0: { name: 'punctuation.definition.comment.alphaforge' } }, end: '$' },
                    { name: 'comment.line.double-slash.alphaforge', begin: '//', beginCaptures: { 0: { name: 'punctuation.definition.comment.alphaforge' } }, end: '$' },
                    { name: 'comment.block.alphaforge', begin: '/\\*', beginCaptures: { 0: { name: 'punctuation.definition.comment.alphaforge' } }, end: '\\*/', endCaptures: { 0: { name: 'punctuation.definition.comment.alphaforge' } } },
                ],
            },
            strings: {
                patterns: [{
                    name: 'string.quoted.double.alphaforge',
                    begin: '"', beginCaptures: { 0: { name: 'punctuation.definition.string.begin.alphaforge' } },
                    end: '"|$', endCaptures: { 0: { name: 'punctuation.definition.string.end.alphaforge' } },
                    patterns: [{ name: 'constant.character.escape.alphaforge', match: '\\\\.' }],
                }],
            },
            declarations: {
                patterns: [
                    { match: `\\b(strategy)\\s+(${ID})`, captures: { 1: { name: 'keyword.other.declaration.alphaforge' }, 2: { name: 'entity.name.type.strategy.alphaforge' } } },
                    { match: `\\b(extern)\\s+(def)\\s+(${ID}(?:\\.${ID})*)`, captures: { 1: { name: 'keyword.other.declaration.alphaforge' }, 2: { name: 'keyword.other.declaration.alphaforge' }, 3: { name: 'entity.name.function.alphaforge' } } },
                    { match: `\\b(def)\\s+(${ID})`, captures: { 1: { name: 'keyword.other.declaration.alphaforge' }, 2: { name: 'entity.name.function.alphaforge' } } },
                    { match: `\\b(param)\\s+(${ID})`, captures: { 1: { name: 'keyword.other.declaration.alphaforge' }, 2: { name: 'variable.parameter.alphaforge' } } },
                    { match: `\\b(feature|signal)\\s+(${ID})`, captures: { 1: { name: 'keyword.other.declaration.alphaforge' }, 2: { name: 'variable.other.definition.alphaforge' } } },
                ],
            },
            instruments: {
                patterns: [{
                    comment: 'venue:SYMBOL, e.g. binance:BTC/USDT, nyse:BRK.B, deribit:BTC-PERP (no blank around the colon, unlike `key: value`)',
                    match: `\\b(${ID})(:)([A-Za-z0-9_]+(?:[/.\\-][A-Za-z0-9_]+)*)`,
                    captures: { 1: { name: 'entity.name.namespace.venue.alphaforge' }, 2: { name: 'punctuation.separator.venue.alphaforge' }, 3: { name: 'constant.other.symbol.alphaforge' } },
                }],
            },
            'setting-keys': {
                patterns: [{
                    comment: 'Setting keys of risk/execution/portfolio blocks: `stop_loss: 2%` (section keywords are keywords).',
                    match: `^\\s*(?!(?:${[...GROUPS['keyword.other.section.alphaforge']].join('|')})\\b)(${ID})\\s*(:)(?!\\S)`,
                    captures: { 1: { name: 'variable.other.property.alphaforge' }, 2: { name: 'punctuation.separator.key-value.alphaforge' } },
                }],
            },
            numbers: {
                patterns: [
                    { name: 'constant.numeric.duration.alphaforge', match: '\\b[0-9]+(?:ms|mo|s|m|h|d|w|y)\\b' },
                    { match: '\\b([0-9]+(?:\\.[0-9]+)?(?:[eE][+-]?[0-9]+)?)(%)', captures: { 1: { name: 'constant.numeric.percent.alphaforge' }, 2: { name: 'keyword.other.unit.percent.alphaforge' } } },
                    { name: 'constant.numeric.alphaforge', match: '\\b[0-9]+(?:\\.[0-9]+)?(?:[eE][+-]?[0-9]+)?\\b' },
                ],
            },
            keywords: { patterns: keywordPatterns },
            calls: {
                patterns: [{ match: `\\b(${ID})\\s*(?=\\()`, captures: { 1: { name: 'entity.name.function.call.alphaforge' } } }],
            },
            operators: {
                patterns: [
                    { name: 'keyword.operator.arrow.alphaforge', match: '=>' },
                    { name: 'keyword.operator.range.alphaforge', match: '\\.\\.' },
                    { name: 'keyword.operator.comparison.alphaforge', match: '==|!=|<=|>=|<|>' },
                    { name: 'keyword.operator.assignment.alphaforge', match: '=' },
                    { name: 'keyword.operator.arithmetic.alphaforge', match: '[-+*/^]' },
                ],
            },
            punctuation: {
                patterns: [
                    { name: 'punctuation.separator.comma.alphaforge', match: ',' },
                    { name: 'punctuation.separator.colon.alphaforge', match: ':' },
                    { name: 'punctuation.accessor.alphaforge', match: '\\.' },
                ],
            },
        },
    };
}

export function render() {
    return JSON.stringify(grammar(JSON.parse(readFileSync(GENERATED, 'utf8'))), null, 2) + '\n';
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
    const text = render();
    if (process.argv.includes('--check')) {
        let current = '';
        try { current = readFileSync(OUT, 'utf8'); } catch { /* missing */ }
        if (current !== text) {
            console.error(`${OUT} is out of date: run node extension/grammar.mjs`);
            process.exit(1);
        }
    } else {
        writeFileSync(OUT, text);
    }
}
