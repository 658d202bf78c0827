/**
 * The strategy DAG panel: the canonical DAG laid out by elkjs (layered, left to right) and drawn
 * as SVG. Each node is focusable; click, Enter or Space selects it, shows its details and asks
 * the host to reveal its source range; the arrow keys walk the graph (← an input, → a user,
 * ↑/↓ the previous/next node). A new `dag` message (the file changed) redraws in place, keeping
 * the selection when the same node is still there; `compileErrors` keeps the last graph and
 * says why it is stale. The graph is not kept in the page's saved state: when VS Code re-creates
 * the page, the extension sends it again. A `dagDiff` message compares two versions: side by
 * side or overlaid (a toolbar button switches), added, removed and changed nodes coloured
 * (compare.ts), the diff in words in the details pane.
 */
import '../common/jitless.js';
import './dag.css';
import ELK from 'elkjs/lib/elk.bundled.js';
import type { ElkExtendedEdge, ElkNode } from 'elkjs/lib/elk-api.js';
import { connect, type Delivered, type Host } from '../common/host.js';
import { appRoot, clear, h, svg } from '../common/dom.js';
import { DagToHost, DagToWebview, type DagDiffMessage, type DagMessage } from '../../../protocol/src/webview.js';
import { viewGraph, type ViewGraph, type ViewNode } from './model.js';
import { overlay, sideBySide } from './compare.js';

const elk = new ELK();
const LAYOUT = {
    'elk.algorithm': 'layered',
    'elk.direction': 'RIGHT',
    'elk.edgeRouting': 'ORTHOGONAL',
    'elk.layered.spacing.nodeNodeBetweenLayers': '48',
    'elk.spacing.nodeNode': '18',
    'elk.spacing.edgeLabel': '2',
    'elk.edgeLabels.inline': 'true',
    'elk.layered.nodePlacement.strategy': 'BRANDES_KOEPF',
    'elk.padding': '[top=12,left=12,bottom=12,right=12]',
};
const PAD_X = 10, LINE = 15, LABEL_FONT = 12, META_FONT = 10.5;
/** The least zoom fitting picks: 12 px labels at 9 px. */
const MIN_FIT = 0.75;

let measureCtx: CanvasRenderingContext2D | null | undefined;
function textWidth(text: string, size: number): number {
    measureCtx ??= document.createElement('canvas').getContext('2d');
    if (!measureCtx) return text.length * size * 0.6;
    measureCtx.font = `${size}px ${getComputedStyle(document.body).fontFamily || 'sans-serif'}`;
    return measureCtx.measureText(text).width;
}

function lines(n: ViewNode): { text: string; cls: string; size: number }[] {
    const out = [{ text: n.label, cls: 'label', size: LABEL_FONT }, { text: n.meta, cls: 'meta', size: META_FONT }];
    if (n.names.length) out.push({ text: `«${n.names.join(', ')}»`, cls: 'names', size: META_FONT });
    for (const x of n.extra ?? []) out.push({ text: x, cls: 'setting', size: META_FONT });
    return out;
}

/** Identifies "the same node" across edits, when ids have shifted. */
const identity = (n: ViewNode): string => `${n.kind}|${n.label}|${n.meta}|${n.names.join(',')}`;

class DagView {
    private readonly title = h('h1', {}, 'Strategy DAG');
    private readonly summary = h('div', { class: 'muted', id: 'dag-summary', role: 'status', 'aria-live': 'polite' }, 'Waiting for the strategy…');
    private readonly errors = h('div', { class: 'error-box hidden', id: 'dag-errors', role: 'alert' });
    private readonly canvas = h('div', { class: 'dag-canvas' });
    private readonly details = h('aside', { class: 'dag-details', id: 'dag-details', 'aria-label': 'Selected node' });
    private graph: ViewGraph | undefined;
    private message: DagMessage | undefined;
    /** The comparison shown (undefined: one strategy) and how it is laid out. */
    private comparison: DagDiffMessage | undefined;
    private layoutMode: 'side-by-side' | 'overlay' = 'side-by-side';
    private readonly layoutButton = h('button', { class: 'secondary hidden', id: 'dag-layout', title: 'Side by side or one over the other' }, 'Overlay');
    private svgs: { el: SVGSVGElement; w: number; h: number }[] = [];
    private size = { w: 0, h: 0 };
    private zoom = 1;
    /** The user zoomed (buttons, keys): resizing the panel no longer re-fits. */
    private userZoomed = false;
    private selected: string | undefined;
    private seq = 0;
    private readonly nodeEls = new Map<string, SVGGElement>();
    private readonly inputsOf = new Map<string, string[]>();
    private readonly usersOf = new Map<string, string[]>();

