/**
 * A workspace's packs: `af pack new` scaffolds one, `af pack add` declares it (version range,
 * integrity hash) in the config file, and it then loads and runs in both engines through the hook.
 * What is refused (packs are code) is tested in runtime/test/security/packs.test.ts.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EmptyFileSystem } from 'langium';
import { afterEach, describe, expect, it } from 'vitest';
import { compileStrategy, createAlphaForgeServices, isStrategy, loadString, type Model } from '../../../language/src/index.js';
import { CompiledBacktester } from '../../src/engine/compiled/index.js';
import { builtInRegistry } from '../../src/engine/packs/builtin.js';
import { installFunctionProvider } from '../../src/engine/packs/hook.js';
import { ReferenceBacktester } from '../../src/engine/reference/index.js';
import { loadWorkspacePacks } from '../../src/packs/workspace-packs.js';
import { synthBars } from '../engine/fixtures.js';

import { af, workspace } from './support.js';

afterEach(() => installFunctionProvider(builtInRegistry()));

describe('af pack', () => {
    it('new → add → ls/info: the declared pack loads, with its functions', async () => {
        const w = await workspace();
        const decl = w.packs();
        expect(decl).toEqual([{ name: 'demo', version: '^0.1.0', path: join(w.dir, 'packs', 'demo'), integrity: expect.stringMatching(/^sha256-[0-9a-f]{64}$/) }]);
        expect(JSON.parse(readFileSync(w.config, 'utf8')).packs[0].path).toBe('./packs/demo');
        const ls = await af('--config', w.config, 'pack', 'ls');
        expect(ls.code).toBe(0);
        expect(ls.out.split('\n').map(l => l.split(/\s+/)[0])).toEqual(['core', 'demo', '']);
        const info = await af('--config', w.config, 'pack', 'info', 'demo');
        expect(info.out).toContain('demo_mid(length: int = 20) → series<price>');
        const removed = await af('--config', w.config, 'pack', 'remove', 'demo');
        expect(removed.code).toBe(0);
        expect(w.packs()).toEqual([]);
        expect((await af('--config', w.config, 'pack', 'remove', 'demo')).err).toMatch(/declares no pack 'demo'/);
    });

    it("runs the scaffolded pack's function in both engines, which agree", async () => {
        const w = await workspace();
        const { registry, problems } = await loadWorkspacePacks(w.packs());
        expect(problems).toEqual([]);
        installFunctionProvider(registry);
        const services = createAlphaForgeServices({ ...EmptyFileSystem, packs: registry.cataloguePacks().filter(p => p.id !== 'core') }).AlphaForge;
        const { document } = await loadString(services, `strategy M {
  universe: x:A
  timeframe: 1d
  signal up = crossover(close, demo_mid(10))
  signal down = crossunder(close, demo_mid(10))
  rules {
    when up => target 100% long
    when down => flat
  }
}`, 'memory:///mid.af');
        const r = compileStrategy(services, (document.parseResult.value as Model).elements.find(isStrategy)!);
        expect(r.errors).toEqual([]);
        const data = synthBars({ assets: 1, bars: 250, seed: 11 });
        const a = new CompiledBacktester().run(r.ir!, data), b = new ReferenceBacktester().run(r.ir!, data);
        expect(a.fills.length).toBeGreaterThan(2);
        expect(b.fills.map(f => [f.bar, f.reason, f.qty])).toEqual(a.fills.map(f => [f.bar, f.reason, f.qty]));
    });
});
