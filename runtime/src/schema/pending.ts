/**
 * PLACEHOLDERS for migrations 16 and 17, which other branches of this session own (16: not yet
 * known to this branch; 17: on-chain/ClickHouse data in daemon runs). The runner requires versions
 * 1, 2, 3, … without gaps, so the hft branch cannot land its migration 18 alone. DELETE THIS FILE
 * when merging: the real 16 and 17 take these places (a leftover would be a duplicate version,
 * which checkSchema refuses at start-up, loudly).
 */
import type { Migration } from '../store/migrations.js';

export const PENDING_MIGRATIONS: readonly Migration[] = [
    { version: 16, description: 'placeholder (another branch owns migration 16)', statements: [] },
    { version: 17, description: 'placeholder (another branch owns migration 17)', statements: [] },
];