    constructor(root: HTMLElement, private readonly host: Host<DagToWebview, DagToHost>) {
        const zoomOut = h('button', { class: 'secondary', title: 'Zoom out (−)', 'aria-label': 'Zoom out' }, '−');
        const zoomIn = h('button', { class: 'secondary', title: 'Zoom in (+)', 'aria-label': 'Zoom in' }, '+');
        const fit = h('button', { class: 'secondary', title: 'Fit to the panel (0)' }, 'Fit');
        zoomOut.addEventListener('click', () => this.setZoom(this.zoom / 1.25));
        zoomIn.addEventListener('click', () => this.setZoom(this.zoom * 1.25));
        fit.addEventListener('click', () => this.fit());
        this.layoutButton.addEventListener('click', () => {
            this.layoutMode = this.layoutMode === 'overlay' ? 'side-by-side' : 'overlay';
            if (this.comparison) void this.showDiff(this.comparison);
        });
        this.canvas.addEventListener('keydown', e => {
            if (e.key === '+' || e.key === '=') this.setZoom(this.zoom * 1.25);
            else if (e.key === '-') this.setZoom(this.zoom / 1.25);
            else if (e.key === '0') this.fit();
            else return;
            e.preventDefault();
        });
        const legend = h('div', { class: 'legend muted', 'aria-hidden': 'true' },
            ...(['param', 'field', 'call', 'op', 'const', 'sink'] as const).map(k => h('span', { class: `key kind-${k}` }, k === 'op' ? 'operator' : k === 'sink' ? 'rule / setting' : k)));
        clear(root);
        root.append(
            h('header', { class: 'dag-header' }, this.title, this.summary, h('div', { class: 'toolbar', role: 'toolbar', 'aria-label': 'Zoom' }, zoomOut, zoomIn, fit, this.layoutButton), legend,
                h('div', { class: 'legend muted diff-legend', 'aria-hidden': 'true' }, ...(['added', 'removed', 'changed'] as const).map(k => h('span', { class: `key diff-${k}` }, k)))),
            this.errors,
            h('div', { class: 'dag-main' }, this.canvas, this.details),
        );
        this.renderDetails(undefined);
        // Re-fitted when the panel is resized (unless the user zoomed).
        // (Only on a real change of width: a scrollbar coming and going must not re-fit back and forth.)
        let width = 0;
        new ResizeObserver(() => {
            const w = this.canvas.clientWidth;
            if (Math.abs(w - width) < 24) return;
            width = w;
            if (!this.userZoomed) this.fit();
        }).observe(this.canvas);
    }

    handle(m: Delivered<DagToWebview>): void {
        if (m.type === 'compileErrors') {
            clear(this.errors);
            this.errors.append(h('b', {}, this.message ? 'The file has errors; the graph below is from the last version that compiled.' : 'The strategy does not compile.'),
                h('ul', {}, ...m.errors.slice(0, 20).map(e => h('li', {}, h('code', {}, `${e.line}:${e.column} ${e.code}`), ` ${e.message}`))));
            this.errors.classList.remove('hidden');
            this.canvas.classList.add('stale');
            return;
        }
        if (m.type === 'dagDiff') {
            if (m.layout) this.layoutMode = m.layout;
            void this.showDiff(m);
        } else void this.show(m);
    }

    private async showDiff(m: DagDiffMessage): Promise<void> {
        const seq = ++this.seq;
        const parts = this.layoutMode === 'overlay'
            ? [{ g: overlay(m), title: `${m.from.label} → ${m.to.label}` }]
            : (() => { const x = sideBySide(m); return [{ g: x.from, title: m.from.label }, { g: x.to, title: m.to.label }]; })();
        const laid = await Promise.all(parts.map(p => elk.layout(this.elkGraph(p.g), { layoutOptions: LAYOUT })));
        if (seq !== this.seq) return;
        this.comparison = m;
        this.message = undefined;
        this.graph = { nodes: parts.flatMap(p => p.g.nodes), edges: parts.flatMap(p => p.g.edges) };
        this.errors.classList.add('hidden');
        this.canvas.classList.remove('stale');
        document.body.classList.add('comparing');
        this.layoutButton.classList.remove('hidden');
        this.layoutButton.textContent = this.layoutMode === 'overlay' ? 'Side by side' : 'Overlay';
        this.title.textContent = `${m.from.label} → ${m.to.label}`;
        document.title = `${m.from.label} → ${m.to.label} DAG`;
        this.summary.textContent = `${m.diff.structure} · ${m.diff.summary}`;
        this.draw(parts.map((p, i) => ({ laid: laid[i]!, g: p.g, title: parts.length > 1 ? p.title : undefined })));
        this.select(undefined, false);
        document.body.dataset['dagSeq'] = String(seq);
    }

