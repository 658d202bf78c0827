/**
 * Packs are code: a pack is loaded only when the workspace declares it, its version is in the
 * declared range and its folder's files hash to the declared integrity; its implementation modules
 * must lie inside its folder. Each refusal happens before any of the pack's code runs (a planted
 * module sets a global if it is ever imported), names the pack and says what to do, and the other
 * packs still load.
 */
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCodes, type RunSummary } from '../../../protocol/src/daemon/index.js';
import { registryOfBundles } from '../../src/engine/packs/bundles.js';
import { loadWorkspacePacks, packIntegrity, readDeclaredPack } from '../../src/packs/workspace-packs.js';
import { isFolderDeclaration } from '../../src/config/config.js';
import { af, workspace } from '../packs/support.js';
import { expectNoLeak, rejection, startSecureDaemon, type SecureDaemon } from './support.js';

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
        const bundle = readDeclaredPack(w.packs().filter(isFolderDeclaration)[0]!);
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

/** A pack folder whose code, if it ever runs, writes `marker` (the daemon's threads share no globals with the test). */
async function plantedPack(dir: string, name: string, marker: string): Promise<string> {
    expect((await af('pack', 'new', name, '--dir', dir)).code).toBe(0);
    const compiled = join(dir, 'compiled.js');
    writeFileSync(compiled, `import { writeFileSync } from 'node:fs';\nwriteFileSync(${JSON.stringify(marker)}, 'ran');\n${readFileSync(compiled, 'utf8')}`);
    return `${name.replace(/-/g, '_')}_mid`;
}

const midStrategy = (fn: string): string => `strategy Mid {
  universe: synth:AAA
  timeframe: 1d
  signal up = crossover(close, ${fn}(10))
  rules {
    when up => target 100% long
  }
}
`;

