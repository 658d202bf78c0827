/**
 * What makes a registry entry tamper-evident: its digest is the SHA-256 of its content — every
 * column that is not lifecycle state (team, name, version, strategy, source, uri, libraries with
 * their texts, params, building-block signature, fingerprints, run, data snapshot, engine version,
 * author, time, notes) plus the previous version's digest — serialised with sorted keys. A changed
 * byte anywhere, a deleted or re-inserted version (the chain breaks), or a state written without
 * its event is found by `checkEntry` when the entry is read.
 */
import { createHash } from 'node:crypto';
import { stableStringify } from '../../../language/src/ir/dag.js';

/** Bumped if the content's shape ever changes (old entries keep being checked with their version). */
const DIGEST_PREFIX = 'alphaforge.registry/1\n';

export interface LibraryText {
    readonly uri: string;
    readonly text: string;
}

/** The immutable part of an entry, as written and as read back. */
export interface EntryContent {
    readonly team: string;
    readonly name: string;
    readonly version: number;
    readonly strategy: string;
    readonly source: string;
    readonly uri: string | null;
    readonly libraries: readonly LibraryText[];
    readonly params: Readonly<Record<string, number | boolean>>;
    readonly signature: Readonly<Record<string, number>>;
    readonly fingerprints: { readonly exact: string; readonly structural: string };
    readonly runId: string | null;
    readonly dataSnapshot: string | null;
    readonly engineVersion: string | null;
    readonly author: string;
    readonly authorId: string;
    readonly publishedAt: string;
    readonly notes: string | null;
    readonly previousDigest: string | null;
}

export function sha256(text: string): string {
    return createHash('sha256').update(text, 'utf8').digest('hex');
}

export function entryDigest(c: EntryContent): string {
    return sha256(DIGEST_PREFIX + stableStringify({
        team: c.team, name: c.name, version: c.version, strategy: c.strategy, source: c.source, uri: c.uri,
        libraries: c.libraries.map(l => ({ uri: l.uri, text: l.text })), params: c.params, signature: c.signature,
        fingerprints: { exact: c.fingerprints.exact, structural: c.fingerprints.structural },
        runId: c.runId, dataSnapshot: c.dataSnapshot, engineVersion: c.engineVersion,
        author: c.author, authorId: c.authorId, publishedAt: c.publishedAt, notes: c.notes, previousDigest: c.previousDigest,
    }));
}

/** What is known around an entry when it is checked. */
export interface EntryChain {
    /** The stored digest of version − 1 (undefined: no such row). */
    readonly previousStored: string | undefined;
    /** The state its last event entered (undefined: no events). */
    readonly lastEventState: string | undefined;
}

/** Why an entry is not intact, or undefined when it is. */
export function checkEntry(c: EntryContent & { readonly digest: string; readonly state: string }, chain: EntryChain): string | undefined {
    if (entryDigest(c) !== c.digest) return 'its stored content does not match its digest';
    if (c.version === 1 ? c.previousDigest !== null : chain.previousStored === undefined || chain.previousStored !== c.previousDigest) {
        return `the chain to version ${c.version - 1} is broken (a version was altered or removed)`;
    }
    if (chain.lastEventState !== c.state) return `its state (${c.state}) is not the one its events record (${chain.lastEventState ?? 'none'})`;
    return undefined;
}
