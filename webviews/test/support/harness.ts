/**
 * Loads the built panel bundles in headless Chromium (Debian's /usr/bin/chromium, driven by
 * playwright-core) the way VS Code hosts them: the page from `panelHtml` with its real CSP,
 * the bundle and stylesheet served over http from 127.0.0.1, `acquireVsCodeApi()` provided
 * (it records what the panel posts, and keeps its `setState` as VS Code would, optionally
 * starting from a saved state, as in a page re-created after a window reload), host messages delivered as window `message` events, the
 * theme given as VS Code gives it (body class + `--vscode-*` variables on <html>). CSP
 * violations, page errors and console errors are collected so tests can assert there are none.
 *
 * Cheap enough for CI: a test file launches one browser and its panels reuse one tab (each panel
 * a fresh document: navigated to, then away to about:blank when closed); the bundles are built
 * once per content of their inputs (a cache keyed by what esbuild read); screenshots are only
 * written when AF_SCREENSHOTS=1.
 */
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { build } from 'esbuild';
import { chromium, type Browser, type BrowserContext, type ConsoleMessage, type Page, type Request } from 'playwright-core';
import { makeNonce, panelHtml } from '../../../protocol/src/webview-page.js';
import { ROOT } from './fixtures.js';

export const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
export const SCREENSHOTS = join(ROOT, 'webviews', 'test', 'screenshots');

/**
 * Whether to run the browser tests: always in CI (a missing Chromium fails there, loudly);
 * elsewhere only when Chromium is installed (`apt-get install -y chromium`).
 */
export function browserTestsEnabled(): boolean {
    if (existsSync(CHROMIUM)) return true;
    if (process.env['CI']) throw new Error(`${CHROMIUM} is missing: .ci/run installs it with apt-get install -y chromium`);
    console.warn(`webview tests skipped: no Chromium at ${CHROMIUM} (apt-get install -y chromium, or set CHROMIUM_PATH)`);
    return false;
}

/**
 * The bundles as webviews/build.mjs builds them (its esbuild options), in a fresh directory of the
 * caller's (each test file its own, removed with removeDir). Built once per content of the inputs:
 * a build records every file esbuild read (its metafile) and the bytes of each; a later call whose
 * inputs, build script and package-lock.json are byte for byte the same copies that build instead
 * of bundling again (~1 s of esbuild per test file otherwise).
 */
export async function buildBundles(): Promise<string> {
    const out = mkdtempSync(join(tmpdir(), 'af-webviews-'));
    const cacheRoot = join(tmpdir(), 'af-webviews-cache', sha256(ROOT).slice(0, 16));
    const hit = cachedBuild(cacheRoot);
    if (hit) {
        cpSync(hit, out, { recursive: true });
        rmSync(join(out, INPUTS), { force: true });
        return out;
    }
    // @ts-expect-error -- a plain .mjs script without types
    const { options } = await import('../../build.mjs') as { options(outdir: string): object };
    const r = await build({ ...(options(out) as Parameters<typeof build>[0]), absWorkingDir: ROOT, metafile: true });
    storeBuild(cacheRoot, out, Object.keys(r.metafile!.inputs));
    return out;
}

const INPUTS = 'inputs.json';
const sha256 = (x: string | Buffer): string => createHash('sha256').update(x).digest('hex');

/** What besides the bundled files decides the output: the build script (options) and the installed packages. */
const BUILD_FILES = [join('webviews', 'build.mjs'), 'package-lock.json'];

/** The key of a set of inputs (paths relative to the repository) as they are on disk now; undefined if one is gone. */
function inputsKey(inputs: readonly string[]): string | undefined {
    const h = createHash('sha256');
    for (const f of [...BUILD_FILES, ...inputs]) {
        const abs = resolve(ROOT, f);
        if (!existsSync(abs)) return undefined;
        h.update(f).update('\0').update(sha256(readFileSync(abs))).update('\0');
    }
    return h.digest('hex');
}

