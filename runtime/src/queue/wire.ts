/**
 * What travels through Redis between the daemon and `af worker` processes: a run's job (the
 * compiled program, its bars, its limits, the packs its workspace declares: a shipped pack by name,
 * a pack folder as the bytes the daemon checked against its integrity hash) and its output (the
 * record, the ledger trials, the artifacts). JSON both ways; bars as base64 in the job, artifacts as
 * bytes under keys of their own (resultFileKey) — or, with `queue.staging`, both as files in
 * a folder both sides share (`<staging>/<run id>.<attempt>/`), whose paths each side derives from
 * the run id and attempt itself: nothing that comes back names a path. Both directions are parsed
 * with zod: a worker and a daemon trust Redis no more than they must.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { z } from 'zod';
import { fromWire, toWire, WireNumber } from '../../../protocol/src/numbers.js';
import type { LedgerTrial } from '../experiments/ledger-trials.js';
import type { SharedBars } from '../engine/worker-pool.js';
import type { WorkerJob, WorkerOutput } from '../orchestrator/work.js';
import { ONCHAIN_COLUMNS } from '../../../language/src/catalogue/onchain-pack.js';
import { RUN_QUEUE } from './settings.js';

/**
 * 2: jobs carry the run's declared packs and results their provenance; 3: and each asset's on-chain
 * columns; 4: result files travel as bytes under a key of their own (resultFileKey), not as base64
 * inside the job's return value.
 */
export const WIRE_VERSION = 4;

/** Run ids are UUIDs; an attempt a small whole number: both become a folder name under staging. */
const RunIdSchema = z.string().regex(/^[0-9a-f-]{36}$/, 'must be a run id (a UUID)');
const AttemptSchema = z.number().int().min(1).max(1000);
/** An artifact's name: a plain file name (never a path). */
export const ArtifactNameSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/, 'must be a plain file name').refine(n => !n.includes('..'), 'must be a plain file name');
const Sha256Schema = z.string().regex(/^[0-9a-f]{64}$/);

/** A declared pack as a run's worker loads it (engine/packs/bundles.ts PackBundle). */
const PackName = z.string().regex(/^[a-z][a-z0-9-]{0,63}$/);
const PackBundleSchema = z.union([
    z.object({ shipped: z.literal(true), name: PackName, version: z.string().max(64) }).strict(),
    z.object({
        name: PackName, version: z.string().max(64), integrity: z.string().regex(/^sha256-[0-9a-f]{64}$/), origin: z.string().max(4096),
        manifest: z.unknown(), compiled: z.string(), reference: z.string(),
    }).strict(),
]);
const ProvenancePacksSchema = z.array(z.object({ name: z.string(), version: z.string(), integrity: z.string().optional() }).strict()).max(64);

const Base64 = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, 'must be base64');
/** An asset's on-chain columns (AssetBars.onchain), by the pack's column names only. */
const OnchainColumnsSchema = z.object(Object.fromEntries(ONCHAIN_COLUMNS.map(c => [c, Base64.optional()])) as Record<(typeof ONCHAIN_COLUMNS)[number], z.ZodOptional<typeof Base64>>).strict();
const EncodedBarsSchema = z.object({
    ts: Base64,
    assets: z.array(z.object({ open: Base64, high: Base64, low: Base64, close: Base64, volume: Base64, onchain: OnchainColumnsSchema.optional() }).strict()),
    snapshotHash: z.string(),
    timeframeMs: z.number(),
}).strict();
export type EncodedBars = z.infer<typeof EncodedBarsSchema>;

export const JobDataSchema = z.object({
    v: z.literal(WIRE_VERSION),
    runId: RunIdSchema,
    attempt: AttemptSchema,
    traceId: z.string().max(64).optional(),
    /** W3C traceparent of the enqueue span: the worker's job span is its child. */
    traceparent: z.string().regex(/^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/).optional(),
    /** The WorkerJob without its bars and directory (the worker has its own). */
    job: z.object({
        request: z.record(z.string(), z.unknown()),
        ir: z.record(z.string(), z.unknown()),
        symbols: z.array(z.string()),
        params: z.record(z.string(), z.union([z.number(), z.boolean()])),
        trialWorkers: z.number().int().min(0).max(256),
        limits: z.record(z.string(), z.unknown()).optional(),
        packs: z.array(PackBundleSchema).max(64).optional(),
        /** A named benchmark's closes on the run's bars (finite: the daemon carried them over its gaps). */
        benchmark: z.object({ id: z.string().max(256), close: z.array(z.number()) }).strict().optional(),
    }).strict(),
    bars: z.union([
        z.object({ inline: EncodedBarsSchema }).strict(),
        z.object({ staged: z.literal('bars.json'), sha256: Sha256Schema }).strict(),
        /** In Redis under barsKey(prefix, sha256): stored once per content, shared by the jobs over the same bars. */
        z.object({ stored: Sha256Schema }).strict(),
    ]),
}).strict();
export type JobData = z.infer<typeof JobDataSchema>;

