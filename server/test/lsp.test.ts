/**
 * The language server over a real LSP connection: the built server (out/server/src/main.js) is
 * spawned with --stdio and spoken to with the LSP protocol, as VS Code would.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CompletionList, CompletionItem, Hover, Location, WorkspaceEdit, CodeAction, TextEdit, SemanticTokens } from 'vscode-languageserver/node.js';
import { LspMethods, type SimilarResult } from '../../protocol/src/lsp.js';
import { mulberry32, mutate } from '../../language/test/corpus.js';
import { examplesDir as examples, fileUri, LspClient, posOf } from './lsp-client.js';

let client: LspClient;

const SOURCE = `/// Test strategy.
strategy Lsp {
  universe: sp:SPX
  timeframe: 1d
  param fast: int = 10 in 5..50 step 5
  feature fastMa = sma(close, fast)
  signal up = close > fastMa
  rules {
    when up => target 100% long
  }
  risk {
    stop_loss: 2
  }
}
`;
const uri = fileUri(join(examples, 'lsp-test.af'));
const change = (text: string): Promise<number> => client.change(uri, text);
const request = <R>(method: string, params: unknown): Promise<R> => client.request<R>(method, params);

beforeAll(async () => {
    client = await LspClient.start();
    const caps = client.initializeResult.capabilities;
    expect(caps.hoverProvider).toBeTruthy();
    expect(caps.semanticTokensProvider).toBeTruthy();
    await client.open(uri, SOURCE);
}, 60_000);

afterAll(async () => {
    await client?.stop();
});

describe('language server over LSP', () => {
    it('publishes diagnostics with codes and links to their docs', async () => {
        const d = await client.diagnostics(uri);
        const af602 = d.diagnostics.find(x => x.code === 'AF602');
        expect(af602?.message).toContain('bare number');
        expect(af602?.codeDescription?.href).toContain('af602');
    });

    it('hover shows catalogue docs for a builtin, the type of a feature, what a setting does', async () => {
        const h1 = await request('textDocument/hover', { textDocument: { uri }, position: posOf(SOURCE, 'sma(close', 1) }) as Hover;
        expect(JSON.stringify(h1.contents)).toContain('Simple moving average');
        const h2 = await request('textDocument/hover', { textDocument: { uri }, position: posOf(SOURCE, 'close > fastMa', 9) }) as Hover;
        expect(JSON.stringify(h2.contents)).toContain('series num price');
        const h3 = await request('textDocument/hover', { textDocument: { uri }, position: posOf(SOURCE, 'stop_loss', 3) }) as Hover;
        expect(JSON.stringify(h3.contents)).toContain('Exit when price moves this far against the entry');
    });

    it('completion offers builtins with argument snippets and the strategy\'s own names', async () => {
        const text = SOURCE.replace('signal up = close > fastMa', 'signal up = close > fastMa\n  feature extra = ');
        await change(text);
        const pos = posOf(text, 'feature extra = ', 'feature extra = '.length);
        const r = await request('textDocument/completion', { textDocument: { uri }, position: pos }) as CompletionList | CompletionItem[];
        const items = Array.isArray(r) ? r : r.items;
        const sma = items.find(i => i.label === 'sma');
        expect(sma?.insertText ?? sma?.textEdit?.newText).toMatch(/^sma\(\$\{1:source\}, \$\{2:length\}\)/);
        expect(items.some(i => i.label === 'fastMa')).toBe(true);
        expect(items.some(i => i.label === 'fast')).toBe(true);
        expect(items.some(i => i.label === 'next_open')).toBe(false); // constants only where a setting expects them
        await change(SOURCE);
        await client.diagnostics(uri);
    });

    it('go to definition and rename follow cross-references', async () => {
        const def = await request('textDocument/definition', { textDocument: { uri }, position: posOf(SOURCE, 'close > fastMa', 9) }) as (Location | { targetRange: Location['range'] })[];
        const first = def[0]!;
        const range = 'range' in first ? first.range : first.targetRange;
        expect(range.start.line).toBe(posOf(SOURCE, 'feature fastMa').line);
        const edit = await request('textDocument/rename', { textDocument: { uri }, position: posOf(SOURCE, 'feature fastMa', 8), newName: 'quick' }) as WorkspaceEdit;
        expect(edit.changes?.[uri]).toHaveLength(2);
    });

    it('quick fix for a bare stop distance and canonical formatting', async () => {
        const d = await client.diagnostics(uri);
        const af602 = d.diagnostics.find(x => x.code === 'AF602')!;
        const actions = await request('textDocument/codeAction', { textDocument: { uri }, range: af602.range, context: { diagnostics: [af602] } }) as CodeAction[];
        expect(actions[0]?.edit?.changes?.[uri]?.[0]?.newText).toBe('2%');
        const messy = SOURCE.replace('feature fastMa = sma(close, fast)', 'feature   fastMa=sma( close,fast )');
        await change(messy);
        const edits = await request('textDocument/formatting', { textDocument: { uri }, options: { tabSize: 2, insertSpaces: true } }) as TextEdit[];
        expect(edits[0]?.newText).toBe(SOURCE);
        await change(SOURCE);
    });

    it('semantic tokens and inlay hints', async () => {
        const tokens = await request('textDocument/semanticTokens/full', { textDocument: { uri } }) as SemanticTokens;
        expect(tokens.data.length).toBeGreaterThan(20);
        const hints = await request('textDocument/inlayHint', { textDocument: { uri }, range: { start: { line: 0, character: 0 }, end: { line: 20, character: 0 } } }) as { label: string }[];
        expect(hints.map(h => h.label).join(' ')).toMatch(/warm-up 9 bars/);
    });

    it('custom requests: IR and fingerprints of the open strategy', async () => {
        const fp = await request(LspMethods.fingerprints, { uri }) as { ok: boolean; value: { structural: string; exact: string; embedding: number[] } };
        expect(fp.ok).toBe(true);
        expect(fp.value.structural).toMatch(/^[0-9a-f]{64}$/);
        expect(fp.value.embedding.length).toBeGreaterThan(16);
        const ir = await request(LspMethods.ir, { uri }) as { ok: boolean; value: { strategy: string } };
        expect(ir.value.strategy).toBe('Lsp');
        // A renamed, reformatted copy of the SMA example: its nearest neighbour is the example, same structure.
        const copyUri = fileUri(join(examples, 'lsp-copy.af'));
        const copy = readFileSync(join(examples, 'sma-cross.af'), 'utf8').replace('SmaCross', 'MyCopy').replace(/fastMa/g, 'quick').replace(/slowMa/g, 'slowAvg');
        await client.open(copyUri, copy);
        const similar = await request(LspMethods.similar, { uri: copyUri, limit: 3 }) as { ok: boolean; value: SimilarResult };
        expect(similar.ok).toBe(true);
        expect(similar.value.query.strategy).toBe('MyCopy');
        expect(similar.value.matches[0]).toMatchObject({ scope: 'workspace', strategy: 'SmaCross', match: 'identical', similarity: 1, difference: 'identical structure and values', file: { path: 'sma-cross.af' } });
        expect(similar.value.matches[0]!.similarity).toBeGreaterThanOrEqual(similar.value.matches[1]!.similarity);
        expect(similar.value.matches[1]!.difference).toMatch(/different structure|adds|drops|except/);
        expect(similar.value.indexes[0]).toMatchObject({ scope: 'workspace', embeddingVersion: expect.stringMatching(/^wl-v\d+\/256$/) });
        // A syntax error: a clear message, no answer from a half-parsed strategy.
        await client.change(copyUri, copy.replace('rules {', 'rules {{'));
        const broken = await request(LspMethods.similar, { uri: copyUri }) as { ok: boolean; errors: { message: string }[] };
        expect(broken.ok).toBe(false);
        expect(broken.errors[0]!.message).toMatch(/^syntax error: .*fix it first/);
        await client.close(copyUri);
    });

    it('survives 300 random edits and still answers', async () => {
        const rnd = mulberry32(99);
        const text = readFileSync(join(examples, 'sma-cross.af'), 'utf8');
        for (let k = 0; k < 300; k++) {
            await change(mutate(text, rnd));
        }
        await change(SOURCE);
        // The diagnostics of the last version: exactly the one AF602 of SOURCE.
        const d = await client.diagnostics(uri);
        expect(d.diagnostics.filter(x => x.code === 'AF602')).toHaveLength(1);
        expect(d.diagnostics.length).toBeLessThanOrEqual(2);
        const h = await request('textDocument/hover', { textDocument: { uri }, position: posOf(SOURCE, 'sma(close', 1) }) as Hover;
        expect(JSON.stringify(h.contents)).toContain('Simple moving average');
        expect(client.alive).toBe(true);
    }, 60_000);
});