/** The cached build whose inputs are exactly what is on disk now, if any. */
function cachedBuild(cacheRoot: string): string | undefined {
    let inputs: string[];
    try {
        inputs = JSON.parse(readFileSync(join(cacheRoot, INPUTS), 'utf8')) as string[];
    } catch {
        return undefined;
    }
    const key = inputsKey(inputs);
    const dir = key && join(cacheRoot, key);
    return dir && existsSync(join(dir, INPUTS)) ? dir : undefined;
}

/** Keeps a build under the key of the inputs esbuild read (written aside, then renamed into place: files run in parallel). */
function storeBuild(cacheRoot: string, built: string, esbuildInputs: readonly string[]): void {
    const inputs = [...esbuildInputs].sort(); // relative to ROOT (esbuild's working directory)
    const key = inputsKey(inputs);
    if (!key) return;
    try {
        mkdirSync(cacheRoot, { recursive: true });
        const dir = join(cacheRoot, key);
        if (!existsSync(dir)) {
            const tmp = mkdtempSync(join(cacheRoot, 'tmp-'));
            cpSync(built, tmp, { recursive: true });
            writeFileSync(join(tmp, INPUTS), JSON.stringify(inputs));
            try {
                renameSync(tmp, dir);
            } catch {
                rmSync(tmp, { recursive: true, force: true }); // another file stored the same build first
            }
        }
        const index = join(cacheRoot, `${INPUTS}.${process.pid}`);
        writeFileSync(index, JSON.stringify(inputs));
        renameSync(index, join(cacheRoot, INPUTS));
        // Builds of older sources: gone after an hour.
        for (const d of readdirSync(cacheRoot)) {
            const p = join(cacheRoot, d);
            if (d !== key && d !== INPUTS && Date.now() - statSync(p).mtimeMs > 3_600_000) rmSync(p, { recursive: true, force: true });
        }
    } catch (e) {
        console.warn(`webview bundle cache: ${(e as Error).message}`); // only a later file builds again
    }
}

export interface Served {
    readonly origin: string;
    /** Registers a page; returns its URL. */
    page(name: string, html: string): string;
    close(): Promise<void>;
}

const TYPES: Record<string, string> = { '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8', '.html': 'text/html; charset=utf-8' };

export async function serve(dist: string): Promise<Served> {
    const pages = new Map<string, string>();
    const server: Server = createServer((req, res) => {
        const path = new URL(req.url ?? '/', 'http://x').pathname;
        if (path === '/favicon.ico') {
            res.writeHead(204).end();
            return;
        }
        let body: string | undefined, type = TYPES['.html']!;
        if (path.startsWith('/dist/')) {
            const file = join(dist, basename(path));
            if (existsSync(file)) {
                body = readFileSync(file, 'utf8');
                type = TYPES[file.slice(file.lastIndexOf('.'))] ?? 'application/octet-stream';
            }
        } else {
            body = pages.get(path);
        }
        if (body === undefined) {
            res.writeHead(404).end();
            return;
        }
        res.writeHead(200, { 'content-type': type, 'cache-control': 'no-store' }).end(body);
    });
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
    const addr = server.address();
    if (!addr || typeof addr === 'string') throw new Error('no address');
    const origin = `http://127.0.0.1:${addr.port}`;
    return {
        origin,
        page(name, html) {
            pages.set(`/${name}.html`, html);
            return `${origin}/${name}.html`;
        },
        close: () => new Promise<void>(resolve => server.close(() => resolve())),
    };
}

export async function launch(): Promise<Browser> {
    return chromium.launch({
        executablePath: CHROMIUM,
        headless: true,
        args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-gpu', '--font-render-hinting=none'],
    });
}

export type Theme = 'light' | 'dark' | 'high-contrast';

