/**
 * The panels' bundles stay small: each is loaded into a webview on every open. zod is tree-shaken
 * only when it is imported as a namespace (`import * as z from 'zod'`); one `import { z }` in any
 * protocol module the panels import pulled in the whole library (report.js grew from 168 KB to
 * 462 KB). The budgets leave room to grow, not to take in a library by accident.
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBundles, removeDir } from './support/harness.js';

const KB = 1024;
/** Budgets in bytes, minified. The DAG panel carries elkjs (about 1.4 MB on its own). */
const BUDGET: Record<string, number> = { report: 256 * KB, experiments: 256 * KB, monitor: 256 * KB, dag: 1800 * KB };

describe('panel bundles', () => {
    let dist: string;
    beforeAll(async () => { dist = await buildBundles(); }, 120_000);
    afterAll(() => removeDir(dist));

    for (const [panel, budget] of Object.entries(BUDGET)) {
        it(`${panel}.js is within ${Math.round(budget / KB)} KB`, () => {
            expect(statSync(join(dist, `${panel}.js`)).size).toBeLessThan(budget);
        });
    }

    it('takes only the zod it uses (no locales but English)', () => {
        for (const panel of Object.keys(BUDGET)) {
            // Polish and German error messages: present only when the whole library was bundled.
            expect(readFileSync(join(dist, `${panel}.js`), 'utf8'), panel).not.toMatch(/Nieprawidłowe|Ungültige Eingabe/);
        }
    });
});
