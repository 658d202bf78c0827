/**
 * Editing features over a real LSP connection: diagnostics with codes and links to their docs,
 * quick fixes that remove the diagnostic they fix, formatting to the canonical text, completion
 * and signature help in a long strategy (also while a call is being typed), semantic tokens, and
 * the custom requests (IR, canonical DAG, DAG view, fingerprints, strategies).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CodeAction, Diagnostic, SemanticTokens, SemanticTokensLegend, TextEdit } from 'vscode-languageserver/node.js';
import { LspMethods, type Compiled, type DagView, type FingerprintResult } from '../../protocol/src/lsp.js';
import type { CanonicalDag } from '../../language/src/ir/dag.js';
import type { StrategyIr } from '../../protocol/src/ir.js';
import { applyEdits, decodeSemanticTokens, editsFor, examplesDir, fileUri, LspClient, posOf, repoRoot } from './lsp-client.js';

let client: LspClient;
let scratch = 0;
/** A fresh document URI in examples/ (imports resolve as for the examples). */
const scratchUri = (name: string): string => fileUri(join(examplesDir, `lsp-editing-${name}-${++scratch}.af`));

beforeAll(async () => {
    client = await LspClient.start();
}, 60_000);

afterAll(async () => {
    await client?.stop();
});

async function openAndCheck(name: string, text: string): Promise<{ uri: string; diagnostics: Diagnostic[] }> {
    const uri = scratchUri(name);
    await client.open(uri, text);
    return { uri, diagnostics: (await client.diagnostics(uri)).diagnostics };
}

describe('diagnostics', () => {
    const docs = readFileSync(join(repoRoot, 'docs', 'diagnostics.md'), 'utf8');
    const bad = join(repoRoot, 'language', 'test', 'fixtures', 'bad');

    it('every lint of the fixtures (language/test/fixtures/bad) is published with its code and a link to its documentation', async () => {
        const files = readdirSync(bad).filter(f => f.endsWith('.af'));
        expect(files.length).toBeGreaterThan(25);
        for (const f of files) {
            const text = readFileSync(join(bad, f), 'utf8');
            const expected = /\/\/ expect: (.*)/.exec(text)?.[1]?.trim().split(/\s+/) ?? [];
            const uri = fileUri(join(bad, f));
            await client.open(uri, text);
            const { diagnostics } = await client.diagnostics(uri);
            const codes = diagnostics.map(d => String(d.code));
            expect(codes, f).toEqual(expect.arrayContaining(expected));
            for (const d of diagnostics) {
                expect(d.code, `${f}: ${d.message}`).toMatch(/^AF\d{3}$/);
                expect(d.source).toBe('alphaforge');
                // The link points at the code's section of docs/diagnostics.md (anchor = code in lower case).
                expect(d.codeDescription?.href, `${f} ${d.code}`).toMatch(new RegExp(`/diagnostics(\\.md)?#${String(d.code).toLowerCase()}$`));
                expect(docs).toContain(`\n## ${d.code}\n`);
            }
            await client.close(uri);
        }
    }, 120_000);

    it('diagnostics follow the edits: the version they were computed for is echoed', async () => {
        const text = readFileSync(join(bad, 'AF602-ambiguous-stop-distance.af'), 'utf8');
        const { uri, diagnostics } = await openAndCheck('version', text);
        expect(diagnostics.map(d => d.code)).toContain('AF602');
        const v2 = await client.change(uri, text.replace('stop_loss: 2', 'stop_loss: 2%'));
        const after = await client.diagnostics(uri, v2);
        expect(after.version).toBe(v2);
        expect(after.diagnostics.map(d => d.code)).not.toContain('AF602');
    });
});

