/**
 * What the "Similar Strategies" view shows, without VS Code: the language server's answer
 * (`alphaforge/similar`, workspace matches) and the daemon's (`similar.find`, experiment-store
 * matches and how often the query's own structure was tried) merged into a plain tree. Both
 * answers have the one `SimilarResult` shape of protocol/src/daemon/.
 * Pure, so the view (similar-view.ts) only maps nodes onto tree items, and the tests check this.
 *
 * The tree: a header ("Similar to X"), the "tried" summary when the store has runs of X's own
 * structure, then "Experiment store" and "Workspace" groups. Each group says what it is doing
 * (searching, daemon not connected, failed, nothing found). When the strategy does not compile
 * the language server's problems replace the groups: nothing can be searched until they are fixed.
 */
import type { SimilarMatch, SimilarResult, Tried } from '../../protocol/src/daemon/index.js';
import type { Compiled, CompileProblem } from '../../protocol/src/lsp.js';
import { metricsLine } from './run-model.js';

/** The strategy the view searches for. */
export interface SimilarQuery {
    /** As asked (undefined: the file's first strategy; the results name it). */
    readonly strategy: string | undefined;
    /** Document URI (string form). */
    readonly uri: string;
    /** For people: the path relative to the workspace. */
    readonly path: string;
    /** 0-based line of the strategy, when known. */
    readonly line?: number;
}

export type StoreOutcome =
    | { readonly state: 'pending' }
    | { readonly state: 'done'; readonly result: SimilarResult }
    | { readonly state: 'failed'; readonly message: string }
    /** The daemon is not connected (the reason, e.g. its state's message). */
    | { readonly state: 'disconnected'; readonly reason?: string };

export type WorkspaceOutcome =
    | { readonly state: 'pending' }
    | { readonly state: 'done'; readonly result: Compiled<SimilarResult> }
    | { readonly state: 'failed'; readonly message: string };

export type SimilarAction =
    /** Open the report of a run (the report panel). */
    | { readonly kind: 'openRun'; readonly runId: string }
    /** Open a document at a 0-based position. */
    | { readonly kind: 'openFile'; readonly uri: string; readonly line: number; readonly character: number }
    /** Run an `alphaforge.*` command without arguments. */
    | { readonly kind: 'command'; readonly command: string };

export interface SimilarNode {
    /** Stable within one tree (the view's item ids). */
    readonly id: string;
    readonly label: string;
    readonly description?: string;
    /** Markdown. */
    readonly tooltip?: string;
    /** Codicon id, optionally with a theme colour. */
    readonly icon?: string;
    readonly color?: string;
    /** A workspace file the node stands for (file icon, decorations). */
    readonly resourceUri?: string;
    /** `similar.<kind>` for menus. */
    readonly contextValue: string;
    readonly action?: SimilarAction;
    readonly children?: readonly SimilarNode[];
}

export interface SimilarTreeInput {
    readonly query: SimilarQuery;
    readonly store: StoreOutcome;
    readonly workspace: WorkspaceOutcome;
    /** How a workspace match's file is shown (default: its `path`). */
    readonly relativePath?: (file: { readonly path: string; readonly uri: string }) => string;
}

export const STORE_GROUP = 'Experiment store';
export const WORKSPACE_GROUP = 'Workspace';
export const CONNECT_DAEMON = 'Connect the daemon to search stored runs';

const RANK: Readonly<Record<SimilarMatch['match'], number>> = { identical: 0, structure: 1, similar: 2 };
const KIND_WORDS: Readonly<Record<SimilarMatch['match'], string>> = { identical: 'identical', structure: 'same structure', similar: 'similar' };
const KIND_ICONS: Readonly<Record<SimilarMatch['match'], string>> = { identical: 'copy', structure: 'type-hierarchy-sub', similar: 'symbol-structure' };

