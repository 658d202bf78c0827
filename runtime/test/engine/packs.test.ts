/**
 * The pack registry and the engines' one hook: every core function resolves through it in both
 * engines; a pack's own function runs in both (and they agree); bad packs — invalid manifest, built
 * for another AlphaForge, a second pack of the same name, a name two packs contribute, a missing
 * implementation, a function that throws in the bar loop — are refused or stopped with a message
 * naming the pack and what to do, and the good packs keep loading.
 */
import { EmptyFileSystem } from 'langium';
import { afterEach, describe, expect, it } from 'vitest';
import { compileStrategy, createAlphaForgeServices, isStrategy, loadString, type Model, type StrategyIr } from '../../../language/src/index.js';
import { corePack } from '../../../language/src/catalogue/core-pack.js';
import { ALPHAFORGE_VERSION, PackError, type PackManifestInput } from '../../../language/src/catalogue/pack-manifest.js';
import { satisfies } from '../../../language/src/catalogue/version-range.js';
import { CompiledBacktester } from '../../src/engine/compiled/index.js';
import { Ema } from '../../src/engine/indicators/index.js';
import { BUILT_IN_PACKS, builtInRegistry } from '../../src/engine/packs/builtin.js';
import { ENGINE_INTRINSICS, installFunctionProvider, PackFunctionError, type PackImplementation } from '../../src/engine/packs/hook.js';
import { PackRegistry, type RuntimePack } from '../../src/engine/packs/registry.js';
import * as F from '../../src/engine/reference/functions.js';
import { ReferenceBacktester } from '../../src/engine/reference/index.js';
import { synthBars } from './fixtures.js';
import { readFileSync } from 'node:fs';

const manifest = (over: Partial<PackManifestInput> = {}, fn = 'demo_ema'): PackManifestInput => ({
    name: 'demo', version: '1.0.0', description: 'A demo pack.', alphaforge: `^${ALPHAFORGE_VERSION}`,
    contributes: {
        functions: [{
            name: fn, params: [{ name: 'source', type: 'series<U>', doc: 'Input.' }, { name: 'length', type: 'int', min: 1, doc: 'Window.' }],
            returns: 'series<U>', lookback: 'length - 1', doc: 'An EMA under another name.', example: `feature e = ${fn}(close, 10)`,
        }],
    },
    ...over,
});

const emaImpl = (fn = 'demo_ema', push?: (x: number) => number): PackImplementation => ({
    compiled: { [fn]: { params: ['series', 'const'], create: c => (push ? { push } : new Ema(c[0]!)) } },
    reference: { [fn]: { series: c => (push ? push(c.arg(0) as number) : F.ema(c.hist(0), c.t, F.lengthArg(c.arg(1), fn))) } },
});

const demo = (over: Partial<RuntimePack> = {}): RuntimePack => ({ manifest: manifest(), implementation: emaImpl(), origin: '/packs/demo', ...over });

function packError(f: () => unknown): PackError {
    try {
        f();
    } catch (err) {
        expect(err).toBeInstanceOf(PackError);
        return err as PackError;
    }
    throw new Error('expected a PackError');
}

async function irWith(packs: PackRegistry, source: string): Promise<StrategyIr> {
    const services = createAlphaForgeServices({ ...EmptyFileSystem, packs: packs.cataloguePacks().filter(p => p.id !== 'core') }).AlphaForge;
    const { document } = await loadString(services, source, `memory:///packs${Math.random()}.af`);
    const s = (document.parseResult.value as Model).elements.find(isStrategy)!;
    const r = compileStrategy(services, s);
    if (!r.ir) throw new Error(r.errors.map(d => d.message).join('\n'));
    return r.ir;
}

const STRATEGY = (fn: string) => `strategy S {
  universe: x:A
  timeframe: 1d
  feature fast = ${fn}(close, 5)
  feature slow = sma(close, 20)
  signal up = crossover(fast, slow)
  signal down = crossunder(fast, slow)
  rules {
    when up => target 100% long
    when down => flat
  }
}`;

afterEach(() => installFunctionProvider(builtInRegistry()));

describe('the core pack through the hook', () => {
    it('resolves every core function in both engines, and the manifest is the catalogue', () => {
        const reg = builtInRegistry();
        const fns = corePack.entries.filter(e => e.kind === 'function').map(e => e.name);
        expect(fns.length).toBeGreaterThan(20);
        for (const fn of fns) {
            if (ENGINE_INTRINSICS.has(fn)) continue;
            expect(reg.compiled(fn)?.pack, fn).toBe('core');
            expect(reg.reference(fn)?.pack, fn).toBe('core');
        }
        expect(reg.cataloguePacks()[0]!.entries).toEqual(corePack.entries);
        expect(BUILT_IN_PACKS.map(p => p.builtIn)).toEqual(BUILT_IN_PACKS.map(() => true));
    });

    it('AlphaForge version packs are checked against is the package version', () => {
        const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
        expect(ALPHAFORGE_VERSION).toBe(pkg.version);
        expect(satisfies('0.1.5', '^0.1.0')).toBe(true);
        expect(satisfies('0.2.0', '^0.1.0')).toBe(false);
        expect(satisfies('1.4.0', '>=1.2.0 <2.0.0 || 3.0.0')).toBe(true);
        expect(satisfies('2.0.0', '>=1.2.0 <2.0.0 || 3.0.0')).toBe(false);
    });
});

