/**
 * Schema of the venue keys (migration 15): one row per team, exchange and label, the credentials
 * as AES-256-GCM ciphertext with its nonce and tag (venue-keys.ts); nothing in clear.
 */
import { type Migration } from '../store/migrations.js';

export const VENUE_KEY_MIGRATIONS: readonly Migration[] = [
    {
        version: 15,
        description: 'venue API keys, encrypted per team',
        statements: [
            `CREATE TABLE venue_keys (
                team VARCHAR NOT NULL,
                id VARCHAR NOT NULL UNIQUE,
                exchange VARCHAR NOT NULL,
                label VARCHAR NOT NULL,
                created_at VARCHAR NOT NULL,
                created_by VARCHAR NOT NULL,
                nonce VARCHAR NOT NULL,
                ciphertext VARCHAR NOT NULL,
                tag VARCHAR NOT NULL,
                PRIMARY KEY (team, exchange, label))`,
        ],
    },
];