/** "92%": cosine similarity as a whole percentage (never 100% unless it is). */
export function similarityPercent(x: number): string {
    if (!Number.isFinite(x)) return '?';
    const p = x * 100;
    const r = Math.round(p);
    return `${r === 100 && x < 1 ? 99 : r}%`;
}

function metricName(m: 'deflatedSharpe' | 'sharpe'): string {
    return m === 'deflatedSharpe' ? 'deflated Sharpe' : 'Sharpe';
}

function times(n: number): string {
    return `${n.toLocaleString('en')}×`;
}

/** "best deflated Sharpe 0.80" (or ''). */
function bestWords(t: Tried): string {
    return t.best ? `best ${metricName(t.best.metric)} ${t.best.value.toFixed(2)}` : '';
}

/** The run a click opens: the best one, else the newest. */
function runToOpen(t: Tried | undefined | null): string | undefined {
    return t?.best?.runId ?? t?.latestRunIds[0];
}

/** Text for Markdown: escapes what Markdown would interpret inline, and block markers at the start. */
export function escapeMarkdown(s: string): string {
    return s.replace(/[\\`*_[\]<>|~]/g, '\\$&').replace(/^(\s*)([#+\-=]|\d+(?=[.)]))/gm, (_, space: string, mark: string) => /\d/.test(mark) ? `${space}${mark}\\` : `${space}\\${mark}`);
}

function capitalise(s: string): string {
    return s ? s[0]!.toUpperCase() + s.slice(1) : s;
}

/** Identical first, then same structure, then nearest; ties by name, then file / run. */
export function orderMatches(matches: readonly SimilarMatch[]): SimilarMatch[] {
    const key = (m: SimilarMatch): string => `${m.strategy ?? ''}#${m.file ? `${m.file.path}:${m.file.line}` : m.runs?.latestRunIds[0] ?? m.fingerprints.structural}`;
    return [...matches].sort((a, b) => RANK[a.match] - RANK[b.match] || b.similarity - a.similarity || key(a).localeCompare(key(b)));
}

/** "3:5 AF001 message" (1-based, as compile problems are). */
export function problemText(p: CompileProblem): string {
    return `${p.line}:${p.column} ${p.code} ${p.message}`;
}

function runsLines(t: Tried): string[] {
    const lines: string[] = [];
    const best = t.best ? `; best ${metricName(t.best.metric)} ${t.best.value.toFixed(2)} (run \`${t.best.runId}\`)` : '';
    lines.push(`${t.runs.toLocaleString('en')} completed run${t.runs === 1 ? '' : 's'}${best}${t.experimentId ? ` · experiment \`${t.experimentId}\`` : ''}`);
    const m = metricsLine(t.metrics);
    if (m) lines.push(escapeMarkdown(m));
    return lines;
}

function message(id: string, label: string, icon: string, extra: Partial<SimilarNode> = {}): SimilarNode {
    return { id, label, icon, contextValue: 'similar.message', ...extra };
}

const searching = (group: string): SimilarNode => message(`${group}:searching`, 'Searching…', 'loading~spin');

function storeMatchNode(m: SimilarMatch, index: number): SimilarNode {
    const name = m.strategy ?? 'unnamed strategy';
    const run = runToOpen(m.runs);
    const tooltip = [
        `**${escapeMarkdown(name)}** — ${KIND_WORDS[m.match]} · ${similarityPercent(m.similarity)} similar`,
        escapeMarkdown(m.difference),
        ...(m.runs ? runsLines(m.runs) : []),
        ...(run ? [`Click to open the report of run \`${run}\`.`] : []),
    ];
    return {
        id: `store:${m.fingerprints.structural}:${index}`,
        label: name,
        description: `${similarityPercent(m.similarity)} · ${m.difference}`,
        tooltip: tooltip.join('\n\n'),
        icon: KIND_ICONS[m.match],
        contextValue: run ? 'similar.store.run' : 'similar.store',
        ...(run ? { action: { kind: 'openRun', runId: run } } : {}),
    };
}

