/**
 * The HTML page of a panel, as the VS Code webview-sample builds it: `default-src 'none'`,
 * styles and images only from the webview's own origin (`cspSource`), scripts only with a fresh
 * nonce, no inline handlers. The panel's messages may be embedded (`initialState`, replayed by
 * the page before anything arrives from the host), which is how the standalone report works.
 *
 * Used by the extension (with `asWebviewUri` URIs), the standalone HTML report (script and style
 * inlined) and the tests (served over http). Pure: no DOM, no Node APIs.
 */

export interface PanelHtmlOptions {
    readonly title: string;
    /** The panel's bundle (webviews/dist/<panel>.js) as the page can load it; or `script` inline. */
    readonly scriptUri?: string;
    readonly script?: string;
    /** The panel's stylesheet (webviews/dist/<panel>.css); or `style` inline. */
    readonly styleUri?: string;
    readonly style?: string;
    /** Fresh per page: 128 random bits, base64 (`makeNonce()`). */
    readonly nonce: string;
    /** The webview's `cspSource` (origin of styleUri/scriptUri); '' for a self-contained page. */
    readonly cspSource: string;
    /** Messages (host → webview) the page replays at start: one or an array. */
    readonly initialState?: unknown;
    readonly lang?: string;
}

/** The id of the `<script type="application/json">` holding `initialState`. */
export const INITIAL_STATE_ID = 'af-initial-state';

export function escapeHtml(s: string): string {
    return s.replace(/[&<>"']/g, c => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** JSON that is safe inside a `<script>` element (no `</script>`, no `<!--`, no JS line separators). */
export function scriptJson(v: unknown): string {
    return JSON.stringify(v ?? null)
        .replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026')
        .replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/** Script text that cannot close its `<script>` element early. */
function inlineScript(js: string): string {
    return js.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');
}

function inlineStyle(css: string): string {
    return css.replace(/<\/(style)/gi, '<\\/$1');
}

/** A fresh nonce: 128 random bits, base64 (Web Crypto, present in Node ≥ 19 and browsers). */
export function makeNonce(): string {
    const bytes = new Uint8Array(16);
    globalThis.crypto.getRandomValues(bytes);
    return btoa(String.fromCharCode(...bytes));
}

const NONCE_RE = /^[A-Za-z0-9+/=_-]{16,}$/;

/**
 * Whether `cspSource` is a list of sources that cannot widen the policy beyond them: hosts or
 * schemes, and the keyword 'self' (VS Code gives `'self' https://*.vscode-cdn.net`), but no `;`
 * (another directive), no other quoted keyword ('unsafe-inline', a nonce) and no quotes.
 */
export function validCspSource(cspSource: string): boolean {
    const t = cspSource.trim();
    return t === '' || t.split(/\s+/).every(s => s === "'self'" || /^[^;,'"]+$/.test(s));
}

export function contentSecurityPolicy(nonce: string, cspSource: string): string {
    const src = cspSource.trim() ? `${cspSource.trim()} ` : '';
    return `default-src 'none'; img-src ${src}data:; style-src ${src}'nonce-${nonce}'; script-src 'nonce-${nonce}'`;
}

export function panelHtml(o: PanelHtmlOptions): string {
    if (!NONCE_RE.test(o.nonce)) throw new Error('panelHtml: the nonce must be at least 16 base64 characters');
    if (!validCspSource(o.cspSource)) throw new Error(`panelHtml: bad cspSource '${o.cspSource}'`);
    if ((o.scriptUri === undefined) === (o.script === undefined)) throw new Error('panelHtml: give exactly one of scriptUri and script');
    const n = escapeHtml(o.nonce);
    const style = o.style !== undefined
        ? `<style nonce="${n}">${inlineStyle(o.style)}</style>`
        : o.styleUri !== undefined ? `<link rel="stylesheet" href="${escapeHtml(o.styleUri)}">` : '';
    const script = o.script !== undefined
        ? `<script nonce="${n}">${inlineScript(o.script)}</script>`
        : `<script nonce="${n}" src="${escapeHtml(o.scriptUri!)}"></script>`;
    const state = o.initialState === undefined ? '' : `<script nonce="${n}" type="application/json" id="${INITIAL_STATE_ID}">${scriptJson(o.initialState)}</script>\n`;
    return `<!doctype html>
<html lang="${escapeHtml(o.lang ?? 'en')}">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(contentSecurityPolicy(o.nonce, o.cspSource))}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(o.title)}</title>
${style}
</head>
<body>
<main id="app"></main>
${state}${script}
</body>
</html>
`;
}