describe('the daemon loads only the packs a source folder declares, inside its source folders', () => {
    let sec: SecureDaemon;
    let ws: string;
    let marker: string;
    beforeAll(async () => {
        ws = mkdtempSync(join(tmpdir(), 'af-packs-daemon-'));
        marker = join(ws, 'pack-code-ran');
        writeFileSync(join(ws, 'alphaforge.json'), '{}');
        // Declared, inside: loads. Undeclared, inside: never loads.
        expect((await af('pack', 'new', 'demo', '--dir', join(ws, 'packs', 'demo'))).code).toBe(0);
        expect((await af('--config', join(ws, 'alphaforge.json'), 'pack', 'add', join(ws, 'packs', 'demo'))).code).toBe(0);
        await plantedPack(join(ws, 'packs', 'stray'), 'stray', marker);
        sec = await startSecureDaemon({ workspace: ws });
        // A folder of the workspace whose config declares a pack outside the source folders (hash and all correct).
        const evil = join(sec.hostDir, 'evilpack');
        await plantedPack(evil, 'evil', marker);
        mkdirSync(join(ws, 'evil'));
        writeFileSync(join(ws, 'evil', 'alphaforge.json'), '{}');
        expect((await af('--config', join(ws, 'evil', 'alphaforge.json'), 'pack', 'add', evil)).code).toBe(0);
    }, 120_000);
    afterAll(async () => { await sec?.stop(); });

    const finished = async (token: string, id: string): Promise<RunSummary> => {
        for (let i = 0; i < 600; i++) {
            const { run } = await sec.client(token).call('runs.get', { id });
            if (run.state === 'completed' || run.state === 'failed' || run.state === 'cancelled') return run;
            await new Promise(r => setTimeout(r, 100));
        }
        throw new Error(`run ${id} did not end`);
    };

    it('packs.list / packs.info answer a viewer from manifests; a run compiles against the declared pack and records it', async () => {
        const viewer = sec.client(sec.tokens.alpha.viewer);
        const list = await viewer.call('packs.list', { uri: pathToFileURL(join(ws, 'mid.af')).href });
        expect(list.packs.map(p => [p.name, p.builtIn])).toEqual([['core', true], ['demo', false]]);
        expect(list.refused).toEqual([]);
        const info = await viewer.call('packs.info', { name: 'demo' });
        expect(info.entries.map(e => e.signature)).toEqual(['demo_mid(length: int = 20) → series<price>']);
        // lang.* compile against the same packs.
        const compiled = await viewer.call('lang.compile', { source: midStrategy('demo_mid'), uri: pathToFileURL(join(ws, 'mid.af')).href, emit: ['fingerprints'] });
        expect(compiled.ok).toBe(true);
        const researcher = sec.client(sec.tokens.alpha.researcher);
        const { run } = await researcher.call('runs.submit', { kind: 'backtest', spec: { source: midStrategy('demo_mid'), uri: pathToFileURL(join(ws, 'mid.af')).href } });
        expect((await finished(sec.tokens.alpha.researcher, run.id)).state).toBe('completed');
        expect((await researcher.call('runs.get', { id: run.id })).run.fingerprints?.exact).toBe(compiled.fingerprints?.exact);
        const result = await researcher.call('runs.result', { id: run.id });
        expect(result.result.provenance.packs).toEqual([{ name: 'demo', version: '0.1.0', integrity: info.integrity }]);
    });

    it('a pack shipped with AlphaForge enabled by name (mid-frequency) is listed, compiled against, run and recorded with the folder packs; undeclared, its names say which pack to add', async () => {
        const dir = join(ws, 'shipped');
        mkdirSync(dir);
        const demo = { name: 'demo', version: '^0.1.0', path: '../packs/demo', integrity: packIntegrity(join(ws, 'packs', 'demo')) };
        writeFileSync(join(dir, 'alphaforge.json'), JSON.stringify({ packs: [{ name: 'mid-frequency', version: '^1.0.0' }, demo] }));
        const uri = pathToFileURL(join(dir, 's.af')).href;
        const list = await sec.client(sec.tokens.alpha.viewer).call('packs.list', { uri });
        expect(list.packs.map(p => [p.name, p.builtIn, p.integrity])).toEqual([['core', true, null], ['mid-frequency', true, null], ['demo', false, demo.integrity]]);
        const source = midStrategy('demo_mid').replace('signal up = crossover(close, demo_mid(10))', 'signal up = crossover(close, demo_mid(10)) and adx(14) > 10');
        const researcher = sec.client(sec.tokens.alpha.researcher);
        const { run } = await researcher.call('runs.submit', { kind: 'backtest', spec: { source, uri } });
        expect((await finished(sec.tokens.alpha.researcher, run.id)).state).toBe('completed');
        const result = await researcher.call('runs.result', { id: run.id });
        expect(result.result.provenance.packs).toEqual([{ name: 'demo', version: '0.1.0', integrity: demo.integrity }, { name: 'mid-frequency', version: '1.0.0' }]);
        // The workspace root declares demo only: adx is unknown there, and the message names the pack to add.
        const lint = await sec.client(sec.tokens.alpha.viewer).call('lang.lint', { source, uri: pathToFileURL(join(ws, 's.af')).href });
        expect(lint.diagnostics.map(d => d.message)).toEqual([expect.stringMatching(/^Unknown name 'adx': it comes from the capability pack 'mid-frequency'.*af pack add mid-frequency/)]);
    });

    it('a pack declared with a path outside the source folders is refused, and its code never runs', async () => {
        const uri = pathToFileURL(join(ws, 'evil', 'mid.af')).href;
        const list = await sec.client(sec.tokens.alpha.viewer).call('packs.list', { uri });
        expect(list.refused.map(r => r.message)).toEqual([expect.stringMatching(/^pack 'evil': its folder .* is outside the daemon's source folders .*put the pack inside the workspace/)]);
        const researcher = sec.client(sec.tokens.alpha.researcher);
        const { run } = await researcher.call('runs.submit', { kind: 'backtest', spec: { source: midStrategy('evil_mid'), uri } });
        const done = await finished(sec.tokens.alpha.researcher, run.id);
        expect(done.state).toBe('failed');
        expect(done.error).toMatch(/AF003 Unknown name 'evil_mid'/);
        const logs = await researcher.call('runs.logs', { id: run.id });
        expect(logs.lines.map(l => l.message).join('\n')).toMatch(/pack 'evil': its folder .* is outside the daemon's source folders/);
        expect(existsSync(marker)).toBe(false);
    });

    it('a pack folder that is a symlink inside the workspace to a folder outside it is refused, and its code never runs', async () => {
        // The declared path is inside the source folders; the folder it resolves to is not.
        const dir = join(ws, 'linked');
        mkdirSync(dir);
        symlinkSync(join(sec.hostDir, 'evilpack'), join(dir, 'evil-link'));
        writeFileSync(join(dir, 'alphaforge.json'), '{}');
        expect((await af('--config', join(dir, 'alphaforge.json'), 'pack', 'add', join(dir, 'evil-link'))).code).toBe(0);
        const uri = pathToFileURL(join(dir, 'mid.af')).href;
        const list = await sec.client(sec.tokens.alpha.viewer).call('packs.list', { uri });
        expect(list.packs.map(p => p.name)).toEqual(['core']);
        expect(list.refused.map(r => r.message)).toEqual([expect.stringMatching(/^pack 'evil': its folder .* is outside the daemon's source folders/)]);
        const researcher = sec.client(sec.tokens.alpha.researcher);
        const { run } = await researcher.call('runs.submit', { kind: 'backtest', spec: { source: midStrategy('evil_mid'), uri } });
        expect((await finished(sec.tokens.alpha.researcher, run.id)).state).toBe('failed');
        expect(existsSync(marker)).toBe(false);
    });

    it('a pack folder in the workspace that is not declared is never loaded', async () => {
        const researcher = sec.client(sec.tokens.alpha.researcher);
        const { run } = await researcher.call('runs.submit', { kind: 'backtest', spec: { source: midStrategy('stray_mid'), uri: pathToFileURL(join(ws, 'mid.af')).href } });
        const done = await finished(sec.tokens.alpha.researcher, run.id);
        expect(done.state).toBe('failed');
        expect(done.error).toMatch(/AF003 Unknown name 'stray_mid'/);
        expect((await sec.client(sec.tokens.alpha.viewer).call('packs.list', {})).packs.map(p => p.name)).toEqual(['core', 'demo']);
        expect(existsSync(marker)).toBe(false);
    });

    it('bad packs are refused naming them (invalid manifest, another AlphaForge, a name taken twice), a pack that throws stops only its run; the others keep working', async () => {
        const dir = join(ws, 'mixed');
        const make = async (name: string, edit: (m: Record<string, unknown>) => void, code?: (text: string) => string): Promise<void> => {
            const folder = join(dir, 'packs', name);
            expect((await af('pack', 'new', name, '--dir', folder)).code).toBe(0);
            const file = join(folder, 'alphaforge-pack.json');
            const m = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
            edit(m);
            writeFileSync(file, JSON.stringify(m));
            if (code) for (const f of ['compiled.js', 'reference.js']) writeFileSync(join(folder, f), code(readFileSync(join(folder, f), 'utf8')));
        };
        const fn = (m: Record<string, unknown>) => (m['contributes'] as { functions: { name: string; doc: string }[] }).functions[0]!;
        await make('good', () => undefined);
        await make('invalid', m => { fn(m).doc = ''; });
        await make('future', m => { m['alphaforge'] = '^2.0.0'; });
        await make('twin', m => { fn(m).name = 'good_mid'; }, t => t.replace(/twin_mid/g, 'good_mid'));
        await make('thrower', () => undefined, t => t.replace('push(high, low) {', 'push(high, low) { this.k = (this.k ?? 0) + 1; if (this.k > 30) throw new Error("boom");'));
        const names = ['good', 'invalid', 'future', 'twin', 'thrower'];
        writeFileSync(join(dir, 'alphaforge.json'), JSON.stringify({ packs: names.map(n => ({ name: n, version: '^0.1.0', path: `./packs/${n}`, integrity: packIntegrity(join(dir, 'packs', n)) })) }));
        const uri = pathToFileURL(join(dir, 's.af')).href;
        const list = await sec.client(sec.tokens.alpha.viewer).call('packs.list', { uri });
        expect(list.packs.map(p => p.name)).toEqual(['core', 'good', 'thrower']);
        expect(list.refused.map(r => r.message)).toEqual([
            expect.stringMatching(/^pack 'invalid' \(.*invalid\): the manifest is invalid — contributes\.functions\.0\.doc: must not be empty\. Fix the manifest and reload\.$/),
            expect.stringMatching(/^pack 'future' 0\.1\.0 \(.*future\) is built for AlphaForge \^2\.0\.0, not 0\.1\.0: install a version of the pack made for AlphaForge 0\.1\.0\.$/),
            expect.stringMatching(/^pack 'twin' 0\.1\.0 \(.*twin\): 'good_mid' is also contributed by pack 'good'; two packs cannot contribute the same name — remove one of them from the workspace's packs\.$/),
        ]);
        const researcher = sec.client(sec.tokens.alpha.researcher);
        const thrown = await researcher.call('runs.submit', { kind: 'backtest', spec: { source: midStrategy('thrower_mid'), uri } });
        const failed = await finished(sec.tokens.alpha.researcher, thrown.run.id);
        expect(failed.state).toBe('failed');
        expect(failed.error).toBe("pack 'thrower': thrower_mid() failed at bar 30: boom. The run stopped; fix the pack or remove it from the workspace (af pack remove thrower).");
        const ok = await researcher.call('runs.submit', { kind: 'backtest', spec: { source: midStrategy('good_mid'), uri } });
        expect((await finished(sec.tokens.alpha.researcher, ok.run.id)).state).toBe('completed');
    });

    it('a deployment cannot load a pack folder outside the source folders (declared there, through a symlink, or from a source outside), and its code never runs', async () => {
        const trader = sec.client(sec.tokens.alpha.trader);
        const dir = join(ws, 'deploy-linked');
        mkdirSync(dir);
        symlinkSync(join(sec.hostDir, 'evilpack'), join(dir, 'evil-link'));
        writeFileSync(join(dir, 'alphaforge.json'), '{}');
        expect((await af('--config', join(dir, 'alphaforge.json'), 'pack', 'add', join(dir, 'evil-link'))).code).toBe(0);
        // A source outside the source folders whose own config declares the pack (hash and all correct).
        writeFileSync(join(sec.hostDir, 'alphaforge.json'), '{}');
        expect((await af('--config', join(sec.hostDir, 'alphaforge.json'), 'pack', 'add', join(sec.hostDir, 'evilpack'))).code).toBe(0);
        for (const [uri, refused] of [[pathToFileURL(join(ws, 'evil', 'mid.af')).href, true], [pathToFileURL(join(dir, 'mid.af')).href, true], [pathToFileURL(join(sec.hostDir, 'mid.af')).href, false]] as const) {
            const e = await rejection(trader.call('execution.paper.start', { source: midStrategy('evil_mid'), uri, feed: { from: '2020-01-01', to: '2020-03-01' } }));
            expect(e.code).toBe(ErrorCodes.InvalidParams);
            expect(e.message).toMatch(/does not compile: .*Unknown name 'evil_mid'/);
            if (refused) expect(e.message).toMatch(/packs refused for its folder: pack 'evil': its folder .* is outside the daemon's source folders/);
            expectNoLeak(e, sec.secrets);
        }
        expect(existsSync(marker)).toBe(false);
    });

    it("packs.info of a folder outside the source folders (another team's folder in the state directory, a host folder) is refused", async () => {
        const beta = join(sec.stateDir, 'exports', 'beta');
        mkdirSync(beta, { recursive: true });
        writeFileSync(join(beta, 'alphaforge.json'), JSON.stringify({ packs: [] }));
        for (const uri of [pathToFileURL(join(beta, 'x.af')).href, pathToFileURL(join(sec.hostDir, 'x.af')).href]) {
            for (const m of ['packs.info', 'packs.list'] as const) {
                const e = await rejection(sec.client(sec.tokens.alpha.admin).call(m, (m === 'packs.info' ? { name: 'demo', uri } : { uri }) as never));
                expect(e.code).toBe(ErrorCodes.Forbidden);
                expect(e.message).toBe('the daemon lists packs only for sources inside its source folders; send the file: uri of a source there');
                expectNoLeak(e, sec.secrets);
            }
        }
    });
});
