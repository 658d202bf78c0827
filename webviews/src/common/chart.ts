/**
 * Time-series charts on uPlot, coloured from the theme tokens, resized with their container and
 * redrawn when the theme changes. The container is an image to assistive technology, labelled
 * with a one-line summary (the numbers themselves are in the tables next to it).
 */
import uPlot from 'uplot';
import { onThemeChange, token, withAlpha } from './theme.js';

export interface SeriesSpec {
    readonly label: string;
    /** A theme token (`chart-1`, `neg`, …). */
    readonly color: string;
    readonly fill?: boolean;
    /** Dashed (a benchmark, a reference). */
    readonly dash?: boolean;
    /** Points at each value (few values: walk-forward windows). */
    readonly points?: boolean;
    /** On the right-hand value axis (ChartSpec.right): another unit or magnitude (PnL beside equity). */
    readonly right?: boolean;
}

export interface ChartSpec {
    readonly height: number;
    /** Bar times in ms. */
    readonly ts: readonly number[];
    readonly series: readonly SeriesSpec[];
    readonly values: readonly (readonly number[])[];
    readonly format: (v: number) => string;
    /** For assistive technology. */
    readonly summary: string;
    /** Draw lines across missing values (series sampled at different times). */
    readonly spanGaps?: boolean;
    /** A logarithmic value axis (values must be positive). */
    readonly log?: boolean;
    /** Times (ms) marked with a vertical line: the engine's events (a halt on a drawdown limit, …). */
    readonly marks?: readonly number[];
    /** A second value axis on the right for the series marked `right`, with its own format. */
    readonly right?: { readonly format: (v: number) => string };
}

const charts = new Set<Chart>();
let watching = false;

export class Chart {
    private plot: uPlot | undefined;
    private readonly resize: ResizeObserver;

    constructor(private readonly el: HTMLElement, private spec: ChartSpec) {
        el.classList.add('chart');
        el.setAttribute('role', 'img');
        this.resize = new ResizeObserver(() => {
            const w = this.width();
            if (this.plot && Math.abs(this.plot.width - w) > 1) this.plot.setSize({ width: w, height: this.spec.height });
        });
        this.resize.observe(el);
        this.draw();
        charts.add(this);
        if (!watching) {
            watching = true;
            onThemeChange(() => charts.forEach(c => c.draw()));
        }
    }

    update(spec: ChartSpec): void {
        this.spec = spec;
        this.draw();
    }

    /**
     * New values for the same series (a streaming chart): uPlot's setData, which keeps the plot,
     * its cursor and its size; the whole draw only when there was none yet.
     */
    setData(ts: readonly number[], values: readonly (readonly number[])[], summary: string): void {
        this.spec = { ...this.spec, ts, values, summary };
        if (!this.plot) {
            this.draw();
            return;
        }
        this.el.setAttribute('aria-label', summary);
        this.plot.setData(alignedData(ts, values));
    }

    destroy(): void {
        this.resize.disconnect();
        this.plot?.destroy();
        this.plot = undefined;
        charts.delete(this);
    }

    private width(): number {
        return Math.max(280, Math.floor(this.el.clientWidth || 800));
    }

    private draw(): void {
        this.plot?.destroy();
        const s = this.spec;
        this.el.setAttribute('aria-label', s.summary);
        const fg = token('muted', '#666');
        const grid = withAlpha(token('grid', '#ccc'), 0.5);
        const font = `11px ${token('font', 'sans-serif')}`;
        const fmt = s.format;
        const axis = { stroke: fg, font, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } };
        const opts: uPlot.Options = {
            width: this.width(),
            height: s.height,
            tzDate: t => uPlot.tzDate(new Date(t * 1000), 'Etc/UTC'),
            scales: { x: { time: true }, y: s.log ? { distr: 3 } : {}, ...(s.right ? { right: {} } : {}) },
            legend: { live: true },
            cursor: { drag: { x: true, y: false } },
            series: [
                { label: 'time' },
                ...s.series.map(x => {
                    const c = token(x.color, '#1a73e8');
                    return {
                        label: x.label, stroke: c, width: 1.5, spanGaps: s.spanGaps ?? false,
                        ...(x.dash ? { dash: [6, 4] } : {}),
                        ...(x.points ? { points: { show: true, size: 6 } } : {}),
                        fill: x.fill ? withAlpha(c, 0.12) : undefined,
                        ...(x.right && s.right ? { scale: 'right' } : {}),
                        value: (_u: uPlot, v: number | null) => (v === null || v === undefined ? '–' : (x.right && s.right ? s.right.format : fmt)(v)),
                    };
                }),
            ],
            axes: [
                axis, { ...axis, size: 72, values: (_u, vs) => vs.map(v => fmt(v)) },
                ...(s.right ? [{ ...axis, scale: 'right', side: 1, size: 72, grid: { show: false }, values: (_u: uPlot, vs: number[]) => vs.map(v => s.right!.format(v)) }] : []),
            ],
            hooks: s.marks?.length ? { draw: [u => drawMarks(u, s.marks!, token('neg', '#d00'))] } : {},
        };
        this.plot = new uPlot(opts, alignedData(s.ts, s.values), this.el);
    }
}

/** Times in seconds (uPlot's), missing values as null. */
function alignedData(ts: readonly number[], values: readonly (readonly number[])[]): uPlot.AlignedData {
    return [Float64Array.from(ts, t => t / 1000), ...values.map(v => v.map(x => (Number.isFinite(x) ? x : null)))];
}

/** A dashed vertical line at each marked time, over the plot area. */
function drawMarks(u: uPlot, marks: readonly number[], color: string): void {
    const { ctx, bbox } = u;
    ctx.save();
    ctx.strokeStyle = color;
    ctx.lineWidth = Math.max(1, devicePixelRatio);
    ctx.setLineDash([4 * devicePixelRatio, 3 * devicePixelRatio]);
    for (const t of marks) {
        const x = Math.round(u.valToPos(t / 1000, 'x', true));
        if (x < bbox.left || x > bbox.left + bbox.width) continue;
        ctx.beginPath();
        ctx.moveTo(x, bbox.top);
        ctx.lineTo(x, bbox.top + bbox.height);
        ctx.stroke();
    }
    ctx.restore();
}