/** A subset of VS Code's colour theme variables (Light Modern, Dark Modern, High Contrast), as VS Code sets them on <html>. */
const VSCODE_THEMES: Record<Theme, { bodyClass: string; scheme: 'light' | 'dark'; vars: Record<string, string> }> = {
    light: {
        bodyClass: 'vscode-light', scheme: 'light',
        vars: {
            'editor-background': '#ffffff', 'editor-foreground': '#3b3b3b', foreground: '#3b3b3b', descriptionForeground: '#717171',
            'panel-border': '#e5e5e5', 'editorWidget-background': '#f8f8f8', 'textLink-foreground': '#005fb8', 'textLink-activeForeground': '#005fb8',
            focusBorder: '#005fb8', 'button-background': '#005fb8', 'button-foreground': '#ffffff', 'button-hoverBackground': '#0258a8',
            'button-secondaryBackground': '#e5e5e5', 'button-secondaryForeground': '#3b3b3b', 'button-secondaryHoverBackground': '#cccccc',
            'input-background': '#ffffff', 'input-foreground': '#3b3b3b', 'input-border': '#cecece', 'input-placeholderForeground': '#767676',
            errorForeground: '#f85149', 'inputValidation-errorBackground': '#f2dede', 'inputValidation-errorBorder': '#be1100',
            'list-hoverBackground': '#f2f2f2', 'list-activeSelectionBackground': '#e8e8e8', 'list-activeSelectionForeground': '#000000',
            'editor-findMatchHighlightBackground': '#ea5c0055', 'charts-green': '#388a34', 'charts-red': '#e51400', 'charts-blue': '#1a85ff',
            'charts-orange': '#d18616', 'charts-purple': '#652d90', 'charts-yellow': '#bf8803', 'editorRuler-foreground': '#d3d3d3',
            'progressBar-background': '#005fb8', 'sideBar-background': '#f8f8f8', 'badge-background': '#cccccc', 'badge-foreground': '#3b3b3b',
            'font-family': 'system-ui, "Ubuntu", "Droid Sans", sans-serif', 'font-size': '13px', 'editor-font-family': '"Droid Sans Mono", monospace',
        },
    },
    dark: {
        bodyClass: 'vscode-dark', scheme: 'dark',
        vars: {
            'editor-background': '#1f1f1f', 'editor-foreground': '#cccccc', foreground: '#cccccc', descriptionForeground: '#9d9d9d',
            'panel-border': '#2b2b2b', 'editorWidget-background': '#202020', 'textLink-foreground': '#4daafc', 'textLink-activeForeground': '#4daafc',
            focusBorder: '#0078d4', 'button-background': '#0078d4', 'button-foreground': '#ffffff', 'button-hoverBackground': '#026ec1',
            'button-secondaryBackground': '#313131', 'button-secondaryForeground': '#cccccc', 'button-secondaryHoverBackground': '#3c3c3c',
            'input-background': '#313131', 'input-foreground': '#cccccc', 'input-border': '#3c3c3c', 'input-placeholderForeground': '#989898',
            errorForeground: '#f85149', 'inputValidation-errorBackground': '#5a1d1d', 'inputValidation-errorBorder': '#be1100',
            'list-hoverBackground': '#2a2d2e', 'list-activeSelectionBackground': '#04395e', 'list-activeSelectionForeground': '#ffffff',
            'editor-findMatchHighlightBackground': '#ea5c0055', 'charts-green': '#89d185', 'charts-red': '#f14c4c', 'charts-blue': '#3794ff',
            'charts-orange': '#d18616', 'charts-purple': '#b180d7', 'charts-yellow': '#cca700', 'editorRuler-foreground': '#5a5a5a',
            'progressBar-background': '#0078d4', 'sideBar-background': '#181818', 'badge-background': '#616161', 'badge-foreground': '#f8f8f8',
            'font-family': 'system-ui, "Ubuntu", "Droid Sans", sans-serif', 'font-size': '13px', 'editor-font-family': '"Droid Sans Mono", monospace',
        },
    },
    'high-contrast': {
        bodyClass: 'vscode-high-contrast', scheme: 'dark',
        vars: {
            'editor-background': '#000000', 'editor-foreground': '#ffffff', foreground: '#ffffff', descriptionForeground: '#ffffff',
            'panel-border': '#6fc3df', contrastBorder: '#6fc3df', contrastActiveBorder: '#f38518', 'editorWidget-background': '#0c141f',
            'textLink-foreground': '#21a6ff', 'textLink-activeForeground': '#21a6ff', focusBorder: '#f38518',
            'button-background': '#000000', 'button-foreground': '#ffffff', 'button-border': '#6fc3df', 'button-secondaryBackground': '#000000',
            'button-secondaryForeground': '#ffffff', 'input-background': '#000000', 'input-foreground': '#ffffff', 'input-border': '#6fc3df',
            'input-placeholderForeground': '#ffffffb3', errorForeground: '#f48771', 'inputValidation-errorBackground': '#000000',
            'inputValidation-errorBorder': '#f48771', 'editor-findMatchHighlightBorder': '#f38518', 'charts-green': '#89d185', 'charts-red': '#f14c4c',
            'charts-blue': '#3794ff', 'charts-orange': '#d18616', 'charts-purple': '#b180d7', 'charts-yellow': '#cca700',
            'editorRuler-foreground': '#ffffff', 'progressBar-background': '#6fc3df', 'sideBar-background': '#000000',
            'badge-background': '#000000', 'badge-foreground': '#ffffff',
            'font-family': 'system-ui, "Ubuntu", "Droid Sans", sans-serif', 'font-size': '13px', 'editor-font-family': '"Droid Sans Mono", monospace',
        },
    },
};

