/**
 * A few DOM helpers. Text always goes in as text (never innerHTML) and no element gets a `style`
 * attribute or an inline handler: the panels' Content-Security-Policy forbids both.
 */

type Attrs = Record<string, string | number | boolean | undefined | null>;
type Child = Node | string | number | null | undefined | false;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
    const el = document.createElement(tag);
    setAttrs(el, attrs);
    append(el, children);
    return el;
}

const SVG_NS = 'http://www.w3.org/2000/svg';

export function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): SVGElementTagNameMap[K] {
    const el = document.createElementNS(SVG_NS, tag);
    setAttrs(el, attrs);
    append(el, children);
    return el;
}

function setAttrs(el: Element, attrs: Attrs): void {
    for (const [k, v] of Object.entries(attrs)) {
        if (v === undefined || v === null || v === false) continue;
        if (k === 'style' || k.startsWith('on')) throw new Error(`dom: '${k}' attributes are not allowed under the panels' CSP`);
        el.setAttribute(k, v === true ? '' : String(v));
    }
}

function append(el: Element, children: readonly Child[]): void {
    for (const c of children) {
        if (c === null || c === undefined || c === false) continue;
        el.append(typeof c === 'number' ? String(c) : c);
    }
}

export function clear(el: Element): void {
    while (el.firstChild) el.removeChild(el.firstChild);
}

/** The app root of the page (html.ts puts `<main id="app">` in every panel). */
export function appRoot(): HTMLElement {
    const el = document.getElementById('app');
    if (!el) throw new Error('panel: no #app element');
    return el;
}
