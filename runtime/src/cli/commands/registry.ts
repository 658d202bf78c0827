/**
 * `af registry publish|ls|show|approve|retire|diff`: the strategy registry through the daemon
 * (registry.* over DaemonClient, like `af runs`). Entries are named `NAME@VERSION`; publish takes a
 * run id (a promoted run) or an .af file, sent with its file: URI so the daemon resolves and
 * records its imports from its source folders.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { RegistryName, type RegistryEntry } from '../../../../protocol/src/daemon/index.js';
import { formatDagDiff } from '../../../../language/src/ir/dag-diff.js';
import { CliError } from '../errors.js';
import { connect, paramValues, remote, type ConnectOptions } from './daemon.js';

const print = (o: { json?: boolean }, out: (s: string) => void, value: unknown, text: () => string): number => {
    out(o.json ? JSON.stringify(value, null, 2) + '\n' : text());
    return 0;
};

/** `NAME@VERSION` (or `NAME` when `versionOptional`), checked like the daemon checks it. */
export function parseRef(text: string, versionOptional = false): { name: string; version?: number } {
    const at = text.lastIndexOf('@');
    const name = at < 0 ? text : text.slice(0, at);
    const version = at < 0 ? undefined : Number(text.slice(at + 1));
    if (!RegistryName.safeParse(name).success) throw new CliError(`'${text}': a registry name starts with a letter or _ and has letters, digits, _ . - (write NAME@VERSION, e.g. SmaCross@2)`);
    if (version === undefined ? !versionOptional : !Number.isInteger(version) || version < 1) {
        throw new CliError(`'${text}': write NAME@VERSION with a version 1, 2, … (af registry ls ${name} lists them)`);
    }
    return version === undefined ? { name } : { name, version };
}

const line = (e: RegistryEntry): string =>
    `${`${e.name}@${e.version}`.padEnd(24)} ${e.state.padEnd(9)} ${e.strategy.padEnd(18)} ${e.author.padEnd(14)} ${e.publishedAt.slice(0, 19)} ${e.runId ?? '(file)'}${e.intact ? '' : '  ALTERED: do not trust (af registry show says why)'}\n`;

export async function registryPublishCommand(target: string, o: ConnectOptions & { name?: string; notes?: string; strategy?: string; params?: string[] }, out: (s: string) => void): Promise<number> {
    const isFile = existsSync(target) || /\.af$/i.test(target);
    if (isFile && !existsSync(target)) throw new CliError(`${target}: no such file`);
    if (!isFile && (o.strategy !== undefined || o.params !== undefined)) throw new CliError('--strategy and --params go with a file; a run brings its own');
    const base = { ...(o.name !== undefined ? { name: o.name } : {}), ...(o.notes !== undefined ? { notes: o.notes } : {}) };
    const params = paramValues(o.params);
    const client = connect(o);
    const r = await remote(() => client.call('registry.publish', isFile
        ? { ...base, source: readFileSync(target, 'utf8'), uri: pathToFileURL(resolve(target)).href, ...(o.strategy ? { strategy: o.strategy } : {}), ...(Object.keys(params).length ? { params } : {}) }
        : { ...base, runId: target }));
    const e = r.entry;
    return print(o, out, r, () => `published ${e.name}@${e.version} (${e.state}) from ${e.runId ? `run ${e.runId}` : target}: ${e.strategy}, ${e.libraryCount} imported file(s), fingerprint ${e.fingerprints.exact.slice(0, 16)}…\n`
        + `another trader approves it with: af registry approve ${e.name}@${e.version}\n`);
}

export async function registryLsCommand(name: string | undefined, o: ConnectOptions & { state?: string; limit: number }, out: (s: string) => void): Promise<number> {
    if (name !== undefined) parseRef(name, true);
    const r = await remote(() => connect(o).call('registry.list', { ...(name !== undefined ? { name } : {}), ...(o.state ? { state: o.state as 'draft' } : {}), limit: o.limit }));
    return print(o, out, r, () => r.entries.length
        ? r.entries.map(line).join('') + (r.total > r.entries.length ? `… ${r.total - r.entries.length} more (--limit)\n` : '')
        : 'no registry entries (publish one with af registry publish RUN|FILE)\n');
}

export async function registryShowCommand(ref: string, o: ConnectOptions & { source?: boolean }, out: (s: string) => void): Promise<number> {
    const r = await remote(() => connect(o).call('registry.show', parseRef(ref, true)));
    const e = r.entry;
    return print(o, out, r, () => {
        let s = line(e);
        s += `params: ${Object.entries(e.params).map(([k, v]) => `${k}=${v}`).join(', ') || '(none)'}\n`;
        s += `fingerprints: exact ${e.fingerprints.exact} · structural ${e.fingerprints.structural}\n`;
        if (e.runId) s += `justified by run ${e.runId} · data ${e.dataSnapshot ?? '?'}\n`;
        if (e.uri) s += `source: ${e.uri}\n`;
        for (const l of e.libraries) s += `imports: ${l.uri} (sha256 ${l.sha256.slice(0, 16)}…)\n`;
        if (e.notes) s += `notes: ${e.notes}\n`;
        s += `digest: ${e.digest}\n`;
        s += e.events.map(x => `  ${x.ts.slice(0, 19)} ${x.kind.padEnd(9)} ${x.from ?? '-'} → ${x.to} by ${x.actor}${x.note ? `: ${x.note}` : ''}\n`).join('');
        if (o.source) s += `\n${e.source}${e.source.endsWith('\n') ? '' : '\n'}` + e.libraries.map(l => `\n// ---- ${l.uri}\n${l.text}`).join('');
        return s;
    });
}

export async function registryTransitionCommand(action: 'approve' | 'retire', ref: string, o: ConnectOptions & { note?: string }, out: (s: string) => void): Promise<number> {
    const { name, version } = parseRef(ref);
    const params = { name, version: version!, ...(o.note !== undefined ? { note: o.note } : {}) };
    const client = connect(o);
    const r = await remote(() => action === 'approve' ? client.call('registry.approve', params) : client.call('registry.retire', params));
    return print(o, out, r, () => `${r.entry.name}@${r.entry.version} is ${r.entry.state}\n`);
}

export async function registryDiffCommand(from: string, to: string, o: ConnectOptions, out: (s: string) => void): Promise<number> {
    const a = parseRef(from), b = parseRef(to);
    const r = await remote(() => connect(o).call('registry.diff', { from: { name: a.name, version: a.version! }, to: { name: b.name, version: b.version! } }));
    return print(o, out, r, () => {
        let s = `${from} → ${to}: ${r.structure}\n`;
        for (const p of r.params) s += `param ${p.name}: ${String(p.from ?? '(none)')} → ${String(p.to ?? '(none)')}\n`;
        // Node for node, as af diff prints it (its headline is the line above).
        s += r.dag ? formatDagDiff(r.dag).split('\n').slice(1).join('\n') : `(no node-for-node diff: ${r.dagError ?? 'unknown'})\n`;
        const changed = r.files.filter(f => f.change !== 'same');
        if (changed.length === 0) s += 'source and imported files identical\n';
        for (const f of changed) s += f.change === 'changed' ? `\n${f.diff}` : `\n${f.file}: ${f.change}\n${f.diff}`;
        return s;
    });
}
