/**
 * The Grafana dashboard in docs/grafana/ reads the daemon's Prometheus metrics by name; a renamed
 * metric or label would leave a panel silently empty. So every series it queries must be one the
 * daemon renders (a histogram through its _bucket/_count/_sum samples), every label it
 * filters or groups on must be a label of that metric, and the layout must be one Grafana imports.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createMetrics } from '../../src/monitoring/metrics.js';
import { parsePrometheusText } from './helpers.js';

const root = join(import.meta.dirname, '..', '..', '..');

interface Target { refId: string; expr: string }
interface Panel { id: number; type: string; title: string; gridPos: { x: number; y: number; w: number; h: number }; targets?: Target[]; datasource?: { uid: string } }
interface Dashboard { uid: string; title: string; panels: Panel[]; templating: { list: { name: string; query: string }[] } }

const dashboard = JSON.parse(readFileSync(join(root, 'docs', 'grafana', 'alphaforge-platform.json'), 'utf8')) as Dashboard;
const exprs = [
    ...dashboard.panels.flatMap(p => (p.targets ?? []).map(t => t.expr)),
    ...dashboard.templating.list.map(v => v.query).filter(q => q.includes('af_')),
];
/** Labels Prometheus adds when it scrapes (not rendered by the daemon) and PromQL's own `le`. */
const SCRAPE_LABELS = new Set(['instance', 'job', 'le']);

/** Every `af_*` series an expression reads, with the labels in its selector and its by (…) clauses. */
function seriesOf(expr: string): { name: string; labels: string[] }[] {
    const out: { name: string; labels: string[] }[] = [];
    const byLabels = [...expr.matchAll(/\bby \(([^)]*)\)/g)].flatMap(m => m[1]!.split(',').map(s => s.trim()));
    for (const m of expr.matchAll(/\b(af_[a-z0-9_]+)(\{([^}]*)\})?/g)) {
        const selector = [...(m[3] ?? '').matchAll(/([a-z_]+)\s*(=~|!=|!~|=)/g)].map(l => l[1]!);
        out.push({ name: m[1]!, labels: [...selector, ...byLabels] });
    }
    return out;
}

describe('the Grafana platform-health dashboard', () => {
    it('queries only metrics and labels the daemon exposes', async () => {
        const m = createMetrics();
        // Use every labelled metric once so its label names appear in the text.
        m.observeRun('backtest', 'failed', 1);
        m.observeRpc('daemon.info', 0.01, -32603);
        m.countError('gateway');
        m.alertsFiring.set({ rule: 'queue_stuck' }, 1);
        const families = parsePrometheusText((await m.render()).body);
        const labelsOf = new Map<string, Set<string>>();
        for (const f of families.values()) {
            for (const s of f.samples) {
                const set = labelsOf.get(s.name) ?? new Set<string>();
                for (const k of Object.keys(s.labels)) set.add(k);
                labelsOf.set(s.name, set);
            }
        }
        const read = exprs.flatMap(seriesOf);
        expect(read.length).toBeGreaterThan(10);
        for (const { name, labels } of read) {
            const known = labelsOf.get(name);
            expect(known, `${name} is not a metric the daemon renders`).toBeDefined();
            for (const l of labels) {
                if (SCRAPE_LABELS.has(l)) continue;
                expect([...known!], `${name} has no label '${l}'`).toContain(l);
            }
        }
        // The four things a health view is for are all there.
        const all = exprs.join('\n');
        for (const needed of ['af_queue_depth', 'af_jobs', 'af_run_duration_seconds_count', 'af_run_duration_seconds_bucket', 'af_rpc_errors_total']) {
            expect(all).toContain(needed);
        }
    });

    it('is a dashboard Grafana imports: unique panel ids and refIds, panels on the 24-column grid without overlap, one datasource variable', () => {
        expect(dashboard.uid).toMatch(/^[a-z0-9-]{1,40}$/);
        const ids = dashboard.panels.map(p => p.id);
        expect(new Set(ids).size).toBe(ids.length);
        const cells = new Set<string>();
        for (const p of dashboard.panels) {
            const { x, y, w, h } = p.gridPos;
            expect(x + w, p.title).toBeLessThanOrEqual(24);
            for (let i = x; i < x + w; i++) {
                for (let j = y; j < y + h; j++) {
                    const key = `${i},${j}`;
                    expect(cells.has(key), `${p.title} overlaps another panel at ${key}`).toBe(false);
                    cells.add(key);
                }
            }
            if (p.type === 'row') continue;
            expect(p.datasource?.uid, p.title).toBe('${datasource}');
            const refIds = (p.targets ?? []).map(t => t.refId);
            expect(refIds.length, p.title).toBeGreaterThan(0);
            expect(new Set(refIds).size, p.title).toBe(refIds.length);
        }
        expect(dashboard.templating.list.map(v => v.name)).toEqual(['datasource', 'instance']);
    });
});
