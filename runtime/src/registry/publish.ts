/**
 * What a publication records, made from a promoted run or from a source text: the strategy is
 * compiled again through the language facade (in its worker threads, imports through the daemon's
 * confined file system), which also hands back the exact text of every library it read; parameter
 * values are bound and checked like a run's (engine/params.ts); the fingerprints are those of the
 * strategy with these values; the building-block signature is kept for `registry.diff`.
 *
 * From a run, the recompiled fingerprint must equal the one the run recorded: if a library changed
 * on disk since the run, the texts read now are not the ones that were backtested, and publishing
 * them under that run's name would be a lie — refused with what to do.
 */
import { canonicalDag, dagSignature, fingerprints } from '../../../language/src/index.js';
import { withParamValues } from '../engine/compiled/index.js';
import { bindParams } from '../engine/params.js';
import { type LanguageService } from '../language-service/language-service.js';
import { type Run } from '../orchestrator/types.js';
import { InvalidPublication } from './errors.js';
import { type Publication } from './registry.js';

export interface SourcePublication {
    readonly source: string;
    readonly uri?: string;
    readonly strategy?: string;
    readonly params?: Readonly<Record<string, number | boolean>>;
    readonly name?: string;
    readonly notes?: string;
}

type Compiled = Omit<Publication, 'team' | 'name' | 'runId' | 'dataSnapshot' | 'engineVersion' | 'notes'>;

async function compile(language: LanguageService, team: string, p: SourcePublication): Promise<Compiled> {
    const r = await language.compileForPublish({ source: p.source, ...(p.uri !== undefined ? { uri: p.uri } : {}), ...(p.strategy !== undefined ? { strategy: p.strategy } : {}) }, { key: team });
    if (!r.ok) throw new InvalidPublication(`the strategy does not compile, nothing was published: ${r.message}`);
    const values = bindParams(r.ir, p.params ?? {});
    const fp = fingerprints(withParamValues(r.ir, values));
    return {
        strategy: r.ir.strategy, source: p.source, uri: p.uri ?? null, libraries: r.libraries, params: values,
        signature: dagSignature(canonicalDag(r.ir, 'structural')), fingerprints: { exact: fp.exact, structural: fp.structural },
    };
}

/** A publication of a source text (a file): no run, no data snapshot. */
export async function fromSource(language: LanguageService, team: string, p: SourcePublication): Promise<Publication> {
    const c = await compile(language, team, p);
    return { ...c, team, name: p.name ?? c.strategy, runId: null, dataSnapshot: null, engineVersion: null, notes: p.notes ?? null };
}

/** A publication of a completed, promoted run of the caller's team (the caller checked the team). */
export async function fromRun(language: LanguageService, team: string, run: Run, o: { name?: string; notes?: string }): Promise<Publication> {
    if (run.state !== 'completed' || !run.provenance || !run.params) {
        throw new InvalidPublication(`run ${run.id} is ${run.state}; only a completed, promoted run can be published`);
    }
    if (!run.promoted) throw new InvalidPublication(`run ${run.id} is not promoted; promote it first (af runs promote ${run.id}, or runs.promote), then publish it`);
    const c = await compile(language, team, {
        source: run.spec.source, ...(run.spec.uri !== undefined ? { uri: run.spec.uri } : {}),
        ...((run.strategy ?? run.spec.strategy) ? { strategy: (run.strategy ?? run.spec.strategy)! } : {}), params: run.params,
    });
    if (c.fingerprints.exact !== run.provenance.exactFingerprint) {
        throw new InvalidPublication(`run ${run.id}'s strategy no longer compiles to what it ran (fingerprint ${run.provenance.exactFingerprint.slice(0, 12)}…, now ${c.fingerprints.exact.slice(0, 12)}…): a file it imports changed since; run it again and publish the new run`);
    }
    return {
        ...c, team, name: o.name ?? c.strategy, runId: run.id, dataSnapshot: run.provenance.dataSnapshot,
        engineVersion: run.provenance.engineVersion, notes: o.notes ?? null,
    };
}