describe('a pack of its own', () => {
    it("runs its function in both engines through the hook, and they agree with core's", async () => {
        const reg = new PackRegistry([...BUILT_IN_PACKS, demo()]);
        installFunctionProvider(reg);
        const data = synthBars({ assets: 1, bars: 300, seed: 7 });
        const viaPack = await irWith(reg, STRATEGY('demo_ema'));
        const viaCore = await irWith(reg, STRATEGY('ema'));
        const a = new CompiledBacktester().run(viaPack, data), b = new ReferenceBacktester().run(viaPack, data), c = new CompiledBacktester().run(viaCore, data);
        expect(a.fills.length).toBeGreaterThan(2);
        expect(a.fills).toEqual(c.fills);
        expect(b.fills.map(f => [f.bar, f.reason])).toEqual(a.fills.map(f => [f.bar, f.reason]));
        expect(Array.from(a.equity)).toEqual(Array.from(c.equity));
    });

    it('stops the run with a message naming the pack when its function throws in the bar loop (both engines)', async () => {
        const boom = (x: number) => { if (x > 0) throw new Error('division by a broken cable'); return x; };
        const reg = new PackRegistry([...BUILT_IN_PACKS, demo({ implementation: emaImpl('demo_ema', boom) })]);
        installFunctionProvider(reg);
        const ir = await irWith(reg, STRATEGY('demo_ema'));
        const data = synthBars({ assets: 1, bars: 50, seed: 3 });
        for (const engine of [new CompiledBacktester(), new ReferenceBacktester()]) {
            let err: unknown;
            try { engine.run(ir, data); } catch (e) { err = e; }
            expect(err).toBeInstanceOf(PackFunctionError);
            expect((err as Error).message).toMatch(/^pack 'demo': demo_ema\(\) failed at bar 0: division by a broken cable\. The run stopped; .*af pack remove demo/);
        }
    });
});

describe('bad packs', () => {
    it('an invalid manifest names the pack and the field', () => {
        const bad = manifest();
        (bad.contributes.functions![0] as { doc: string }).doc = '';
        const err = packError(() => new PackRegistry([demo({ manifest: bad })]));
        expect(err.pack).toBe('demo');
        expect(err.message).toMatch(/^pack 'demo' \(\/packs\/demo\): the manifest is invalid — contributes\.functions\.0\.doc: must not be empty\. Fix the manifest/);
        expect(packError(() => new PackRegistry([demo({ manifest: { ...manifest(), version: 'one' } })])).message).toMatch(/version: must be a version like 1\.2\.3/);
        expect(packError(() => new PackRegistry([demo({ manifest: { ...manifest(), extra: 1 } as PackManifestInput })])).message).toMatch(/the manifest is invalid/);
    });

    it('a bad type spec or look-back formula names the pack and the function', () => {
        const m = manifest();
        const f = m.contributes.functions![0]!;
        expect(packError(() => new PackRegistry([demo({ manifest: { ...m, contributes: { functions: [{ ...f, returns: 'series<banana>' }] } } })])).message)
            .toBe("pack 'demo' (/packs/demo): function 'demo_ema': bad unit in type spec 'series<banana>'. Fix the manifest and reload.");
        expect(packError(() => new PackRegistry([demo({ manifest: { ...m, contributes: { functions: [{ ...f, lookback: 'window - 1' }] } } })])).message)
            .toMatch(/function 'demo_ema': look-back formula names unknown parameter 'window'/);
    });

    it('a pack built for another AlphaForge is refused, saying which version to get', () => {
        const err = packError(() => new PackRegistry([demo({ manifest: manifest({ alphaforge: '^2.0.0' }) })]));
        expect(err.message).toBe(`pack 'demo' 1.0.0 (/packs/demo) is built for AlphaForge ^2.0.0, not ${ALPHAFORGE_VERSION}: install a version of the pack made for AlphaForge ${ALPHAFORGE_VERSION}.`);
    });

    it('two packs with the same name, or contributing the same name, are refused naming both', () => {
        expect(packError(() => new PackRegistry([demo(), demo({ origin: '/other/demo', manifest: manifest({ version: '1.1.0' }) })])).message)
            .toBe("pack 'demo' 1.1.0 (/other/demo): a pack named 'demo' is already loaded (1.0.0, /packs/demo); keep one of the two.");
        expect(packError(() => new PackRegistry([...BUILT_IN_PACKS, demo({ manifest: manifest({}, 'sma'), implementation: emaImpl('sma') })])).message)
            .toBe("pack 'demo' 1.0.0 (/packs/demo): 'sma' is also contributed by pack 'core'; two packs cannot contribute the same name — remove one of them from the workspace's packs.");
    });

    it('a function without an implementation for one engine, or code the manifest does not declare, is refused', () => {
        const impl = emaImpl();
        expect(packError(() => new PackRegistry([demo({ implementation: { compiled: impl.compiled, reference: {} } })])).message)
            .toMatch(/function demo_ema\(\) has no implementation for the reference interpreter/);
        expect(packError(() => new PackRegistry([demo({ implementation: { compiled: {}, reference: impl.reference } })])).message)
            .toMatch(/function demo_ema\(\) has no implementation for the compiled engine/);
        expect(packError(() => new PackRegistry([demo({ implementation: { ...impl, compiled: { ...impl.compiled, other: impl.compiled['demo_ema']! } } })])).message)
            .toMatch(/implements other\(\), which its manifest does not declare/);
    });

    it('load keeps the good packs and reports each bad one; nothing of a refused pack is registered', () => {
        const { registry, problems } = PackRegistry.load([...BUILT_IN_PACKS, demo({ manifest: manifest({ alphaforge: '^9.0.0' }) }), demo({ manifest: manifest({ name: 'other' }, 'other_ema'), implementation: emaImpl('other_ema') })]);
        expect(registry.packs().map(p => p.manifest.name)).toEqual(['core', 'other']);
        expect(problems.map(p => p.pack)).toEqual(['demo']);
        expect(registry.compiled('demo_ema')).toBeUndefined();
        expect(registry.compiled('other_ema')?.pack).toBe('other');
    });
});