describe('quick fixes', () => {
    const bad = (f: string): string => readFileSync(join(repoRoot, 'language', 'test', 'fixtures', 'bad', f), 'utf8');
    const inline = (rules: string, extra = ''): string => `strategy S {\n  universe: binance:BTC/USDT\n  timeframe: 1h\n${extra}  rules {\n    ${rules}\n  }\n}\n`;
    const cases: { code: string; text: string; title: RegExp; fixed: (t: string) => boolean }[] = [
        { code: 'AF003', text: bad('AF003-unknown-name.af'), title: /Change to 'sma'/, fixed: t => t.includes('close > sma(close, 20)') },
        { code: 'AF007', text: bad('AF007-unknown-or-repeated-setting.af'), title: /stop_loss/, fixed: t => t.includes('stop_loss: 2%') },
        { code: 'AF101', text: bad('AF101-lookahead-negative-look-back-index.af'), title: /past/, fixed: t => t.includes('close[1]') },
        { code: 'AF102', text: bad('AF102-lookahead-same-bar-fill.af'), title: /next_open/, fixed: t => t.includes('fill: next_open') },
        { code: 'AF103', text: inline('when close > d => target 100% long', '  feature d = resample(close, 1d, offset=0)\n'), title: /offset=1/, fixed: t => t.includes('offset=1') },
        { code: 'AF103', text: inline('when close > d => target 100% long', '  feature d = resample(close, 1d, 0)\n'), title: /offset=1/, fixed: t => t.includes('resample(close, 1d, 1)') },
        { code: 'AF204', text: inline('when close > sma(close, lenght=20) => target 100% long'), title: /'length'/, fixed: t => t.includes('length=20') },
        { code: 'AF207', text: inline('when close > bollinger(close).uper => target 100% long'), title: /'upper'/, fixed: t => t.includes('.upper') },
        { code: 'AF301', text: bad('AF301-unused-parameter.af'), title: /Remove/, fixed: t => !t.includes('param n') },
        { code: 'AF302', text: bad('AF302-unused-feature.af'), title: /Remove/, fixed: t => !t.includes('unused') && t.includes('feature ma') },
        { code: 'AF303', text: bad('AF303-unused-signal.af').replace('  signal down', '  /// Never used.\n  signal down'), title: /Remove/, fixed: t => !t.includes('down') && !t.includes('Never used') },
        { code: 'AF401', text: bad('AF401-parameter-default-outside-its-range.af'), title: /50/, fixed: t => t.includes('param n: int = 50 in 10..50') },
        { code: 'AF402', text: bad('AF402-parameter-default-off-the-step-grid.af'), title: /20/, fixed: t => t.includes('param n: int = 20 in 10..50') },
        { code: 'AF403', text: inline('when close > sma(close, n) => target 100% long', '  param n: int = 20 in 50..10 step 10\n'), title: /Swap/, fixed: t => t.includes('in 10..50 step 10') },
        { code: 'AF602', text: bad('AF602-ambiguous-stop-distance.af'), title: /2%/, fixed: t => t.includes('stop_loss: 2%') },
        { code: 'AF003', text: inline('when Close > sma(close, 20) => target 100% long'), title: /Change to 'close'/, fixed: t => t.includes('when close > sma') },
        { code: 'AF003', text: inline('when roc(close, 1) > returns(close, 1) => target 100% long'), title: /Change to 'roc'/, fixed: t => t.includes('> roc(close, 1)') },
        { code: 'AF210', text: inline('when close > max(high, n)[1] => target 100% long', '  param n: int = 20 in 10..50 step 10\n'), title: /highest\(high, n\)/, fixed: t => t.includes('close > highest(high, n)[1]') },
        { code: 'AF210', text: inline('when close < min(14, low) => flat\n    when close > open => target 100% long'), title: /lowest\(low, 14\)/, fixed: t => t.includes('close < lowest(low, 14)') },
        { code: 'AF211', text: inline('when rsi(close, 14) < 30% => target 100% long'), title: /Compare with 30/, fixed: t => t.includes('rsi(close, 14) < 30 =>') },
    ];

    for (const c of cases) {
        it(`${c.code}: the fix is offered, and applying it clears the diagnostic`, async () => {
            const { uri, diagnostics } = await openAndCheck(c.code, c.text);
            const d = diagnostics.find(x => x.code === c.code);
            expect(d, `${c.code} in ${JSON.stringify(diagnostics.map(x => x.code))}`).toBeDefined();
            const errorsBefore = diagnostics.filter(x => x.severity === 1).length;
            const actions = await client.request<CodeAction[]>('textDocument/codeAction', { textDocument: { uri }, range: d!.range, context: { diagnostics: [d] } });
            expect(actions.length).toBeGreaterThan(0);
            const action = actions[0]!;
            expect(action.kind).toBe('quickfix');
            expect(action.title).toMatch(c.title);
            expect(action.diagnostics?.[0]?.code).toBe(c.code);
            // The fix comes from the code, the data and the AST: a diagnostic without its message gets the same fixes.
            const blank = { ...d!, message: '' };
            const again = await client.request<CodeAction[]>('textDocument/codeAction', { textDocument: { uri }, range: d!.range, context: { diagnostics: [blank] } });
            expect(again.map(a => ({ title: a.title, edit: a.edit }))).toEqual(actions.map(a => ({ title: a.title, edit: a.edit })));
            const fixed = applyEdits(c.text, editsFor(action.edit, uri));
            expect(c.fixed(fixed), fixed).toBe(true);
            const v = await client.change(uri, fixed);
            const after = (await client.diagnostics(uri, v)).diagnostics;
            expect(after.map(x => x.code)).not.toContain(c.code);
            expect(after.filter(x => x.severity === 1).length).toBeLessThanOrEqual(errorsBefore - (d!.severity === 1 ? 1 : 0));
            await client.close(uri);
        });
    }

    it('AF603: two fixes, one per reading (`target -50% long`: go long or go short), each clearing the error', async () => {
        const text = inline('when close < sma(close, 20) => target -50% long');
        for (const [i, title, result] of [[0, 'Go long: target 50% long', 'target 50% long'], [1, 'Go short: target 50% short', 'target 50% short']] as const) {
            const { uri, diagnostics } = await openAndCheck(`AF603-${i}`, text);
            const d = diagnostics.find(x => x.code === 'AF603')!;
            expect(d.severity).toBe(1);
            const actions = await client.request<CodeAction[]>('textDocument/codeAction', { textDocument: { uri }, range: d.range, context: { diagnostics: [d] } });
            expect(actions.map(a => a.title)).toEqual(['Go long: target 50% long', 'Go short: target 50% short']);
            expect(actions[i]!.title).toBe(title);
            const fixed = applyEdits(text, editsFor(actions[i]!.edit, uri));
            expect(fixed).toContain(`=> ${result}\n`);
            const v = await client.change(uri, fixed);
            expect((await client.diagnostics(uri, v)).diagnostics.filter(x => x.severity === 1 || x.severity === 2)).toEqual([]);
            await client.close(uri);
        }
        // The double negative of a pair's leg: `short` is kept (go short) or flipped (go long, as today).
        const pair = 'strategy S {\n  universe: nyse:KO as a, nyse:PEP as b\n  timeframe: 1d\n  rules {\n    when a.close > b.close => target a: - 50 % short, b: 50% long\n  }\n}\n';
        const { uri, diagnostics } = await openAndCheck('AF603-pair', pair);
        const d = diagnostics.find(x => x.code === 'AF603')!;
        const actions = await client.request<CodeAction[]>('textDocument/codeAction', { textDocument: { uri }, range: d.range, context: { diagnostics: [d] } });
        expect(actions.map(a => a.title)).toEqual(['Go short: target a: 50 % short', 'Go long: target a: 50 % long']);
        expect(applyEdits(pair, editsFor(actions[1]!.edit, uri))).toContain('target a: 50 % long, b: 50% long');
        await client.close(uri);
    });

    it('no action where the fix is not mechanical', async () => {
        const { uri, diagnostics } = await openAndCheck('none', bad('AF601-target-exposure-exceeds-leverage.af'));
        const d = diagnostics.find(x => x.code === 'AF601')!;
        const actions = await client.request<CodeAction[]>('textDocument/codeAction', { textDocument: { uri }, range: d.range, context: { diagnostics: [d] } });
        expect(actions).toEqual([]);
        // AF603 on a size that is not a negation: which reading was meant is not mechanical either.
        const w = await openAndCheck('none-603', inline('when close > open => target w long', '  param w: float = -50% in -100%..-50% step 50%\n'));
        const d603 = w.diagnostics.find(x => x.code === 'AF603')!;
        expect(await client.request<CodeAction[]>('textDocument/codeAction', { textDocument: { uri: w.uri }, range: d603.range, context: { diagnostics: [d603] } })).toEqual([]);
        // A def's mistake repeated at a call: the call's text is not what a fix would replace (the def's own diagnostic has the fix).
        const def = await openAndCheck('none-def', `def slow(x) = sma(x, lenght=20)\n${inline('when close > slow(close) => target 100% long')}`);
        const atDef = def.diagnostics.find(x => x.code === 'AF204' && x.range.start.line === 0)!;
        const atCall = def.diagnostics.find(x => x.code === 'AF204' && x.range.start.line > 0)!;
        expect(atCall.message).toContain("did you mean 'length'");
        expect(await client.request<CodeAction[]>('textDocument/codeAction', { textDocument: { uri: def.uri }, range: atCall.range, context: { diagnostics: [atCall] } })).toEqual([]);
        const fromDef = await client.request<CodeAction[]>('textDocument/codeAction', { textDocument: { uri: def.uri }, range: atDef.range, context: { diagnostics: [atDef] } });
        expect(fromDef.map(a => a.title)).toEqual(["Change to 'length'"]);
    });
});

