/**
 * The order vitest starts test files in: longest first, so that CI's two workers end together
 * instead of one running a 30-second file alone at the end (vitest's own order on a fresh clone,
 * which has no timings cached, is by file size, and the slowest files here are small ones that
 * drive a daemon). Durations come from vitest's cache when this checkout has run the files, else
 * from .ci/test-durations.txt (`<ms> <file>` lines from a CI run; regenerate it with
 * `node scripts/ci/test-durations.mjs <vitest log>`). Files in neither are new: they go first,
 * as vitest does with files it has no timings for. Only the order changes: every file still runs.
 */
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

const DURATIONS_FILE = new URL('./.ci/test-durations.txt', import.meta.url);

/** `<ms> <path>` lines → path → ms; a missing file is no timings. */
export function readDurations(text: string): Map<string, number> {
    const out = new Map<string, number>();
    for (const line of text.split('\n')) {
        const m = /^\s*(\d+)\s+(\S+)\s*$/.exec(line);
        if (m) out.set(m[2]!, Number(m[1]));
    }
    return out;
}

export default class LongestFirstSequencer extends BaseSequencer {
    override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
        let committed = new Map<string, number>();
        try {
            committed = readDurations(readFileSync(DURATIONS_FILE, 'utf8'));
        } catch {
            // No list: vitest's cache alone.
        }
        const root = this.ctx.config.root;
        const duration = (f: TestSpecification): number => {
            const path = relative(root, f.moduleId);
            const cached = this.ctx.cache.getFileTestResults(`${f.project.name}:${path}`)?.duration;
            return cached ?? committed.get(path) ?? Number.POSITIVE_INFINITY;
        };
        const ms = new Map(files.map(f => [f, duration(f)]));
        return [...files].sort((a, b) => ms.get(b)! - ms.get(a)! || (a.moduleId < b.moduleId ? -1 : 1));
    }
}
