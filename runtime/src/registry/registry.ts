/**
 * The strategy registry over the DuckDB file: publish the next version of a team's entry (one
 * transaction: the row and its `published` event), read entries back checked against their digest
 * (digest.ts), and move them through draft → approved → deployed → retired, each transition an
 * event with actor and time written in the transaction that changes the state.
 *
 * Rules owned here: versions are 1, 2, 3, … per team and name; an entry's content never changes;
 * approval needs another person than the author (four eyes; the method table already demands the
 * trader role); an entry whose content no longer matches its digest is never shown in full,
 * approved, deployed or diffed. Teams: every call takes the caller's team, and another team's
 * entry is "not found".
 */
import { isUniqueViolation, type SqlStore } from '../store/sql-store.js';
import { checkEntry, entryDigest, type EntryContent, type LibraryText } from './digest.js';
import { FourEyesViolation, RegistryNotFound, RegistryStateConflict, RegistryTampered } from './errors.js';

export type RegistryState = 'draft' | 'approved' | 'deployed' | 'retired';
export type RegistryEventKind = 'published' | 'approved' | 'deployed' | 'retired';

/** Who does something: the user's name (shown) and id (compared, for four eyes). */
export interface Actor {
    readonly user: string;
    readonly userId: string;
}

/** What a publication brings (publish.ts assembles it from a run or a source text): an entry's content less what the registry adds. */
export type Publication = Omit<EntryContent, 'version' | 'author' | 'authorId' | 'publishedAt' | 'previousDigest'>;

export interface RegistryEvent {
    readonly seq: number;
    readonly ts: string;
    readonly kind: RegistryEventKind;
    readonly from: RegistryState | null;
    readonly to: RegistryState;
    readonly actor: string;
    readonly note: string | null;
}

export interface Entry extends EntryContent {
    readonly state: RegistryState;
    readonly digest: string;
    readonly approvedBy: string | null;
    /** Undefined when intact; otherwise why not. */
    readonly damage: string | undefined;
}

export interface EntryWithEvents extends Entry {
    readonly events: readonly RegistryEvent[];
}

export interface ListOptions {
    readonly name?: string;
    readonly state?: RegistryState;
    readonly limit?: number;
    readonly offset?: number;
}

/** The transitions, by event: which states they leave from and the one they enter. */
const TRANSITIONS: Readonly<Record<Exclude<RegistryEventKind, 'published'>, { from: readonly RegistryState[]; to: RegistryState; verb: string }>> = {
    approved: { from: ['draft'], to: 'approved', verb: 'approve' },
    deployed: { from: ['approved'], to: 'deployed', verb: 'deploy' },
    retired: { from: ['draft', 'approved', 'deployed'], to: 'retired', verb: 'retire' },
};

const WHAT_TO_DO: Readonly<Record<Exclude<RegistryEventKind, 'published'>, string>> = {
    approved: 'only a draft can be approved; publish a new version to approve changes',
    deployed: 'only an approved version can be deployed; have it approved first (af registry approve)',
    retired: 'it is already retired',
};

const COLUMNS = `team, name, version, state, strategy, source, uri, libraries, params, signature, fingerprint_exact, fingerprint_structural,
    run_id, data_snapshot, engine_version, author, author_id, published_at, notes, previous_digest, digest`;

const ref = (name: string, version: number): string => `${name}@${version}`;

/** Tries of a publish that lost the race for its version number to another publish of the same name. */
const PUBLISH_ATTEMPTS = 10;

export class Registry {
    constructor(private readonly store: SqlStore, private readonly clock: () => Date = () => new Date()) {}

    /**
     * Writes the next version of `p.name` in `p.team` as a draft, with its `published` event.
     * Publishes of one name at the same moment (team mode: PostgreSQL, READ COMMITTED, one
     * connection each) may read the same latest version; the one whose insert of the next version
     * is refused by the primary key runs again on what the other committed, so each gets the next
     * version and the chain stays whole (none is skipped: a version is the latest committed + 1).
     */
    async publish(p: Publication, author: Actor): Promise<Entry> {
        for (let attempt = 1; ; attempt++) {
            try {
                return await this.publishOnce(p, author);
            } catch (e) {
                if (!isUniqueViolation(e)) throw e;
                if (attempt >= PUBLISH_ATTEMPTS) {
                    throw new RegistryStateConflict(`${p.name} was published by others ${PUBLISH_ATTEMPTS} times while this publish was being written; nothing was published: try again`);
                }
            }
        }
    }

