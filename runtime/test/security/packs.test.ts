/**
 * Packs are code: a pack is loaded only when the workspace declares it, its version is in the
 * declared range and its folder's files hash to the declared integrity; its implementation modules
 * must lie inside its folder. Each refusal happens before any of the pack's code runs (a planted
 * module sets a global if it is ever imported), names the pack and says what to do, and the other
 * packs still load.
 */
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { registryOfBundles } from '../../src/engine/packs/bundles.js';
import { loadWorkspacePacks, readDeclaredPack } from '../../src/packs/workspace-packs.js';
import { af, workspace } from '../packs/support.js';

describe('packs are code: only declared, unchanged, in-range packs load', () => {
    it('a pack whose files changed after add is refused before its code runs', async () => {
        const w = await workspace();
        appendFileSync(join(w.dir, 'packs', 'demo', 'compiled.js'), '\nglobalThis.__afTamperedPackRan = true;\n');
        const { registry, problems } = await loadWorkspacePacks(w.packs());
        expect(registry.packs().map(p => p.manifest.name)).toEqual(['core']);
        expect(problems.map(p => p.message)).toEqual([expect.stringMatching(/^pack 'demo' \(.*demo\): its files do not match the declared integrity hash \(declared sha256-[0-9a-f]{12}…, found sha256-[0-9a-f]{12}…\), so it was not loaded\. If you changed the pack on purpose, run af pack add .*demo again\.$/)]);
        expect((globalThis as { __afTamperedPackRan?: boolean }).__afTamperedPackRan).toBeUndefined();
        const ls = await af('--config', w.config, 'pack', 'ls');
        expect(ls.code).toBe(1);
        expect(ls.out).toMatch(/refused: pack 'demo'.*integrity hash/);
    });

    it('a version outside the declared range, a wrong name, or a duplicate declaration is refused; the others load', async () => {
        const w = await workspace();
        const [d] = w.packs();
        const { registry, problems } = await loadWorkspacePacks([{ ...d!, version: '^2.0.0' }, { ...d!, name: 'other' }, d!, d!]);
        expect(registry.packs().map(p => p.manifest.name)).toEqual(['core', 'demo']);
        expect(problems.map(p => p.message)).toEqual([
            `pack 'demo' (${d!.path}) is version 0.1.0, outside the declared range ^2.0.0; install a matching version or change the range (af pack add).`,
            `pack 'other': the folder ${d!.path} holds pack 'demo'; fix the path or the name in the workspace's packs.`,
            `pack 'demo' 0.1.0 (${d!.path}): a pack named 'demo' is already loaded (0.1.0, ${d!.path}); keep one of the two.`,
        ]);
    });

    it('an implementation module outside the pack folder is refused even when the hash matches', async () => {
        const w = await workspace();
        const folder = join(w.dir, 'packs', 'demo');
        writeFileSync(join(w.dir, 'evil.js'), 'globalThis.__afEvilPackRan = true; export default {};\n');
        const manifest = JSON.parse(readFileSync(join(folder, 'alphaforge-pack.json'), 'utf8')) as { implementation: { compiled: string } };
        manifest.implementation.compiled = '../../evil.js';
        writeFileSync(join(folder, 'alphaforge-pack.json'), JSON.stringify(manifest));
        expect((await af('--config', w.config, 'pack', 'add', folder)).code).toBe(0);
        const { problems } = await loadWorkspacePacks(w.packs());
        expect(problems.map(p => p.message)).toEqual([`pack 'demo' (${folder}): its compiled implementation ../../evil.js is not a file inside the pack's folder.`]);
        expect((globalThis as { __afEvilPackRan?: boolean }).__afEvilPackRan).toBeUndefined();
    });

    it('a pack folder that is not declared is never loaded', async () => {
        const w = await workspace();
        expect((await af('--config', w.config, 'pack', 'remove', 'demo')).code).toBe(0);
        const { registry } = await loadWorkspacePacks(w.packs());
        expect(registry.packs().map(p => p.manifest.name)).toEqual(['core']);
        expect(registry.compiled('demo_mid')).toBeUndefined();
    });

    it('af pack add refuses a folder without a valid manifest, naming it', async () => {
        const dir = mkdtempSync(join(tmpdir(), 'af-packs-bad-'));
        expect((await af('pack', 'add', dir)).err).toMatch(/^af: .*af-packs-bad-.*: there is no alphaforge-pack\.json/);
        writeFileSync(join(dir, 'alphaforge-pack.json'), JSON.stringify({ name: 'bad', version: '1.0.0', description: 'x', alphaforge: '^0.1.0', contributes: { functions: [{ name: 'f' }] } }));
        expect((await af('pack', 'add', dir)).err).toMatch(/^af: pack 'bad' \(.*\): the manifest is invalid — contributes\.functions\.0\.params: /);
    });

    it('the code imported is the code hashed: a module swapped after the check does not run', async () => {
        const w = await workspace();
        const bundle = readDeclaredPack(w.packs()[0]!);
        writeFileSync(join(w.dir, 'packs', 'demo', 'compiled.js'), 'globalThis.__afSwappedPackRan = true; export default {};\n');
        const { registry, problems } = await registryOfBundles([bundle]);
        expect(problems).toEqual([]);
        expect(registry.compiled('demo_mid')?.pack).toBe('demo');
        expect((globalThis as { __afSwappedPackRan?: boolean }).__afSwappedPackRan).toBeUndefined();
    });

    it('an implementation module the hash does not cover (a dot-folder) is refused, and never runs', async () => {
        const w = await workspace();
        const folder = join(w.dir, 'packs', 'demo');
        mkdirSync(join(folder, '.cache'));
        writeFileSync(join(folder, '.cache', 'compiled.js'), 'globalThis.__afUnhashedPackRan = true; export default {};\n');
        const manifest = JSON.parse(readFileSync(join(folder, 'alphaforge-pack.json'), 'utf8')) as { implementation: { compiled: string } };
        manifest.implementation.compiled = './.cache/compiled.js';
        writeFileSync(join(folder, 'alphaforge-pack.json'), JSON.stringify(manifest));
        expect((await af('--config', w.config, 'pack', 'add', folder)).code).toBe(0);
        const { problems } = await loadWorkspacePacks(w.packs());
        expect(problems.map(p => p.message)).toEqual([`pack 'demo' (${folder}): its compiled implementation ./.cache/compiled.js is not a file inside the pack's folder.`]);
        expect((globalThis as { __afUnhashedPackRan?: boolean }).__afUnhashedPackRan).toBeUndefined();
    });
});