/** One execution's random tag in its result files' keys (a stalled execution's late writes never meet the next one's). */
const NonceSchema = z.string().regex(/^[0-9a-f]{16}$/, 'must be 16 hex digits');
/** A result file: in Redis under resultFileKey(…, the job's id, `nonce`, name), or (queue.staging) in the staging folder. */
const FileSchema = z.object({ name: ArtifactNameSchema, bytes: z.number().int().min(0), sha256: Sha256Schema, nonce: NonceSchema.optional() }).strict();

/**
 * Where a result file waits for its daemon: raw bytes (no base64, no JSON), read once by the daemon
 * that awaits the job and then deleted; expiring after RESULT_FILE_TTL_S should that daemon be gone.
 * Only the name and nonce come from the worker, both checked by FileSchema; the job id is the daemon's.
 */
export function resultFileKey(prefix: string, jobId: string, nonce: string, name: string): string {
    return `${prefix}:${RUN_QUEUE}:af-result:${jobId}:${NonceSchema.parse(nonce)}:${ArtifactNameSchema.parse(name)}`;
}
export const RESULT_FILE_TTL_S = 3600;

/**
 * Where bars wait for the workers: the EncodedBars JSON of one content, named by its SHA-256, so
 * the jobs of a batch over the same bars carry a reference and a worker decodes them once
 * (the job itself — kept by BullMQ for an hour after it ends — stays small). Refreshed by each job
 * that uses them; gone after BARS_TTL_S without one.
 */
export function barsKey(prefix: string, sha256: string): string {
    return `${prefix}:${RUN_QUEUE}:af-bars:${Sha256Schema.parse(sha256)}`;
}
export const BARS_TTL_S = 6 * 3600;

/**
 * What names stored bars: the SHA-256 of their content (times, every column's bytes and name, the
 * snapshot hash and timeframe), computed from the buffers on each side: the daemon without
 * encoding them again for every job, a worker to check what it read.
 */
export function barsDigest(bars: SharedBars): string {
    const h = createHash('sha256');
    h.update(`${bars.snapshotHash}\u0000${bars.timeframeMs}\u0000${bars.assets.length}\u0000`);
    h.update(new Uint8Array(bars.ts));
    for (const a of bars.assets) {
        for (const c of [a.open, a.high, a.low, a.close, a.volume]) h.update(new Uint8Array(c));
        for (const [k, c] of Object.entries(a.onchain ?? {}).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0))) {
            h.update(`\u0000${k}\u0000`);
            h.update(new Uint8Array(c));
        }
    }
    return h.digest('hex');
}

/** Stored bars read back, checked against the digest that named them. */
export function storedBars(text: string, digest: string): SharedBars {
    const bars = decodeBars(EncodedBarsSchema.parse(JSON.parse(text)));
    if (barsDigest(bars) !== digest) throw new Error('the job\'s bars in Redis are damaged (their digest differs)');
    return bars;
}

export const JobResultSchema = z.object({
    v: z.literal(WIRE_VERSION),
    output: z.object({
        strategy: z.string(),
        params: z.record(z.string(), z.union([z.number(), z.boolean()])),
        metrics: z.record(z.string(), WireNumber),
        tradeCount: z.number(),
        provenance: z.object({
            exactFingerprint: z.string(), structuralFingerprint: z.string(), dataSnapshot: z.string(), engineVersion: z.string(), seed: z.number(),
            packs: ProvenancePacksSchema.optional(),
        }).strict(),
        summary: z.string(),
        /** Non-finite figures (a trial's NaN Sharpe) in the protocol's encoding (numbers.ts). */
        ledger: z.array(z.object({ periodSharpe: WireNumber, skew: WireNumber, kurtosis: WireNumber, bars: z.number() }).strict()),
    }).strict(),
    files: z.array(FileSchema).max(64),
    /** Milliseconds the engine took (the worker thread's run), for the platform's overhead figure. */
    engineMs: z.number().min(0),
    /** Which worker ran it (identity.ts: host:pid and its network namespace); recorded in the run's log, so printable only. */
    worker: z.string().max(300).regex(/^[\x20-\x7e]+$/, 'printable ASCII'),
}).strict();
export type JobResult = z.infer<typeof JobResultSchema>;

/** A job's id: one per run and attempt, so a re-delivered job is the same job and a new attempt a new one. */
export function jobIdOf(runId: string, attempt: number): string {
    return `${runId}.${attempt}`;
}

/** The folder of one attempt under staging. */
export function stagingDirOf(staging: string, runId: string, attempt: number): string {
    return join(staging, `${RunIdSchema.parse(runId)}.${AttemptSchema.parse(attempt)}`);
}

export function sha256Hex(data: Buffer | string): string {
    return createHash('sha256').update(data).digest('hex');
}