export interface PanelPage {
    readonly page: Page;
    /** What the panel posted to the host (through acquireVsCodeApi().postMessage), in order. */
    readonly posted: { type: string; [k: string]: unknown }[];
    /** CSP violations, page errors and console errors/warnings. */
    readonly problems: string[];
    /**
     * The first message posted from `from` (an index into `posted`, default 0) on that `match`es,
     * waiting for it: posts reach the test through an async binding, after the click or key press.
     */
    waitForPost(match: (m: { type: string; [k: string]: unknown }) => boolean, from?: number, timeoutMs?: number): Promise<{ type: string; [k: string]: unknown }>;
    /** Delivers a host → webview message. */
    send(message: unknown): Promise<void>;
    /** What the page last gave `setState` (what VS Code would keep across a reload), as JSON. */
    savedState(): Promise<unknown>;
    /** Switches the theme the way VS Code does (body class and variables). */
    setTheme(theme: Theme): Promise<void>;
    close(): Promise<void>;
}

export interface OpenOptions {
    readonly panel: 'report' | 'dag' | 'experiments' | 'monitor';
    readonly theme?: Theme;
    /** false: no acquireVsCodeApi (the standalone report). */
    readonly vscode?: boolean;
    readonly initialState?: unknown;
    /** What `getState()` returns at first: the state VS Code gives a page it re-creates. */
    readonly savedState?: unknown;
    readonly width?: number;
    readonly height?: number;
    /** Plays the host: called with each message the panel posts. */
    readonly onPost?: (message: { type: string; [k: string]: unknown }, panel: PanelPage) => void | Promise<void>;
}

let pageCount = 0;

interface Owner {
    readonly posted: PanelPage['posted'];
    readonly problems: string[];
    readonly onPost?: OpenOptions['onPost'];
    panel?: PanelPage;
}

/**
 * A tab kept for the next panel of the file: its bindings and listeners are the page's for its
 * life and report to whichever panel has the tab now (none between panels).
 */
interface Tab {
    readonly page: Page;
    owner?: Owner;
}

/** Per browser: one context, and the tabs no panel has at the moment. */
const tabs = new WeakMap<Browser, { context: Promise<BrowserContext>; idle: Tab[] }>();

