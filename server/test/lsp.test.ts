/**
 * The language server over a real LSP connection: the built server (out/server/src/main.js) is
 * spawned with --stdio and spoken to with the LSP protocol, as VS Code would.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
    createProtocolConnection, StreamMessageReader, StreamMessageWriter, type ProtocolConnection, type PublishDiagnosticsParams,
    type CompletionList, type CompletionItem, type Hover, type Location, type WorkspaceEdit, type CodeAction, type TextEdit, type SemanticTokens,
} from 'vscode-languageserver/node.js';
import { LspMethods } from '../../language/src/protocol/lsp-protocol.js';
import { mulberry32, mutate } from '../../language/test/corpus.js';

const root = resolve(__dirname, '..', '..');
const examples = join(root, 'examples');
let server: ChildProcess;
let conn: ProtocolConnection;
const diagnostics = new Map<string, PublishDiagnosticsParams>();
const waiters: (() => void)[] = [];
/** The last version sent per document, and the version the last diagnostics arrived after. */
const sent = new Map<string, number>();
const seen = new Map<string, number>();

async function change(text: string): Promise<void> {
    version++;
    sent.set(uri, version);
    await conn.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [{ text }] });
}

async function diagnosticsFor(uri: string, version?: number): Promise<PublishDiagnosticsParams> {
    for (let i = 0; i < 400; i++) {
        const d = diagnostics.get(uri);
        // Langium does not echo the document version; a version we wait for is marked by `seen`.
        if (d && (version === undefined || d.version === version || (d.version === undefined && seen.get(uri) === version))) return d;
        await new Promise<void>(r => { waiters.push(r); setTimeout(r, 25); });
    }
    throw new Error(`no diagnostics for ${uri}`);
}

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
const uri = pathToFileURL(join(examples, 'lsp-test.af')).toString();
let version = 1;

function posOf(text: string, needle: string, offset = 0): { line: number; character: number } {
    const i = text.indexOf(needle) + offset;
    const before = text.slice(0, i).split('\n');
    return { line: before.length - 1, character: before[before.length - 1]!.length };
}

beforeAll(async () => {
    server = spawn(process.execPath, [join(root, 'out', 'server', 'src', 'main.js'), '--stdio'], { stdio: ['pipe', 'pipe', 'inherit'] });
    conn = createProtocolConnection(new StreamMessageReader(server.stdout!), new StreamMessageWriter(server.stdin!));
    conn.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) => {
        diagnostics.set(p.uri, p);
        seen.set(p.uri, sent.get(p.uri) ?? 0);
        waiters.splice(0).forEach(w => w());
    });
    conn.onRequest('workspace/configuration', () => []);
    conn.onRequest('client/registerCapability', () => null);
    conn.onNotification('window/logMessage', () => undefined);
    conn.listen();
    const init = await conn.sendRequest('initialize', {
        processId: process.pid, rootUri: pathToFileURL(examples).toString(),
        workspaceFolders: [{ uri: pathToFileURL(examples).toString(), name: 'examples' }],
        capabilities: { textDocument: { completion: { completionItem: { snippetSupport: true } }, hover: { contentFormat: ['markdown'] } } },
    }) as { capabilities: Record<string, unknown> };
    expect(init.capabilities['hoverProvider']).toBeTruthy();
    expect(init.capabilities['semanticTokensProvider']).toBeTruthy();
    await conn.sendNotification('initialized', {});
    sent.set(uri, version);
    await conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'alphaforge', version, text: SOURCE } });
}, 60_000);

afterAll(() => {
    conn?.dispose();
    server?.kill();
});

