/**
 * What the audit records of a call: which methods are audited, and the target of a call — ids,
 * names and counts picked from its params and its result by an allow-list. Never a secret (the
 * token a create returns), a source text, a free-text note or an error message: a field not listed
 * here is not recorded, so a new param is left out until someone decides it belongs.
 */
import { METHODS, isMethodName, type MethodName } from '../../../protocol/src/daemon/index.js';

/** Methods open to viewers that still change something. */
const VIEWER_CHANGES: ReadonlySet<string> = new Set<MethodName>(['iam.tokens.create', 'iam.tokens.revoke']);

/**
 * Every call of an audited method is recorded, whatever its outcome: every method that needs more
 * than the viewer role (they change state, export data or administer), and the viewer's token
 * changes. Reads by viewers are recorded only when refused (401, 403).
 */
export function auditedMethod(method: string): boolean {
    return isMethodName(method) && (METHODS[method].role !== 'viewer' || VIEWER_CHANGES.has(method));
}

/** Param fields recorded as they are (scalars, or arrays of scalars), by dotted path. */
const PARAM_FIELDS = [
    'id', 'runId', 'runIds', 'experimentId', 'user', 'team', 'role', 'name', 'kind', 'scopes', 'ttlMs',
    'venue', 'symbol', 'timeframe', 'format', 'file', 'upload', 'repair', 'allowGaps', 'visibility', 'since', 'actor', 'method', 'symbols', 'bars', 'seed',
    'version', 'from.name', 'from.version', 'to.name', 'to.version', 'strategy',
    'bars.ids', 'bars.timeframe', 'bars.from', 'bars.to', 'bars.columns',
    'spec.strategy', 'spec.uri', 'spec.symbols', 'spec.experimentId', 'spec.from', 'spec.to',
] as const;

/** Result fields worth keeping (what was created, replaced, written), per method. */
const RESULT_FIELDS: Readonly<Partial<Record<MethodName, readonly string[]>>> = {
    'runs.submit': ['run.id', 'run.state'],
    'runs.cancel': ['run.id', 'run.state'],
    'runs.promote': ['run.id', 'run.state', 'run.promoted'],
    'data.import': ['instrument.id', 'timeframe', 'rowsIn', 'rowsWritten', 'rowsDropped', 'replaced', 'firstTs', 'lastTs'],
    'data.sample': ['instrument.id', 'timeframe', 'rowsWritten', 'replaced'],
    'data.export': ['file', 'format', 'rows', 'bytes'],
    'experiments.create': ['experiment.id'],
    'registry.publish': ['entry.name', 'entry.version', 'entry.state', 'entry.runId', 'entry.digest'],
    'registry.approve': ['entry.name', 'entry.version', 'entry.state'],
    'registry.retire': ['entry.name', 'entry.version', 'entry.state'],
    'experiments.export': ['file', 'format', 'rows', 'bytes'],
    'iam.tokens.create': ['id', 'prefix', 'expiresAt'],
    'iam.tokens.revoke': ['token.id', 'token.userName', 'token.teamName'],
    'iam.users.create': ['user.id'],
    'iam.users.disable': ['user.id'],
    'iam.users.enable': ['user.id'],
    'iam.teams.create': ['team.id'],
    'iam.members.set': ['membership.userId', 'membership.teamId', 'membership.role'],
    'audit.list': ['matched'],
};

/** Longest string kept; an export query is kept up to QUERY_CHARS (what was exported matters). */
const MAX_CHARS = 256;
const QUERY_CHARS = 1000;
const MAX_ITEMS = 50;

type Value = string | number | boolean | null | (string | number)[];

function at(value: unknown, path: string): unknown {
    let v = value;
    for (const key of path.split('.')) {
        if (typeof v !== 'object' || v === null || Array.isArray(v)) return undefined;
        v = (v as Record<string, unknown>)[key];
    }
    return v;
}

function clip(s: string, max = MAX_CHARS): string {
    return s.length > max ? `${s.slice(0, max)}…` : s;
}

/** A scalar or an array of scalars as recorded; anything else (objects, long arrays' tails) left out. */
function recorded(v: unknown): Value | undefined {
    if (v === null || typeof v === 'boolean') return v;
    if (typeof v === 'number') return Number.isFinite(v) ? v : null;
    if (typeof v === 'string') return clip(v);
    if (Array.isArray(v)) {
        const items = v.slice(0, MAX_ITEMS).filter((x): x is string | number => typeof x === 'string' || (typeof x === 'number' && Number.isFinite(x)));
        return items.map(x => (typeof x === 'string' ? clip(x) : x));
    }
    return undefined;
}

/**
 * The target of a call: allow-listed fields of its params (as sent: a refused call's params were
 * never validated) and, when it succeeded, of its result. A `query` sent to `data.export` (refused:
 * no SQL over RPC) is kept, clipped: an attempt to run SQL is worth seeing.
 */
export function auditTarget(method: string, params: unknown, result?: unknown): Record<string, Value> {
    const out: Record<string, Value> = {};
    for (const path of PARAM_FIELDS) {
        const v = recorded(at(params, path));
        if (v !== undefined) out[path] = v;
    }
    const query = at(params, 'query');
    if (method === 'data.export' && typeof query === 'string') out['query'] = clip(query, QUERY_CHARS);
    if (result !== undefined && isMethodName(method)) {
        for (const path of RESULT_FIELDS[method] ?? []) {
            const v = recorded(at(result, path));
            if (v !== undefined) out[`result.${path}`] = v;
        }
    }
    return out;
}

/** The public part of a presented API token (`af_` + its 8-character prefix + `…`), or undefined for anything else. */
export function tokenPrefixOf(token: string | undefined): string | undefined {
    const m = /^af_[A-Za-z0-9_-]{8}/.exec(token ?? '');
    return m ? `${m[0]}…` : undefined;
}
