/**
 * Navigation over a real LSP connection: go to definition (within a strategy and into an
 * imported library file), find references, rename across an import (and the refusals), the
 * outline (document symbols) and folding ranges.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SymbolKind, type DocumentSymbol, type FoldingRange, type Location, type LocationLink, type Range, type WorkspaceEdit } from 'vscode-languageserver/node.js';
import { applyEdits, editsFor, examplesDir, fileUri, LspClient, posOf, textIn } from './lsp-client.js';

const SOURCE = `/// Navigation test strategy.
strategy Nav {
  universe: sp:SPX
  timeframe: 1d
  param fast: int = 10 in 5..50 step 5
  feature fastMa = sma(close, fast)
  signal up = close > fastMa
  signal down = close < fastMa
  rules {
    when up => target 100% long
    when down => flat
  }
}
`;
const uri = fileUri(join(examplesDir, 'lsp-navigation.af'));
const mtfPath = join(examplesDir, 'mtf-breakout.af'), libPath = join(examplesDir, 'lib', 'filters.af');
const mtfUri = fileUri(mtfPath), libUri = fileUri(libPath);
const MTF = readFileSync(mtfPath, 'utf8'), LIB = readFileSync(libPath, 'utf8');

let client: LspClient;

beforeAll(async () => {
    client = await LspClient.start();
    await client.open(uri, SOURCE);
    await client.open(mtfUri, MTF);
    await client.diagnostics(uri);
    await client.diagnostics(mtfUri);
}, 60_000);

afterAll(async () => {
    await client?.stop();
});

type Definition = Location | LocationLink;
const target = (d: Definition): { uri: string; range: Range } => ('targetUri' in d ? { uri: d.targetUri, range: d.targetSelectionRange } : d);

describe('go to definition', () => {
    it('from a feature use to its declaration', async () => {
        const defs = await client.request<Definition[]>('textDocument/definition', { textDocument: { uri }, position: posOf(SOURCE, 'close > fastMa', 10) });
        expect(defs).toHaveLength(1);
        const t = target(defs[0]!);
        expect(t.uri).toBe(uri);
        expect(t.range.start).toEqual(posOf(SOURCE, 'fastMa ='));
        expect(textIn(SOURCE, t.range)).toBe('fastMa');
    });

    it('from a param use inside a call to the param', async () => {
        const defs = await client.request<Definition[]>('textDocument/definition', { textDocument: { uri }, position: posOf(SOURCE, 'close, fast)', 8) });
        const t = target(defs[0]!);
        expect(t.range.start).toEqual(posOf(SOURCE, 'fast:'));
    });

    it('from a call of an imported def to the library file that declares it', async () => {
        const defs = await client.request<Definition[]>('textDocument/definition', { textDocument: { uri: mtfUri }, position: posOf(MTF, 'trend_ok(daily', 3) });
        expect(defs).toHaveLength(1);
        const t = target(defs[0]!);
        expect(t.uri).toBe(libUri);
        expect(textIn(LIB, t.range)).toBe('trend_ok');
        expect(t.range.start).toEqual(posOf(LIB, 'trend_ok'));
    });
});

describe('find references', () => {
    it('finds every use of a feature, with or without the declaration', async () => {
        const params = { textDocument: { uri }, position: posOf(SOURCE, 'fastMa =', 2) };
        const all = await client.request<Location[]>('textDocument/references', { ...params, context: { includeDeclaration: true } });
        expect(all.map(l => l.uri)).toEqual([uri, uri, uri]);
        expect(all.map(l => textIn(SOURCE, l.range))).toEqual(['fastMa', 'fastMa', 'fastMa']);
        expect(all.map(l => l.range.start.line).sort()).toEqual([5, 6, 7]);
        const uses = await client.request<Location[]>('textDocument/references', { ...params, context: { includeDeclaration: false } });
        expect(uses.map(l => l.range.start.line).sort()).toEqual([6, 7]);
    });

    it('finds the uses of a library def in the strategies that import it', async () => {
        const refs = await client.request<Location[]>('textDocument/references', { textDocument: { uri: libUri }, position: posOf(LIB, 'trend_ok', 1), context: { includeDeclaration: true } });
        const byUri = refs.map(l => `${l.uri}:${l.range.start.line}`).sort();
        expect(byUri).toEqual([`${libUri}:1`, `${mtfUri}:${posOf(MTF, 'trend_ok(').line}`].sort());
    });
});

describe('rename', () => {
    it('renames a library def in the library and in the strategy that imports it', async () => {
        const edit = await client.request<WorkspaceEdit>('textDocument/rename', { textDocument: { uri: mtfUri }, position: posOf(MTF, 'trend_ok(daily', 2), newName: 'uptrend' });
        const uris = Object.keys(edit.changes ?? {}).concat((edit.documentChanges ?? []).map(c => ('textDocument' in c ? c.textDocument.uri : ''))).sort();
        expect(uris).toEqual([libUri, mtfUri].sort());
        const lib = editsFor(edit, libUri), mtf = editsFor(edit, mtfUri);
        expect(lib).toHaveLength(1);
        expect(mtf).toHaveLength(1);
        expect(lib.every(e => textIn(LIB, e.range) === 'trend_ok')).toBe(true);
        expect(applyEdits(LIB, lib)).toContain('def uptrend(x, length: int): bool');
        expect(applyEdits(MTF, mtf)).toContain('signal trend = uptrend(daily, trendDays)');
        // The same rename started from the declaration.
        const fromDecl = await client.request<WorkspaceEdit>('textDocument/rename', { textDocument: { uri: libUri }, position: posOf(LIB, 'trend_ok', 0), newName: 'uptrend' });
        expect(Object.keys(fromDecl.changes ?? {}).sort()).toEqual([libUri, mtfUri].sort());
    });

    it('renames a feature everywhere in its strategy and prepares the rename on its name', async () => {
        const range = await client.request<Range | null>('textDocument/prepareRename', { textDocument: { uri }, position: posOf(SOURCE, 'close < fastMa', 9) });
        expect(range && textIn(SOURCE, range)).toBe('fastMa');
        const edit = await client.request<WorkspaceEdit>('textDocument/rename', { textDocument: { uri }, position: posOf(SOURCE, 'fastMa =', 1), newName: 'quick' });
        expect(Object.keys(edit.changes ?? {})).toEqual([uri]);
        const renamed = applyEdits(SOURCE, editsFor(edit, uri));
        expect(renamed).not.toContain('fastMa');
        expect(renamed.match(/quick/g)).toHaveLength(3);
    });

    it('refuses to rename a builtin of the catalogue', async () => {
        const at = { textDocument: { uri }, position: posOf(SOURCE, 'sma(close', 1) };
        await expect(client.request('textDocument/prepareRename', at)).rejects.toThrow(/'sma' is a builtin/);
        await expect(client.request('textDocument/rename', { ...at, newName: 'mySma' })).rejects.toThrow(/builtin/);
        const field = { textDocument: { uri: mtfUri }, position: posOf(MTF, 'highest(high', 9) };
        await expect(client.request('textDocument/rename', { ...field, newName: 'hi' })).rejects.toThrow(/'high' is a builtin/);
    });

    it('refuses a new name that is not an identifier', async () => {
        const at = { textDocument: { uri }, position: posOf(SOURCE, 'fastMa =', 1) };
        for (const bad of ['rules', '2fast', 'fast ma', '']) {
            await expect(client.request('textDocument/rename', { ...at, newName: bad })).rejects.toThrow(/not a valid name/);
        }
    });
});

describe('outline and folding', () => {
    it('document symbols: the strategy with its params, features and signals', async () => {
        const symbols = await client.request<DocumentSymbol[]>('textDocument/documentSymbol', { textDocument: { uri } });
        expect(symbols).toHaveLength(1);
        const s = symbols[0]!;
        expect(s).toMatchObject({ name: 'Nav', kind: SymbolKind.Class });
        expect(textIn(SOURCE, s.selectionRange)).toBe('Nav');
        expect(s.children?.map(c => [c.name, c.kind])).toEqual([
            ['fast', SymbolKind.Constant], ['fastMa', SymbolKind.Variable], ['up', SymbolKind.Event], ['down', SymbolKind.Event],
        ]);
        for (const c of s.children ?? []) {
            expect(textIn(SOURCE, c.selectionRange)).toBe(c.name);
            expect(c.range.start.line).toBe(c.selectionRange.start.line);
        }
    });

    it('document symbols of a library: its defs', async () => {
        const symbols = await client.request<DocumentSymbol[]>('textDocument/documentSymbol', { textDocument: { uri: libUri } });
        expect(symbols.map(s => [s.name, s.kind])).toEqual([['trend_ok', SymbolKind.Function], ['atr_band', SymbolKind.Function]]);
    });

    it('folding ranges: the strategy body and each block', async () => {
        const ranges = await client.request<FoldingRange[]>('textDocument/foldingRange', { textDocument: { uri: mtfUri } });
        const lines = MTF.split('\n');
        const starts = ranges.map(r => lines[r.startLine]!.trim());
        expect(starts).toEqual(expect.arrayContaining(['strategy MtfBreakout {', 'rules {', 'risk {', 'execution {']));
        const strategy = ranges.find(r => lines[r.startLine]!.startsWith('strategy'))!;
        // The closing brace stays visible.
        expect(lines[strategy.endLine + 1]!.trim()).toBe('}');
        for (const r of ranges) expect(r.endLine).toBeGreaterThan(r.startLine);
        const rules = ranges.find(r => lines[r.startLine]!.trim() === 'rules {')!;
        expect(lines.slice(rules.startLine + 1, rules.endLine + 1).every(l => l.trim().startsWith('when'))).toBe(true);
    });
});