    private async show(m: DagMessage): Promise<void> {
        const seq = ++this.seq;
        const graph = viewGraph(m);
        const laid = await this.layoutToFit(graph);
        if (seq !== this.seq) return; // a newer version arrived while this one was being laid out
        const previous = this.selected && this.graph?.nodes.find(n => n.key === this.selected);
        this.graph = graph;
        this.message = m;
        this.comparison = undefined;
        document.body.classList.remove('comparing');
        this.layoutButton.classList.add('hidden');
        this.errors.classList.add('hidden');
        this.canvas.classList.remove('stale');
        const name = m.strategy ?? 'Strategy';
        this.title.textContent = `${name} — dataflow`;
        document.title = `${name} DAG`;
        const ops = m.dag.nodes.length, sinks = graph.nodes.filter(n => n.kind === 'sink').length;
        this.summary.textContent = `${ops} nodes, ${sinks} rules and settings, ${graph.edges.length} edges (${m.dag.mode} canonical DAG v${m.dag.dagVersion})`;
        this.draw([{ laid, g: graph }]);
        // Fitted to the panel unless the user zoomed (then the zoom is theirs).
        if (!this.userZoomed) this.fit();
        const again = previous ? graph.nodes.find(n => n.key === previous.key && identity(n) === identity(previous)) ?? graph.nodes.find(n => identity(n) === identity(previous)) : undefined;
        this.select(again?.key, false);
        document.body.dataset['dagSeq'] = String(seq);
    }

    /**
     * Left to right reads best; a graph much wider than the panel is laid out top to bottom
     * instead when that fits the width better (a narrow panel has height to spare, not width).
     */
    private async layoutToFit(g: ViewGraph): Promise<ElkNode> {
        const across = await elk.layout(this.elkGraph(g), { layoutOptions: LAYOUT });
        const avail = this.canvas.clientWidth - 4;
        if (!(avail > 0) || (across.width ?? 0) <= avail) return across;
        const down = await elk.layout(this.elkGraph(g), { layoutOptions: { ...LAYOUT, 'elk.direction': 'DOWN' } });
        return (down.width ?? Infinity) < (across.width ?? 0) ? down : across;
    }

    private elkGraph(g: ViewGraph): ElkNode {
        const children: ElkNode[] = g.nodes.map(n => {
            const ls = lines(n);
            const width = Math.ceil(Math.max(...ls.map(l => textWidth(l.text, l.size))) + 2 * PAD_X);
            return { id: n.key, width: Math.max(56, width), height: ls.length * LINE + 10 };
        });
        const edges: ElkExtendedEdge[] = g.edges.map(e => ({
            id: e.key, sources: [e.from], targets: [e.to],
            labels: e.label ? [{ text: e.label, width: Math.ceil(textWidth(e.label, 10)) + 4, height: 12 }] : undefined,
        }));
        return { id: 'root', children, edges };
    }

    /** Draws one graph, or the two versions of a comparison side by side (each with its title). */
    private draw(parts: readonly { laid: ElkNode; g: ViewGraph; title?: string | undefined }[]): void {
        const scroll = { left: this.canvas.scrollLeft, top: this.canvas.scrollTop };
        clear(this.canvas);
        this.nodeEls.clear();
        this.inputsOf.clear();
        this.usersOf.clear();
        this.svgs = [];
        for (const { g } of parts) {
            for (const e of g.edges) {
                this.inputsOf.set(e.to, [...(this.inputsOf.get(e.to) ?? []), e.from]);
                this.usersOf.set(e.from, [...(this.usersOf.get(e.from) ?? []), e.to]);
            }
        }
        const row = parts.length > 1 ? h('div', { class: 'dag-compare' }) : undefined;
        for (const { laid, g, title } of parts) {
            const root = this.drawOne(laid, g);
            if (row) row.append(h('section', { class: 'dag-version', 'aria-label': title ?? '' }, h('h2', {}, title ?? ''), root));
            else this.canvas.append(root);
        }
        if (row) this.canvas.append(row);
        this.size = { w: this.svgs.reduce((a, x) => a + x.w, 0), h: Math.max(0, ...this.svgs.map(x => x.h)) };
        this.applyZoom();
        this.canvas.scrollLeft = scroll.left;
        this.canvas.scrollTop = scroll.top;
    }

