/**
 * The panels' messages from what the daemon returns (pure, tested without VS Code):
 * - a run's report: the `run` message embedded in its report.html artifact (the same message
 *   the standalone report shows), or, for runs without one (walk-forward, older runs), one built
 *   from result.json and `runs.get`;
 * - experiment-store rows as the experiments panel's `RunSummary`.
 */
import type { ResultOf } from '../../protocol/src/daemon/index.js';
import { INITIAL_STATE_ID } from '../../protocol/src/webview-page.js';
import { parseMessage, ReportToWebview, type Curve, type ReportRun, type RunSummary as PanelRun, type SourceRange } from '../../protocol/src/webview.js';
import { METRIC_KEYS, type WireMetrics } from '../../protocol/src/metrics.js';
import { toWire } from '../../protocol/src/numbers.js';
import { thinCurve, tradeToWire, type TradeLike } from '../../protocol/src/wire.js';

type RunDetail = ResultOf<'runs.get'>['run'];
type SearchRow = ResultOf<'experiments.search'>['runs'][number];

/** The `run` message a report.html embeds, validated; undefined when there is none. */
export function reportFromHtml(html: string): ReportRun | undefined {
    const re = new RegExp(`<script[^>]*\\bid="${INITIAL_STATE_ID}"[^>]*>([\\s\\S]*?)</script>`);
    const m = re.exec(html);
    if (!m) return undefined;
    let data: unknown;
    try {
        data = JSON.parse(m[1]!);
    } catch {
        return undefined;
    }
    for (const candidate of Array.isArray(data) ? data : [data]) {
        const r = parseMessage(ReportToWebview, candidate);
        if (r.ok && r.message.type === 'run') return r.message;
    }
    return undefined;
}

function wireMetrics(m: Readonly<Record<string, unknown>> | null | undefined): WireMetrics {
    return Object.fromEntries(METRIC_KEYS.map(k => {
        const v = m?.[k];
        return [k, typeof v === 'number' ? toWire(v) : v === 'Infinity' || v === '-Infinity' ? v : null];
    })) as WireMetrics;
}

function numbers(v: unknown): number[] | undefined {
    return Array.isArray(v) && v.every(x => typeof x === 'number' || x === null) ? v.map(x => (x === null ? NaN : x as number)) : undefined;
}

/** Fall from the running peak, as a fraction (≤ 0). */
export function drawdownOf(equity: readonly number[]): number[] {
    let peak = -Infinity;
    return equity.map(e => {
        if (e > peak) peak = e;
        return peak > 0 && Number.isFinite(e) ? e / peak - 1 : 0;
    });
}

const iso = (v: unknown): number | undefined => (typeof v === 'string' ? Date.parse(v) : typeof v === 'number' ? v : undefined);

/**
 * A report from result.json (its curve, trades, provenance) and the run's record; `undefined`
 * when there is no curve to show (a sweep: its best parameters are a run of their own).
 */
