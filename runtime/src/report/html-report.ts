/**
 * The self-contained HTML backtest report: one file with uPlot (inlined), the run's data as JSON,
 * a metrics table, equity and drawdown charts, the trades table and the provenance record.
 * No network access: everything it needs is inside the file, under a strict Content-Security-Policy.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { randomBytes } from 'node:crypto';

export interface ReportInput {
    readonly title: string;
    readonly strategy: string;
    readonly source?: string;
    readonly universe: readonly string[];
    readonly timeframe: string;
    readonly ts: Float64Array;
    readonly equity: Float64Array;
    readonly drawdown: Float64Array;
    /** Rows of [label, formatted value]. */
    readonly metrics: readonly (readonly [string, string])[];
    readonly trades: readonly {
        readonly asset: string; readonly side: string; readonly entry: number; readonly exit: number;
        readonly entryPrice: number; readonly exitPrice: number; readonly qty: number; readonly pnl: number; readonly returnPct: number; readonly exitReason: string;
    }[];
    readonly params: Readonly<Record<string, number | boolean>>;
    readonly provenance: Readonly<Record<string, string | number>>;
    readonly events: readonly { readonly ts: number; readonly kind: string; readonly message: string }[];
}

const require = createRequire(import.meta.url);
let uplotJs: string | undefined, uplotCss: string | undefined;

function uplotAssets(): { js: string; css: string } {
    uplotJs ??= readFileSync(require.resolve('uplot/dist/uPlot.iife.min.js'), 'utf8');
    uplotCss ??= readFileSync(require.resolve('uplot/dist/uPlot.min.css'), 'utf8');
    return { js: uplotJs, css: uplotCss };
}

