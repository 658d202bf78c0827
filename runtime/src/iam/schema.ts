/** Schema of IAM (migration 4): users, teams, memberships with a role, hashed API tokens; (11) users of an identity provider. */
import { type Migration } from '../store/migrations.js';

export const IAM_MIGRATIONS: readonly Migration[] = [
    {
        version: 4,
        description: 'IAM: users, teams, memberships, API tokens',
        statements: [
            `CREATE TABLE users (
                id VARCHAR PRIMARY KEY,
                name VARCHAR NOT NULL UNIQUE,
                created_at TIMESTAMP NOT NULL,
                disabled BOOLEAN NOT NULL DEFAULT false)`,
            `CREATE TABLE teams (
                id VARCHAR PRIMARY KEY,
                name VARCHAR NOT NULL UNIQUE,
                created_at TIMESTAMP NOT NULL)`,
            // A user's role is per team: viewer < researcher < trader < admin.
            `CREATE TABLE memberships (
                user_id VARCHAR NOT NULL,
                team_id VARCHAR NOT NULL,
                role VARCHAR NOT NULL CHECK (role IN ('viewer', 'researcher', 'trader', 'admin')),
                PRIMARY KEY (user_id, team_id))`,
            // Only the SHA-256 of the whole token is stored (hex); `prefix` (the 8 characters after af_)
            // identifies a token in listings and logs. created_by: the user who issued it (NULL: bootstrap
            // or a local operator). A token acts for one team, with its user's current role there.
            `CREATE TABLE tokens (
                id VARCHAR PRIMARY KEY,
                prefix VARCHAR NOT NULL,
                hash VARCHAR NOT NULL UNIQUE,
                user_id VARCHAR NOT NULL,
                team_id VARCHAR NOT NULL,
                name VARCHAR NOT NULL,
                scopes VARCHAR[] NOT NULL,
                created_at TIMESTAMP NOT NULL,
                created_by VARCHAR,
                expires_at TIMESTAMP,
                revoked_at TIMESTAMP,
                last_used_at TIMESTAMP)`,
        ],
    },
];

/**
 * Migration 11: which local user an identity provider's subject is. OIDC identifies a person by
 * (issuer, sub), never by a display name: binding the pair keeps an IdP user whose
 * preferred_username happens to be `admin` from becoming the local admin.
 */
export const IAM_IDENTITY_MIGRATIONS: readonly Migration[] = [
    {
        version: 11,
        description: 'IAM: identity-provider subjects bound to local users',
        statements: [
            `CREATE TABLE external_identities (
                issuer VARCHAR NOT NULL,
                subject VARCHAR NOT NULL,
                user_id VARCHAR NOT NULL,
                created_at TIMESTAMP NOT NULL,
                PRIMARY KEY (issuer, subject))`,
        ],
    },
];
