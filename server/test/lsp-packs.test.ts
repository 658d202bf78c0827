/**
 * The language server knows the workspace's declared packs — completion, hover, signature help and
 * validation — from their manifests (it never runs pack code), and when the configuration changes
 * the documents are revalidated. A refused pack is reported on the configuration file, naming it;
 * the editor keeps working with the other packs.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CompletionItem, CompletionList, Hover, PublishDiagnosticsParams, SignatureHelp } from 'vscode-languageserver/node.js';
import { integrityOf } from '../../language/src/catalogue/manifest-packs.js';
import { readPackFolder } from '../../language/src/catalogue/pack-folder.js';
import { fileUri, LspClient, posOf } from './lsp-client.js';

const SOURCE = `strategy P {
  universe: sp:SPX
  timeframe: 1d
  feature m = demo_mid(10)
  signal up = close > m
  rules {
    when up => target 100% long
  }
}
`;

let client: LspClient;
let ws: string;
let config: string;
let uri: string;
let declared: object;

const manifest = {
    name: 'demo', version: '0.1.0', description: 'A demo pack.', alphaforge: '^0.1.0',
    contributes: { functions: [{ name: 'demo_mid', params: [{ name: 'length', type: 'int', min: 1, default: 20, doc: 'Window length in bars.' }], returns: 'series<price>', lookback: 'length - 1', reads: ['high', 'low'], doc: 'Midpoint of the highest high and the lowest low.', example: 'feature mid = demo_mid(20)' }] },
    // Never imported by the server: if it were, this module would throw.
    implementation: { compiled: './compiled.js', reference: './reference.js' },
};

/** Writes the config and tells the server, as the editor's file watcher would; resolves once `target`'s diagnostics satisfy `done`. */
async function setConfig(value: object, done: (d: PublishDiagnosticsParams) => boolean, target = uri): Promise<PublishDiagnosticsParams> {
    client.published.delete(target);
    writeFileSync(config, JSON.stringify(value));
    await client.conn.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: fileUri(config), type: 2 }] });
    for (let i = 0; i < 200; i++) {
        const d = client.published.get(target);
        if (d && done(d)) return d;
        await new Promise(r => setTimeout(r, 50));
    }
    throw new Error(`diagnostics of ${target} never satisfied the test: ${JSON.stringify(client.published.get(target))}`);
}

beforeAll(async () => {
    ws = mkdtempSync(join(tmpdir(), 'af-lsp-packs-'));
    const pack = join(ws, 'packs', 'demo');
    mkdirSync(pack, { recursive: true });
    writeFileSync(join(pack, 'alphaforge-pack.json'), JSON.stringify(manifest));
    writeFileSync(join(pack, 'compiled.js'), 'throw new Error("pack code must not run in the server");\n');
    writeFileSync(join(pack, 'reference.js'), 'throw new Error("pack code must not run in the server");\n');
    declared = { packs: [{ name: 'demo', version: '^0.1.0', path: './packs/demo', integrity: integrityOf(readPackFolder({ list: d => readdirSync(d, { withFileTypes: true }), read: f => readFileSync(f) }, pack)) }] };
    config = join(ws, 'alphaforge.json');
    writeFileSync(config, JSON.stringify(declared));
    uri = fileUri(join(ws, 'p.af'));
    client = await LspClient.start(ws);
    await client.open(uri, SOURCE);
}, 60_000);

afterAll(async () => { await client?.stop(); });

