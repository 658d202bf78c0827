/**
 * The extension manifest (package.json) against the sources: every contributed command has a
 * handler and every handler is contributed; every command that menus, key bindings, welcome
 * views, lenses and status items name exists; every view has a tree provider; every setting
 * the code reads is declared; every file the manifest names exists. Also the grammar, the
 * language configuration, the snippets (their default expansions parse) and the icon.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { EmptyFileSystem } from 'langium';
import { describe, expect, it } from 'vitest';
import { createAlphaForgeServices, loadString } from '../../language/src/index.js';
import { SORT_METRICS } from '../../protocol/src/daemon/index.js';
import { PANEL_KINDS, viewTypeOf } from '../../protocol/src/webview.js';

const root = resolve(__dirname, '..', '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const contributes = pkg.contributes;
const srcDir = join(root, 'extension', 'src');
const sources = Object.fromEntries(readdirSync(srcDir).filter(f => f.endsWith('.ts')).map(f => [f, readFileSync(join(srcDir, f), 'utf8')]));
const allSource = Object.values(sources).join('\n');

const contributed: string[] = contributes.commands.map((c: { command: string }) => c.command);
/** Commands registered by the sources: `command('alphaforge.x', …)` (commands.ts) or registerCommand directly. */
const registered = [...allSource.matchAll(/(?:\bcommand|registerCommand)\(\s*'(alphaforge\.[A-Za-z]+)'/g)].map(m => m[1]!);

describe('commands', () => {
    it('are registered once each, by the source files', () => {
        expect(registered.length).toBeGreaterThanOrEqual(15);
        expect(new Set(registered).size).toBe(registered.length);
    });

    it('every contributed command has a handler, and every handler is in the palette', () => {
        expect([...contributed].sort()).toEqual([...registered].sort());
        expect(new Set(contributed).size).toBe(contributed.length);
    });

    it('include what the issue asks for', () => {
        for (const c of ['backtest', 'sweep', 'walkforward', 'showDag', 'findSimilar', 'openReport', 'cancelRun', 'startDaemon', 'connectDaemon', 'setToken', 'refresh']) {
            expect(contributed).toContain(`alphaforge.${c}`);
        }
    });

    it('have a title and the AlphaForge category', () => {
        for (const c of contributes.commands) {
            expect(c.title, c.command).toMatch(/\S/);
            expect(c.category).toBe('AlphaForge');
        }
    });

    it('every command named by menus, key bindings, welcome views and the sources exists', () => {
        const named = new Set<string>();
        for (const items of Object.values(contributes.menus) as { command: string }[][]) for (const i of items) named.add(i.command);
        for (const k of contributes.keybindings) named.add(k.command);
        for (const w of contributes.viewsWelcome) for (const m of (w.contents as string).matchAll(/\(command:(alphaforge\.[A-Za-z]+)/g)) named.add(m[1]!);
        for (const m of allSource.matchAll(/(?:command:\s*|executeCommand\(\s*|run:\s*|enabledCommands:\s*\[[^\]]*?)'(alphaforge\.[A-Za-z]+)'/g)) named.add(m[1]!);
        for (const m of allSource.matchAll(/command:(alphaforge\.[A-Za-z]+)/g)) named.add(m[1]!);
        expect(named.size).toBeGreaterThan(10);
        for (const c of named) expect(contributed, `${c} is used but not contributed`).toContain(c);
    });

    it('key bindings apply only in AlphaForge editors', () => {
        const backtest = contributes.keybindings.find((k: { command: string }) => k.command === 'alphaforge.backtest');
        expect(backtest).toMatchObject({ key: 'ctrl+alt+b', mac: 'cmd+alt+b' });
        for (const k of contributes.keybindings) expect(k.when).toContain('editorLangId == alphaforge');
    });
});

describe('views', () => {
    const views: { id: string }[] = contributes.views.alphaforge;
    const viewIds = /VIEW_IDS = \{([^}]*)\}/.exec(sources['trees.ts']!)![1]!;
    const constants = Object.fromEntries([...viewIds.matchAll(/(\w+): '([^']+)'/g)].map(m => [m[1]!, m[2]!]));
    const provided = [...sources['extension.ts']!.matchAll(/createTreeView\(VIEW_IDS\.(\w+)/g)].map(m => constants[m[1]!]);

    it('live in the AlphaForge container: runs, experiments, data, registry, similar strategies, platform health', () => {
        expect(contributes.viewsContainers.activitybar).toEqual([{ id: 'alphaforge', title: 'AlphaForge', icon: 'media/activity.svg' }]);
        expect(views.map(v => v.id)).toEqual(['alphaforge.runs', 'alphaforge.experiments', 'alphaforge.data', 'alphaforge.registry', 'alphaforge.deployments', 'alphaforge.similar', 'alphaforge.health']);
    });

    it('every view has a tree provider, and every provider a view', () => {
        expect([...provided].sort()).toEqual(views.map(v => v.id).sort());
    });

    it('every daemon view has welcome content for each daemon state', () => {
        for (const v of views.filter(x => x.id !== 'alphaforge.similar')) {
            const w = contributes.viewsWelcome.filter((x: { view: string }) => x.view === v.id);
            expect(w.some((x: { when: string }) => x.when.includes('!= connected') || x.when.includes('== down')), v.id).toBe(true);
            expect(w.some((x: { when: string }) => x.when === 'alphaforge.daemon.state == connected'), v.id).toBe(true);
        }
    });

    it('the similar strategies view offers a search when empty, and search and refresh buttons', () => {
        const w = contributes.viewsWelcome.filter((x: { view: string }) => x.view === 'alphaforge.similar');
        expect(w.map((x: { contents: string }) => x.contents).join('\n')).toContain('(command:alphaforge.findSimilar)');
        const title = (contributes.menus['view/title'] as { command: string; when: string }[]).filter(m => m.when === 'view == alphaforge.similar').map(m => m.command);
        expect(title).toEqual(['alphaforge.findSimilar', 'alphaforge.refreshSimilar']);
        for (const menu of ['editor/context', 'commandPalette']) {
            expect((contributes.menus[menu] as { command: string }[]).map(m => m.command), menu).toContain('alphaforge.findSimilar');
        }
        // The command reveals the view (the `<view id>.focus` command VS Code adds for every view).
        expect(sources['commands.ts']).toContain('`${VIEW_IDS.similar}.focus`');
    });

    it('menus of view items match the context values the trees set', () => {
        const ctx = contributes.menus['view/item/context'] as { when: string }[];
        const values = ['run.completed', 'run.running', 'run.queued', 'run.failed', 'experiment'];
        for (const v of values) expect(ctx.some(m => m.when.includes(v.split('.')[0]!)), v).toBe(true);
        expect(sources['trees.ts']).toContain("contextValue = `run.${r.state}");
        expect(sources['trees.ts']).toContain("contextValue = 'experiment'");
    });

    it('the registry view: approve on drafts only, retire on all but retired, deploy shown on approved versions but disabled until execution lands', () => {
        const ctx = (contributes.menus['view/item/context'] as { command: string; when: string }[]).filter(m => m.when.startsWith('view == alphaforge.registry'));
        const on = (command: string) => ctx.filter(m => m.command === command).map(m => m.when);
        expect(on('alphaforge.registryApprove').every(w => w.endsWith('viewItem == registryVersion.draft'))).toBe(true);
        expect(on('alphaforge.registryRetire')).toEqual(['view == alphaforge.registry && viewItem =~ /^registryVersion\\.(draft|approved|deployed)$/']);
        expect(on('alphaforge.registryDeploy')).toEqual(['view == alphaforge.registry && viewItem == registryVersion.approved']);
        const deploy = contributes.commands.find((c: { command: string }) => c.command === 'alphaforge.registryDeploy');
        expect(deploy).toMatchObject({ title: expect.stringMatching(/paper or live/) });
        expect(deploy.enablement).toBeUndefined();
        expect(sources['registry-model.ts']).toContain('`registryVersion.${e.intact ? e.state : \'altered\'}`');
    });
});

describe('manifest', () => {
    it('activates on .af files and on the panels VS Code restores after a reload, and points at the bundle', () => {
        expect(pkg.main).toBe('./dist/extension.cjs');
        expect(pkg.activationEvents).toEqual([
            'onLanguage:alphaforge', 'workspaceContains:**/*.af',
            ...PANEL_KINDS.map(k => `onWebviewPanel:${viewTypeOf(k)}`),
        ]);
        expect(pkg.engines.vscode).toBe('^1.88.0');
        expect(pkg.devDependencies['@types/vscode']).toBe('1.88.0');
        expect(pkg.dependencies['vscode-languageclient']).toBe('9.0.1');
        expect(readFileSync(join(root, 'extension', 'build.mjs'), 'utf8')).toContain("'extension.cjs'");
        expect(pkg.publisher).toMatch(/^[a-z0-9-]+$/);
    });

    it('supports untrusted workspaces in a limited way, restricting the settings that run programs or choose the daemon', () => {
        const u = pkg.capabilities.untrustedWorkspaces;
        expect(u.supported).toBe('limited');
        for (const k of u.restrictedConfigurations) expect(Object.keys(contributes.configuration.properties)).toContain(k);
        expect(u.restrictedConfigurations).toEqual(expect.arrayContaining(['alphaforge.daemon.url', 'alphaforge.cli.path', 'alphaforge.daemon.autoStart']));
    });

    it('declares every setting the sources read', () => {
        const props = contributes.configuration.properties;
        const read = [...allSource.matchAll(/\.get<[^>]+>\('([\w.]+)'/g)].map(m => `alphaforge.${m[1]}`);
        expect(read.length).toBeGreaterThanOrEqual(6);
        for (const k of read) expect(Object.keys(props), k).toContain(k);
        expect(props['alphaforge.trace.server'].enum).toEqual(['off', 'messages', 'verbose']);
        expect(props['alphaforge.sweep.sortBy'].enum).toEqual([...SORT_METRICS]);
        for (const [k, p] of Object.entries(props) as [string, { markdownDescription?: string; description?: string }][]) expect(p.markdownDescription ?? p.description, k).toBeTruthy();
    });

    it('names only files that exist', () => {
        const files = [
            pkg.icon, contributes.languages[0].configuration, contributes.languages[0].icon.light, contributes.languages[0].icon.dark,
            contributes.grammars[0].path, contributes.snippets[0].path, contributes.viewsContainers.activitybar[0].icon,
            ...contributes.views.alphaforge.map((v: { icon: string }) => v.icon),
        ];
        for (const f of files) expect(existsSync(join(root, f)), f).toBe(true);
        expect(contributes.languages[0]).toMatchObject({ id: 'alphaforge', extensions: ['.af'] });
    });

    it('the icon is a 128×128 PNG', () => {
        const png = readFileSync(join(root, pkg.icon));
        expect(png.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
        expect(png.toString('ascii', 12, 16)).toBe('IHDR');
        expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([128, 128]);
    });
});

describe('grammar and language configuration', () => {
    it('the grammar is up to date with the generated keyword list, and colours every keyword', async () => {
        // @ts-expect-error -- a plain .mjs script without types
        const g = await import('../grammar.mjs') as { render(): string; keywordsOf(x: unknown): string[]; GROUPS: Record<string, string[]> };
        const file = readFileSync(join(root, contributes.grammars[0].path), 'utf8');
        expect(file, 'run node extension/grammar.mjs').toBe(g.render());
        const grammar = JSON.parse(file);
        expect(grammar.scopeName).toBe(contributes.grammars[0].scopeName);
        const keywords = g.keywordsOf(JSON.parse(readFileSync(join(root, 'syntaxes', 'alphaforge.tmLanguage.generated.json'), 'utf8')));
        const patterns: { name: string; match: string }[] = grammar.repository.keywords.patterns;
        for (const k of keywords) {
            const hits = patterns.filter(p => new RegExp(`^(?:${p.match})$`).test(k));
            expect(hits.length, k).toBe(1);
        }
    });

    it('every grammar regex is valid and the main tokens get their scopes', () => {
        const grammar = JSON.parse(readFileSync(join(root, contributes.grammars[0].path), 'utf8'));
        const all: { match?: string; begin?: string; end?: string; name?: string }[] = [];
        const walk = (p: unknown): void => {
            if (Array.isArray(p)) p.forEach(walk);
            else if (p && typeof p === 'object') {
                const o = p as Record<string, unknown>;
                if (typeof o.match === 'string' || typeof o.begin === 'string') all.push(o as never);
                Object.values(o).forEach(walk);
            }
        };
        walk(grammar.repository);
        for (const p of all) for (const r of [p.match, p.begin, p.end]) if (r) expect(() => new RegExp(r), r).not.toThrow();
        const find = (repo: string, i = 0) => new RegExp(grammar.repository[repo].patterns[i].match);
        expect(find('instruments').exec('universe: binance:BTC/USDT, nyse:BRK.B')![0]).toBe('binance:BTC/USDT');
        expect(find('instruments').test('tags: trend')).toBe(false);
        expect(find('declarations').exec('strategy SmaCross {')!.slice(1)).toEqual(['strategy', 'SmaCross']);
        expect(find('numbers').exec('timeframe: 15m')![0]).toBe('15m');
        expect(find('numbers', 1).exec('target 100% long')![0]).toBe('100%');
        expect(find('setting-keys').exec('    stop_loss: 3 * atr(14)')![1]).toBe('stop_loss');
        expect(find('setting-keys').test('  universe: sp:SPX')).toBe(false);
        expect(find('calls').exec('sma(close, fast)')![1]).toBe('sma');
    });

    it('the language configuration has comments, brackets, auto-closing and indentation', () => {
        const c = JSON.parse(readFileSync(join(root, contributes.languages[0].configuration), 'utf8'));
        expect(c.comments).toEqual({ lineComment: '//', blockComment: ['/*', '*/'] });
        expect(c.brackets).toEqual([['{', '}'], ['[', ']'], ['(', ')']]);
        expect(c.autoClosingPairs.map((p: { open: string }) => p.open)).toEqual(expect.arrayContaining(['{', '(', '[', '"']));
        const inc = new RegExp(c.indentationRules.increaseIndentPattern), dec = new RegExp(c.indentationRules.decreaseIndentPattern);
        expect(inc.test('strategy A {')).toBe(true);
        expect(inc.test('  rules {')).toBe(true);
        expect(inc.test('  universe: sp:SPX')).toBe(false);
        expect(dec.test('  }')).toBe(true);
        expect(new RegExp(c.onEnterRules[0].beforeText).test('  /// docs')).toBe(true);
        expect(new RegExp(c.wordPattern).exec('binance:BTC/USDT')![0]).toBe('binance:BTC/USDT');
    });
});

describe('snippets', () => {
    const snippets: Record<string, { prefix: string; body: string[]; description: string }> = JSON.parse(readFileSync(join(root, contributes.snippets[0].path), 'utf8'));
    /** The text a snippet inserts when every placeholder keeps its default (first choice). */
    const expand = (body: string[]): string => body.join('\n')
        .replace(/\$\{\d+\|([^,|]*)[^|]*\|\}/g, '$1')
        .replace(/\$\{\d+:([^}]*)\}/g, '$1')
        .replace(/\$\d+/g, '');
    const services = createAlphaForgeServices(EmptyFileSystem).AlphaForge;
    const errors = async (text: string): Promise<string[]> => (await loadString(services, text)).diagnostics.filter(d => d.severity === 1).map(d => `${d.range.start.line + 1}: ${d.message}`);

    it('cover the strategy skeleton and its parts', () => {
        const prefixes = Object.values(snippets).map(s => s.prefix);
        for (const p of ['strategy', 'param', 'feature', 'signal', 'rules', 'risk', 'execution']) expect(prefixes).toContain(p);
        for (const s of Object.values(snippets)) expect(s.description).toBeTruthy();
    });

    it('the strategy skeleton expands to a strategy that checks clean', async () => {
        expect(await errors(expand(snippets['Strategy']!.body))).toEqual([]);
    });

    it('each member snippet is valid inside a strategy', async () => {
        const member = (name: string): string => expand(snippets[name]!.body);
        const text = [
            'strategy Snippets {',
            '  universe: binance:BTC/USDT',
            '  timeframe: 1h',
            `  ${member('Parameter (int)')}`,
            `  ${member('Parameter (float)')}`,
            '  param fast: int = 10 in 5..20 step 5',
            '  param slow: int = 50 in 30..100 step 10',
            `  ${member('Constraint')}`,
            `  ${member('Feature')}`,
            '  signal enter = close > sma(close, length)',
            '  signal leave = close < sma(close, length)',
            `  ${member('Signal').replace('enter', 'cross')}`,
            member('Rules'),
            member('Risk'),
            member('Execution'),
            '}',
        ].join('\n');
        expect(await errors(text)).toEqual([]);
        expect(await errors(`${member('Function')}\n`)).toEqual([]);
    });
});
