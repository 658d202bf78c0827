/**
 * lang.diff and registry.diff's structural part: each side named by the caller (a source text, a
 * run id, a registry version) becomes a source with its recorded parameter values — runs and
 * registry versions of the caller's team only (another team's is "not found", like runs.get) —
 * and the language workers compile both and diff them (language/src/ir/dag-diff.ts, bounded by
 * the workers' time and heap limits).
 *
 * A run or version is compiled again from its recorded source; its imports are read from the
 * source folders now. If that no longer gives the fingerprint it recorded, a file it imports
 * changed since, and the diff would not be of what ran or was published: refused (409) saying so.
 */
import { ConflictError, NotFoundError, UserInputError } from '../../../protocol/src/errors.js';
import { type DagDiff, type DiffSide } from '../../../protocol/src/daemon/index.js';
import { type LanguageService } from '../language-service/language-service.js';
import { type DiffSource } from '../language-service/operations.js';
import { type Orchestrator } from '../orchestrator/orchestrator.js';
import { type Registry } from '../registry/registry.js';

/** 409: a run or registry version no longer compiles to what it recorded (an imported file changed). */
export class DiffSourceChanged extends ConflictError {
    constructor(message: string) {
        super(message);
        this.name = 'DiffSourceChanged';
    }
}

/** -32602: a side does not compile. */
export class DiffSideInvalid extends UserInputError {
    constructor(message: string) {
        super(message);
        this.name = 'DiffSideInvalid';
    }
}

export interface DiffServices {
    readonly language: LanguageService;
    readonly orchestrator: Pick<Orchestrator, 'get'>;
    readonly registry: Pick<Registry, 'show'>;
}

/** A side resolved: what to compile, what it is called in messages, the exact fingerprint it recorded (runs, registry). */
interface Resolved {
    readonly source: DiffSource;
    readonly label: string;
    readonly recorded: string | null;
}

async function resolve(s: DiffServices, team: string, side: DiffSide): Promise<Resolved> {
    if ('runId' in side) {
        const run = await s.orchestrator.get(side.runId);
        if (!run || run.team !== team) throw new NotFoundError(`run ${side.runId} not found`);
        const strategy = run.strategy ?? run.spec.strategy;
        const values = run.params ?? run.spec.params;
        return {
            source: { source: run.spec.source, ...(run.spec.uri !== undefined ? { uri: run.spec.uri } : {}), ...(strategy ? { strategy } : {}), ...(values ? { values } : {}) },
            label: `run ${run.id}`, recorded: run.provenance?.exactFingerprint ?? null,
        };
    }
    if ('registry' in side) {
        const e = await s.registry.show(team, side.registry.name, side.registry.version);
        return {
            source: { source: e.source, ...(e.uri !== null ? { uri: e.uri } : {}), strategy: e.strategy, values: e.params },
            label: `${e.name}@${e.version}`, recorded: e.fingerprints.exact,
        };
    }
    return { source: side, label: side.uri ?? 'the source', recorded: null };
}

/** The structural diff of two sides, for the caller's team. */
export async function diffSides(s: DiffServices, team: string, from: DiffSide, to: DiffSide): Promise<DagDiff> {
    const a = await resolve(s, team, from), b = await resolve(s, team, to);
    const r = await s.language.diff({ from: a.source, to: b.source }, { key: team });
    if (!r.ok) throw new DiffSideInvalid(`${r.side === 'from' ? a.label : b.label} does not compile: ${r.message}`);
    for (const [side, fp] of [[a, r.diff.from.fingerprints.exact], [b, r.diff.to.fingerprints.exact]] as const) {
        if (side.recorded !== null && side.recorded !== fp) {
            throw new DiffSourceChanged(`${side.label} no longer compiles to what it recorded (fingerprint ${side.recorded.slice(0, 12)}…, now ${fp.slice(0, 12)}…): a file it imports changed since, so a diff would not be of what ran; compare source texts instead`);
        }
    }
    return r.diff;
}
