/** Helpers for the monitoring tests: temp dirs, a tiny HTTP server, a strict Prometheus text parser. */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function tempDir(): { dir: string; remove(): void } {
    const dir = mkdtempSync(join(tmpdir(), 'af-monitoring-'));
    return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

type Handler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

/** Serve `routes` on 127.0.0.1 (random port), as the gateway would mount them. */
export async function serve(routes: Record<string, Handler>): Promise<{ url: string; close(): Promise<void> }> {
    const server: Server = createServer((req, res) => {
        const path = new URL(req.url ?? '/', 'http://x').pathname;
        const handler = routes[path];
        if (!handler) { res.writeHead(404).end(); return; }
        void Promise.resolve(handler(req, res)).catch(e => { res.writeHead(500).end(String(e)); });
    });
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    return {
        url: `http://127.0.0.1:${port}`,
        close: () => new Promise<void>((resolve, reject) => server.close(e => (e ? reject(e) : resolve()))),
    };
}

export interface PromSample { name: string; labels: Record<string, string>; value: number }
export interface PromFamily { name: string; type: string; help?: string; samples: PromSample[] }

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);

function parseValue(text: string, line: number): number {
    const t = text.toLowerCase();
    if (t === '+inf' || t === 'inf') return Infinity;
    if (t === '-inf') return -Infinity;
    if (t === 'nan') return NaN;
    if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text)) throw new Error(`line ${line}: bad value '${text}'`);
    return Number(text);
}

function familyOf(sample: string, families: Map<string, PromFamily>): PromFamily | undefined {
    const direct = families.get(sample);
    if (direct) return direct;
    for (const suffix of ['_bucket', '_sum', '_count']) {
        if (sample.endsWith(suffix)) {
            const f = families.get(sample.slice(0, -suffix.length));
            if (f && (f.type === 'histogram' || f.type === 'summary')) return f;
        }
    }
    return undefined;
}

/**
 * Parse Prometheus text exposition format 0.0.4 strictly: every line must be a HELP, TYPE, other
 * comment, blank line or sample; every sample belongs to a family declared by TYPE before it;
 * label values are quoted with \\ \" \n escapes; histogram buckets carry `le`. Throws on anything else.
 */
export function parsePrometheusText(body: string): Map<string, PromFamily> {
    const families = new Map<string, PromFamily>();
    const lines = body.split('\n');
    lines.forEach((raw, i) => {
        const line = i + 1;
        if (raw.trim() === '') return;
        if (raw.startsWith('#')) {
            const m = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(raw);
            if (!m) return; // plain comment
            const [, kind, name, rest] = m as unknown as [string, string, string, string];
            if (!METRIC_NAME.test(name)) throw new Error(`line ${line}: bad metric name '${name}'`);
            const f = families.get(name) ?? { name, type: 'untyped', samples: [] };
            if (kind === 'TYPE') {
                if (!TYPES.has(rest)) throw new Error(`line ${line}: bad type '${rest}'`);
                if (f.samples.length > 0) throw new Error(`line ${line}: TYPE after samples of ${name}`);
                f.type = rest;
            } else {
                f.help = rest;
            }
            families.set(name, f);
            return;
        }
        const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+(\S+)(\s+-?\d+)?$/.exec(raw);
        if (!m) throw new Error(`line ${line}: not a sample: ${raw}`);
        const [, name, labelText, valueText] = m as unknown as [string, string, string | undefined, string];
        const labels: Record<string, string> = {};
        if (labelText) {
            let rest = labelText.slice(1, -1);
            while (rest.length > 0) {
                const lm = /^([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\[\\"n])*)"(,|$)/.exec(rest);
                if (!lm || !LABEL_NAME.test(lm[1]!)) throw new Error(`line ${line}: bad labels ${labelText}`);
                labels[lm[1]!] = lm[2]!.replace(/\\(["\\n])/g, (_, c: string) => (c === 'n' ? '\n' : c));
                rest = rest.slice(lm[0].length);
            }
        }
        const family = familyOf(name, families);
        if (!family) throw new Error(`line ${line}: sample ${name} has no TYPE declared before it`);
        if (family.type === 'histogram' && name.endsWith('_bucket') && labels['le'] === undefined) throw new Error(`line ${line}: bucket without le`);
        family.samples.push({ name, labels, value: parseValue(valueText, line) });
    });
    return families;
}

/** The value of the one sample with this name and (a superset of) these labels. */
export function sampleValue(families: Map<string, PromFamily>, name: string, labels: Record<string, string> = {}): number | undefined {
    for (const f of families.values()) {
        for (const s of f.samples) {
            if (s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v)) return s.value;
        }
    }
    return undefined;
}