const esc = (s: string): string => s.replace(/[&<>"']/g, c => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** JSON that is safe inside a <script> element. */
function scriptJson(v: unknown): string {
    return JSON.stringify(v).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/** Downsamples long curves for drawing (the file stays small); keeps every bar up to `max` points. */
function thin(ts: Float64Array, ys: Float64Array[], max = 5000): { x: number[]; y: number[][] } {
    const n = ts.length;
    const step = Math.max(1, Math.ceil(n / max));
    const x: number[] = [];
    const y: number[][] = ys.map(() => []);
    for (let i = 0; i < n; i += step) {
        // Keep the worst point of each step for the drawdown (index 1) so troughs are not lost.
        let pick = i;
        if (ys[1]) for (let j = i; j < Math.min(n, i + step); j++) if (ys[1][j]! < ys[1][pick]!) pick = j;
        x.push(ts[pick]! / 1000);
        ys.forEach((arr, k) => y[k]!.push(Number.isFinite(arr[pick]!) ? +arr[pick]!.toPrecision(10) : NaN));
    }
    return { x, y };
}

export function renderReport(r: ReportInput): string {
    const { js, css } = uplotAssets();
    const nonce = randomBytes(16).toString('base64');
    const curves = thin(r.ts, [r.equity, r.drawdown]);
    const data = { x: curves.x, equity: curves.y[0], drawdown: curves.y[1] };
    const fmtDate = (ms: number) => new Date(ms).toISOString().replace('T', ' ').replace(/:00\.000Z$|\.000Z$/, '').replace(/ 00:00$/, '');
    const num = (v: number, d = 2) => (Number.isFinite(v) ? v.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d }) : String(v));
    const tradeRows = r.trades.map((t, i) => `<tr><td>${i + 1}</td><td>${esc(t.asset)}</td><td>${esc(t.side)}</td><td>${fmtDate(r.ts[t.entry]!)}</td><td>${fmtDate(r.ts[t.exit]!)}</td><td class="n">${num(t.entryPrice, 4)}</td><td class="n">${num(t.exitPrice, 4)}</td><td class="n">${num(t.qty, 4)}</td><td class="n ${t.pnl >= 0 ? 'pos' : 'neg'}">${num(t.pnl)}</td><td class="n">${num(t.returnPct * 100)}%</td><td>${esc(t.exitReason)}</td></tr>`).join('\n');
    const metricRows = r.metrics.map(([k, v]) => `<tr><th>${esc(k)}</th><td class="n">${esc(v)}</td></tr>`).join('\n');
    const paramText = Object.entries(r.params).map(([k, v]) => `${esc(k)} = ${esc(String(v))}`).join(', ') || '(none)';
    const prov = Object.entries(r.provenance).map(([k, v]) => `<tr><th>${esc(k)}</th><td><code>${esc(String(v))}</code></td></tr>`).join('\n');
    const events = r.events.map(e => `<li>${fmtDate(e.ts)} <b>${esc(e.kind)}</b> ${esc(e.message)}</li>`).join('');
    return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'nonce-${nonce}'; style-src 'nonce-${nonce}'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(r.title)}</title>
<style nonce="${nonce}">${css}
body { font: 14px/1.45 system-ui, -apple-system, Segoe UI, sans-serif; margin: 24px; color: #1d2330; background: #fff; }
h1 { font-size: 20px; margin: 0 0 4px; } h2 { font-size: 16px; margin: 28px 0 8px; }
.sub { color: #5b6475; margin-bottom: 16px; }
table { border-collapse: collapse; } th, td { padding: 3px 10px; border-bottom: 1px solid #e3e6ec; text-align: left; }
td.n { text-align: right; font-variant-numeric: tabular-nums; } .pos { color: #137333; } .neg { color: #b3261e; }
.grid { display: grid; grid-template-columns: minmax(260px, 340px) 1fr; gap: 24px; align-items: start; }
.chart { min-height: 220px; } code { font-size: 12px; } .scroll { max-height: 480px; overflow: auto; }
@media (prefers-color-scheme: dark) { body { background: #16181d; color: #e6e8ee; } th, td { border-color: #30343d; } .sub { color: #9aa3b5; } }
</style>
</head>
<body>
<h1>${esc(r.title)}</h1>
<div class="sub">${esc(r.universe.join(', '))} · ${esc(r.timeframe)} · ${fmtDate(r.ts[0] ?? 0)} → ${fmtDate(r.ts[r.ts.length - 1] ?? 0)} · params: ${paramText}</div>
<div class="grid">
  <section><h2>Metrics</h2><table id="metrics">${metricRows}</table></section>
  <section><h2>Equity</h2><div id="equity" class="chart"></div><h2>Drawdown</h2><div id="drawdown" class="chart"></div></section>
</div>
${events ? `<h2>Events</h2><ul>${events}</ul>` : ''}
<h2>Trades (${r.trades.length})</h2>
<div class="scroll"><table id="trades"><thead><tr><th>#</th><th>asset</th><th>side</th><th>entry</th><th>exit</th><th>entry price</th><th>exit price</th><th>qty</th><th>P&amp;L</th><th>return</th><th>exit</th></tr></thead><tbody>
${tradeRows}
</tbody></table></div>
<h2>Reproducibility</h2><table id="provenance">${prov}</table>
<script nonce="${nonce}">${js}</script>
<script nonce="${nonce}" id="report-data" type="application/json">${scriptJson(data)}</script>
<script nonce="${nonce}">
(function () {
  const d = JSON.parse(document.getElementById('report-data').textContent);
  const width = () => Math.max(320, document.getElementById('equity').clientWidth || 800);
  const mk = (id, label, ys, color, fmt) => new uPlot({
    width: width(), height: 240, scales: { x: { time: true } },
    series: [{}, { label, stroke: color, fill: color + '22', width: 1.5, value: (u, v) => v == null ? '' : fmt(v) }],
    axes: [{}, { values: (u, vs) => vs.map(fmt), size: 70 }],
  }, [d.x, ys], document.getElementById(id));
  mk('equity', 'equity', d.equity, '#1a73e8', v => v.toLocaleString('en-US', { maximumFractionDigits: 0 }));
  mk('drawdown', 'drawdown', d.drawdown, '#d93025', v => (v * 100).toFixed(1) + '%');
})();
</script>
</body>
</html>
`;
}
