/**
 * What the Registry view shows, without VS Code: `registry.list` grouped by name (newest version
 * first), each version's label, description, tooltip lines, icon and context value (which menu
 * items apply: approve for drafts, retire for all but retired, deploy (paper or live) for approved
 * ones). Unit-tested; registry-view.ts only turns these into tree items.
 */
import type { RegistryEntry, RegistryState } from '../../protocol/src/daemon/index.js';

export interface RegistryGroup {
    readonly name: string;
    readonly versions: readonly RegistryEntry[];
}

/** Entries by name (sorted), versions newest first. */
export function groupEntries(entries: readonly RegistryEntry[]): RegistryGroup[] {
    const byName = new Map<string, RegistryEntry[]>();
    for (const e of entries) byName.set(e.name, [...(byName.get(e.name) ?? []), e]);
    return [...byName.entries()].sort(([a], [b]) => a.localeCompare(b))
        .map(([name, versions]) => ({ name, versions: [...versions].sort((a, b) => b.version - a.version) }));
}

/** The group's line: how many versions, and the newest in each state that matters. */
export function groupDescription(g: RegistryGroup): string {
    const latest = g.versions[0];
    const live = g.versions.find(v => v.state === 'deployed') ?? g.versions.find(v => v.state === 'approved');
    const parts = [`${g.versions.length} version${g.versions.length === 1 ? '' : 's'}`];
    if (latest) parts.push(`latest v${latest.version} ${latest.state}`);
    if (live && live !== latest) parts.push(`v${live.version} ${live.state}`);
    return parts.join(' · ');
}

export function versionLabel(e: RegistryEntry): string {
    return `v${e.version}`;
}

export function versionDescription(e: RegistryEntry): string {
    const from = e.runId ? `run ${e.runId}` : 'file';
    return `${e.intact ? e.state : 'ALTERED'} · ${e.author} · ${e.publishedAt.slice(0, 10)} · ${from}`;
}

/** Tooltip lines (Markdown-free text; the view escapes it). */
export function versionDetails(e: RegistryEntry): string[] {
    return [
        `${e.name}@${e.version} — ${e.state}${e.intact ? '' : ' — its stored content no longer matches its digest: do not trust it'}`,
        `strategy ${e.strategy}, published by ${e.author} at ${e.publishedAt}`,
        e.approvedBy ? `approved by ${e.approvedBy}` : e.state === 'draft' ? 'awaiting approval by a trader other than the author' : '',
        `params: ${Object.entries(e.params).map(([k, v]) => `${k}=${String(v)}`).join(', ') || '(none)'}`,
        e.runId ? `justified by run ${e.runId}, data ${e.dataSnapshot?.slice(0, 12) ?? '?'}…` : 'published from a file',
        `${e.libraryCount} imported file(s) · fingerprint ${e.fingerprints.exact.slice(0, 16)}…`,
        e.notes ? `notes: ${e.notes}` : '',
    ].filter(Boolean);
}

export interface IconSpec {
    readonly id: string;
    readonly color?: string;
}

const STATE_ICONS: Readonly<Record<RegistryState, IconSpec>> = {
    draft: { id: 'edit' },
    approved: { id: 'pass', color: 'testing.iconPassed' },
    deployed: { id: 'rocket', color: 'charts.blue' },
    retired: { id: 'archive', color: 'disabledForeground' },
};

export function versionIcon(e: RegistryEntry): IconSpec {
    return e.intact ? STATE_ICONS[e.state] : { id: 'warning', color: 'errorForeground' };
}

/**
 * `registryVersion.<state>` (`.altered` when not intact: no actions but show). Menus match on it:
 * approve on drafts, retire on all but retired, deploy on approved.
 */
export function versionContext(e: RegistryEntry): string {
    return `registryVersion.${e.intact ? e.state : 'altered'}`;
}

/** The registry name and version a command was given: a view node, or `NAME@VERSION` text. */
export function refOf(arg: unknown): { name: string; version: number } | undefined {
    if (typeof arg === 'string') {
        const m = /^(.+)@(\d+)$/.exec(arg.trim());
        return m ? { name: m[1]!, version: Number(m[2]) } : undefined;
    }
    if (typeof arg === 'object' && arg !== null) {
        const o = arg as { kind?: unknown; entry?: { name?: unknown; version?: unknown } };
        if (o.kind === 'version' && typeof o.entry?.name === 'string' && typeof o.entry.version === 'number') return { name: o.entry.name, version: o.entry.version };
    }
    return undefined;
}