    private drawOne(laid: ElkNode, g: ViewGraph): SVGSVGElement {
        const size = { w: Math.ceil(laid.width ?? 0), h: Math.ceil(laid.height ?? 0) };
        const root = svg('svg', {
            class: 'dag', viewBox: `0 0 ${size.w} ${size.h}`, role: 'group',
            'aria-label': `Dataflow graph: ${g.nodes.length} boxes. Tab to a node; Enter reveals its source; arrow keys follow the edges.`,
        });
        root.append(svg('defs', {}, svg('marker', { id: 'arrow', viewBox: '0 0 8 8', refX: 7, refY: 4, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' },
            svg('path', { d: 'M0,0 L8,4 L0,8 z', class: 'arrowhead' }))));

        const edgeLayer = svg('g', { class: 'edges', 'aria-hidden': 'true' });
        for (const e of laid.edges ?? []) {
            const ge = g.edges.find(x => x.key === e.id)!;
            const path = (e.sections ?? []).map(s => {
                const pts = [s.startPoint, ...(s.bendPoints ?? []), s.endPoint];
                return pts.map((p, i) => `${i ? 'L' : 'M'}${p.x.toFixed(1)},${p.y.toFixed(1)}`).join(' ');
            }).join(' ');
            const ge2 = svg('g', { class: 'edge', 'data-from': ge.from, 'data-to': ge.to }, svg('path', { d: path, 'marker-end': 'url(#arrow)' }));
            for (const l of e.labels ?? []) ge2.append(svg('text', { x: (l.x ?? 0) + 2, y: (l.y ?? 0) + 9, class: 'edge-label' }, l.text ?? ''));
            edgeLayer.append(ge2);
        }

        const nodeLayer = svg('g', { class: 'nodes' });
        const byKey = new Map(g.nodes.map(n => [n.key, n]));
        // Focus order follows the layout: by column, then top to bottom.
        const placed = [...(laid.children ?? [])].sort((a, b) => (a.x ?? 0) - (b.x ?? 0) || (a.y ?? 0) - (b.y ?? 0));
        for (const c of placed) {
            const n = byKey.get(c.id)!;
            const w = c.width ?? 0, hgt = c.height ?? 0;
            const isSink = n.kind === 'sink';
            const src = n.ranges[0] ? `, line ${n.ranges[0].start.line + 1}` : '';
            const el = svg('g', {
                class: `${isSink ? 'sink' : 'node'} kind-${n.kind}${n.diff ? ` diff-${n.diff}` : ''}`, transform: `translate(${(c.x ?? 0).toFixed(1)},${(c.y ?? 0).toFixed(1)})`,
                'data-key': n.key, 'data-node-id': n.id, tabindex: 0, role: 'button',
                'aria-label': `${n.diff ? `${n.diff}: ` : ''}${n.label}, ${n.meta}${n.names.length ? `, ${n.names.join(', ')}` : ''}${src}`,
            });
            el.append(svg('title', {}, [...n.detail.map(([k, v]) => `${k}: ${v}`), ...(n.names.length ? [`names: ${n.names.join(', ')}`] : []), ...(n.ranges.length ? [`source: line ${n.ranges.map(r => r.start.line + 1).join(', ')}`] : [])].join('\n')));
            el.append(svg('rect', { width: w, height: hgt, rx: n.kind === 'op' ? Math.min(14, hgt / 2) : n.kind === 'call' ? 6 : n.kind === 'param' ? 0 : 3, class: 'box' }));
            // A settings box lists its settings flush left; other lines are centred.
            lines(n).forEach((l, i) => el.append(svg('text', { x: l.cls === 'setting' ? PAD_X : w / 2, y: 5 + LINE * (i + 1) - 3, class: l.cls, 'text-anchor': l.cls === 'setting' ? 'start' : 'middle' }, l.text)));
            el.addEventListener('click', () => this.activate(n.key));
            el.addEventListener('keydown', e => this.key(e, n.key));
            this.nodeEls.set(n.key, el);
            nodeLayer.append(el);
        }
        root.append(edgeLayer, nodeLayer);

        this.svgs.push({ el: root, ...size });
        return root;
    }

    private key(e: KeyboardEvent, key: string): void {
        const order = [...this.nodeEls.keys()];
        const at = order.indexOf(key);
        let next: string | undefined;
        switch (e.key) {
            case 'Enter': case ' ': this.activate(key); break;
            case 'ArrowLeft': next = this.inputsOf.get(key)?.[0]; break;
            case 'ArrowRight': next = this.usersOf.get(key)?.[0]; break;
            case 'ArrowUp': next = order[at - 1]; break;
            case 'ArrowDown': next = order[at + 1]; break;
            case 'Home': next = order[0]; break;
            case 'End': next = order[order.length - 1]; break;
            case 'Escape': this.select(undefined, false); break;
            default: return;
        }
        e.preventDefault();
        e.stopPropagation();
        if (next) {
            this.nodeEls.get(next)?.focus();
            this.select(next, false);
        }
    }

    /** Click / Enter: select and reveal the source. */
    private activate(key: string): void {
        this.select(key, true);
    }

    private select(key: string | undefined, reveal: boolean): void {
        this.selected = key;
        for (const [k, el] of this.nodeEls) el.classList.toggle('selected', k === key);
        this.canvas.querySelectorAll<SVGGElement>('svg.dag .edge').forEach(e => {
            e.classList.toggle('active', key !== undefined && (e.dataset['from'] === key || e.dataset['to'] === key));
        });
        const n = key ? this.graph?.nodes.find(x => x.key === key) : undefined;
        this.renderDetails(n);
        if (reveal && n && n.id !== undefined && n.ranges.length) {
            this.host.post({ type: 'reveal', nodeId: n.id, uri: n.uri ?? this.message?.uri, range: n.ranges[0]!, ranges: [...n.ranges] });
        }
    }

    private renderDetails(n: ViewNode | undefined): void {
        clear(this.details);
        if (!n) {
            if (this.comparison) this.details.append(...this.diffWords(this.comparison));
            this.details.append(h('p', { class: 'muted' }, 'Select a node to see its attributes; Enter or a click also reveals its source.'));
            return;
        }
        const users = (this.usersOf.get(n.key) ?? []).map(k => this.graph?.nodes.find(x => x.key === k)?.label ?? k);
        const rows: (readonly [string, string])[] = [
            ['label', n.label], ...n.detail,
            ...(n.names.length ? [['names', n.names.join(', ')] as const] : []),
            ['used by', users.join(', ') || '—'],
            ['source', n.ranges.length ? n.ranges.map(r => `line ${r.start.line + 1}`).join(', ') : n.kind === 'sink' ? '—' : 'not in the source (a default)'],
        ];
        this.details.append(h('h2', {}, n.label), h('table', {}, h('tbody', {}, ...rows.map(([k, v]) => h('tr', {}, h('th', { scope: 'row' }, k), h('td', {}, v))))));
    }

    /** The comparison in words: the same lines as `af diff` (params, rules and settings; nodes are drawn). */
    private diffWords(m: DagDiffMessage): HTMLElement[] {
        const d = m.diff;
        const mark = (c: string): string => (c === 'added' ? '+' : c === 'removed' ? '−' : '~');
        const items = [
            ...d.params.map(p => `${mark(p.change)} param ${p.name}: ${p.changes.join('; ')}`),
            ...d.sinks.map(s => `${mark(s.change)} ${s.sink}${s.changes.length ? `: ${s.changes.join('; ')}` : ''}`),
        ];
        return [
            h('h2', {}, 'Differences'),
            h('p', { id: 'dag-diff-structure' }, d.structure),
            h('p', { class: 'muted' }, `${d.added.length} added, ${d.removed.length} removed, ${d.changed.length} changed nodes`),
            h('ul', { id: 'dag-diff-list' }, ...items.map(t => h('li', {}, t))),
        ];
    }

    private setZoom(z: number, byUser = true): void {
        this.userZoomed ||= byUser;
        this.zoom = Math.min(4, Math.max(0.2, z));
        this.applyZoom();
    }

    /**
     * Scales the graph to the panel's width, within what keeps the text readable (12 px labels
     * never below 9 px: a wider graph scrolls instead); the Fit button hands zoom back to fitting.
     */
    fit(): void {
        this.userZoomed = false;
        if (!this.size.w) return;
        this.setZoom(Math.min(1.25, Math.max(MIN_FIT, (this.canvas.clientWidth - 4) / this.size.w)), false);
    }

    private applyZoom(): void {
        for (const s of this.svgs) {
            s.el.setAttribute('width', String(Math.ceil(s.w * this.zoom)));
            s.el.setAttribute('height', String(Math.ceil(s.h * this.zoom)));
        }
    }
}

const host = connect(DagToWebview, DagToHost);
const view = new DagView(appRoot(), host);
host.listen(m => view.handle(m));