describe('language server over LSP', () => {
    it('publishes diagnostics with codes and links to their docs', async () => {
        const d = await diagnosticsFor(uri, version);
        const af602 = d.diagnostics.find(x => x.code === 'AF602');
        expect(af602?.message).toContain('bare number');
        expect(af602?.codeDescription?.href).toContain('af602');
    });

    it('hover shows catalogue docs for a builtin and the type of a feature', async () => {
        const h1 = await conn.sendRequest('textDocument/hover', { textDocument: { uri }, position: posOf(SOURCE, 'sma(close', 1) }) as Hover;
        expect(JSON.stringify(h1.contents)).toContain('Simple moving average');
        const h2 = await conn.sendRequest('textDocument/hover', { textDocument: { uri }, position: posOf(SOURCE, 'close > fastMa', 9) }) as Hover;
        expect(JSON.stringify(h2.contents)).toContain('series num price');
    });

    it('completion offers builtins with argument snippets and the strategy\'s own names', async () => {
        const text = SOURCE.replace('signal up = close > fastMa', 'signal up = close > fastMa\n  feature extra = ');
        await change(text);
        const pos = posOf(text, 'feature extra = ', 'feature extra = '.length);
        const r = await conn.sendRequest('textDocument/completion', { textDocument: { uri }, position: pos }) as CompletionList | CompletionItem[];
        const items = Array.isArray(r) ? r : r.items;
        const sma = items.find(i => i.label === 'sma');
        expect(sma?.insertText ?? sma?.textEdit?.newText).toMatch(/^sma\(\$\{1:source\}, \$\{2:length\}\)/);
        expect(items.some(i => i.label === 'fastMa')).toBe(true);
        expect(items.some(i => i.label === 'fast')).toBe(true);
        expect(items.some(i => i.label === 'next_open')).toBe(false); // constants only where a setting expects them
        await change(SOURCE);
        await diagnosticsFor(uri, version);
    });

    it('go to definition and rename follow cross-references', async () => {
        const def = await conn.sendRequest('textDocument/definition', { textDocument: { uri }, position: posOf(SOURCE, 'close > fastMa', 9) }) as (Location | { targetRange: Location['range'] })[];
        const first = def[0]!;
        const range = 'range' in first ? first.range : first.targetRange;
        expect(range.start.line).toBe(posOf(SOURCE, 'feature fastMa').line);
        const edit = await conn.sendRequest('textDocument/rename', { textDocument: { uri }, position: posOf(SOURCE, 'feature fastMa', 8), newName: 'quick' }) as WorkspaceEdit;
        expect(edit.changes?.[uri]).toHaveLength(2);
    });

    it('quick fix for a bare stop distance and canonical formatting', async () => {
        const d = await diagnosticsFor(uri, version);
        const af602 = d.diagnostics.find(x => x.code === 'AF602')!;
        const actions = await conn.sendRequest('textDocument/codeAction', { textDocument: { uri }, range: af602.range, context: { diagnostics: [af602] } }) as CodeAction[];
        expect(actions[0]?.edit?.changes?.[uri]?.[0]?.newText).toBe('2%');
        const messy = SOURCE.replace('feature fastMa = sma(close, fast)', 'feature   fastMa=sma( close,fast )');
        await change(messy);
        const edits = await conn.sendRequest('textDocument/formatting', { textDocument: { uri }, options: { tabSize: 2, insertSpaces: true } }) as TextEdit[];
        expect(edits[0]?.newText).toBe(SOURCE);
        await change(SOURCE);
    });

    it('semantic tokens and inlay hints', async () => {
        const tokens = await conn.sendRequest('textDocument/semanticTokens/full', { textDocument: { uri } }) as SemanticTokens;
        expect(tokens.data.length).toBeGreaterThan(20);
        const hints = await conn.sendRequest('textDocument/inlayHint', { textDocument: { uri }, range: { start: { line: 0, character: 0 }, end: { line: 20, character: 0 } } }) as { label: string }[];
        expect(hints.map(h => h.label).join(' ')).toMatch(/warm-up 9 bars/);
    });

    it('custom requests: IR and fingerprints of the open strategy', async () => {
        const fp = await conn.sendRequest(LspMethods.fingerprints, { uri }) as { ok: boolean; value: { structural: string; exact: string; embedding: number[] } };
        expect(fp.ok).toBe(true);
        expect(fp.value.structural).toMatch(/^[0-9a-f]{64}$/);
        expect(fp.value.embedding.length).toBeGreaterThan(16);
        const ir = await conn.sendRequest(LspMethods.ir, { uri }) as { ok: boolean; value: { strategy: string } };
        expect(ir.value.strategy).toBe('Lsp');
        // A renamed, reformatted copy of the SMA example: its nearest neighbour is the example, same structure.
        const copyUri = pathToFileURL(join(examples, 'lsp-copy.af')).toString();
        const copy = readFileSync(join(examples, 'sma-cross.af'), 'utf8').replace('SmaCross', 'MyCopy').replace(/fastMa/g, 'quick').replace(/slowMa/g, 'slowAvg');
        await conn.sendNotification('textDocument/didOpen', { textDocument: { uri: copyUri, languageId: 'alphaforge', version: 1, text: copy } });
        const similar = await conn.sendRequest(LspMethods.similar, { uri: copyUri, limit: 3 }) as { ok: boolean; value: { strategy: string; similarity: number; sameStructure: boolean }[] };
        expect(similar.ok).toBe(true);
        expect(similar.value[0]).toMatchObject({ strategy: 'SmaCross', sameStructure: true });
        expect(similar.value[0]!.similarity).toBeCloseTo(1, 9);
        expect(similar.value[0]!.similarity).toBeGreaterThanOrEqual(similar.value[1]!.similarity);
        await conn.sendNotification('textDocument/didClose', { textDocument: { uri: copyUri } });
    });

    it('survives 300 random edits and still answers', async () => {
        const rnd = mulberry32(99);
        const text = readFileSync(join(examples, 'sma-cross.af'), 'utf8');
        for (let k = 0; k < 300; k++) {
            await change(mutate(text, rnd));
        }
        await change(SOURCE);
        // The last text has exactly one AF602; wait until the server has caught up with it.
        let ok = false;
        for (let i = 0; i < 200 && !ok; i++) {
            ok = (diagnostics.get(uri)?.diagnostics ?? []).filter(x => x.code === 'AF602').length === 1 && (diagnostics.get(uri)?.diagnostics.length ?? 0) <= 2;
            if (!ok) await new Promise(r => setTimeout(r, 50));
        }
        expect(ok).toBe(true);
        const h = await conn.sendRequest('textDocument/hover', { textDocument: { uri }, position: posOf(SOURCE, 'sma(close', 1) }) as Hover;
        expect(JSON.stringify(h.contents)).toContain('Simple moving average');
        expect(server.exitCode).toBeNull();
    }, 60_000);
});