function workspaceMatchNode(m: SimilarMatch, index: number, show: (f: { path: string; uri: string }) => string, tried: ReadonlyMap<string, Tried>): SimilarNode {
    const file = m.file;
    const name = m.strategy ?? (file ? file.path.split(/[\\/]/).at(-1) ?? file.path : 'unnamed strategy');
    const where = file ? `${show(file)}:${file.line + 1}` : undefined;
    const runs = tried.get(m.fingerprints.structural);
    const tooltip = [
        `**${escapeMarkdown(name)}** — ${KIND_WORDS[m.match]} · ${similarityPercent(m.similarity)} similar`,
        escapeMarkdown(m.difference),
        ...(where ? [`\`${where}\``] : []),
        ...(runs ? [`In the experiment store: ${runs.runs.toLocaleString('en')} run${runs.runs === 1 ? '' : 's'} of this structure${runs.best ? `, ${bestWords(runs)} (run \`${runs.best.runId}\`)` : ''}.`] : []),
    ];
    return {
        id: `workspace:${file?.uri ?? ''}#${m.strategy ?? ''}:${index}`,
        label: name,
        description: `${similarityPercent(m.similarity)} · ${m.difference}`,
        tooltip: tooltip.join('\n\n'),
        icon: KIND_ICONS[m.match],
        contextValue: 'similar.workspace',
        ...(file ? { resourceUri: file.uri, action: { kind: 'openFile', uri: file.uri, line: file.line, character: 0 } } : {}),
    };
}

/** Structural fingerprint → the store's runs of it: from the store's matches and the query's own `tried`. */
function storeRuns(store: StoreOutcome): Map<string, Tried> {
    const out = new Map<string, Tried>();
    if (store.state !== 'done') return out;
    for (const m of store.result.matches) if (m.runs && m.runs.runs > 0) out.set(m.fingerprints.structural, m.runs);
    if (store.result.tried) out.set(store.result.query.fingerprints.structural, store.result.tried);
    return out;
}

/** The tree of the view for one query, as far as the two searches have got. */
export function similarTree(input: SimilarTreeInput): SimilarNode[] {
    const { query, store, workspace } = input;
    const show = input.relativePath ?? (f => f.path);
    const storeResult = store.state === 'done' ? store.result : undefined;
    const wsResult = workspace.state === 'done' && workspace.result.ok ? workspace.result.value : undefined;
    const problems = workspace.state === 'done' && !workspace.result.ok ? workspace.result.errors : undefined;

    const name = query.strategy ?? wsResult?.query.strategy ?? storeResult?.query.strategy ?? undefined;
    const fingerprints = wsResult?.query.fingerprints ?? storeResult?.query.fingerprints;
    const header: SimilarNode = {
        id: 'query',
        label: `Similar to ${name ?? 'the first strategy'}`,
        description: query.path,
        tooltip: [
            `Strategies like **${escapeMarkdown(name ?? 'the first strategy')}** of \`${query.path}\`: runs in the experiment store and strategies in this workspace, nearest first.`,
            ...(fingerprints ? [`structural fingerprint \`${fingerprints.structural.slice(0, 16)}…\``] : []),
        ].join('\n\n'),
        icon: 'search',
        contextValue: 'similar.query',
        action: { kind: 'openFile', uri: query.uri, line: query.line ?? 0, character: 0 },
    };
    const nodes: SimilarNode[] = [header];

    const tried = storeResult?.tried;
    if (tried) {
        const run = runToOpen(tried);
        const best = bestWords(tried);
        nodes.push({
            id: 'tried',
            label: `Tried ${times(tried.runs)}${best ? ` · ${best}` : ''}`,
            tooltip: [
                `${escapeMarkdown(capitalise(tried.summary.trim().replace(/\.$/, '')))}.`,
                ...runsLines(tried),
                ...(tried.latestRunIds.length ? [`latest: ${tried.latestRunIds.slice(0, 5).map(r => `\`${r}\``).join(', ')}`] : []),
                ...(run ? [`Click to open the report of run \`${run}\`.`] : []),
            ].join('\n\n'),
            icon: 'history',
            contextValue: run ? 'similar.tried.run' : 'similar.tried',
            ...(run ? { action: { kind: 'openRun', runId: run } } : {}),
        });
    }

    if (problems) {
        // Neither search can work on a strategy that does not compile (the daemon compiles the same text).
        const first = problems[0];
        const at = (p: CompileProblem): SimilarAction => ({ kind: 'openFile', uri: query.uri, line: Math.max(0, p.line - 1), character: Math.max(0, p.column - 1) });
        nodes.push({
            id: 'problems',
            label: first ? `Fix the errors first: ${problemText(first)}` : 'Fix the errors first',
            ...(problems.length > 1 ? { description: `${problems.length} problems` } : {}),
            tooltip: problems.map(p => escapeMarkdown(problemText(p))).join('\n\n'),
            icon: 'error',
            color: 'errorForeground',
            contextValue: 'similar.problems',
            ...(first ? { action: at(first) } : {}),
            ...(problems.length > 1 ? {
                children: problems.map((p, i) => message(`problem:${i}`, problemText(p), 'error', { color: 'errorForeground', action: at(p), contextValue: 'similar.problem' })),
            } : {}),
        });
        const matches = storeResult ? orderMatches(storeResult.matches) : [];
        if (matches.length) nodes.push(group('store', STORE_GROUP, 'database', matches.map(storeMatchNode)));
        return nodes;
    }

    // ---- the experiment store
    let storeChildren: SimilarNode[];
    switch (store.state) {
        case 'pending': storeChildren = [searching('store')]; break;
        case 'disconnected': storeChildren = [message('store:connect', CONNECT_DAEMON, 'plug', {
            tooltip: `${store.reason ? `${escapeMarkdown(store.reason)}\n\n` : ''}The daemon keeps the experiment store. Click to connect.`,
            action: { kind: 'command', command: 'alphaforge.connectDaemon' },
        })]; break;
        case 'failed': storeChildren = [message('store:error', `Search failed: ${store.message}`, 'error', { color: 'errorForeground', tooltip: escapeMarkdown(store.message) })]; break;
        case 'done': {
            const matches = orderMatches(store.result.matches);
            storeChildren = matches.length ? matches.map(storeMatchNode) : [message('store:none', 'No similar strategies among the stored runs', 'info')];
        }
    }
    nodes.push(group('store', STORE_GROUP, 'database', storeChildren, storeResult?.matches.length));

    // ---- the workspace
    let wsChildren: SimilarNode[];
    if (workspace.state === 'pending') wsChildren = [searching('workspace')];
    else if (workspace.state === 'failed') wsChildren = [message('workspace:error', `Search failed: ${workspace.message}`, 'error', { color: 'errorForeground', tooltip: escapeMarkdown(workspace.message) })];
    else {
        const runs = storeRuns(store);
        const own = (m: SimilarMatch): boolean => m.file?.uri === query.uri && (m.strategy ?? undefined) === name;
        const matches = orderMatches((wsResult?.matches ?? []).filter(m => !own(m)));
        wsChildren = matches.length ? matches.map((m, i) => workspaceMatchNode(m, i, show, runs)) : [message('workspace:none', 'No similar strategies in the workspace', 'info')];
    }
    nodes.push(group('workspace', WORKSPACE_GROUP, 'folder-library', wsChildren, wsResult ? wsChildren.filter(c => c.contextValue === 'similar.workspace').length : undefined));
    return nodes;
}

function group(id: string, label: string, icon: string, children: SimilarNode[], count?: number): SimilarNode {
    return {
        id: `group:${id}`,
        label,
        ...(count !== undefined ? { description: count === 1 ? '1 match' : `${count} matches` } : {}),
        icon,
        contextValue: `similar.group.${id}`,
        children,
    };
}