describe('the language server uses the workspace packs', () => {
    it('validates, completes, hovers and helps with signatures from the declared manifest', async () => {
        const d = await client.diagnostics(uri);
        expect(d.diagnostics.filter(x => x.severity === 1)).toEqual([]);
        const hover = await client.request<Hover>('textDocument/hover', { textDocument: { uri }, position: posOf(SOURCE, 'demo_mid', 2) });
        expect(JSON.stringify(hover.contents)).toContain('Midpoint of the highest high');
        const list = await client.request<CompletionList | CompletionItem[]>('textDocument/completion', { textDocument: { uri }, position: posOf(SOURCE, 'demo_mid', 4) });
        expect((Array.isArray(list) ? list : list.items).map(i => i.label)).toContain('demo_mid');
        const help = await client.request<SignatureHelp>('textDocument/signatureHelp', { textDocument: { uri }, position: posOf(SOURCE, '10)', 0) });
        expect(help.signatures[0]?.label).toContain('length');
    });

    it('revalidates when the configuration changes; a refused pack is said on the config file and the rest keeps working', async () => {
        const without = await setConfig({}, d => d.diagnostics.some(x => x.code === 'AF003'));
        expect(without.diagnostics.find(x => x.code === 'AF003')?.message).toMatch(/Unknown name 'demo_mid'/);
        const bad = { packs: [{ ...(declared as { packs: object[] }).packs[0], integrity: `sha256-${'0'.repeat(64)}` }] };
        await setConfig(bad, d => d.diagnostics.some(x => x.code === 'AF003'));
        expect(client.published.get(fileUri(config))?.diagnostics.map(x => x.message)).toEqual([expect.stringMatching(/^pack 'demo' \(.*\): its files do not match the declared integrity hash .* run af pack add .* again\.$/)]);
        const hover = await client.request<Hover>('textDocument/hover', { textDocument: { uri }, position: posOf(SOURCE, 'close >', 1) });
        expect(hover).toBeTruthy();
        const back = await setConfig(declared, d => !d.diagnostics.some(x => x.code === 'AF003'));
        expect(back.diagnostics.filter(x => x.severity === 1)).toEqual([]);
        expect(client.published.get(fileUri(config))?.diagnostics).toEqual([]);
        expect(client.alive).toBe(true);
    });

    it('offers a pack shipped with AlphaForge once the config declares it by name, beside the folder pack; undeclared, its names say which pack to add', async () => {
        const adxSource = SOURCE.replace('signal up = close > m', 'signal up = close > m and adx(14) > 25');
        const adxUri = fileUri(join(ws, 'q.af'));
        await client.open(adxUri, adxSource);
        const before = await client.diagnostics(adxUri);
        expect(before.diagnostics.filter(x => x.severity === 1).map(x => x.message)).toEqual([expect.stringMatching(/^Unknown name 'adx': it comes from the capability pack 'mid-frequency'.*af pack add mid-frequency/)]);
        const both = { packs: [{ name: 'mid-frequency', version: '^1.0.0' }, ...(declared as { packs: object[] }).packs] };
        const after = await setConfig(both, d => !d.diagnostics.some(x => x.code === 'AF003'), adxUri);
        expect(after.diagnostics.filter(x => x.severity === 1)).toEqual([]);
        const list = await client.request<CompletionList | CompletionItem[]>('textDocument/completion', { textDocument: { uri: adxUri }, position: posOf(adxSource, 'adx', 1) });
        expect((Array.isArray(list) ? list : list.items).map(i => i.label)).toContain('adx');
        // A range the shipped pack is outside of is said on the config file; the folder pack still loads.
        await setConfig({ packs: [{ name: 'mid-frequency', version: '^2.0.0' }, ...(declared as { packs: object[] }).packs] }, d => d.diagnostics.some(x => x.code === 'AF003'), adxUri);
        expect(client.published.get(fileUri(config))?.diagnostics.map(x => x.message)).toEqual([expect.stringMatching(/^pack 'mid-frequency' shipped with AlphaForge is version 1\.0\.0, outside the declared range \^2\.0\.0/)]);
        expect(client.published.get(uri)?.diagnostics.filter(x => x.severity === 1)).toEqual([]);
        await setConfig(declared, () => true, adxUri);
    });

    it('with the hft pack declared by name, its example checks clean and its functions complete with their docs', async () => {
        const text = readFileSync(join(process.cwd(), 'examples', 'packs', 'hft-imbalance-mm.af'), 'utf8');
        const hftUri = fileUri(join(ws, 'hft.af'));
        await setConfig({ packs: [{ name: 'hft', version: '^1.0.0' }, ...(declared as { packs: object[] }).packs] }, () => true);
        await client.open(hftUri, text);
        const d = await client.diagnostics(hftUri);
        expect(d.diagnostics.filter(x => x.severity === 1 || x.severity === 2)).toEqual([]);
        const list = await client.request<CompletionList | CompletionItem[]>('textDocument/completion', { textDocument: { uri: hftUri }, position: posOf(text, 'book_imbalance(', 4) });
        const item = (Array.isArray(list) ? list : list.items).find(i => i.label === 'book_imbalance');
        expect(item).toBeDefined();
        const resolved = item!.documentation ? item! : await client.request<CompletionItem>('completionItem/resolve', item);
        expect(JSON.stringify(resolved.documentation ?? resolved.detail)).toContain('Order-book imbalance');
        await setConfig(declared, () => true);
    });
});