async function takeTab(browser: Browser): Promise<Tab> {
    let b = tabs.get(browser);
    if (!b) {
        b = { context: browser.newContext({ viewport: { width: 1200, height: 900 }, deviceScaleFactor: 1 }), idle: [] };
        tabs.set(browser, b);
    }
    const idle = b.idle.pop();
    if (idle) return idle;
    const page = await (await b.context).newPage();
    const tab: Tab = { page };
    const problem = (p: string): void => { tab.owner?.problems.push(p); };
    await page.exposeBinding('__afPosted', async (_src, m: { type: string }) => {
        const o = tab.owner;
        if (!o) return;
        o.posted.push(m);
        if (o.onPost && o.panel) {
            try {
                await o.onPost(m, o.panel);
            } catch (e) {
                o.problems.push(`host failed on '${m.type}': ${String(e)}`);
            }
        }
    });
    await page.exposeBinding('__afProblem', (_src, p: string) => problem(p));
    page.on('pageerror', (e: Error) => problem(`page error: ${e.message}`));
    page.on('console', (m: ConsoleMessage) => {
        if (m.type() === 'error' || m.type() === 'warning') problem(`console ${m.type()}: ${m.text()}`);
    });
    page.on('requestfailed', (r: Request) => problem(`request failed: ${r.url()}`));
    return tab;
}

/** Gives the tab back: away from the panel's document (nothing of it runs or reports any more), the pointer off its last spot. */
async function releaseTab(browser: Browser, tab: Tab): Promise<void> {
    tab.owner = undefined;
    try {
        await tab.page.goto('about:blank');
        await tab.page.mouse.move(0, 0);
    } catch {
        await tab.page.close().catch(() => undefined); // not reused
        return;
    }
    tabs.get(browser)?.idle.push(tab);
}

/**
 * Opens a panel in a fresh document of a reused tab (a new context per panel costs a renderer
 * process: ~1 s of Chromium CPU each): nothing of a document outlives its navigation but storage,
 * which the panels do not use (VS Code gives them none; their state is `setState`, per document here).
 */