    private async publishOnce(p: Publication, author: Actor): Promise<Entry> {
        const entry = await this.store.transaction(async () => {
            const latest = (await this.store.rows(`SELECT ${COLUMNS} FROM registry_entries WHERE team = $1 AND name = $2 ORDER BY version DESC LIMIT 1`, [p.team, p.name]))[0];
            const previous = latest ? rowContent(latest) : undefined;
            if (previous && latest!.state !== 'retired' && sameContent(previous, p)) {
                throw new RegistryStateConflict(`${ref(p.name, previous.version)} already holds this strategy with these libraries and parameter values (${String(latest!.state)}); nothing was published`);
            }
            const content: EntryContent = {
                team: p.team, name: p.name, version: (previous?.version ?? 0) + 1, strategy: p.strategy, source: p.source, uri: p.uri,
                libraries: p.libraries.map(l => ({ uri: l.uri, text: l.text })), params: { ...p.params }, signature: { ...p.signature },
                fingerprints: { exact: p.fingerprints.exact, structural: p.fingerprints.structural },
                runId: p.runId, dataSnapshot: p.dataSnapshot, engineVersion: p.engineVersion,
                author: author.user, authorId: author.userId, publishedAt: this.clock().toISOString(), notes: p.notes,
                previousDigest: latest ? String(latest.digest) : null,
            };
            const digest = entryDigest(content);
            await this.store.run(`INSERT INTO registry_entries (${COLUMNS}) VALUES ($1, $2, $3, 'draft', $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20)`, [
                content.team, content.name, content.version, content.strategy, content.source, content.uri,
                JSON.stringify(content.libraries), JSON.stringify(content.params), JSON.stringify(content.signature),
                content.fingerprints.exact, content.fingerprints.structural, content.runId, content.dataSnapshot, content.engineVersion,
                content.author, content.authorId, content.publishedAt, content.notes, content.previousDigest, digest,
            ]);
            await this.event(content.team, content.name, content.version, 1, { kind: 'published', from: null, to: 'draft', actor: author, note: p.notes, ts: content.publishedAt });
            return { ...content, state: 'draft' as const, digest, approvedBy: null, damage: undefined };
        });
        return entry;
    }

    /** Entries of a team, by name then newest version first; each checked (`damage`), none refused. */
    async list(team: string, o: ListOptions = {}): Promise<{ entries: Entry[]; total: number }> {
        const args: (string | number)[] = [team];
        const where = ['team = $1'];
        if (o.name !== undefined) { args.push(o.name); where.push(`name = $${args.length}`); }
        if (o.state !== undefined) { args.push(o.state); where.push(`state = $${args.length}`); }
        const total = Number(await this.store.scalar(`SELECT count(*)::DOUBLE FROM registry_entries WHERE ${where.join(' AND ')}`, args));
        const limit = o.limit ?? 50, offset = o.offset ?? 0;
        const rows = await this.store.rows(`SELECT ${COLUMNS} FROM registry_entries WHERE ${where.join(' AND ')} ORDER BY name, version DESC LIMIT ${Math.trunc(limit)} OFFSET ${Math.trunc(offset)}`, args);
        const chains = await this.chains(team, o.name);
        return { entries: rows.map(r => toEntry(r, chains)), total };
    }

    /** One entry (the latest version when none is given) with its events; 409 when it is not intact. */
    async show(team: string, name: string, version?: number): Promise<EntryWithEvents> {
        const entry = await this.find(team, name, version);
        if (entry.damage) throw tampered(entry);
        return { ...entry, events: await this.events(team, name, entry.version) };
    }