describe('formatting', () => {
    const canonical = readFileSync(join(examplesDir, 'sma-cross.af'), 'utf8');
    const messy = canonical
        .replace('feature fastMa = sma(close, fast)', 'feature   fastMa=sma( close,fast )')
        .replace('    when enter => target 100% long', '\t\twhen enter=>target 100 % long')
        .replace('  risk {', '\n\n\n  risk   {');

    it('returns edits that make the text canonical, and none for canonical text', async () => {
        expect(messy).not.toBe(canonical);
        const { uri } = await openAndCheck('format', messy);
        const edits = await client.request<TextEdit[]>('textDocument/formatting', { textDocument: { uri }, options: { tabSize: 2, insertSpaces: true } });
        expect(edits.length).toBeGreaterThan(0);
        const formatted = applyEdits(messy, edits);
        expect(formatted).toBe(canonical);
        await client.change(uri, formatted);
        expect(await client.request<TextEdit[]>('textDocument/formatting', { textDocument: { uri }, options: { tabSize: 2, insertSpaces: true } })).toEqual([]);
        // A range request formats the whole file the same way.
        await client.change(uri, messy);
        const ranged = await client.request<TextEdit[]>('textDocument/rangeFormatting', { textDocument: { uri }, range: { start: { line: 12, character: 0 }, end: { line: 14, character: 0 } }, options: { tabSize: 2, insertSpaces: true } });
        expect(applyEdits(messy, ranged)).toBe(canonical);
    });

    it('leaves a file with a syntax error alone', async () => {
        const broken = messy.replace('rules {', 'rules {{');
        const { uri } = await openAndCheck('format-broken', broken);
        expect(await client.request<TextEdit[]>('textDocument/formatting', { textDocument: { uri }, options: { tabSize: 2, insertSpaces: true } })).toEqual([]);
    });
});

