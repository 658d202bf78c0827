// Re-parsing only the edited member (incremental-parse.ts) gives what a full parse gives: after
// each edit of a sequence, the document updated through the DocumentBuilder (as the language
// server does on a keystroke) is compared with a fresh document of the same text — the AST node
// for node with containers, each node's CST offset and range, every token's offset, range, kind
// and owner, every CST node's root and container, and the diagnostics. The edits cover the
// incremental path (inside a member, lines added and removed, in the rules block) and the cases
// that must fall back to a full parse (across members, at a member's first token, a syntax error
// and its fix, a trailing comment).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CstUtils, isAstNode, isCompositeCstNode, isLeafCstNode, isReference, URI, type AstNode, type LangiumDocument } from 'langium';
import { describe, expect, it } from 'vitest';
// @ts-expect-error the benchmark generator is plain JavaScript without types
import { generateStrategy } from '../../bench/gen-strategy.js';
import { createAlphaForgeServices } from '../src/index.js';
import { incrementalParseStats } from '../src/incremental-parse.js';
import { mulberry32, mutate } from './corpus.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const files = new Map<string, string>();
const memFs = {
    readFile: async (uri: URI) => files.get(uri.toString()) ?? '',
    readFileSync: (uri: URI) => files.get(uri.toString()) ?? '',
    readDirectory: async () => [],
};
const { AlphaForge: services, shared } = createAlphaForgeServices({ fileSystemProvider: () => memFs });
const builder = shared.workspace.DocumentBuilder, documents = shared.workspace.LangiumDocuments;
// The builtin library, so that names resolve and the analysis runs as in the server.
const builtins = builder.build([services.alphaforge.Builtins.document()], { validation: false });

/** The AST (containers checked), each node's CST position, every token with its owner, the CST's links. */
function shape(model: AstNode): unknown {
    const node = (n: AstNode): unknown => {
        const out: Record<string, unknown> = { $type: n.$type, $containerProperty: n.$containerProperty, $containerIndex: n.$containerIndex, at: [n.$cstNode?.offset, n.$cstNode?.length, n.$cstNode?.range] };
        for (const [k, v] of Object.entries(n)) {
            if (k.startsWith('$')) continue;
            const one = (x: unknown): unknown => {
                if (isReference(x)) return { ref: x.$refText, at: x.$refNode?.range };
                if (isAstNode(x)) {
                    if (x.$container !== n) throw new Error(`${x.$type} under ${n.$type}: wrong $container`);
                    return node(x);
                }
                return x;
            };
            out[k] = Array.isArray(v) ? v.map(one) : one(v);
        }
        return out;
    };
    const cst: string[] = [];
    const cstRoot = model.$cstNode!;
    for (const c of CstUtils.streamCst(cstRoot)) {
        if (c.root !== cstRoot) throw new Error(`CST node at ${c.offset}: wrong root`);
        if (c !== cstRoot && !(c.container && isCompositeCstNode(c.container) && c.container.content.includes(c))) throw new Error(`CST node at ${c.offset}: not among its container's children`);
        const r = c.range;
        const where = `${c.offset}+${c.length} ${r.start.line}:${r.start.character}-${r.end.line}:${r.end.character}`;
        if (isLeafCstNode(c)) {
            const owner = c.astNode;
            cst.push(`${where} ${JSON.stringify(c.text)} ${c.tokenType.name}${c.hidden ? ' hidden' : ''} → ${owner.$type}@${owner.$cstNode?.offset}`);
        } else {
            cst.push(`${where} ${(c.grammarSource as { $type?: string } | undefined)?.$type ?? ''}`);
        }
    }
    return { ast: node(model), cst };
}

let n = 0;
async function build(text: string): Promise<LangiumDocument> {
    const uri = URI.parse(`memory:///fresh-${n++}.af`);
    files.set(uri.toString(), text);
    const doc = await documents.getOrCreateDocument(uri);
    await builder.build([doc], { validation: true });
    return doc;
}