    /** The entry, checked, without refusing a damaged one (callers decide). */
    async find(team: string, name: string, version?: number): Promise<Entry> {
        const rows = version === undefined
            ? await this.store.rows(`SELECT ${COLUMNS} FROM registry_entries WHERE team = $1 AND name = $2 ORDER BY version DESC LIMIT 1`, [team, name])
            : await this.store.rows(`SELECT ${COLUMNS} FROM registry_entries WHERE team = $1 AND name = $2 AND version = $3`, [team, name, version]);
        if (!rows[0]) {
            const has = await this.store.rows(`SELECT max(version)::DOUBLE AS v FROM registry_entries WHERE team = $1 AND name = $2`, [team, name]);
            const latest = has[0]?.v === null || has[0]?.v === undefined ? undefined : Number(has[0].v);
            throw new RegistryNotFound(latest === undefined
                ? `no registry entry named ${name} in your team (af registry ls lists them)`
                : `${ref(name, version!)} does not exist; the latest version of ${name} is ${latest}`);
        }
        return toEntry(rows[0], await this.chains(team, name));
    }

    /** The events of an entry, in order. */
    async events(team: string, name: string, version: number): Promise<RegistryEvent[]> {
        const rows = await this.store.rows(`SELECT seq, ts, kind, from_state, to_state, actor, note FROM registry_events
            WHERE team = $1 AND name = $2 AND version = $3 ORDER BY seq`, [team, name, version]);
        return rows.map(r => ({
            seq: Number(r.seq), ts: String(r.ts), kind: String(r.kind) as RegistryEventKind,
            from: r.from_state === null ? null : String(r.from_state) as RegistryState, to: String(r.to_state) as RegistryState,
            actor: String(r.actor), note: r.note === null ? null : String(r.note),
        }));
    }

    /** draft → approved, by someone other than the author. */
    approve(team: string, name: string, version: number, actor: Actor, note?: string): Promise<Entry> {
        return this.transition('approved', team, name, version, actor, note);
    }

    /** draft | approved | deployed → retired. */
    retire(team: string, name: string, version: number, actor: Actor, note?: string): Promise<Entry> {
        return this.transition('retired', team, name, version, actor, note);
    }

    /** approved → deployed: for the execution gateway once a deployment of the version starts (no RPC of its own). */
    markDeployed(team: string, name: string, version: number, actor: Actor, note?: string): Promise<Entry> {
        return this.transition('deployed', team, name, version, actor, note);
    }

    private async transition(kind: Exclude<RegistryEventKind, 'published'>, team: string, name: string, version: number, actor: Actor, note: string | undefined): Promise<Entry> {
        const rule = TRANSITIONS[kind];
        return this.store.transaction(async () => {
            const entry = await this.find(team, name, version);
            if (entry.damage) throw tampered(entry);
            if (!rule.from.includes(entry.state)) {
                throw new RegistryStateConflict(`cannot ${rule.verb} ${ref(name, version)}: it is ${entry.state}; ${WHAT_TO_DO[kind]}`);
            }
            if (kind === 'approved' && entry.authorId === actor.userId) {
                throw new FourEyesViolation(`${actor.user} published ${ref(name, version)} and cannot also approve it (four eyes): another trader or admin of the team must approve it`);
            }
            const changed = await this.store.run(`UPDATE registry_entries SET state = $1 WHERE team = $2 AND name = $3 AND version = $4 AND state = $5`,
                [rule.to, team, name, version, entry.state]);
            if (changed !== 1) throw new RegistryStateConflict(`${ref(name, version)} changed while it was being ${kind}; try again`);
            const seq = Number(await this.store.scalar(`SELECT coalesce(max(seq), 0)::DOUBLE FROM registry_events WHERE team = $1 AND name = $2 AND version = $3`, [team, name, version])) + 1;
            await this.event(team, name, version, seq, { kind, from: entry.state, to: rule.to, actor, note: note ?? null, ts: this.clock().toISOString() });
            return { ...entry, state: rule.to, approvedBy: kind === 'approved' ? actor.user : entry.approvedBy };
        });
    }

