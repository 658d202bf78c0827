/**
 * PLACEHOLDER for migration 19, which another branch of this session owns. The runner requires
 * versions 1, 2, 3, … without gaps, so the hft-more branch cannot land its migration 20 alone.
 * DELETE THIS FILE when merging: the real 19 takes this place (a leftover would be a duplicate
 * version, which checkSchema refuses at start-up, loudly).
 */
import type { Migration } from '../store/migrations.js';

export const PENDING_MIGRATIONS: readonly Migration[] = [
    { version: 19, description: 'placeholder (another branch owns migration 19)', statements: [] },
];
