/**
 * Venue API keys (venues.keys.*): a team's credentials for an exchange, stored encrypted by the
 * daemon and used only by its own deployments. Answers carry exchange, label and creation only —
 * never the key or the secret, which go in once (set) and never come back out.
 */
import * as z from 'zod';
import { method } from './method.js';
import { IsoTime } from './fields.js';

const VenueName = z.string().regex(/^[a-z0-9][a-z0-9_.-]{0,63}$/, '1-64 of a-z 0-9 _ . - (a ccxt exchange id, e.g. binance)');

export const VenueKeyInfoSchema = z.object({
    id: z.string(),
    exchange: z.string(),
    label: z.string(),
    createdAt: IsoTime,
    createdBy: z.string(),
});
export type VenueKeyInfo = z.infer<typeof VenueKeyInfoSchema>;

export const VENUE_KEYS_METHODS = {
    'venues.keys.set': method('trader', 'Store (or replace) the caller\'s team\'s API key and secret for an exchange under a label, encrypted at rest. The answer never contains them.',
        z.strictObject({
            exchange: VenueName,
            label: VenueName.default('default'),
            apiKey: z.string().min(1).max(512),
            secret: z.string().min(1).max(4096),
            password: z.string().min(1).max(512).optional().describe('a passphrase some venues want (okx, kucoin)'),
        }),
        z.object({ key: VenueKeyInfoSchema })),
    'venues.keys.list': method('trader', 'The caller\'s team\'s stored venue keys: exchange, label, created — never the key or the secret.',
        z.strictObject({}),
        z.object({ keys: z.array(VenueKeyInfoSchema) })),
    'venues.keys.remove': method('trader', 'Remove stored venue keys of the caller\'s team, by id or EXCHANGE/LABEL.',
        z.strictObject({ ref: z.string().min(1).max(200) }),
        z.object({ key: VenueKeyInfoSchema })),
} as const;
