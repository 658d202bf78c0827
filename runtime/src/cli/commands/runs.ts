/**
 * `af runs ls | compare | export` and the run ids every `af runs …` command takes: a full id or
 * any unique prefix of one (`af runs show 3f2a`), resolved within the caller's team through
 * experiments.search; an ambiguous prefix is an error that lists the candidates.
 */
import { formatMetric, metricDefinition } from '../../../../protocol/src/metrics.js';
import type { DaemonClient } from '../../../../protocol/src/client.js';
import type { ResultOf } from '../../../../protocol/src/daemon/index.js';
import { CliError } from '../errors.js';
import { readWholeResult } from '../remote-result.js';
import { exportRunResult } from '../run-export.js';
import { RECORDED_METRICS } from '../filter-keys.js';
import { style } from '../style.js';
import { printGrid } from '../table.js';
import { connect, remote, type ConnectOptions } from './daemon.js';

/** How many characters of an id tables show (a prefix that any command takes back). */
export const SHORT_ID = 8;
const FULL_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const PREFIX = /^[0-9a-f-]{1,36}$/i;

/** The full id of the run that `text` (an id or a unique prefix of one) names in the caller's team. */
export async function resolveRunId(client: DaemonClient, text: string): Promise<string> {
    const id = text.trim();
    // Not a prefix of a run id (an older id scheme, a typo): the daemon answers for it.
    if (FULL_ID.test(id) || !PREFIX.test(id)) return id;
    const r = await remote(() => client.call('experiments.search', { filter: `attributes.id LIKE '${id.toLowerCase()}%'`, orderBy: 'attributes.created desc', limit: 10 }));
    if (r.runs.length === 1) return r.runs[0]!.run.id;
    if (r.runs.length === 0) throw new CliError(`no run of your team has an id starting with '${id}'; af runs ls lists them`, { code: 'not_found', exitCode: 1 });
    const list = r.runs.map(x => `${x.run.id} (${x.run.kind} ${x.run.strategy ?? '-'} ${x.run.createdAt.slice(0, 16).replace('T', ' ')})`).join(', ');
    throw new CliError(`run id prefix '${id}' is ambiguous: ${r.total} runs start with it: ${list}${r.total > r.runs.length ? ', …' : ''}; give more characters`, { code: 'ambiguous_id' });
}

const SUMMARY = ['sharpe', 'cagr', 'maxDrawdown', 'tradeCount'] as const;

export async function runsLsCommand(o: ConnectOptions & { state?: string; limit: number }, out: (s: string) => void): Promise<number> {
    const client = connect(o);
    const r = await remote(() => client.call('experiments.search', {
        ...(o.state ? { filter: `attributes.state = '${o.state}'` } : {}), orderBy: 'attributes.created desc', limit: o.limit,
    }));
    if (o.json) {
        out(JSON.stringify(r, null, 2) + '\n');
        return 0;
    }
    if (r.runs.length === 0) {
        out('no runs\n');
        return 0;
    }
    const state = (s: string): string => s === 'completed' ? style.green(s) : s === 'failed' ? style.red(s) : s === 'cancelled' ? style.yellow(s) : s;
    out(printGrid(
        ['id', 'kind', 'state', 'strategy', 'owner', 'created', ...SUMMARY.map(k => metricDefinition(k)!.label)],
        r.runs.map(x => [x.run.id.slice(0, SHORT_ID) + (x.run.promoted ? '★' : ''), x.run.kind, state(x.run.state), x.run.strategy ?? '-', x.run.owner,
            x.run.createdAt.slice(0, 16).replace('T', ' '), ...SUMMARY.map(k => k in x.metrics ? formatMetric(k, x.metrics[k]) : '')]),
        ['left', 'left', 'left', 'left', 'left', 'left', 'right', 'right', 'right', 'right'],
    ));
    if (r.total > r.runs.length) out(style.dim(`  … ${r.total - r.runs.length} more (--limit)\n`));
    return 0;
}

type Compared = ResultOf<'experiments.compare'>;

