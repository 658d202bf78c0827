/**
 * `af deploy paper|live`, `af deployments ls|show|stop`, `af kill`, `af positions`, `af orders`:
 * deployments through the daemon (execution.* over DaemonClient, like `af runs`). A paper
 * deployment starts from an .af file (sent with its file: URI, so the daemon resolves its imports
 * from its source folders) or a registry version NAME@VERSION; live needs an approved version.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Deployment, ParamsInput } from '../../../../protocol/src/daemon/index.js';
import { CliError } from '../errors.js';
import { style } from '../style.js';
import { printGrid, printTable } from '../table.js';
import { connect, paramValues, remote, type ConnectOptions } from './daemon.js';
import { parseRef } from './registry.js';

export interface DeployOptions extends ConnectOptions {
    readonly symbols?: string;
    readonly from?: string;
    readonly to?: string;
    readonly barMs?: number;
    readonly capital?: number;
    readonly strategy?: string;
    readonly params?: string[];
    readonly feed?: string;
}

const print = (o: { json?: boolean }, out: (s: string) => void, value: unknown, text: () => string): number => {
    out(o.json ? JSON.stringify(value, null, 2) + '\n' : text());
    return 0;
};

const money = (x: number | null): string => (x === null ? '-' : x.toLocaleString('en-US', { maximumFractionDigits: 2, minimumFractionDigits: 2 }));
const state = (s: string): string => s === 'running' ? style.green(s) : s === 'failed' ? style.red(s) : s === 'halted' ? style.yellow(s) : s;

function feedOf(o: DeployOptions, kind: string | undefined): NonNullable<ParamsInput<'execution.paper.start'>['feed']> {
    return {
        ...(kind ? { kind } : {}),
        ...(o.symbols ? { symbols: o.symbols.split(',').map(s => s.trim()).filter(Boolean) } : {}),
        ...(o.from ? { from: o.from } : {}), ...(o.to ? { to: o.to } : {}), ...(o.barMs !== undefined ? { barMs: o.barMs } : {}),
    };
}

function started(d: Deployment): string {
    return `started ${d.mode} deployment ${d.id} of ${d.strategy}${d.registry ? ` (${d.registry.name}@${d.registry.version})` : ''} on ${d.venue}, fed by ${d.feed.kind} ${d.feed.symbols.join(', ')}\n`
        + `follow it with: af deployments show ${d.id} · af orders ${d.id} · af kill ${d.id}\n`;
}

export async function deployPaperCommand(target: string, o: DeployOptions, out: (s: string) => void): Promise<number> {
    const isFile = existsSync(target) || /\.af$/i.test(target);
    if (isFile && !existsSync(target)) throw new CliError(`${target}: no such file`);
    if (!isFile && (o.strategy !== undefined || o.params !== undefined)) throw new CliError('--strategy and --params go with a file; a registry version brings its own');
    const params = paramValues(o.params);
    const strategy = isFile
        ? { source: readFileSync(target, 'utf8'), uri: pathToFileURL(resolve(target)).href, ...(o.strategy ? { strategy: o.strategy } : {}), ...(Object.keys(params).length ? { params } : {}) }
        : { registry: parseRef(target) as { name: string; version: number } };
    const r = await remote(() => connect(o).call('execution.paper.start', { ...strategy, feed: feedOf(o, o.feed), ...(o.capital !== undefined ? { capital: o.capital } : {}) }));
    return print(o, out, r, () => started(r.deployment));
}

export async function deployLiveCommand(ref: string, o: DeployOptions & { venue: string }, out: (s: string) => void): Promise<number> {
    const { name, version } = parseRef(ref);
    const feed = o.feed || o.symbols || o.from || o.to || o.barMs !== undefined ? feedOf(o, o.feed ?? 'replay') : undefined;
    const r = await remote(() => connect(o).call('execution.live.start', {
        registry: { name, version: version! }, venue: o.venue, ...(feed ? { feed } : {}), ...(o.capital !== undefined ? { capital: o.capital } : {}),
    }));
    return print(o, out, r, () => started(r.deployment));
}

export async function deploymentsLsCommand(o: ConnectOptions & { state?: string; limit: number }, out: (s: string) => void): Promise<number> {
    const r = await remote(() => connect(o).call('execution.list', { ...(o.state ? { state: o.state as Deployment['state'] } : {}), limit: o.limit }));
    return print(o, out, r, () => {
        if (!r.deployments.length) return 'no deployments (start one with af deploy paper FILE)\n';
        return printGrid(['id', 'mode', 'state', 'strategy', 'venue', 'bars', 'equity', 'pnl', 'owner', 'created'],
            r.deployments.map(d => [d.id, d.mode, state(d.state), d.strategy, d.venue, String(d.bars), money(d.equity), money(d.pnl), d.owner, d.createdAt.slice(0, 16).replace('T', ' ')]),
            ['left', 'left', 'left', 'left', 'left', 'right', 'right', 'right']) + (r.total > r.deployments.length ? style.dim(`  … ${r.total - r.deployments.length} more (--limit)\n`) : '');
    });
}

export async function deploymentsShowCommand(id: string, o: ConnectOptions, out: (s: string) => void): Promise<number> {
    const r = await remote(() => connect(o).call('execution.show', { id }));
    const d = r.deployment;
    return print(o, out, r, () => printTable([
        ['id', d.id], ['mode', d.mode], ['state', state(d.state) + (d.reason ? ` — ${d.reason}` : '')], ['strategy', d.strategy + (d.registry ? ` (${d.registry.name}@${d.registry.version})` : d.uri ? ` (${d.uri})` : '')],
        ['params', Object.entries(d.params).map(([k, v]) => `${k}=${v}`).join(', ') || '(none)'],
        ['packs', d.packs === undefined ? '-' : d.packs.map(p => `${p.name} ${p.version}${p.integrity ? ` (${p.integrity.slice(0, 19)}…)` : ''}`).join(', ') || '(built-in only)'], ['venue', d.venue],
        ['feed', `${d.feed.kind} ${d.feed.symbols.join(', ')}${d.feed.from || d.feed.to ? ` ${d.feed.from ?? '…'} → ${d.feed.to ?? '…'}` : ''}, a bar every ${d.feed.barMs} ms`],
        ['bars', `${d.bars}${d.warmupBars ? ` (warm-up ${d.warmupBars})` : ''}`], ['risk', d.riskState ?? '-'],
        ['equity', money(d.equity)], ['pnl', money(d.pnl)], ['capital', money(d.capital)], ['owner', d.owner],
        ['created', d.createdAt], ['finished', d.finishedAt ?? '-'],
    ]));
}

export async function deploymentsStopCommand(id: string, o: ConnectOptions & { reason?: string }, out: (s: string) => void): Promise<number> {
    const r = await remote(() => connect(o).call('execution.stop', { id, ...(o.reason ? { reason: o.reason } : {}) }));
    return print(o, out, r, () => `${r.deployment.id}: ${r.deployment.state} (${r.deployment.reason ?? ''}); its open orders stay at the venue: af kill ${r.deployment.id} cancels them and flattens\n`);
}

export async function killCommand(id: string | undefined, o: ConnectOptions & { all?: boolean; reason?: string }, out: (s: string) => void): Promise<number> {
    if ((id === undefined) === !o.all) throw new CliError('name one deployment (af kill ID) or all of your team\'s (af kill --all)');
    const r = await remote(() => connect(o).call('execution.kill', { ...(id !== undefined ? { id } : { all: true }), ...(o.reason ? { reason: o.reason } : {}) }));
    return print(o, out, r, () => r.deployments.length
        ? r.deployments.map(d => `${d.id}: ${d.state}, risk ${d.riskState ?? '-'}; open orders cancelled, positions flattened\n`).join('')
        : 'no deployment to kill\n');
}

export async function positionsCommand(id: string | undefined, o: ConnectOptions, out: (s: string) => void): Promise<number> {
    const r = await remote(() => connect(o).call('execution.positions', id !== undefined ? { id } : {}));
    return print(o, out, r, () => (r.positions.length
        ? printGrid(['deployment', 'symbol', 'qty', 'last'], r.positions.map(p => [p.deployment, p.symbol, String(Number(p.qty.toPrecision(10))), p.lastPrice === null ? '-' : String(p.lastPrice)]), ['left', 'left', 'right', 'right'])
        : '  no open position\n')
        + (r.balances.length ? printGrid(['deployment', 'currency', 'balance'], r.balances.map(b => [b.deployment, b.currency, money(b.amount)]), ['left', 'left', 'right']) : ''));
}

export async function ordersCommand(id: string | undefined, o: ConnectOptions & { open?: boolean; limit: number }, out: (s: string) => void): Promise<number> {
    const r = await remote(() => connect(o).call('execution.orders', { ...(id !== undefined ? { id } : {}), ...(o.open ? { open: true } : {}), limit: o.limit }));
    return print(o, out, r, () => r.orders.length
        ? printGrid(['deployment', 'client order id', 'bar', 'side', 'type', 'qty', 'filled', 'avg price', 'state'],
            r.orders.map(x => [x.deployment, x.clientOrderId, new Date(x.barTs).toISOString().slice(0, 16).replace('T', ' '), x.side, x.type + (x.reduceOnly ? ' (reduce)' : ''),
                String(Number(x.qty.toPrecision(8))), String(Number(x.filledQty.toPrecision(8))), x.filledQty ? x.avgPrice.toFixed(4) : '-', x.state]),
            ['left', 'left', 'left', 'left', 'left', 'right', 'right', 'right'])
        : '  no orders\n');
}
