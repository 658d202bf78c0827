/**
 * The self-contained HTML backtest report: the report webview panel (webviews/dist/report.js and
 * .css, which include uPlot) inlined into one file with the run's `run` message embedded, under
 * the panels' strict Content-Security-Policy (scripts and styles only with the page's nonce).
 * No network access: everything it needs is inside the file. The panel is built by
 * `npm run build` (node webviews/build.mjs).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeNonce, panelHtml } from '../../../protocol/src/webview-page.js';
import type { ReportRun } from '../../../protocol/src/webview.js';

const cache = new Map<string, { js: string; css: string }>();

/** webviews/dist, found from here whether this runs from runtime/src (tests) or out/runtime/src (built). */
function distDir(): string {
    let dir = dirname(fileURLToPath(import.meta.url));
    for (let i = 0; i < 6; i++) {
        const d = join(dir, 'webviews', 'dist');
        if (existsSync(join(d, 'report.js'))) return d;
        dir = dirname(dir);
    }
    throw new Error('The report panel is not built (webviews/dist/report.js is missing): run `npm run build` or `node webviews/build.mjs`.');
}

function reportAssets(dir: string): { js: string; css: string } {
    let a = cache.get(dir);
    if (!a) {
        a = { js: readFileSync(join(dir, 'report.js'), 'utf8'), css: readFileSync(join(dir, 'report.css'), 'utf8') };
        cache.set(dir, a);
    }
    return a;
}

export interface RenderOptions {
    /** Where report.js and report.css are (default: the repository's webviews/dist). */
    readonly distDir?: string;
}

/** One HTML file showing the run (its `run` message: `reportMessage` of protocol/src/wire.ts, from a run result). */
export function renderReport(run: ReportRun, options: RenderOptions = {}): string {
    const { js, css } = reportAssets(options.distDir ?? distDir());
    return panelHtml({
        title: run.run.title ?? `${run.run.strategy} — backtest`,
        script: js, style: css, nonce: makeNonce(), cspSource: '', initialState: run,
    });
}
