/**
 * Venue API keys of a team, encrypted at rest: AES-256-GCM (node:crypto) under a 32-byte key kept
 * in `<state dir>/venue-keys.key` (created 0600, refused when group or others can read it). Each
 * row's nonce is fresh; the additional authenticated data binds the ciphertext to its team,
 * exchange and label, so a row copied to another team (or relabelled) no longer decrypts.
 *
 * What leaves this module: exchange, label, creation time and creator (list) — never the key or the
 * secret, except through `reveal`, which only the daemon's venue factory calls for the caller's own
 * team. A ciphertext that fails its tag (altered in the database, or a different key file) is a
 * clear error, not garbage.
 */
import { createCipheriv, createDecipheriv, randomBytes, randomUUID } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConflictError, NotFoundError, UserInputError } from '../../../protocol/src/errors.js';
import type { SqlStore } from '../store/sql-store.js';

export const VENUE_KEY_FILE = 'venue-keys.key';

export interface VenueKeyInfo {
    readonly id: string;
    readonly exchange: string;
    readonly label: string;
    readonly createdAt: string;
    readonly createdBy: string;
}

export interface VenueCredentials {
    readonly apiKey: string;
    readonly secret: string;
    /** Some venues (okx, kucoin) want a passphrase too. */
    readonly password?: string;
}

const NAME = /^[a-z0-9][a-z0-9_.-]{0,63}$/;

/** The key file's check row: team '' (no team's id), exchange and label that `check` refuses for real keys. */
const CHECK_ROW: [string, string, string] = ['', '-', '-key-check'];
const CHECK_ID = 'vk_key_check';
const CHECK_TEXT = 'alphaforge venue keys check';

export class VenueKeys {
    private constructor(private readonly store: SqlStore, private readonly key: Buffer, private readonly file: string) {}

    /** Opens the key file of a state directory, creating it (0600) on first use. */
    static open(store: SqlStore, stateDir: string): VenueKeys {
        const file = join(stateDir, VENUE_KEY_FILE);
        if (!existsSync(file)) writeFileSync(file, randomBytes(32).toString('base64'), { mode: 0o600, flag: 'wx' });
        chmodSync(file, 0o600); // a umask cannot widen it; an older copy is tightened
        if ((statSync(file).mode & 0o077) !== 0) throw new ConflictError(`${file} is readable by others; make it mode 0600`);
        const key = Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
        if (key.length !== 32) throw new ConflictError(`${file} does not hold a 32-byte key (base64); restore it from a backup, or remove it and set every venue key again`);
        return new VenueKeys(store, key, file);
    }