const diagnostics = (d: LangiumDocument): unknown => (d.diagnostics ?? []).map(x => [x.code, x.severity, x.message, x.range]);

/** Replace the `nth` match of `find` (0-based) in the text. */
interface Edit { what: string; find: RegExp; nth?: number; replace: string; incremental: boolean }

/** Updates the document to `text` through the builder and compares it with a fresh document of that text. */
async function updateAndCompare(uri: URI, text: string, what: string): Promise<void> {
    files.set(uri.toString(), text);
    await builder.update([uri], []);
    const updated = documents.getDocument(uri)!;
    expect(updated.textDocument.getText()).toBe(text);
    const fresh = await build(text);
    // Compared as JSON first (fast); the structural comparison only to show the difference.
    const a = { tree: shape(updated.parseResult.value), diagnostics: diagnostics(updated) }, b = { tree: shape(fresh.parseResult.value), diagnostics: diagnostics(fresh) };
    if (JSON.stringify(a) !== JSON.stringify(b)) expect(a, what).toEqual(b);
    expect(updated.parseResult.parserErrors.length, what).toBe(fresh.parseResult.parserErrors.length);
    expect(updated.parseResult.lexerErrors.length, what).toBe(fresh.parseResult.lexerErrors.length);
    documents.deleteDocument(fresh.uri);
}

async function editSequence(name: string, text: string, edits: readonly Edit[]): Promise<void> {
    await builtins;
    const uri = URI.parse(`memory:///edited-${name.replace(/\W+/g, '-')}.af`);
    files.set(uri.toString(), text);
    const doc = await documents.getOrCreateDocument(uri);
    await builder.build([doc], { validation: true });
    expect((doc.diagnostics ?? []).filter(d => d.severity === 1), `${name} before the edits`).toEqual([]);
    let current = text;
    for (const e of edits) {
        const matches = [...current.matchAll(new RegExp(e.find.source, 'g'))];
        const m = matches[Math.min(e.nth ?? 0, matches.length - 1)];
        expect(m, `${name}: ${e.what}: ${e.find} not found`).toBeDefined();
        current = current.slice(0, m!.index) + e.replace + current.slice(m!.index! + m![0].length);
        const before = incrementalParseStats.member;
        await updateAndCompare(uri, current, `${name}: ${e.what}`);
        expect(incrementalParseStats.member - before, `${name}: ${e.what}: re-parsed one member`).toBe(e.incremental ? 1 : 0);
    }
}

