/** Every documented diagnostic is real: its bad example produces it, its fixed example does not. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DIAGNOSTICS, renderDiagnosticsMarkdown } from '../src/index.js';
import { loadString } from '../src/workspace/load.js';
import { services } from './helpers.js';

const LIB = 'def trend_ok(x, length: int): bool = x > sma(x, length)\n';

async function codesOf(text: string, n: number): Promise<{ codes: string[]; errors: string[] }> {
    // Each example gets its own folder, with lib/filters.af beside it for the import example.
    await loadString(services(), LIB, `file:///docs${n}/lib/filters.af`);
    const { diagnostics } = await loadString(services(), text, `file:///docs${n}/example.af`);
    return { codes: diagnostics.map(d => String(d.code)), errors: diagnostics.filter(d => d.severity === 1).map(d => `${d.code} ${d.message}`) };
}

describe('diagnostic documentation', () => {
    DIAGNOSTICS.forEach((d, i) => {
        it(`${d.code}: the bad example produces it, the fixed one does not`, async () => {
            const bad = await codesOf(d.bad, i * 2);
            expect(bad.codes).toContain(d.code);
            const fixed = await codesOf(d.fixed, i * 2 + 1);
            if (d.code !== 'AF501') expect(fixed.codes).not.toContain(d.code);
            expect(fixed.errors).toEqual([]);
        });
    });

    it('docs/diagnostics.md is generated from the registry (af explain --all --markdown)', () => {
        const onDisk = readFileSync(join(__dirname, '..', '..', 'docs', 'diagnostics.md'), 'utf8');
        expect(onDisk).toBe(renderDiagnosticsMarkdown());
    });
});