    async set(team: string, exchange: string, label: string, creds: VenueCredentials, createdBy: string): Promise<VenueKeyInfo> {
        check('exchange', exchange);
        check('label', label);
        if (!creds.apiKey || !creds.secret) throw new UserInputError('venue keys need both the API key and its secret');
        const nonce = randomBytes(12);
        const c = createCipheriv('aes-256-gcm', this.key, nonce);
        c.setAAD(aad(team, exchange, label));
        const body = Buffer.concat([c.update(JSON.stringify(creds), 'utf8'), c.final()]);
        const info: VenueKeyInfo = { id: `vk_${randomUUID().replace(/-/g, '').slice(0, 16)}`, exchange, label, createdAt: new Date().toISOString(), createdBy };
        await this.store.transaction(async () => {
            await this.store.run(`DELETE FROM venue_keys WHERE team = $1 AND exchange = $2 AND label = $3`, [team, exchange, label]);
            await this.store.run(`INSERT INTO venue_keys (team, id, exchange, label, created_at, created_by, nonce, ciphertext, tag) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
                [team, info.id, exchange, label, info.createdAt, createdBy, nonce.toString('base64'), body.toString('base64'), c.getAuthTag().toString('base64')]);
        });
        return info;
    }

    async list(team: string): Promise<VenueKeyInfo[]> {
        const rows = await this.store.rows(`SELECT id, exchange, label, created_at, created_by FROM venue_keys WHERE team = $1 AND id <> $2 ORDER BY exchange, label`, [team, CHECK_ID]);
        return rows.map(r => ({ id: String(r['id']), exchange: String(r['exchange']), label: String(r['label']), createdAt: String(r['created_at']), createdBy: String(r['created_by']) }));
    }

    /** Removes the team's keys by id or exchange/label; another team's are not found (their existence does not leak). */
    async remove(team: string, ref: string): Promise<VenueKeyInfo> {
        const found = (await this.list(team)).find(k => k.id === ref || `${k.exchange}/${k.label}` === ref);
        if (!found) throw new NotFoundError(`venue keys ${ref} not found in team ${team}`);
        await this.store.run(`DELETE FROM venue_keys WHERE team = $1 AND id = $2`, [team, found.id]);
        return found;
    }

    /**
     * The credentials a deployment on `ccxt:<exchange>` trades with: those labelled `default`, else
     * the team's only ones for that exchange. None: NotFoundError; several, none default: which to use is unclear.
     */
    async forVenue(team: string, exchange: string): Promise<VenueCredentials> {
        const stored = (await this.list(team)).filter(k => k.exchange === exchange);
        const pick = stored.find(k => k.label === 'default') ?? (stored.length === 1 ? stored[0] : undefined);
        if (!pick && stored.length) throw new ConflictError(`team ${team} has several venue keys for ${exchange} (${stored.map(k => k.label).join(', ')}) and none labelled default; store the ones to trade with under --label default`);
        if (!pick) throw new NotFoundError(`team ${team} has no venue keys for ${exchange}`);
        return this.reveal(team, exchange, pick.label);
    }

    /**
     * Whether this key file is the installation's: the one its venue keys are encrypted under. A
     * check row (team '', which no team is) holds a constant encrypted under the first key file
     * that was opened; later opens decrypt it. `shared` (team mode, where daemons with a state
     * directory each share the rows): a different key file is refused, naming the fix. Embedded:
     * a different key file (a lost one was replaced) becomes the installation's when no venue keys
     * are stored, else 'other' (the daemon warns: the stored ones fail until set again).
     */
    async checkKeyFile(o: { shared: boolean }): Promise<'written' | 'matches' | 'rewritten' | 'other'> {
        const row = async (): Promise<Record<string, unknown> | undefined> =>
            (await this.store.rows(`SELECT nonce, ciphertext, tag FROM venue_keys WHERE team = $1 AND exchange = $2 AND label = $3`, CHECK_ROW))[0];
        const found = await row();
        if (found && this.checks(found)) return 'matches';
        if (!found) {
            // Two daemons starting at once: one insert wins and the other reads it back.
            await this.writeCheck('ON CONFLICT DO NOTHING');
            const now = await row();
            if (now && this.checks(now)) return 'written';
        }
        if (o.shared) {
            throw new ConflictError(`${this.file} is not the key this control plane's venue keys are encrypted with: copy ${VENUE_KEY_FILE} from the state directory of a daemon already serving it (docs/team-mode.md), then start again`);
        }
        const stored = Number(await this.store.scalar(`SELECT count(*)::DOUBLE FROM venue_keys WHERE team <> $1`, [CHECK_ROW[0]]));
        if (stored > 0) return 'other';
        await this.store.transaction(async () => {
            await this.store.run(`DELETE FROM venue_keys WHERE team = $1 AND exchange = $2 AND label = $3`, CHECK_ROW);
            await this.writeCheck('');
        });
        return 'rewritten';
    }

    private async writeCheck(onConflict: string): Promise<void> {
        const nonce = randomBytes(12);
        const c = createCipheriv('aes-256-gcm', this.key, nonce);
        c.setAAD(aad(...CHECK_ROW));
        const body = Buffer.concat([c.update(CHECK_TEXT, 'utf8'), c.final()]);
        await this.store.run(`INSERT INTO venue_keys (team, id, exchange, label, created_at, created_by, nonce, ciphertext, tag) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ${onConflict}`,
            [CHECK_ROW[0], CHECK_ID, CHECK_ROW[1], CHECK_ROW[2], new Date().toISOString(), 'daemon', nonce.toString('base64'), body.toString('base64'), c.getAuthTag().toString('base64')]);
    }

    /** Whether the check row decrypts to its constant under this key file. */
    private checks(r: Record<string, unknown>): boolean {
        try {
            return this.decrypt(...CHECK_ROW, r) === CHECK_TEXT;
        } catch {
            return false;
        }
    }

    private decrypt(team: string, exchange: string, label: string, r: Record<string, unknown>): string {
        const d = createDecipheriv('aes-256-gcm', this.key, Buffer.from(String(r['nonce']), 'base64'));
        d.setAAD(aad(team, exchange, label));
        d.setAuthTag(Buffer.from(String(r['tag']), 'base64'));
        return Buffer.concat([d.update(Buffer.from(String(r['ciphertext']), 'base64')), d.final()]).toString('utf8');
    }

    /** The team's credentials for an exchange (label default 'default'): for the venue factory, never for an answer. */
    async reveal(team: string, exchange: string, label = 'default'): Promise<VenueCredentials> {
        const rows = await this.store.rows(`SELECT nonce, ciphertext, tag FROM venue_keys WHERE team = $1 AND exchange = $2 AND label = $3 AND id <> $4`, [team, exchange, label, CHECK_ID]);
        const r = rows[0];
        if (!r) throw new NotFoundError(`team ${team} has no venue keys for ${exchange}/${label}; store them with: af venue keys set ${exchange} --label ${label} (the secret from stdin)`);
        try {
            return JSON.parse(this.decrypt(team, exchange, label, r)) as VenueCredentials;
        } catch {
            throw new ConflictError(`the stored venue keys ${exchange}/${label} of team ${team} fail their integrity check (altered in the database, or encrypted under another ${VENUE_KEY_FILE}); set them again`);
        }
    }
}

function aad(team: string, exchange: string, label: string): Buffer {
    return Buffer.from(`alphaforge venue keys\u0000${team}\u0000${exchange}\u0000${label}`, 'utf8');
}

function check(field: string, v: string): void {
    if (!NAME.test(v)) throw new UserInputError(`${field} '${v.slice(0, 64)}' must be 1-64 of a-z 0-9 _ . - (starting with a letter or digit)`);
}