/** Two or more runs side by side: params (differing ones marked), then metrics, with B − A for two runs. */
export function compareText(c: Compared): string {
    const two = c.runs.length === 2;
    const header = ['', ...c.runs.map(r => `${r.id.slice(0, SHORT_ID)} ${r.strategy ?? ''}`.trim()), ...(two ? ['difference'] : [])];
    const rows: string[][] = [];
    for (const k of c.paramKeys) {
        const differs = c.differingParams.includes(k);
        rows.push([differs ? style.bold(`${k} *`) : k, ...c.runs.map(r => r.params[k] === undefined ? '—' : String(r.params[k])), ...(two ? [''] : [])]);
    }
    // In the order tables show metrics (protocol/src/metrics.ts), then anything else.
    const order = (k: string): number => { const i = RECORDED_METRICS.indexOf(k); return i < 0 ? RECORDED_METRICS.length : i; };
    for (const k of [...c.metricKeys].sort((a, b) => order(a) - order(b))) {
        const vals = c.runs.map(r => r.metrics[k]);
        const best = c.best[k];
        const cells = c.runs.map((r, i) => {
            const text = vals[i] === undefined ? '—' : formatMetric(k, vals[i]);
            return best && best === r.id && c.runs.length > 1 ? style.green(text) : text;
        });
        rows.push([metricDefinition(k)?.label ?? k, ...cells, ...(two ? [difference(k, vals[0], vals[1])] : [])]);
    }
    let s = printGrid(header, rows, ['left', ...c.runs.map(() => 'right' as const), ...(two ? ['right' as const] : [])]);
    s += style.dim(`  * differs; ${c.sameStructure ? 'the same structure (structural fingerprint)' : 'different structures'}${c.runs.length > 1 ? '; the best of each metric in green where colour is on' : ''}\n`);
    return s;
}

/** B − A in the metric's own unit (percentage points for a percentage), signed. */
function difference(key: string, a: unknown, b: unknown): string {
    const x = typeof a === 'number' ? a : NaN, y = typeof b === 'number' ? b : NaN;
    if (!Number.isFinite(x) || !Number.isFinite(y)) return '';
    const d = y - x;
    if (d === 0) return '0';
    const kind = metricDefinition(key)?.kind;
    const text = kind === 'percent' ? `${formatMetric('winRate', Math.abs(d)).replace('%', '')} pp` : formatMetric(key, Math.abs(d));
    return `${d > 0 ? '+' : '-'}${text}`;
}

export async function runsCompareCommand(ids: string[], o: ConnectOptions & { metrics?: string }, out: (s: string) => void): Promise<number> {
    if (ids.length < 2) throw new CliError('af runs compare takes two or more run ids (or unique prefixes)');
    const client = connect(o);
    const runIds: string[] = [];
    for (const id of ids) runIds.push(await resolveRunId(client, id));
    const metrics = o.metrics?.split(',').map(s => s.trim()).filter(Boolean);
    const c = await remote(() => client.call('experiments.compare', { runIds, ...(metrics?.length ? { metrics } : {}) }));
    out(o.json ? JSON.stringify(c, null, 2) + '\n' : compareText(c));
    return 0;
}

export async function runsExportCommand(id: string, file: string, o: ConnectOptions & { format?: 'parquet' | 'arrow' | 'csv' }, out: (s: string) => void): Promise<number> {
    const client = connect(o);
    const full = await resolveRunId(client, id);
    const { result, bars } = await readWholeResult(client, full);
    const written = await exportRunResult(result, file, o.format);
    const thinned = result.series && result.series.ts.length < bars ? `; the series has ${result.series.ts.length} of ${bars} points (the daemon's limit per series)` : '';
    if (o.json) out(JSON.stringify({ run: full, files: written, ...(thinned ? { seriesPoints: result.series!.ts.length, bars } : {}) }, null, 2) + '\n');
    else out(written.map(w => `wrote ${w.rows} rows to ${w.file}\n`).join('') + (thinned ? `note${thinned}\n` : ''));
    return 0;
}