describe('re-parsing only the edited member', () => {
    it('matches a full parse through a sequence of edits of a generated strategy', async () => {
        await editSequence('generated', generateStrategy(120) as string, [
            { what: 'a literal in a call', find: /sma\(close, \d+\)/, nth: 3, replace: 'sma(close, 777)', incremental: true },
            { what: 'a name in an expression', find: /up2 and close/, replace: 'up3 and close', incremental: true },
            { what: 'an unknown name (a linking error, not a syntax error)', find: /ema\(close, base/, nth: 2, replace: 'ema(closed, base', incremental: true },
            { what: 'the unknown name fixed', find: /closed/, replace: 'close', incremental: true },
            { what: 'a line break inside a member', find: / = crossover\(fast4, /, replace: ' = crossover(\n      fast4, ', incremental: true },
            { what: 'the line break removed', find: /\(\n {6}fast4, /, replace: '(fast4, ', incremental: true },
            { what: 'two lines more in a member', find: /stdev\(close, 20\)/, nth: 5, replace: 'stdev(close,\n  20 /* twenty */\n)', incremental: true },
            { what: 'the last token extended', find: /slow7 \+ band7/, replace: 'slow7 + band7 * 2', incremental: true },
            { what: 'a comment after a member', find: /sma\(close, 47\)/, replace: 'sma(close, 47) // tail', incremental: false },
            { what: 'inside the rules block', find: /when strong3 => target 1% long/, replace: 'when strong3 and up1 => target 2% long', incremental: true },
            { what: 'a declaration renamed (its references break)', find: /feature band0 /, replace: 'feature bandX ', incremental: true },
            { what: 'the rename undone', find: /feature bandX /, replace: 'feature band0 ', incremental: true },
            { what: 'a member keyword changed', find: /signal up5 /, replace: 'feature up5 ', incremental: false },
            { what: 'an edit across two members', find: /band6 = stdev\(close, 20\)\n {2}signal up6 /, replace: 'band6 = stdev(close, 21)\n  signal up66 ', incremental: false },
            { what: 'a syntax error', find: /sma\(close, 777\)/, replace: 'sma(close, 777', incremental: false },
            { what: 'an edit while the syntax error stands', find: /ema\(close, base \+ 1\)/, replace: 'ema(close, base + 2)', incremental: false },
            { what: 'the syntax error fixed', find: /sma\(close, 777/, replace: 'sma(close, 777)', incremental: false },
            { what: 'a new member typed inside one', find: /feature slow9 = sma\(close, \d+\)/, replace: 'feature slow9 = sma(close, 49)\n  feature extra = 1', incremental: false },
            { what: 'an edit after the fallbacks', find: /sma\(close, \d+\)/, nth: 9, replace: 'sma(close, 12)', incremental: true },
        ]);
    });

    it('matches a full parse after seeded random edits: characters typed and deleted anywhere, and mutations of the whole text', async () => {
        await builtins;
        const rnd = mulberry32(16);
        const original = generateStrategy(60) as string;
        const uri = URI.parse('memory:///random-edits.af');
        files.set(uri.toString(), original);
        await builder.build([await documents.getOrCreateDocument(uri)], { validation: true });
        const typed = ['1', '0', 'a', 'z', '_', ' ', '\n', '(', ')', '+', '*', '.', ',', '[', ']', '/', '"', '%', 'and ', 'close', '//', '/*'];
        let current = original, kept = original, undo = false;
        const before = { ...incrementalParseStats };
        for (let k = 0; k < 80; k++) {
            if (k % 20 === 19) current = mutate(original, rnd);
            else if (k % 20 === 0) current = kept = original;
            else if (undo) { current = kept; undo = false; } // the last keystroke undone
            else if (rnd() < 0.7) {
                // A digit typed over another (a literal or a name changes; the text stays well-formed).
                const digits = [...kept.matchAll(/\d/g)];
                const i = digits[Math.floor(rnd() * digits.length)]!.index!;
                current = kept = kept.slice(0, i) + String(Math.floor(rnd() * 10)) + kept.slice(i + 1);
            } else {
                // Any keystroke inside the strategy, undone at the next step: a character inserted or deleted.
                const i = 40 + Math.floor(rnd() * (kept.length - 80));
                current = rnd() < 0.6 ? kept.slice(0, i) + typed[Math.floor(rnd() * typed.length)]! + kept.slice(i) : kept.slice(0, i) + kept.slice(i + 1);
                undo = true;
            }
            await updateAndCompare(uri, current, `random edit ${k}`);
        }
        // Both paths were taken.
        expect(incrementalParseStats.member - before.member).toBeGreaterThan(20);
        expect(incrementalParseStats.full - before.full).toBeGreaterThan(5);
    });

    it('matches a full parse on an example (params, settings, a rules block)', async () => {
        await editSequence('vol-target', readFileSync(join(root, 'examples/vol-target-atr.af'), 'utf8'), [
            { what: 'a number in a setting', find: /max_drawdown: 20%/, replace: 'max_drawdown: 33%', incremental: true },
            { what: 'a param range', find: /in 10\.\.60 step 10/, replace: 'in 10..80 step 10', incremental: true },
            { what: 'a param default', find: /= 12% in/, replace: '= 11% in', incremental: true },
            { what: 'a rule', find: /when not uptrend => flat/, replace: 'when not uptrend and close < sizing => flat', incremental: true },
            { what: 'the tags', find: /risk_parity/, replace: 'risk_parity, trend', incremental: true },
            { what: 'a doc comment', find: /aims for\./, replace: 'aims at.', incremental: false },
        ]);
    });
});
