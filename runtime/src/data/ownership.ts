/**
 * Who owns market data and who may read it. A series (venue, symbol, timeframe) has an owner team
 * and a visibility: `team` (only the owner reads it) or `shared` (every team reads it, only the
 * owner writes it). The table is `series` (migration 8).
 *
 * Two kinds of writer:
 * - A team (imports over RPC): a new series is owned by that team; writing into an existing series
 *   of another team is refused (SeriesForbidden, 403), whether it would replace bars or append.
 * - The local operator (the `af` CLI: `data import`, `sample`, `synth`, `fetch`), who owns the
 *   database file anyway: a new series is shared, owned by the bootstrap team `default`
 *   (LOCAL_OWNER); an existing one keeps its owner and visibility.
 *
 * Readers with a team (data.list, data.export, runs) see shared series and their own team's;
 * a series that is not visible is reported as absent (NoVisibleData, 404), never as forbidden, so
 * a team's private series names do not leak through reads. The local CLI reads everything.
 */
import { BOOTSTRAP_TEAM } from '../iam/iam.js';
import { ForbiddenError, NotFoundError } from '../../../protocol/src/errors.js';
import { type DataStore } from '../store/store.js';
import { type InstrumentId } from './symbols.js';

export const VISIBILITIES = ['team', 'shared'] as const;
export type Visibility = (typeof VISIBILITIES)[number];

/** The bootstrap team: owner of the local CLI's data. */
export const LOCAL_TEAM = BOOTSTRAP_TEAM;

export interface SeriesOwner {
    readonly team: string;
    readonly visibility: Visibility;
}

/** Owner of what the local CLI imports into a new series. */
export const LOCAL_OWNER: SeriesOwner = { team: LOCAL_TEAM, visibility: 'shared' };

/** A team writing into a series another team owns (403). */
export class SeriesForbidden extends ForbiddenError {
    constructor(message: string) {
        super(message);
        this.name = 'SeriesForbidden';
    }
}

/** Nothing of the series is visible to the reading team (404: the same answer as for no data at all). */
export class NoVisibleData extends NotFoundError {
    constructor(message: string) {
        super(message);
        this.name = 'NoVisibleData';
    }
}

export function noVisibleData(id: string, timeframe: string, team: string, visible: readonly string[] = []): NoVisibleData {
    return new NoVisibleData(`no data for ${id} ${timeframe} visible to team ${team}; import it under a name of your team (data.import) or ask its owner to share it`
        + (visible.length ? `; visible instruments: ${visible.join(', ')}` : ''));
}

/** SQL condition: series alias `s` is readable by the team bound at `$n`. */
export function visibleTo(param: string, alias = 's'): string {
    return `(${alias}.visibility = 'shared' OR ${alias}.owner_team = ${param})`;
}

/** The owner row of a series, if it has one. */
export async function seriesOwner(store: DataStore, venue: string, symbol: string, timeframe: string): Promise<SeriesOwner | undefined> {
    const r = (await store.rows(`SELECT owner_team, visibility FROM series WHERE venue = $1 AND symbol = $2 AND timeframe = $3`, [venue, symbol, timeframe]))[0];
    return r ? { team: String(r.owner_team), visibility: String(r.visibility) as Visibility } : undefined;
}

/** Timeframes of an instrument the team may read (unordered). */
export async function visibleTimeframes(store: DataStore, id: InstrumentId, team: string): Promise<string[]> {
    const rows = await store.rows(`SELECT timeframe FROM series s WHERE venue = $1 AND symbol = $2 AND ${visibleTo('$3')}`, [id.venue, id.symbol, team]);
    return rows.map(r => String(r.timeframe));
}

/** A few instruments the team may read, for error messages. */
export async function visibleInstruments(store: DataStore, team: string, limit = 8): Promise<string[]> {
    const rows = await store.rows(`SELECT DISTINCT venue || ':' || symbol AS id FROM series s WHERE ${visibleTo('$1')} ORDER BY 1 LIMIT ${Math.floor(limit)}`, [team]);
    return rows.map(r => String(r.id));
}

/**
 * The owner the series has after a write by `actor` (undefined: the local operator), or throws
 * SeriesForbidden when the actor may not write into it. Call inside the import's transaction.
 */
export function ownerAfterWrite(id: InstrumentId, timeframe: string, existing: SeriesOwner | undefined, actor: { team: string; visibility?: Visibility } | undefined): SeriesOwner {
    if (!actor) return existing ?? LOCAL_OWNER;
    if (existing && existing.team !== actor.team) {
        // A shared series' owner is public; a private one's is not even confirmed to exist beyond this refusal.
        const whose = existing.visibility === 'shared' ? `belongs to team ${existing.team}` : 'belongs to another team';
        const venue = actor.team.toLowerCase().replace(/[^a-z0-9_.-]/g, '');
        const example = /^[a-z]/.test(venue) && venue !== id.venue ? ` (e.g. ${venue}:${id.symbol})` : '';
        throw new SeriesForbidden(`${id.id} ${timeframe} ${whose}; only its owner team may replace or extend it: import your bars under another venue or symbol name${example}`);
    }
    return { team: actor.team, visibility: actor.visibility ?? existing?.visibility ?? 'team' };
}

/** Creates or updates the owner row of a series (inside the import's transaction). */
export async function recordOwner(store: DataStore, venue: string, symbol: string, timeframe: string, owner: SeriesOwner): Promise<void> {
    await store.run(`INSERT INTO series (venue, symbol, timeframe, owner_team, visibility) VALUES ($1, $2, $3, $4, $5)
        ON CONFLICT (venue, symbol, timeframe) DO UPDATE SET owner_team = excluded.owner_team, visibility = excluded.visibility`,
    [venue, symbol, timeframe, owner.team, owner.visibility]);
}
