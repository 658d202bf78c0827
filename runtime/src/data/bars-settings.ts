/**
 * The `bars` section of the configuration (team mode): where a daemon reads the bars of its runs.
 * Without it (the embedded default) they come from the DuckDB store. With `kind: 'clickhouse'` the
 * daemon still imports into its store — validation, ownership (`series`, data/ownership.ts), the
 * import log and replaced bars stay there — and writes every imported range to ClickHouse too; a
 * run's bars are then read from ClickHouse, after its team's right to read them was decided in the
 * store (data/load.ts). Apart from the ClickHouse code so that reading the config loads no client.
 */
import { z } from 'zod';

export const BarsSettingsSchema = z.object({
    kind: z.literal('clickhouse').describe('Where runs read bars: clickhouse (the store keeps ownership and the import log).'),
    url: z.string().regex(/^https?:\/\/[^\s]+$/, 'must be an http:// or https:// URL of ClickHouse\'s HTTP interface, e.g. http://127.0.0.1:18123')
        .describe('ClickHouse\'s HTTP interface.'),
    database: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/, 'must be letters, digits and _').optional().describe('Database of the bars table (default: alphaforge).'),
    username: z.string().min(1).max(128).optional().describe('ClickHouse user (default: default).'),
    password: z.string().max(1024).optional().describe('Its password (default: none).'),
    timeoutMs: z.number().int().min(1000).max(3_600_000).optional().describe('Time limit of one ClickHouse query (default 60000).'),
}).strict();

export type BarsSettings = z.infer<typeof BarsSettingsSchema>;
