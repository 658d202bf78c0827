/**
 * The local CLI compiles and runs against the workspace's declared packs (folders, and packs shipped
 * with AlphaForge enabled by name): check, fingerprint, backtest and sweep (its trial threads load
 * the same packs); the run's provenance names each pack used, and its version and hash are among the
 * exact fingerprint's inputs.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { builtInRegistry } from '../../src/engine/packs/builtin.js';
import { installFunctionProvider } from '../../src/engine/packs/hook.js';
import { importSynthBars } from '../support/fixtures.js';
import { af, workspace } from './support.js';

afterEach(() => installFunctionProvider(builtInRegistry()));

const MID = `strategy Mid {
  universe: synth:AAA
  timeframe: 1d
  param n: int = 10 in 8..12 step 2
  signal up = crossover(close, demo_mid(n))
  signal down = crossunder(close, demo_mid(n))
  rules {
    when up => target 100% long
    when down => flat
  }
}
`;

let w: Awaited<ReturnType<typeof workspace>>;
let file: string;
beforeAll(async () => {
    w = await workspace();
    await importSynthBars(join(w.dir, '.alphaforge'), { symbols: ['AAA'], bars: 200 });
    file = join(w.dir, 'mid.af');
    writeFileSync(file, MID);
}, 60_000);

describe('the CLI uses the workspace packs', () => {
    it('check and fingerprint compile against them; a new pack version is a new exact fingerprint, the same structure', async () => {
        expect(await af('--config', w.config, 'check', file)).toMatchObject({ code: 0, err: '' });
        const before = JSON.parse((await af('--config', w.config, 'fingerprint', '--json', file)).out) as { strategies: { exact: string; structural: string }[] };
        const folder = join(w.dir, 'packs', 'demo');
        const manifest = JSON.parse(readFileSync(join(folder, 'alphaforge-pack.json'), 'utf8')) as { version: string };
        writeFileSync(join(folder, 'alphaforge-pack.json'), JSON.stringify({ ...manifest, version: '0.1.1' }));
        expect((await af('--config', w.config, 'pack', 'add', folder)).code).toBe(0);
        const after = JSON.parse((await af('--config', w.config, 'fingerprint', '--json', file)).out) as { strategies: { exact: string; structural: string }[] };
        expect(after.strategies[0]!.exact).not.toBe(before.strategies[0]!.exact);
        expect(after.strategies[0]!.structural).toBe(before.strategies[0]!.structural);
        // Without the declaration the name is unknown.
        const bare = await af('check', file);
        expect(bare.code).toBe(1);
        expect(bare.out).toMatch(/AF003 Unknown name 'demo_mid'/);
    });

    it('backtest records the pack in the provenance; a sweep runs it in its trial threads', async () => {
        const bt = await af('--config', w.config, 'backtest', '--json', file);
        expect(bt.err).toBe('');
        const r = JSON.parse(bt.out) as { provenance: { packs?: { name: string; version: string; integrity: string }[] }; tradeCount: number };
        expect(r.provenance.packs).toEqual([{ name: 'demo', version: expect.any(String), integrity: w.packs()[0]!.integrity }]);
        expect(r.tradeCount).toBeGreaterThan(0);
        const sw = await af('--config', w.config, 'sweep', '--json', '--workers', '2', file);
        expect(sw.err).toBe('');
        const s = JSON.parse(sw.out) as { sweep: { trialCount: number; failedTrials: unknown[] }; provenance: { packs?: unknown[] } };
        expect(s.sweep.trialCount).toBe(3);
        expect(s.sweep.failedTrials).toEqual([]);
        expect(s.provenance.packs).toHaveLength(1);
    });

    it('a pack shipped with AlphaForge enabled by name (mid-frequency) compiles, runs in the trial threads and is recorded with the folder pack', async () => {
        const config = join(w.dir, 'shipped.json');
        writeFileSync(config, JSON.stringify({ stateDir: '.alphaforge', packs: [{ name: 'mid-frequency', version: '^1.0.0' }, ...w.packs()] }));
        const both = join(w.dir, 'both.af');
        writeFileSync(both, MID.replace('signal up = crossover(close, demo_mid(n))', 'signal up = crossover(close, demo_mid(n)) and adx(14) > 10'));
        expect(await af('--config', config, 'check', both)).toMatchObject({ code: 0, err: '' });
        const sw = await af('--config', config, 'sweep', '--json', '--workers', '2', both);
        expect(sw.err).toBe('');
        const s = JSON.parse(sw.out) as { sweep: { trialCount: number; failedTrials: unknown[] }; provenance: { packs?: unknown[] } };
        expect(s.sweep.failedTrials).toEqual([]);
        expect(s.provenance.packs).toEqual([{ name: 'demo', version: expect.any(String), integrity: w.packs()[0]!.integrity }, { name: 'mid-frequency', version: '1.0.0' }]);
        const without = await af('--config', w.config, 'check', both);
        expect(without.code).toBe(1);
        expect(without.out).toMatch(/AF003 Unknown name 'adx': it comes from the capability pack 'mid-frequency'/);
    });

    it('a pack whose files changed is refused, said naming it, and the strategy does not compile', async () => {
        writeFileSync(join(w.dir, 'packs', 'demo', 'README.md'), 'changed\n');
        const r = await af('--config', w.config, 'backtest', file);
        expect(r.err).toMatch(/^af: warning: pack 'demo' \(.*\): its files do not match the declared integrity hash/);
        expect(r.code).toBe(1);
        expect(r.out).toMatch(/AF003 Unknown name 'demo_mid'/);
        const check = await af('--config', w.config, 'check', file);
        expect(check.out).toMatch(/^error pack pack 'demo'/);
        expect(check.code).toBe(1);
    });
});
