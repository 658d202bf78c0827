/**
 * Packs in the language: a manifest's entries become catalogue entries; a name contributed by a
 * pack that exists but the workspace does not enable is still unknown (AF003), and the diagnostic
 * names the pack to add; once enabled, the same source checks clean.
 */
import { EmptyFileSystem } from 'langium';
import { describe, expect, it } from 'vitest';
import { createAlphaForgeServices, loadString } from '../src/index.js';
import { ALPHAFORGE_VERSION, manifestToPack, parsePackManifest } from '../src/catalogue/pack-manifest.js';

const demo = manifestToPack(parsePackManifest({
    name: 'demo', version: '1.0.0', description: 'Demo.', alphaforge: `^${ALPHAFORGE_VERSION}`,
    contributes: {
        functions: [{
            name: 'demo_ema', params: [{ name: 'source', type: 'series<U>', doc: 'Input.' }, { name: 'length', type: 'int', min: 1, doc: 'Window.' }],
            returns: 'series<U>', lookback: 'length - 1', range: ['-Infinity', 'Infinity'], doc: 'An EMA.', example: 'feature e = demo_ema(close, 10)',
        }],
    },
}, 'test'));

const SOURCE = `strategy S {
  universe: x:A
  timeframe: 1d
  signal up = close > demo_ema(close, 10)
  rules {
    when up => target 100% long
  }
}
`;

describe('packs in the language', () => {
    it('a name of a pack that is not enabled is AF003 naming the pack to add', async () => {
        const services = createAlphaForgeServices({ ...EmptyFileSystem, knownPacks: [demo] }).AlphaForge;
        const { diagnostics } = await loadString(services, SOURCE);
        const errors = diagnostics.filter(d => d.severity === 1);
        expect(errors.map(d => [d.code, d.message])).toEqual([
            ['AF003', "Unknown name 'demo_ema': it comes from the capability pack 'demo', which this workspace does not enable. Add the pack to the workspace's packs (af pack add demo) to use it."],
        ]);
        expect((errors[0]!.data as { pack?: string }).pack).toBe('demo');
    });

    it('the same source checks clean once the pack is enabled; JSON "Infinity" bounds become numbers', async () => {
        const services = createAlphaForgeServices({ ...EmptyFileSystem, packs: [demo], knownPacks: [demo] }).AlphaForge;
        const { diagnostics } = await loadString(services, SOURCE);
        expect(diagnostics.filter(d => d.severity === 1)).toEqual([]);
        const fn = demo.entries.find(e => e.name === 'demo_ema');
        expect(fn?.kind === 'function' && fn.range).toEqual([-Infinity, Infinity]);
    });
});