const b64 = (buf: ArrayBufferLike): string => Buffer.from(buf as ArrayBuffer).toString('base64');

export function encodeBars(bars: SharedBars): EncodedBars {
    return {
        ts: b64(bars.ts),
        assets: bars.assets.map(a => ({
            open: b64(a.open), high: b64(a.high), low: b64(a.low), close: b64(a.close), volume: b64(a.volume),
            ...(a.onchain ? { onchain: Object.fromEntries(Object.entries(a.onchain).map(([k, c]) => [k, b64(c)])) } : {}),
        })),
        snapshotHash: bars.snapshotHash,
        timeframeMs: bars.timeframeMs,
    };
}

/** Bars back into shared buffers (what a run thread takes); every column must have the timestamps' length. */
export function decodeBars(e: EncodedBars): SharedBars {
    const share = (text: string, what: string, n?: number): SharedArrayBuffer => {
        const buf = Buffer.from(text, 'base64');
        if (buf.length % 8 !== 0 || (n !== undefined && buf.length !== n)) throw new Error(`the job's bars are damaged (${what} has ${buf.length} bytes)`);
        const sab = new SharedArrayBuffer(buf.length);
        new Uint8Array(sab).set(buf);
        return sab;
    };
    const ts = share(e.ts, 'ts');
    const n = ts.byteLength;
    return {
        ts,
        assets: e.assets.map((a, i) => ({
            open: share(a.open, `asset ${i} open`, n), high: share(a.high, `asset ${i} high`, n), low: share(a.low, `asset ${i} low`, n),
            close: share(a.close, `asset ${i} close`, n), volume: share(a.volume, `asset ${i} volume`, n),
            ...(a.onchain ? { onchain: Object.fromEntries(Object.entries(a.onchain).filter(([, c]) => c !== undefined).map(([k, c]) => [k, share(c!, `asset ${i} ${k}`, n)])) } : {}),
        })),
        snapshotHash: e.snapshotHash,
        timeframeMs: e.timeframeMs,
    };
}

/** The job as the worker gets it (bars apart: inline or staged). */
export function jobPart(job: WorkerJob): JobData['job'] {
    return {
        request: job.request as unknown as Record<string, unknown>, ir: job.ir as unknown as Record<string, unknown>, symbols: [...job.symbols], params: { ...job.params },
        trialWorkers: job.trialWorkers, ...(job.limits ? { limits: job.limits as unknown as Record<string, unknown> } : {}),
        ...(job.packs?.length ? { packs: [...job.packs] } : {}),
        ...(job.benchmark ? { benchmark: { id: job.benchmark.id, close: [...job.benchmark.close] } } : {}),
    };
}

/**
 * The WorkerJob a worker runs, from what it received: its artifacts come back as bytes (`held`),
 * which the worker sends on; it writes no file of its own, so the job has no directory.
 */
export function workerJobOf(data: JobData, bars: SharedBars): WorkerJob {
    const j = data.job;
    return {
        runId: data.runId, request: j.request as unknown as WorkerJob['request'], ir: j.ir as unknown as WorkerJob['ir'], bars, symbols: j.symbols, params: j.params, dir: '', held: true,
        trialWorkers: j.trialWorkers, ...(j.limits ? { limits: j.limits as unknown as NonNullable<WorkerJob['limits']> } : {}),
        ...(j.packs ? { packs: j.packs } : {}),
        ...(j.benchmark ? { benchmark: j.benchmark } : {}),
    };
}

/** The output without its staged files (those travel as `files`). */
export function outputPart(o: WorkerOutput): JobResult['output'] {
    const ledger = o.ledger.map(t => ({ periodSharpe: toWire(t.periodSharpe), skew: toWire(t.skew), kurtosis: toWire(t.kurtosis), bars: t.bars }));
    const metrics = Object.fromEntries(Object.entries(o.metrics).map(([k, v]) => [k, v === null ? null : toWire(v)]));
    const { packs, ...provenance } = o.provenance;
    return { strategy: o.strategy, params: o.params, metrics, tradeCount: o.tradeCount, provenance: { ...provenance, ...(packs ? { packs: packs.map(p => ({ ...p })) } : {}) }, summary: o.summary, ledger };
}

/** The output as the daemon records it (its staged files are the daemon's to fill in). */
export function outputOf(r: JobResult, staged: WorkerOutput['staged']): WorkerOutput {
    const o = r.output;
    const ledger: LedgerTrial[] = o.ledger.map(t => ({ periodSharpe: fromWire(t.periodSharpe), skew: fromWire(t.skew), kurtosis: fromWire(t.kurtosis), bars: t.bars }));
    const metrics = Object.fromEntries(Object.entries(o.metrics).map(([k, v]) => [k, v === null ? null : fromWire(v)]));
    return { strategy: o.strategy, params: o.params, metrics, tradeCount: o.tradeCount, provenance: o.provenance, summary: o.summary, staged, ledger };
}