    private async event(team: string, name: string, version: number, seq: number, e: { kind: RegistryEventKind; from: RegistryState | null; to: RegistryState; actor: Actor; note: string | null; ts: string }): Promise<void> {
        await this.store.run(`INSERT INTO registry_events (team, name, version, seq, ts, kind, from_state, to_state, actor, actor_id, note) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
            [team, name, version, seq, e.ts, e.kind, e.from, e.to, e.actor.user, e.actor.userId, e.note]);
    }

    /** Per entry of a team (optionally one name): the stored digests by version, and the state of its last event. */
    private async chains(team: string, name?: string): Promise<Chains> {
        const args = name === undefined ? [team] : [team, name];
        const filter = name === undefined ? '' : ' AND name = $2';
        const digests = await this.store.rows(`SELECT name, version, digest FROM registry_entries WHERE team = $1${filter}`, args);
        const last = await this.store.rows(`SELECT name, version, arg_max(to_state, seq) AS state, arg_max(actor, seq) FILTER (WHERE kind = 'approved') AS approver
            FROM registry_events WHERE team = $1${filter} GROUP BY name, version`, args);
        return {
            digests: new Map(digests.map(r => [ref(String(r.name), Number(r.version)), String(r.digest)])),
            states: new Map(last.map(r => [ref(String(r.name), Number(r.version)), String(r.state)])),
            approvers: new Map(last.filter(r => r.approver !== null && r.approver !== undefined).map(r => [ref(String(r.name), Number(r.version)), String(r.approver)])),
        };
    }
}

interface Chains {
    readonly digests: ReadonlyMap<string, string>;
    readonly states: ReadonlyMap<string, string>;
    /** Who approved each entry (from its events: the state column alone says nothing of who). */
    readonly approvers: ReadonlyMap<string, string>;
}

function tampered(e: Entry): RegistryTampered {
    return new RegistryTampered(`${ref(e.name, e.version)} cannot be trusted: ${e.damage}. It is not shown, approved, deployed or compared; publish it again from its run or file (an admin should find out who changed the database)`);
}

/** A publication identical to a stored version: same texts, libraries and values. */
function sameContent(a: EntryContent, p: Publication): boolean {
    return a.source === p.source && a.strategy === p.strategy && a.fingerprints.exact === p.fingerprints.exact
        && JSON.stringify(a.libraries) === JSON.stringify(p.libraries.map(l => ({ uri: l.uri, text: l.text })))
        && JSON.stringify(sorted(a.params)) === JSON.stringify(sorted(p.params));
}

function sorted<T>(o: Readonly<Record<string, T>>): [string, T][] {
    return Object.entries(o).sort(([a], [b]) => a.localeCompare(b));
}

const str = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));

/** JSON text from the database; text that no longer parses is content that was altered (the digest will not match). */
function parsed<T>(text: unknown, fallback: T): T {
    try {
        return JSON.parse(String(text)) as T;
    } catch {
        return fallback;
    }
}

function rowContent(r: Record<string, unknown>): EntryContent {
    return {
        team: String(r.team), name: String(r.name), version: Number(r.version), strategy: String(r.strategy), source: String(r.source), uri: str(r.uri),
        libraries: parsed<LibraryText[]>(r.libraries, []), params: parsed<Record<string, number | boolean>>(r.params, {}),
        signature: parsed<Record<string, number>>(r.signature, {}),
        fingerprints: { exact: String(r.fingerprint_exact), structural: String(r.fingerprint_structural) },
        runId: str(r.run_id), dataSnapshot: str(r.data_snapshot), engineVersion: str(r.engine_version),
        author: String(r.author), authorId: String(r.author_id), publishedAt: String(r.published_at), notes: str(r.notes), previousDigest: str(r.previous_digest),
    };
}

function toEntry(r: Record<string, unknown>, chains: Chains): Entry {
    const content = rowContent(r);
    const e = { ...content, state: String(r.state) as RegistryState, digest: String(r.digest), approvedBy: chains.approvers.get(ref(content.name, content.version)) ?? null };
    const damage = checkEntry(e, {
        previousStored: chains.digests.get(ref(content.name, content.version - 1)),
        lastEventState: chains.states.get(ref(content.name, content.version)),
    });
    return { ...e, damage };
}
