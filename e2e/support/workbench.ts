/**
 * Driving the VS Code workbench (as code-server serves it) in headless Chromium: wait for it,
 * open a file with Quick Open, move the cursor, read squiggles, the Problems view, code lenses,
 * and find a webview's content frame (webviews are an iframe inside an iframe).
 */
/// <reference lib="dom" />
// (The callbacks of $$eval / evaluate run in Chromium.)
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Frame, type Page } from 'playwright-core';
import { CHROMIUM, SCREENSHOTS } from './processes.js';

export async function launchBrowser(): Promise<Browser> {
    return chromium.launch({
        executablePath: CHROMIUM,
        headless: true,
        args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-gpu', '--font-render-hinting=none'],
    });
}

/** Polls `f` until it returns something truthy; the error names what was awaited and the last failure. */
export async function until<T>(what: string, f: () => Promise<T | undefined | null | false> | T | undefined | null | false, timeoutMs = 60_000, everyMs = 250): Promise<T> {
    const end = Date.now() + timeoutMs;
    let last: unknown;
    for (;;) {
        try {
            const v = await f();
            if (v) return v;
        } catch (e) {
            last = e;
        }
        if (Date.now() > end) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}${last ? ` (last error: ${(last as Error).message?.split('\n')[0]})` : ''}`);
        await new Promise(r => setTimeout(r, everyMs));
    }
}

/** Runs a flaky UI step up to `attempts` times (with `between` run before each retry). */
export async function retry<T>(what: string, attempts: number, f: (attempt: number) => Promise<T>, between?: () => Promise<void>): Promise<T> {
    let last: unknown;
    for (let i = 1; i <= attempts; i++) {
        try {
            return await f(i);
        } catch (e) {
            last = e;
            if (i < attempts) {
                console.warn(`e2e: ${what}: attempt ${i} failed (${(e as Error).message.split('\n')[0]}); retrying`);
                await between?.().catch(() => undefined);
            }
        }
    }
    throw new Error(`${what} failed after ${attempts} attempts: ${(last as Error).message}`);
}

export async function screenshot(page: Page, name: string): Promise<string> {
    mkdirSync(SCREENSHOTS, { recursive: true });
    const file = join(SCREENSHOTS, `${name}.png`);
    await page.screenshot({ path: file, timeout: 15_000 }).catch(e => console.warn(`e2e: screenshot ${name}: ${(e as Error).message}`));
    return file;
}

export async function openWorkbench(page: Page, url: string, folder: string): Promise<void> {
    await retry('loading the workbench', 3, async () => {
        await page.goto(`${url}/?folder=${encodeURIComponent(folder)}`, { waitUntil: 'domcontentloaded', timeout: 60_000 });
        await page.waitForSelector('.monaco-workbench .part.editor', { timeout: 90_000 });
        await page.waitForSelector('.explorer-folders-view .monaco-list-row', { timeout: 60_000 });
    });
}

/** Runs a command through the command palette (F1), matched by its title. */
export async function runCommand(page: Page, title: string): Promise<void> {
    await retry(`command "${title}"`, 3, async () => {
        await page.keyboard.press('Escape');
        await page.keyboard.press('F1');
        const input = page.locator('.quick-input-widget input');
        await input.waitFor({ state: 'visible', timeout: 10_000 });
        await input.fill(`>${title}`);
        const row = page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first();
        await row.waitFor({ state: 'visible', timeout: 10_000 });
        await page.keyboard.press('Enter');
        await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: 10_000 });
    }, async () => { await page.keyboard.press('Escape'); });
}

/** Opens a file of the workspace with Quick Open (Ctrl+P) and waits for its editor to have focus. */
export async function openFile(page: Page, name: string): Promise<void> {
    await retry(`opening ${name}`, 3, async () => {
        await page.keyboard.press('Escape');
        await page.keyboard.press('Control+P');
        const input = page.locator('.quick-input-widget input');
        await input.waitFor({ state: 'visible', timeout: 10_000 });
        await input.fill(name);
        await page.locator('.quick-input-list .monaco-list-row', { hasText: name }).first().waitFor({ state: 'visible', timeout: 15_000 });
        await page.keyboard.press('Enter');
        await page.locator(`.tabs-container .tab.active[aria-label*="${name}"]`).waitFor({ timeout: 15_000 });
        await page.locator('.editor-instance .monaco-editor .view-lines').first().waitFor({ timeout: 15_000 });
    }, async () => { await page.keyboard.press('Escape'); });
}

/** Go to `line:column` (both 1-based) in the active editor, through Quick Open's `:` mode. */
export async function goTo(page: Page, line: number, column: number): Promise<void> {
    await retry(`go to ${line}:${column}`, 3, async () => {
        await page.keyboard.press('Escape');
        await page.keyboard.press('Control+P');
        const input = page.locator('.quick-input-widget input');
        await input.waitFor({ state: 'visible', timeout: 10_000 });
        await input.fill(`:${line}:${column}`);
        await page.locator('.quick-input-list .monaco-list-row', { hasText: `${line}` }).first().waitFor({ state: 'visible', timeout: 10_000 });
        await page.keyboard.press('Enter');
        await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: 10_000 });
        await until(`the cursor at ${line}:${column}`, async () => (await statusBarText(page)).includes(`Ln ${line}, Col ${column}`), 10_000);
    }, async () => { await page.keyboard.press('Escape'); });
}

export async function statusBarText(page: Page): Promise<string> {
    return page.$$eval('.statusbar .statusbar-item', items => items.map(i => (i as HTMLElement).innerText).join(' | '));
}

export async function squiggles(page: Page): Promise<number> {
    return page.locator('.editor-group-container.active .monaco-editor .squiggly-error').count();
}

/** The tab of `name` shows unsaved changes. */
export async function isDirty(page: Page, name: string): Promise<boolean> {
    return (await page.locator(`.tabs-container .tab.dirty[aria-label*="${name}"]`).count()) > 0;
}

/** The rows of the Problems view (opened with Ctrl+Shift+M) that its filter box lets through `filter`, as text. */
export async function problems(page: Page, filter: string): Promise<string[]> {
    const panel = page.locator('.markers-panel');
    if (!(await panel.isVisible().catch(() => false))) await page.keyboard.press('Control+Shift+M');
    await panel.waitFor({ state: 'visible', timeout: 10_000 });
    const box = page.locator('.viewpane-filter input:visible').first();
    if ((await box.inputValue()) !== filter) await box.fill(filter);
    return page.$$eval('.markers-panel .monaco-list-row', rows => rows.map(r => `${r.getAttribute('aria-label') ?? ''} ${(r as HTMLElement).innerText}`.replace(/\s+/g, ' ').trim()));
}

/** Hides the panel (Problems, Output, …) if it shows: Ctrl+J toggles it. */
export async function hidePanel(page: Page): Promise<void> {
    const panel = page.locator('.monaco-workbench .part.panel');
    if (!(await panel.isVisible().catch(() => false))) return;
    await retry('hiding the panel', 3, async () => {
        if (await panel.isVisible()) await page.keyboard.press('Control+J');
        await panel.waitFor({ state: 'hidden', timeout: 5_000 });
    });
}

export async function codeLenses(page: Page): Promise<string[]> {
    return page.$$eval('.editor-group-container .monaco-editor .codelens-decoration a', as => as.map(a => (a.textContent ?? '').trim()));
}

/** The content frame of a webview (an iframe in an iframe) that has `selector`. */
export async function webviewFrame(page: Page, selector: string): Promise<Frame | undefined> {
    for (const f of page.frames()) {
        if (f === page.mainFrame()) continue;
        if (await f.$(selector).catch(() => null)) return f;
    }
    return undefined;
}

/** The visible notifications' messages. */
export async function notifications(page: Page): Promise<string[]> {
    return page.$$eval('.notifications-toasts .notification-list-item, .notifications-center .notification-list-item', items => items.map(i => (i as HTMLElement).innerText.replace(/\s+/g, ' ').trim()));
}