describe('completion in a long strategy', () => {
    // 300 declarations before the cursor: the server re-parses only what can matter to completion.
    const decls = Array.from({ length: 300 }, (_, i) => `  /// Feature ${i}.\n  feature f${i} = sma(close, ${i + 2})`).join('\n');
    const head = `strategy Long {\n  universe: binance:BTC/USDT\n  timeframe: 1h\n  param fast: int = 10 in 5..50 step 5\n${decls}\n`;
    type Items = { items: { label: string; insertText?: string; kind?: number }[] } | { label: string; insertText?: string; kind?: number }[];
    const labels = (r: Items): string[] => (Array.isArray(r) ? r : r.items).map(i => i.label);

    it('offers builtins with snippets and every name, before and after the cursor', async () => {
        const text = `${head}  feature extra = \n  signal go = f299 > extra\n  rules {\n    when go => target 50% long\n  }\n}\n`;
        const { uri } = await openAndCheck('long', text);
        const r = await client.request<Items>('textDocument/completion', { textDocument: { uri }, position: posOf(text, 'feature extra = ', 'feature extra = '.length) });
        const items = Array.isArray(r) ? r : r.items;
        expect(items.find(i => i.label === 'sma')?.insertText).toMatch(/^sma\(\$\{1:source\}, \$\{2:length\}\)/);
        expect(labels(r)).toEqual(expect.arrayContaining(['f0', 'f150', 'f299', 'fast', 'go', 'close']));
        // Completing a name being typed, in the middle of the file.
        const mid = posOf(text, 'feature f150 = sma(clo', 'feature f150 = sma(clo'.length);
        expect(labels(await client.request<Items>('textDocument/completion', { textDocument: { uri }, position: mid }))).toContain('close');
    });

    it('offers expressions inside the arguments of a call, also while the call is still open', async () => {
        for (const [typed, where] of [
            ['crossover(f1, ', 'crossover(f1, '], ['sma(', 'sma('], ['sma(close, length=', 'length='], ['sma(close, fast)', 'sma('],
        ] as const) {
            const text = `${head}  feature extra = ${typed}\n  rules {\n    when f1 > f2 => target 50% long\n  }\n}\n`;
            const { uri } = await openAndCheck('long-args', text);
            const at = posOf(text, `feature extra = ${typed}`, `feature extra = ${typed}`.indexOf(where) + where.length);
            expect(labels(await client.request<Items>('textDocument/completion', { textDocument: { uri }, position: at })), typed).toEqual(expect.arrayContaining(['f1', 'fast', 'close', 'sma']));
            await client.close(uri);
        }
    });

    it('signature help follows the call being typed: its parameters and the current one', async () => {
        const defs = 'def band(x, mult: float, length: int) = x + mult * atr(length)\n';
        for (const [typed, label, active] of [
            ['sma(', /^sma\(source: series<U>, length: int\)/, 0],
            ['crossover(f1, ', /^crossover\(/, 1],
            ['bollinger(close, 20, ', /^bollinger\(.*mult: float = 2/, 2],
            ['sma(close, length=', /^sma\(/, 1],
            ['band(close, ', /^band\(x, mult: float, length: int\)$/, 1],
            ['sma(close, ema(close, ', /^ema\(/, 1],
            ['sma(close, fast)', /^sma\(/, 1],
        ] as const) {
            const text = `${defs}${head}  feature extra = ${typed}\n  rules {\n    when f1 > f2 => target 50% long\n  }\n}\n`;
            const { uri } = await openAndCheck('long-signature', text);
            const at = posOf(text, `feature extra = ${typed}`, `feature extra = ${typed}`.replace(/\)$/, '').length);
            const help = await client.request<{ signatures: { label: string }[]; activeParameter: number } | null>('textDocument/signatureHelp', { textDocument: { uri }, position: at });
            expect(help?.signatures[0]?.label, typed).toMatch(label);
            expect(help?.activeParameter, typed).toBe(active);
            await client.close(uri);
        }
    });

    it('offers the keys of the block the cursor is in, and only the constants a setting takes', async () => {
        const text = `${head}  rules {\n    when f1 > f2 => target 50% long\n  }\n  risk {\n    \n  }\n  execution {\n    fill: \n  }\n}\n`;
        const { uri } = await openAndCheck('long-settings', text);
        const inRisk = posOf(text, 'risk {\n    ', 'risk {\n    '.length);
        expect(labels(await client.request<Items>('textDocument/completion', { textDocument: { uri }, position: inRisk }))).toEqual(expect.arrayContaining(['stop_loss', 'take_profit', 'max_drawdown']));
        const afterFill = posOf(text, 'fill: ', 'fill: '.length);
        const fills = labels(await client.request<Items>('textDocument/completion', { textDocument: { uri }, position: afterFill }));
        expect(fills).toEqual(expect.arrayContaining(['next_open', 'next_close', 'this_close']));
        expect(fills).not.toContain('halt');
    });
});

describe('semantic tokens', () => {
    const text = readFileSync(join(examplesDir, 'sma-cross.af'), 'utf8');

    it('decode to the right token types on known lines', async () => {
        const { uri } = await openAndCheck('tokens', text);
        const legend = (client.initializeResult.capabilities.semanticTokensProvider as { legend: SemanticTokensLegend }).legend;
        const tokens = decodeSemanticTokens((await client.request<SemanticTokens>('textDocument/semanticTokens/full', { textDocument: { uri } })).data, legend, text);
        const onLine = (needle: string): [string, string, string[]][] => {
            const line = posOf(text, needle).line;
            return tokens.filter(t => t.line === line).map(t => [t.text, t.type, t.modifiers]);
        };
        expect(onLine('feature fastMa')).toEqual([
            ['fastMa', 'variable', ['declaration']],
            ['sma', 'function', ['defaultLibrary']],
            ['close', 'property', ['defaultLibrary']],
            ['fast', 'parameter', []],
        ]);
        expect(onLine('param fast')).toEqual([
            ['fast', 'parameter', ['declaration']],
            ['20', 'number', []], ['5', 'number', []], ['60', 'number', []], ['5', 'number', []],
        ]);
        expect(onLine('signal enter')).toEqual([
            ['enter', 'event', ['declaration']],
            ['crossover', 'function', ['defaultLibrary']],
            ['fastMa', 'variable', []],
            ['slowMa', 'variable', []],
        ]);
        expect(onLine('strategy SmaCross')).toEqual([['SmaCross', 'class', ['declaration']]]);
        expect(onLine('fill: next_open')).toEqual([['fill', 'property', []], ['next_open', 'enumMember', ['defaultLibrary']]]);
        // Tokens are in order and never overlap.
        for (let i = 1; i < tokens.length; i++) {
            const a = tokens[i - 1]!, b = tokens[i]!;
            expect(b.line > a.line || (b.line === a.line && b.character >= a.character + a.length)).toBe(true);
        }
    });
});

describe('custom requests', () => {
    const smaUri = fileUri(join(examplesDir, 'sma-cross.af'));
    const text = readFileSync(join(examplesDir, 'sma-cross.af'), 'utf8');

    it('IR, canonical DAG and DAG view of an example', async () => {
        const ir = await client.request<Compiled<StrategyIr>>(LspMethods.ir, { uri: smaUri });
        expect(ir.ok).toBe(true);
        if (!ir.ok) return;
        expect(ir.value).toMatchObject({ strategy: 'SmaCross', timeframe: { text: '1d' }, fill: 'next_open' });
        expect(ir.value.params.map(p => p.name)).toEqual(['fast', 'slow']);
        expect(Object.keys(ir.value.features)).toEqual(['fastMa', 'slowMa']);
        expect(Object.keys(ir.value.signals)).toEqual(['enter', 'leave']);
        expect(ir.value.rules).toHaveLength(2);

        const exact = await client.request<Compiled<CanonicalDag>>(LspMethods.dag, { uri: smaUri });
        const structural = await client.request<Compiled<CanonicalDag>>(LspMethods.dag, { uri: smaUri, mode: 'structural' });
        expect(exact.ok && structural.ok).toBe(true);
        if (!exact.ok || !structural.ok) return;
        expect(exact.value.mode).toBe('exact');
        expect(structural.value.mode).toBe('structural');
        expect(exact.value.universe.assets).toEqual(['sp:SPX']);
        expect(structural.value.universe.assets).toBeNull();
        expect(exact.value.nodes.length).toBeGreaterThan(5);
        expect(JSON.stringify(exact.value)).not.toContain('fastMa'); // names are erased

        const view = await client.request<Compiled<DagView>>(LspMethods.dagView, { uri: smaUri });
        expect(view.ok).toBe(true);
        if (!view.ok) return;
        expect(view.value.dag).toEqual(exact.value);
        const named = Object.entries(view.value.names).find(([, ns]) => ns.includes('fastMa'));
        expect(named).toBeDefined();
        const ranges = view.value.ranges[Number(named![0])]!;
        expect(ranges.some(r => r.start.line === posOf(text, 'feature fastMa').line)).toBe(true);
    });

    it('fingerprints ignore names and layout, and see parameter values', async () => {
        const fp = await client.request<Compiled<FingerprintResult>>(LspMethods.fingerprints, { uri: smaUri });
        expect(fp.ok).toBe(true);
        if (!fp.ok) return;
        expect(fp.value.strategy).toBe('SmaCross');
        expect(fp.value.structural).toMatch(/^[0-9a-f]{64}$/);
        expect(fp.value.exact).toMatch(/^[0-9a-f]{64}$/);
        expect(fp.value.embedding.length).toBeGreaterThan(16);

        const renamed = text.replace('SmaCross', 'Other').replace(/fastMa/g, 'f').replace(/slowMa/g, 's').replace(/\n\n/g, '\n');
        const { uri: renamedUri } = await openAndCheck('renamed', renamed);
        const fp2 = await client.request<Compiled<FingerprintResult>>(LspMethods.fingerprints, { uri: renamedUri });
        expect(fp2.ok && fp2.value.exact).toBe(fp.value.exact);
        expect(fp2.ok && fp2.value.structural).toBe(fp.value.structural);

        const retuned = text.replace('param fast: int = 20', 'param fast: int = 25');
        const { uri: retunedUri } = await openAndCheck('retuned', retuned);
        const fp3 = await client.request<Compiled<FingerprintResult>>(LspMethods.fingerprints, { uri: retunedUri });
        expect(fp3.ok && fp3.value.structural).toBe(fp.value.structural);
        expect(fp3.ok && fp3.value.exact).not.toBe(fp.value.exact);
    });

    it('strategies of a file, and errors instead of results for broken or unknown documents', async () => {
        const list = await client.request<{ name: string; line: number; warmup: number }[]>(LspMethods.strategies, { uri: smaUri });
        expect(list).toEqual([{ name: 'SmaCross', line: posOf(text, 'strategy SmaCross').line, warmup: expect.any(Number) }]);
        expect(list[0]!.warmup).toBeGreaterThanOrEqual(100);

        const { uri } = await openAndCheck('broken', text.replace('sma(close, fast)', 'sma(close, fast, 1, 2)'));
        const ir = await client.request<Compiled<StrategyIr>>(LspMethods.ir, { uri });
        expect(ir.ok).toBe(false);
        if (!ir.ok) expect(ir.errors[0]).toMatchObject({ code: 'AF203', line: posOf(text, 'feature fastMa').line + 1 });

        const missing = await client.request<Compiled<StrategyIr>>(LspMethods.fingerprints, { uri: fileUri(join(examplesDir, 'no-such-file.af')) });
        expect(missing).toMatchObject({ ok: false, errors: [{ code: 'AF000' }] });
        const noStrategy = await client.request<Compiled<StrategyIr>>(LspMethods.dag, { uri: smaUri, strategy: 'Nope' });
        expect(noStrategy).toMatchObject({ ok: false, errors: [{ code: 'AF000' }] });
    });
});
