/**
 * The function reference is generated from the catalogue: docs/functions.md is current, every entry
 * of every pack is in it with its signature and example, and `af functions` prints the same.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Catalogue, renderFunctionList, renderFunctionsMarkdown, renderFunctionText, signatureOf } from '../src/index.js';

const catalogue = new Catalogue();

describe('the function reference', () => {
    it('docs/functions.md is generated from the catalogue (af functions --markdown > docs/functions.md)', () => {
        expect(readFileSync(join(__dirname, '..', '..', 'docs', 'functions.md'), 'utf8')).toBe(renderFunctionsMarkdown(catalogue));
    });

    it('lists every function, field and constant with its signature and example', () => {
        const md = renderFunctionsMarkdown(catalogue), list = renderFunctionList(catalogue);
        const entries = catalogue.allEntries();
        expect(entries.length).toBeGreaterThan(30);
        for (const e of entries) {
            expect(md, e.name).toContain(`#### ${e.name}\n\n\`${signatureOf(e)}\``);
            expect(md, e.name).toContain(`\`\`\`af\n${e.example}\n\`\`\``);
            expect(list, e.name).toContain(`  ${signatureOf(e)}`);
        }
    });

    it('one entry in full: parameters with defaults and minimums, look-back, range, example', () => {
        const rsi = catalogue.get('rsi');
        if (rsi?.kind !== 'function') throw new Error('rsi is a catalogue function');
        expect(renderFunctionText(rsi)).toBe([
            'rsi(source: series<U>, length: int = 14) → series<1>', '',
            rsi.doc, '',
            'parameters:',
            ...rsi.params.map(p => `  ${p.name}: ${p.type}${p.default !== undefined ? ` = ${String(p.default)}` : ''}${p.min !== undefined ? ` (at least ${p.min})` : ''} — ${p.doc}`),
            '', `look-back: ${rsi.lookback} bars`,
            'values: 0 to 100', '',
            'example:', `  ${rsi.example}`, '',
        ].join('\n'));
    });
});
