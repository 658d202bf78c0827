/**
 * Registry entries as the protocol shows them (protocol/src/daemon/registry.ts): the summary of
 * registry.list and the transitions, and the detail of registry.show with source, libraries (each
 * with its SHA-256) and events. Internal fields (author id, signature) stay inside.
 */
import type { RegistryEntry, RegistryEntryDetail } from '../../../protocol/src/daemon/index.js';
import { sha256 } from './digest.js';
import type { Entry, EntryWithEvents } from './registry.js';

export function entryView(e: Entry): RegistryEntry {
    return {
        name: e.name, version: e.version, state: e.state, team: e.team, strategy: e.strategy, author: e.author, publishedAt: e.publishedAt,
        runId: e.runId, dataSnapshot: e.dataSnapshot, fingerprints: { exact: e.fingerprints.exact, structural: e.fingerprints.structural },
        params: { ...e.params }, libraryCount: e.libraries.length, notes: e.notes, approvedBy: e.approvedBy, digest: e.digest, intact: e.damage === undefined,
    };
}

export function entryDetailView(e: EntryWithEvents): RegistryEntryDetail {
    return {
        ...entryView(e),
        source: e.source, uri: e.uri,
        libraries: e.libraries.map(l => ({ uri: l.uri, sha256: sha256(l.text), text: l.text })),
        previousDigest: e.previousDigest,
        events: e.events.map(x => ({ ...x })),
    };
}