export function reportFromResult(run: RunDetail, result: unknown, o: { uri?: string; range?: SourceRange } = {}): ReportRun | undefined {
    const r = (typeof result === 'object' && result !== null ? result : {}) as Record<string, unknown>;
    const curve = r.curve as { ts?: unknown; equity?: unknown } | undefined;
    const ts = numbers(curve?.ts), equity = numbers(curve?.equity);
    if (!ts || !equity || ts.length !== equity.length) return undefined;
    const thin: Curve = thinCurve(ts, equity, drawdownOf(equity), 5000);
    const trades = Array.isArray(r.trades) ? (r.trades as TradeLike[]).filter(t => typeof t === 'object' && t !== null && typeof t.entryBar === 'number').map(t => tradeToWire(t, ts)) : [];
    const p = (r.provenance ?? {}) as Record<string, unknown>;
    const str = (v: unknown, d: string): string => (typeof v === 'string' ? v : d);
    const symbols = Array.isArray(r.symbols) ? r.symbols.filter((s): s is string => typeof s === 'string') : [];
    const message: ReportRun = {
        type: 'run',
        run: {
            id: run.id,
            title: `${run.strategy ?? r.strategy ?? run.id} — ${run.kind === 'walkforward' ? 'walk-forward (out of sample)' : run.kind}`,
            strategy: str(r.strategy, run.strategy ?? run.id),
            universe: symbols,
            timeframe: str(r.timeframe, ''),
            params: { ...(run.params ?? {}) },
            state: run.state,
            ...(o.uri ?? run.spec.uri ? { uri: o.uri ?? run.spec.uri } : {}),
            ...(o.range ? { range: o.range } : {}),
        },
        result: {
            bars: typeof r.bars === 'number' ? r.bars : ts.length,
            from: iso(r.from) ?? ts[0] ?? 0,
            to: iso(r.to) ?? ts[ts.length - 1] ?? 0,
            warmupBars: typeof r.warmupBars === 'number' ? r.warmupBars : 0,
            curve: thin,
            trades,
            events: Array.isArray(r.events)
                ? (r.events as { bar?: unknown; kind?: unknown; message?: unknown }[]).filter(e => typeof e?.bar === 'number').map(e => ({ bar: e.bar as number, ts: ts[e.bar as number] ?? 0, kind: String(e.kind ?? ''), message: String(e.message ?? '') }))
                : [],
            provenance: {
                exactFingerprint: str(p.exactFingerprint, run.fingerprints?.exact ?? ''),
                structuralFingerprint: str(p.structuralFingerprint, run.fingerprints?.structural ?? ''),
                dataSnapshot: str(p.dataSnapshot, run.dataSnapshot ?? ''),
                engineVersion: str(p.engineVersion, run.engineVersion ?? ''),
                seed: typeof p.seed === 'number' ? p.seed : run.seed ?? 0,
            },
        },
        metrics: wireMetrics((r.metrics as Record<string, unknown> | undefined) ?? run.metrics),
    };
    const checked = parseMessage(ReportToWebview, message);
    return checked.ok && checked.message.type === 'run' ? checked.message : undefined;
}

/** The report's link back to the source: its own, or the caller's (the document the run came from). */
export function withSource(m: ReportRun, o: { uri?: string; range?: SourceRange }): ReportRun {
    if (m.run.uri && m.run.range) return m;
    return { ...m, run: { ...m.run, ...(o.uri && !m.run.uri ? { uri: o.uri } : {}), ...(o.range && !m.run.range ? { range: o.range } : {}) } };
}

/** An experiment-store row as the experiments panel shows it. */
export function searchRowToPanel(row: SearchRow): PanelRun {
    const r = row.run;
    return {
        id: r.id,
        kind: r.kind,
        state: r.state,
        promoted: r.promoted,
        strategy: r.strategy,
        owner: r.owner,
        team: r.team,
        experiment: r.experimentId ? { id: r.experimentId, name: null } : null,
        created: r.createdAt,
        finished: r.finishedAt,
        fingerprints: { exact: r.fingerprints?.exact ?? null, structural: r.fingerprints?.structural ?? null },
        dataSnapshot: r.dataSnapshot,
        engineVersion: r.engineVersion,
        seed: r.seed,
        params: { ...row.params },
        metrics: { ...row.metrics },
        tags: { ...r.tags },
    };
}

/** The filter that finds the runs sharing a fingerprint (the report's "runs like this"). */
export function fingerprintFilter(fingerprint: string, structural: boolean): string {
    return `fingerprint.${structural ? 'structural' : 'exact'} = '${fingerprint.replace(/[^0-9a-fA-F]/g, '')}'`;
}

/** Equity curve (thinned) from a report message, for the experiments panel's comparison. */
export function comparisonCurve(m: ReportRun): { ts: number[]; equity: ReportRun['result']['curve']['equity'] } {
    return { ts: [...m.result.curve.ts], equity: [...m.result.curve.equity] };
}
