import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AstNode } from 'langium';
import { formatText } from '../src/index.js';
import { services } from './helpers.js';
import { exampleSources, mulberry32 } from './corpus.js';

const fixture = (name: string) => readFileSync(join(__dirname, 'fixtures', name), 'utf8');

async function fmt(text: string): Promise<string> {
    const r = await formatText(services(), text);
    if (!r.ok) throw new Error(`not formatted: ${r.errors.map(e => `${e.line}:${e.column} ${e.message}`).join('; ')}`);
    return r.text;
}

/** The AST as plain data: no positions, containers or CST, references by name. */
function shape(node: unknown): unknown {
    if (Array.isArray(node)) return node.map(shape);
    if (node && typeof node === 'object') {
        if ('$refText' in node) return { ref: (node as { $refText: string }).$refText };
        const out: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(node)) {
            if (k.startsWith('$') && k !== '$type') continue;
            out[k] = shape(v);
        }
        return out;
    }
    return node;
}

async function astOf(text: string): Promise<unknown> {
    const doc = services().shared.workspace.LangiumDocumentFactory.fromString(text, (await import('langium')).URI.parse('memory:///shape.af'));
    return shape(doc.parseResult.value as AstNode);
}

describe('formatter', () => {
    it('lays out a messy file canonically (every construct of the grammar)', async () => {
        // The expected text is checked in; it was reviewed by hand when the formatter was written.
        expect(await fmt(fixture('messy.af'))).toBe(fixture('messy.formatted.af'));
    });

    it('pins the key rules on a small input', async () => {
        const out = await fmt('strategy S{universe:binance : BTC / USDT timeframe:1h\nfeature x=sma(close,length=20)[1]*(1+2%)\nrules{when-x<0=>target 50% long}}');
        expect(out).toBe([
            'strategy S {',
            '  universe: binance:BTC/USDT',
            '  timeframe: 1h',
            '  feature x = sma(close, length=20)[1] * (1 + 2%)',
            '  rules {',
            '    when -x < 0 => target 50% long',
            '  }',
            '}',
            '',
        ].join('\n'));
    });

    it('is idempotent on every example and on its own output', async () => {
        for (const { name, text } of [...exampleSources(), { name: 'messy', text: fixture('messy.af') }]) {
            const once = await fmt(text);
            expect(await fmt(once), name).toBe(once);
        }
    });

    it('keeps the AST: formatting changes layout only', async () => {
        for (const { name, text } of [...exampleSources(), { name: 'messy', text: fixture('messy.af') }]) {
            expect(await astOf(await fmt(text)), name).toEqual(await astOf(text));
        }
    });

    it('keeps comments where they were', async () => {
        const out = await fmt('/// doc\nstrategy S { // trailing\n  // own line\n  universe: a:B /* inline */\n  timeframe: 1h\n}\n');
        expect(out).toBe('/// doc\nstrategy S { // trailing\n  // own line\n  universe: a:B /* inline */\n  timeframe: 1h\n}\n');
    });

    it('keeps at most one blank line between members, none at block edges', async () => {
        const out = await fmt('strategy S {\n\n\n  universe: a:B\n\n\n\n  timeframe: 1h\n  feature x = close\n\n}\n');
        expect(out).toBe('strategy S {\n  universe: a:B\n\n  timeframe: 1h\n  feature x = close\n}\n');
    });

    it('maps whitespace perturbations of the examples to the same canonical text', async () => {
        const rnd = mulberry32(7);
        for (const { name, text } of exampleSources()) {
            const canonical = await fmt(text);
            for (let k = 0; k < 5; k++) {
                // Only touch whitespace between tokens: double spaces, add newlines and indentation.
                const noisy = canonical.split('\n').map(line => {
                    const cut = line.indexOf('//');
                    const code = cut < 0 ? line : line.slice(0, cut), comment = cut < 0 ? '' : line.slice(cut);
                    const indent = /^ */.exec(code)![0];
                    const spaced = indent + code.slice(indent.length).replace(/ /g, () => (rnd() < 0.2 ? '   ' : rnd() < 0.05 ? '\n      ' : ' '));
                    return (rnd() < 0.3 ? '    ' : '') + spaced + comment; // (blank lines are kept by design: not perturbed)
                }).join('\n');
                expect(await fmt(noisy), `${name} #${k}`).toBe(canonical);
            }
        }
    });

    it('refuses a file with syntax errors and lists them', async () => {
        const r = await formatText(services(), 'strategy S {\n  feature x = sma(close, 20\n}\n');
        expect(r.ok).toBe(false);
        if (!r.ok) {
            expect(r.errors.length).toBeGreaterThan(0);
            expect(r.errors[0]!.line).toBeGreaterThanOrEqual(2);
        }
    });
});
