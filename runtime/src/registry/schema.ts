/**
 * Schema of the strategy registry (migration 10). registry_entries: one immutable row per team ×
 * name × version; only `state` changes after publishing, and only together with a
 * registry_events row (seq 1, 2, … per entry: published, approved, deployed, retired) in the
 * same transaction. Times are ISO strings (VARCHAR) and the JSON columns are text, so the digest
 * (digest.ts) is recomputed from exactly what was written: `digest` covers every content column
 * and `previous_digest` (the digest of version − 1), so an altered, deleted or re-ordered version
 * is found when read.
 */
import { type Migration } from '../store/migrations.js';

export const REGISTRY_MIGRATIONS: readonly Migration[] = [
    {
        version: 10,
        description: 'strategy registry: versioned entries and their lifecycle events',
        statements: [
            `CREATE TABLE registry_entries (
                team VARCHAR NOT NULL,
                name VARCHAR NOT NULL,
                version INTEGER NOT NULL,
                state VARCHAR NOT NULL CHECK (state IN ('draft', 'approved', 'deployed', 'retired')),
                strategy VARCHAR NOT NULL,
                source VARCHAR NOT NULL,
                uri VARCHAR,
                libraries VARCHAR NOT NULL,
                params VARCHAR NOT NULL,
                signature VARCHAR NOT NULL,
                fingerprint_exact VARCHAR NOT NULL,
                fingerprint_structural VARCHAR NOT NULL,
                run_id VARCHAR,
                data_snapshot VARCHAR,
                engine_version VARCHAR,
                author VARCHAR NOT NULL,
                author_id VARCHAR NOT NULL,
                published_at VARCHAR NOT NULL,
                notes VARCHAR,
                previous_digest VARCHAR,
                digest VARCHAR NOT NULL,
                PRIMARY KEY (team, name, version))`,
            `CREATE TABLE registry_events (
                team VARCHAR NOT NULL,
                name VARCHAR NOT NULL,
                version INTEGER NOT NULL,
                seq INTEGER NOT NULL,
                ts VARCHAR NOT NULL,
                kind VARCHAR NOT NULL CHECK (kind IN ('published', 'approved', 'deployed', 'retired')),
                from_state VARCHAR,
                to_state VARCHAR NOT NULL,
                actor VARCHAR NOT NULL,
                actor_id VARCHAR NOT NULL,
                note VARCHAR,
                PRIMARY KEY (team, name, version, seq))`,
        ],
    },
];