export async function openPanel(browser: Browser, served: Served, o: OpenOptions): Promise<PanelPage> {
    const theme = o.theme ?? 'light';
    const t = VSCODE_THEMES[theme];
    const tab = await takeTab(browser);
    const { page } = tab;
    await page.setViewportSize({ width: o.width ?? 1200, height: o.height ?? 900 });
    await page.emulateMedia({ colorScheme: t.scheme });
    const posted: PanelPage['posted'] = [];
    const problems: string[] = [];
    const owner: Owner = { posted, problems, ...(o.onPost ? { onPost: o.onPost } : {}) };
    const mine = (): void => {
        if (tab.owner !== owner) throw new Error('the panel is closed');
    };
    const init = await page.addInitScript(({ vscode, vars, bodyClass, savedState }) => {
        document.addEventListener('securitypolicyviolation', e => {
            const w = window as unknown as { __afProblem(p: string): void };
            w.__afProblem(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || '(inline)'} at ${e.sourceFile}:${e.lineNumber}`);
        });
        if (vscode) {
            const w = window as unknown as { __afPosted(m: unknown): void; acquireVsCodeApi?: () => unknown; __afSavedState?: string };
            // Kept as JSON, as VS Code keeps it (what does not survive JSON is lost on a reload).
            w.__afSavedState = savedState === undefined ? undefined : JSON.stringify(savedState);
            let acquired = false;
            w.acquireVsCodeApi = () => {
                if (acquired) throw new Error('acquireVsCodeApi called twice');
                acquired = true;
                return {
                    postMessage: (m: unknown) => w.__afPosted(JSON.parse(JSON.stringify(m))),
                    getState: () => (w.__afSavedState === undefined ? undefined : JSON.parse(w.__afSavedState)),
                    setState: (s: unknown) => { w.__afSavedState = JSON.stringify(s); },
                };
            };
        }
        if (vars) {
            // Init scripts run before the parser has made <html> and <body>: mark them as they appear.
            const mark = (): boolean => {
                const html = document.documentElement;
                if (!html) return false;
                if (!html.style.getPropertyValue('--vscode-font-size')) for (const [k, v] of Object.entries(vars)) html.style.setProperty(`--vscode-${k}`, v);
                if (!document.body) return false;
                document.body.classList.add(bodyClass);
                return true;
            };
            if (!mark()) {
                const mo = new MutationObserver(() => { if (mark()) mo.disconnect(); });
                mo.observe(document, { childList: true, subtree: true });
            }
        }
    }, { vscode: o.vscode !== false, vars: o.vscode === false ? null : t.vars, bodyClass: t.bodyClass, savedState: o.savedState });

    const nonce = makeNonce();
    const html = panelHtml({
        title: `AlphaForge ${o.panel}`,
        scriptUri: `${served.origin}/dist/${o.panel}.js`,
        styleUri: `${served.origin}/dist/${o.panel}.css`,
        nonce, cspSource: served.origin, initialState: o.initialState,
    });
    const url = served.page(`${o.panel}-${++pageCount}`, html);
    const self: PanelPage = {
        page, posted, problems,
        waitForPost: async (match, from = 0, timeoutMs = 5000) => {
            const end = Date.now() + timeoutMs;
            for (;;) {
                const hit = posted.slice(from).find(match);
                if (hit) return hit;
                if (Date.now() > end) throw new Error(`no matching message posted within ${timeoutMs} ms (posted: ${posted.slice(from).map(m => m.type).join(', ') || 'nothing'})`);
                await new Promise(r => setTimeout(r, 20));
            }
        },
        send: async m => {
            mine(); // a host answer still on its way when the test closed the panel goes nowhere
            await page.evaluate(msg => window.postMessage(msg, '*'), m);
        },
        savedState: async () => {
            const json = await page.evaluate(() => (window as unknown as { __afSavedState?: string }).__afSavedState);
            return json === undefined ? undefined : JSON.parse(json) as unknown;
        },
        setTheme: async th => {
            const x = VSCODE_THEMES[th];
            await page.emulateMedia({ colorScheme: x.scheme });
            await page.evaluate(({ vars, bodyClass }) => {
                document.body.classList.remove('vscode-light', 'vscode-dark', 'vscode-high-contrast', 'vscode-high-contrast-light');
                document.body.classList.add(bodyClass);
                const style = document.documentElement.style;
                for (const name of [...Array.from({ length: style.length }, (_, i) => style.item(i))]) if (name.startsWith('--vscode-')) style.removeProperty(name);
                for (const [k, v] of Object.entries(vars)) style.setProperty(`--vscode-${k}`, v);
            }, { vars: x.vars, bodyClass: x.bodyClass });
        },
        close: async () => {
            if (tab.owner !== owner) return;
            tab.owner = undefined;
            await init.dispose().catch(() => undefined);
            await releaseTab(browser, tab);
        },
    };
    owner.panel = self;
    tab.owner = owner;
    await page.goto(url, { waitUntil: 'load' });
    return self;
}

/** Whether screenshot() writes: AF_SCREENSHOTS=1 (a full-page PNG is ~0.5 s of Chromium CPU: not spent in CI, where nobody looks at them). */
export const SCREENSHOTS_WANTED = process.env['AF_SCREENSHOTS'] === '1';

/** A full-page screenshot into webviews/test/screenshots/<name>.png when AF_SCREENSHOTS=1; returns the file (written or not). */
export async function screenshot(p: PanelPage, name: string): Promise<string> {
    const file = join(SCREENSHOTS, `${name}.png`);
    if (!SCREENSHOTS_WANTED) return file;
    mkdirSync(SCREENSHOTS, { recursive: true });
    await p.page.screenshot({ path: file, fullPage: true });
    return file;
}

export function removeDir(dir: string): void {
    rmSync(dir, { recursive: true, force: true });
}
