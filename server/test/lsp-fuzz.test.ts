/**
 * Fuzzing the language server over LSP: hundreds of mutated examples (the fuzz corpus of
 * language/test/corpus.ts) are opened and edited in ONE server process, and at random positions
 * of each we ask for hover, completion and one other feature. The server must stay alive, answer
 * every request within a generous bound (a hang fails the test, speed is bench/lsp.js's business)
 * and never answer with an internal error.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCodes, LSPErrorCodes, ResponseError, type Diagnostic, type Hover } from 'vscode-languageserver/node.js';
import { LspMethods } from '../../protocol/src/lsp.js';
import { exampleSources, mulberry32, mutate } from '../../language/test/corpus.js';
import { examplesDir, fileUri, LspClient, positionAt, type Position } from './lsp-client.js';

// 240 (was 400): every corpus file mutated 4+ times, each feature of OTHER asked 15 times, at 60% of the CI time;
// the front end alone gets the larger share of the fuzzing (language/test/fuzz.test.ts). AF_LSP_FUZZ_N=2000 for a deep run.
const N = Number(process.env.AF_LSP_FUZZ_N ?? 240);
const POOL = 6; // documents open at once
let client: LspClient;

beforeAll(async () => {
    client = await LspClient.start();
}, 60_000);

afterAll(async () => {
    await client?.stop();
});

/** One other request per step, in turn: every feature the server offers gets fuzzed. */
const OTHER: ((uri: string, at: Position, text: string, diagnostics: Diagnostic[]) => [string, unknown])[] = [
    (uri, at) => ['textDocument/signatureHelp', { textDocument: { uri }, position: at }],
    (uri, at) => ['textDocument/definition', { textDocument: { uri }, position: at }],
    (uri, at) => ['textDocument/references', { textDocument: { uri }, position: at, context: { includeDeclaration: true } }],
    (uri, at) => ['textDocument/documentHighlight', { textDocument: { uri }, position: at }],
    (uri, at) => ['textDocument/prepareRename', { textDocument: { uri }, position: at }],
    (uri, at) => ['textDocument/rename', { textDocument: { uri }, position: at, newName: 'renamed' }],
    uri => ['textDocument/documentSymbol', { textDocument: { uri } }],
    uri => ['textDocument/foldingRange', { textDocument: { uri } }],
    uri => ['textDocument/semanticTokens/full', { textDocument: { uri } }],
    uri => ['textDocument/formatting', { textDocument: { uri }, options: { tabSize: 2, insertSpaces: true } }],
    (uri, _at, text) => ['textDocument/inlayHint', { textDocument: { uri }, range: { start: { line: 0, character: 0 }, end: positionAt(text, text.length) } }],
    (uri, _at, _text, ds) => ['textDocument/codeAction', { textDocument: { uri }, range: ds[0]?.range ?? { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, context: { diagnostics: ds } }],
    uri => [LspMethods.ir, { uri }],
    uri => [LspMethods.dagView, { uri }],
    uri => [LspMethods.fingerprints, { uri }],
    uri => [LspMethods.strategies, { uri }],
];

/** Refusals the protocol allows (rename of a builtin or to a bad name); anything else is a bug. */
const ALLOWED_ERRORS: number[] = [ErrorCodes.InvalidRequest, ErrorCodes.InvalidParams, LSPErrorCodes.RequestCancelled];

describe('fuzz over LSP', () => {
    it(`${N} mutated documents in one server: it stays alive and answers every request`, async () => {
        const sources = exampleSources(true);
        const rnd = mulberry32(20261125);
        const pool: (string | undefined)[] = Array.from({ length: POOL }, () => undefined);
        const failures: string[] = [];
        let requests = 0, hovers = 0;

        const ask = async (method: string, params: unknown, input: string): Promise<unknown> => {
            requests++;
            try {
                return await client.request(method, params);
            } catch (e) {
                if (e instanceof ResponseError && ALLOWED_ERRORS.includes(e.code)) return undefined;
                failures.push(`${method} ${JSON.stringify(params).slice(0, 200)}: ${(e as Error).message}\n--- input ---\n${input}`);
                return undefined;
            }
        };

        for (let n = 0; n < N; n++) {
            const src = sources[n % sources.length]!;
            const text = mutate(src.text, rnd);
            const slot = Math.floor(rnd() * POOL);
            let uri = pool[slot];
            if (uri && rnd() < 0.05) { // now and then a document is closed and another one opened
                await client.close(uri);
                uri = pool[slot] = undefined;
            }
            if (!uri) {
                uri = pool[slot] = fileUri(join(examplesDir, `lsp-fuzz-${n}.af`));
                await client.open(uri, text);
            } else {
                await client.change(uri, text);
            }
            // Anywhere, or (half of the time) inside a name, where hover has something to say.
            const names = [...text.matchAll(/[A-Za-z_]\w*/g)];
            const at = (): Position => {
                const name = rnd() < 0.5 ? names[Math.floor(rnd() * names.length)] : undefined;
                return positionAt(text, name ? name.index + Math.floor(rnd() * name[0].length) : Math.floor(rnd() * (text.length + 1)));
            };
            if (n % 10 === 9) {
                // Requests racing the rebuild of the edit they follow.
                await Promise.all([
                    ask('textDocument/hover', { textDocument: { uri }, position: at() }, text),
                    ask('textDocument/completion', { textDocument: { uri }, position: at() }, text),
                ]);
            }
            const { diagnostics } = await client.diagnostics(uri);
            for (const d of diagnostics) {
                if (!/^AF\d{3}$/.test(String(d.code))) failures.push(`diagnostic without a code: ${d.message}\n--- input ---\n${text}`);
            }
            for (let k = 0; k < 2; k++) {
                const h = await ask('textDocument/hover', { textDocument: { uri }, position: at() }, text) as Hover | null | undefined;
                if (h) hovers++;
                await ask('textDocument/completion', { textDocument: { uri }, position: at() }, text);
            }
            const [method, params] = OTHER[n % OTHER.length]!(uri, at(), text, diagnostics);
            await ask(method, params, text);
            if (!client.alive) throw new Error(`the server died after mutation ${n} of ${src.name}\n--- input ---\n${text}`);
        }

        console.log(`fuzz over LSP: ${N} documents, ${requests} requests, ${hovers} hovers with content`);
        expect(failures.slice(0, 3)).toEqual([]);
        expect(client.alive).toBe(true);
        expect(requests).toBeGreaterThan(N * 5);
        expect(hovers).toBeGreaterThan(N / 10); // of 2N hovers, many land on keywords, comments, blanks
        expect(client.logs.filter(l => l.type === 1)).toEqual([]);
    }, 600_000);

    it('pathological documents: deep nesting, a 3,000-term expression, unclosed calls, binary junk', async () => {
        const head = 'strategy S { universe: a:B timeframe: 1h feature x = ';
        const inputs = [
            head + '('.repeat(500) + '1' + ')'.repeat(500) + ' }',
            head + Array.from({ length: 3000 }, () => 'close').join(' + ') + ' }',
            head + 'sma('.repeat(300),
            '\u0000'.repeat(100),
            '{'.repeat(2000),
            head + 'not '.repeat(5000) + 'true }',
        ];
        for (const [i, text] of inputs.entries()) {
            const uri = fileUri(join(examplesDir, `lsp-fuzz-pathological-${i}.af`));
            await client.open(uri, text);
            const { diagnostics } = await client.diagnostics(uri);
            expect(Array.isArray(diagnostics)).toBe(true);
            for (const offset of [0, Math.floor(text.length / 2), text.length]) {
                const position = positionAt(text, offset);
                await client.request('textDocument/hover', { textDocument: { uri }, position });
                await client.request('textDocument/completion', { textDocument: { uri }, position });
            }
            await client.request('textDocument/semanticTokens/full', { textDocument: { uri } });
            await client.request('textDocument/documentSymbol', { textDocument: { uri } });
            await client.close(uri);
        }
        expect(client.alive).toBe(true);
    }, 300_000);

    it('still answers normally afterwards', async () => {
        const uri = fileUri(join(examplesDir, 'lsp-fuzz-final.af'));
        const text = 'strategy S {\n  universe: binance:BTC/USDT\n  timeframe: 1h\n  rules {\n    when close > sma(close, 20) => target 100% long\n  }\n}\n';
        await client.open(uri, text);
        const { diagnostics } = await client.diagnostics(uri);
        expect(diagnostics.filter(d => d.severity === 1)).toEqual([]);
        const h = await client.request<Hover>('textDocument/hover', { textDocument: { uri }, position: positionAt(text, text.indexOf('sma(') + 1) });
        expect(JSON.stringify(h.contents)).toContain('Simple moving average');
    });
});
