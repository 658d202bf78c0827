/**
 * What the Deployments view and the status bar's kill switch show, without VS Code: each
 * deployment's label, description (state, venue, PnL), tooltip, icon and context value (which
 * actions apply: show always; stop and kill while it has not ended), and which deployments the
 * kill switch would reach (those not stopped or failed, as execution.kill {all} does). Unit-tested;
 * deployments-view.ts turns these into tree items.
 */
import { DEPLOYMENT_FINAL_STATES, type Deployment } from '../../protocol/src/daemon/index.js';

/** Not ended: it trades, or holds a book (halted) that the kill switch can still flatten. */
export function isLive(d: Pick<Deployment, 'state'>): boolean {
    return !DEPLOYMENT_FINAL_STATES.includes(d.state);
}

/** The deployments the kill switch reaches. */
export function killable(ds: readonly Deployment[]): Deployment[] {
    return ds.filter(isLive);
}

function money(x: number): string {
    return x.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
}

export function pnlText(pnl: number | null): string {
    return pnl === null ? 'PnL –' : `PnL ${pnl > 0 ? '+' : pnl < 0 ? '−' : ''}${money(Math.abs(pnl))}`;
}

export function deploymentLabel(d: Deployment): string {
    return d.registry ? `${d.registry.name}@${d.registry.version}` : d.strategy;
}

/** `running · paper · PnL +1,234.50` */
export function deploymentDescription(d: Deployment): string {
    return [d.state, d.venue === 'paper' && d.mode === 'paper' ? 'paper' : `${d.mode} on ${d.venue}`, pnlText(d.pnl)].join(' · ');
}

/** Tooltip lines (plain text). */
export function deploymentDetails(d: Deployment): string[] {
    return [
        `${deploymentLabel(d)} — ${d.mode} on ${d.venue} — ${d.state}${d.reason ? `: ${d.reason}` : ''}`,
        `${d.id} · started by ${d.owner} at ${d.createdAt}`,
        ...(d.packs?.length ? [`packs ${d.packs.map(p => `${p.name} ${p.version}`).join(', ')}`] : []),
        `feed ${d.feed.kind} ${d.feed.symbols.join(', ')}${d.feed.kind === 'replay' ? ` (a bar every ${d.feed.barMs} ms${d.feed.from ? ` from ${d.feed.from}` : ''})` : ''}`,
        `${d.bars} bars${d.warmupBars !== null ? ` (warm-up ${d.warmupBars})` : ''} · risk ${d.riskState ?? '–'}`,
        `equity ${d.equity === null ? '–' : money(d.equity)} · ${pnlText(d.pnl)}${d.capital !== null ? ` on ${money(d.capital)}` : ''}`,
    ];
}

export interface IconSpec {
    readonly id: string;
    readonly color?: string;
}

export function deploymentIcon(d: Deployment): IconSpec {
    switch (d.state) {
        case 'starting':
        case 'warming': return { id: 'loading~spin' };
        case 'running': return { id: 'pulse', color: 'testing.iconPassed' };
        case 'halted': return { id: 'debug-pause', color: 'errorForeground' };
        case 'stopping': return { id: 'loading~spin' };
        case 'stopped': return { id: 'circle-slash', color: 'disabledForeground' };
        case 'failed': return { id: 'error', color: 'errorForeground' };
    }
}

/** `deployment.live` (stop, kill) or `deployment.ended`; menus match on it. */
export function deploymentContext(d: Deployment): string {
    return isLive(d) ? 'deployment.live' : 'deployment.ended';
}

/** A deployment id from a command argument: an id, a view node, a deployment. */
export function deploymentIdOf(arg: unknown): string | undefined {
    if (typeof arg === 'string' && /^[A-Za-z0-9_.:-]{1,128}$/.test(arg)) return arg;
    if (typeof arg === 'object' && arg !== null) {
        const o = arg as { kind?: unknown; deployment?: { id?: unknown }; id?: unknown; mode?: unknown };
        if (o.kind === 'deployment' && typeof o.deployment?.id === 'string') return o.deployment.id;
        if (typeof o.id === 'string' && typeof o.mode === 'string') return o.id;
    }
    return undefined;
}

/** The kill switch's question: how many deployments of which team, named. */
export function killAllQuestion(ds: readonly Deployment[], team: string): string {
    const names = ds.slice(0, 5).map(d => `${deploymentLabel(d)} (${d.state})`).join(', ');
    return `Kill all ${ds.length} deployment${ds.length === 1 ? '' : 's'} of team ${team}? Every open order is cancelled, every position flattened, and trading halted: ${names}${ds.length > 5 ? ', …' : ''}.`;
}

/** Whether an event of a deployment changes what the view shows (its state or its PnL). */
export function changesRow(kind: string): boolean {
    return kind === 'state' || kind === 'account';
}
