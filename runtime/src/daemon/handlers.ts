/**
 * The daemon's method handlers: each method of the protocol table mapped onto a service
 * (language facade, data store, orchestrator, experiment store, similarity, IAM). Handlers
 * only translate: validation happened in the gateway (the table's schemas), and the services own
 * their rules. Everything a caller sees is scoped to the caller's team.
 */
import { resampleSeries, showBars } from '../data/show.js';
import { platformHealth } from './health.js';
import type { ReadinessReport } from '../monitoring/health.js';
import { fromWire, toWire, type WireNumber } from '../../../protocol/src/numbers.js';
import { betterDirection } from '../../../protocol/src/metrics.js';
import { viewOf, type LedgerPart, type RunResult } from '../../../protocol/src/run-result.js';
import {
    ConflictError, ErrorCodes, METHODS, PROTOCOL_VERSION, RpcError, UserInputError, methodCatalogue, type RunSummary as WireRunSummary,
} from '../../../protocol/src/daemon/index.js';
import { readAudit } from '../audit/read.js';
import { exportBars } from '../data/bars-export.js';
import { importFile, type DataReplaced, type ImportResult } from '../data/import.js';
import { importSample } from '../data/sample.js';
import { importSynth } from '../data/synth-import.js';
import { parseDateArg } from '../data/dates.js';
import { visibleTo } from '../data/ownership.js';
import { type DataStore } from '../store/store.js';
import type { SqlStore } from '../store/sql-store.js';
import { normalizeSymbol } from '../data/symbols.js';
import { type ExperimentStore } from '../experiments/store.js';
import { type StoreIndex } from '../similarity/store-index.js';
import { type StrategyPoint } from '../../../language/src/similarity/strategy-point.js';
import { type CallContext, type Handlers } from '../gateway/types.js';
import { type Iam } from '../iam/iam.js';
import { type Orchestrator } from '../orchestrator/orchestrator.js';
import { type Run } from '../orchestrator/types.js';
import { type LanguageService } from '../language-service/language-service.js';
import { parseSince } from '../monitoring/logs.js';
import { diffEntries } from '../registry/diff.js';
import { diffSides } from './strategy-diff.js';
import { fromRun, fromSource } from '../registry/publish.js';
import { type Registry } from '../registry/registry.js';
import { type VenueKeys } from '../execution/venue-keys.js';
import { entryDetailView, entryView } from '../registry/view.js';
import { ONCHAIN_EXTENSIONS, type DataDirs } from './data-dirs.js';
import { type DaemonPacks } from '../packs/daemon-packs.js';
import { packsInfo, packsList } from './pack-views.js';
import { DeploymentStateConflict, type DeploymentManager } from '../execution/deployments/manager.js';
import { TeamFiles, type TeamExportFormat } from './team-files.js';
import { basename, extname } from 'node:path';
import { importOnchainFile, MAX_ONCHAIN_RPC_FILE } from '../data/onchain/import.js';
import { DataError } from '../data/errors.js';
import { hftHandlers } from './hft-handlers.js';

export interface DaemonServices {
    readonly version: string;
    readonly startedAt: string;
    readonly transports: { http: boolean; ws: boolean; grpc: boolean };
    /** Parses, lints and compiles source texts (in its worker threads). */
    readonly language: LanguageService;
    /** For data.* (its own connection: imports use transactions). */
    readonly data: DataStore;
    /** For data.list and data.export: another connection, so reads see committed bars only, never an import in flight on `data`. */
    readonly dataReads: DataStore;
    /** Where runs are read for daemon.health: the control plane (the DuckDB file, or PostgreSQL in team mode). */
    readonly runsReads: SqlStore;
    readonly iam: Iam;
    readonly orchestrator: Orchestrator;
    readonly experiments: ExperimentStore;
    readonly similarity: StoreIndex;
    /** The strategy registry (versioned entries per team). */
    readonly registry: Registry;
    /** Paper and live deployments (execution.*). */
    readonly deployments: DeploymentManager;
    /** The teams' venue API keys (encrypted at rest; answers never carry the secrets). */
    readonly venueKeys: VenueKeys;
    /** The state directory (its audit log). */
    readonly stateDir: string;
    /** What files a caller can name: data directories for data.import, the team folders for uploads and exports. */
    readonly files: { readonly dataDirs: DataDirs; readonly teams: TeamFiles };
    /** Team mode's ClickHouse bars: every import's range written there too, once the store has it. */
    readonly barsMirror?: { afterImport(r: ImportResult): Promise<void> };
    /** The workspace packs of a source's folder (packs.*; runs compile against them). */
    readonly packs: DaemonPacks;
    /** The readiness checks (database, orchestrator, integrity) as /readyz runs them. */
    readonly readiness: () => Promise<ReadinessReport>;
    /** One run's memory limit (MB; default DEFAULT_RUN_LIMITS): hft.backtest's thread is held to it too. */
    readonly runMemoryMb?: number;
}

const notFound = (what: string): RpcError => new RpcError(ErrorCodes.NotFound, `${what} not found`);

/** A run as the protocol shows it. */
export function wireRun(r: Run): WireRunSummary {
    return {
        id: r.id, kind: r.kind, state: r.state, promoted: r.promoted, owner: r.owner, team: r.team, experimentId: r.experimentId,
        traceId: r.traceId, attempt: r.attempt, createdAt: r.createdAt, queuedAt: r.queuedAt, startedAt: r.startedAt, finishedAt: r.finishedAt,
        strategy: r.strategy,
        fingerprints: r.provenance ? { exact: r.provenance.exactFingerprint, structural: r.provenance.structuralFingerprint } : null,
        dataSnapshot: r.provenance?.dataSnapshot ?? null, engineVersion: r.provenance?.engineVersion ?? null, seed: r.provenance?.seed ?? null,
        error: r.error, tags: { ...(r.spec.tags ?? {}) }, progress: r.state === 'running' ? Math.min(1, Math.max(0, r.progress)) : null,
    };
}

/** Metrics as the wire carries them (numbers.ts): null for undefined, strings for ±∞. */
const finite = (m: Readonly<Record<string, number | null>> | null): Record<string, WireNumber> | null =>
    m === null ? null : Object.fromEntries(Object.entries(m).map(([k, v]) => [k, v === null ? null : toWire(v)]));

const MEDIA: Record<string, string> = { '.json': 'application/json', '.html': 'text/html', '.csv': 'text/csv', '.parquet': 'application/vnd.apache.parquet', '.arrow': 'application/vnd.apache.arrow.file' };

export function createHandlers(s: DaemonServices): Handlers {
    /** The caller's run, or 404 (another team's run is not found, so its existence does not leak). */
    const ownRun = async (id: string, team: string): Promise<Run> => {
        const run = await s.orchestrator.get(id);
        if (!run || run.team !== team) throw notFound(`run ${id}`);
        return run;
    };
    /** A run's result with its place in the team's research ledger (absent when the ledger holds none of its trials). */
    const withLedger = async (r: RunResult, runId: string, team: string): Promise<RunResult> => {
        const ledger = await ledgerOf(runId, team, r.provenance.structuralFingerprint, k => fromWire(r.metrics[k]));
        return ledger ? { ...r, ledger } : r;
    };
    /** A run's place in its team's ledger from its structure and reported metrics (a sweep's best, a walk-forward's stitched bars). */
    const ledgerOf = async (runId: string, team: string, structural: string, m: (k: 'periodSharpe' | 'skew' | 'kurtosis' | 'bars') => number, families?: Map<string, Promise<string[]>>): Promise<LedgerPart | null> => {
        let family = families?.get(structural);
        if (!family) {
            family = s.similarity.family(team, structural).then(f => [...f]);
            families?.set(structural, family);
        }
        return s.experiments.ledger({ team, runId, family: await family, own: { periodSharpe: m('periodSharpe'), skew: m('skew'), kurtosis: m('kurtosis'), bars: m('bars') } });
    };
    /** The similarity point of a strategy in a source text; syntax or compile errors are a clear 400-class error. */
    const queryPoint = (source: string, uri: string | undefined, strategy: string | undefined, team: string): Promise<StrategyPoint> =>
        s.language.point({ source, ...(uri !== undefined ? { uri } : {}), ...(strategy !== undefined ? { strategy } : {}) }, { key: team }).then(r => {
            if (r.ok) return r.point;
            const where = uri ?? 'the source';
            const shown = r.errors.slice(0, 3).map(e => `${e.line}:${e.column} ${e.code === 'AF001' ? '' : `${e.code} `}${e.message}`).join('; ');
            const first = r.errors[0]!;
            if (first.code === 'AF001') throw new RpcError(ErrorCodes.InvalidParams, `${where} has syntax errors (${shown}); fix them first — nothing was searched`);
            if (first.code === 'AF000') throw new RpcError(ErrorCodes.InvalidParams, `${where}: ${first.message}`);
            throw new RpcError(ErrorCodes.InvalidParams, `the strategy does not compile (${shown}); fix it first (lang.lint)`);
        });
    /** An export written into the caller's team export folder under a checked (or daemon-chosen) name; the result names the file, never a host path. */
    const toTeamExport = async (teamId: string, name: string | undefined, format: TeamExportFormat | undefined, what: string,
        write: (file: string) => Promise<{ format: TeamExportFormat; rows: number; columns: readonly string[]; bytes: number }>) => {
        const target = s.files.teams.exportName(name, format, what);
        const r = await s.files.teams.writeExport(teamId, target.name, file => write(file));
        return { file: target.name, format: r.format, rows: r.rows, columns: [...r.columns], bytes: r.bytes };
    };
    /** An import's result, once team mode's ClickHouse has its range too. */
    const mirrored = async (r: ImportResult): Promise<ImportResult> => {
        await s.barsMirror?.afterImport(r);
        return r;
    };

    return {
        // ------------------------------------------------------------------ daemon
        'daemon.info': async () => ({
            name: 'alphaforge' as const, version: s.version, protocolVersion: String(PROTOCOL_VERSION), startedAt: s.startedAt,
            transports: s.transports, methods: methodCatalogue(),
        }),

        'daemon.health': async (p, ctx) => platformHealth({ readiness: s.readiness, orchestrator: s.orchestrator, runs: s.runsReads }, ctx.principal.teamName, ctx.principal.role === 'admin', p.windowMinutes),

        // ---------------------------------------------------------------- language
        // Parsing and compiling run in the language facade's worker threads, queued fairly by team.
        'lang.lint': async (p, ctx) => s.language.lint(p, { key: ctx.principal.teamName }),
        'lang.compile': async (p, ctx) => s.language.compile(p, { key: ctx.principal.teamName }),
        'lang.analyse': async (p, ctx) => s.language.analyse(p, { key: ctx.principal.teamName }),
        'lang.diff': async (p, ctx) => diffSides(s, ctx.principal.teamName, p.from, p.to),

        // -------------------------------------------------------------------- packs
        // Described from manifests (no pack code runs), for sources inside the daemon's source folders only.
        'packs.list': async p => packsList(s.packs, p.uri),
        'packs.info': async p => packsInfo(s.packs, p.name, p.uri),

        // -------------------------------------------------------------------- data
        // Market data is read only where the caller's team may read it (data/ownership.ts).
        'data.list': async (p, ctx) => {
            const args: string[] = [ctx.principal.teamName];
            const where: string[] = [visibleTo('$1')];
            if (p.venue) { args.push(p.venue.toLowerCase()); where.push(`b.venue = $${args.length}`); }
            if (p.symbol) { args.push(p.venue ? normalizeSymbol(p.venue, p.symbol).symbol : p.symbol.toUpperCase()); where.push(`b.symbol = $${args.length}`); }
            if (p.timeframe) { args.push(p.timeframe); where.push(`b.timeframe = $${args.length}`); }
            const rows = await s.dataReads.rows(`SELECT b.venue, b.symbol, b.timeframe, count(*)::DOUBLE AS bars, epoch_ms(min(b.ts))::DOUBLE AS first, epoch_ms(max(b.ts))::DOUBLE AS last,
                    s.owner_team AS owner, s.visibility
                FROM bars b JOIN series s USING (venue, symbol, timeframe) WHERE ${where.join(' AND ')}
                GROUP BY b.venue, b.symbol, b.timeframe, s.owner_team, s.visibility ORDER BY b.venue, b.symbol, b.timeframe`, args);
            return {
                series: rows.map(r => ({
                    id: `${String(r.venue)}:${String(r.symbol)}`, venue: String(r.venue), symbol: String(r.symbol), timeframe: String(r.timeframe), bars: Number(r.bars),
                    firstTs: Number(r.first), lastTs: Number(r.last), owner: String(r.owner), visibility: r.visibility === 'shared' ? 'shared' as const : 'team' as const,
                })),
            };
        },
        'data.import': async (p, ctx) => {
            if (p.visibility === 'shared' && ctx.principal.role !== 'admin') {
                throw new RpcError(ErrorCodes.Forbidden, `making data shared (visibility 'shared') needs the admin role in team ${ctx.principal.teamName}; import it with visibility 'team' or ask an admin`, { requiredRole: 'admin' });
            }
            // An upload is the caller's own bytes: full detail. A file on the host: the caller may name it, not read it.
            const from = p.upload !== undefined
                ? { ...s.files.teams.upload(ctx.principal.teamId, p.upload), detail: 'full' as const }
                : { path: s.files.dataDirs.resolve(p.file!, TeamFiles.folderOf(ctx.principal.teamId)), name: p.file!, detail: 'redacted' as const };
            if (extname(from.name).toLowerCase() === '.json') throw new DataError(`${basename(from.name)}: bars are imported from CSV or Parquet; a .json upload is for on-chain data (data.onchain.import)`);
            const r = await importFile(s.data, from.path, {
                venue: p.venue, symbol: p.symbol, timeframe: p.timeframe, calendar: p.calendar, repair: p.repair, allowGaps: p.allowGaps,
                map: p.map, dateFormat: p.dateFormat, format: p.format, name: from.name, detail: from.detail,
                owner: { team: ctx.principal.teamName, visibility: p.visibility }, onDataReplaced: e => onDataReplaced(ctx, e),
            });
            await s.barsMirror?.afterImport(r);
            return importAnswer(r);
        },
        'data.onchain.import': async (p, ctx) => {
            if (p.visibility === 'shared' && ctx.principal.role !== 'admin') {
                throw new RpcError(ErrorCodes.Forbidden, `making on-chain data shared (visibility 'shared') needs the admin role in team ${ctx.principal.teamName}; import it with visibility 'team' or ask an admin`, { requiredRole: 'admin' });
            }
            // Confined exactly as data.import's files are (an upload of the caller's team, or a file in the data directories), with the layouts' extensions.
            const from = p.upload !== undefined
                ? { ...s.files.teams.upload(ctx.principal.teamId, p.upload), detail: 'full' as const }
                : { path: s.files.dataDirs.resolve(p.file!, TeamFiles.folderOf(ctx.principal.teamId), ONCHAIN_EXTENSIONS), name: basename(p.file!), detail: 'redacted' as const };
            if (!ONCHAIN_EXTENSIONS.includes(extname(from.name).toLowerCase())) throw new DataError(`${from.name}: an on-chain file is .csv or .json`);
            const r = await importOnchainFile(s.data, p.kind, from.path, {
                format: p.format, name: from.name, detail: from.detail, maxBytes: MAX_ONCHAIN_RPC_FILE,
                writer: { team: ctx.principal.teamName, ...(p.visibility ? { visibility: p.visibility } : {}) },
            });
            return { ...r };
        },
        // Tick data and event-driven backtests (the HFT pack): the caller's team's copies.
        ...hftHandlers(s),
        'data.sample': async (_p, ctx) => importAnswer(await mirrored(await importSample(s.data, { owner: { team: ctx.principal.teamName }, onDataReplaced: e => onDataReplaced(ctx, e) }))),
        'data.synth': async (p, ctx) => {
            const series = await importSynth(s.data, {
                symbols: p.symbols, venue: p.venue, timeframe: p.timeframe, bars: p.bars, seed: p.seed,
                ...(p.start !== undefined ? { start: parseDateArg(String(p.start), 'start') } : {}),
                ...(p.correlation !== undefined ? { correlation: p.correlation } : {}), ...(p.vol !== undefined ? { annualVol: p.vol } : {}),
                owner: { team: ctx.principal.teamName }, onDataReplaced: e => onDataReplaced(ctx, e),
            });
            for (const r of series) await mirrored(r);
            return { series: series.map(importAnswer) };
        },
        'data.export': async (p, ctx) => {
            return toTeamExport(ctx.principal.teamId, p.name, p.format, 'data', file => exportBars(s.dataReads, p.bars, file, { team: ctx.principal.teamName, format: p.format }));
        },

        'data.show': async (p, ctx) => {
            const r = await showBars(s.dataReads, { ...p, team: ctx.principal.teamName });
            return { ...r, rows: [...r.rows], imports: [...r.imports] };
        },
        'data.resample': async (p, ctx) => importAnswer(await mirrored(await resampleSeries(s.data, {
            instrument: p.instrument, to: p.to, team: ctx.principal.teamName, owner: { team: ctx.principal.teamName }, onDataReplaced: e => onDataReplaced(ctx, e),
        }))),

        // -------------------------------------------------------------------- runs
        'runs.submit': async (p, ctx) => {
            const spec = p.spec;
            if (spec.experimentId && !(await s.experiments.getExperiment(spec.experimentId, ctx.principal.teamName))) throw notFound(`experiment ${spec.experimentId}`);
            const run = await s.orchestrator.submit({
                kind: p.kind, source: spec.source, uri: spec.uri, strategy: spec.strategy, params: spec.params, symbols: spec.symbols,
                from: spec.from === undefined ? undefined : String(spec.from), to: spec.to === undefined ? undefined : String(spec.to), benchmark: spec.benchmark,
                sweep: spec.sweep ? { mode: spec.sweep.mode, samples: spec.sweep.samples, seed: spec.sweep.seed ?? spec.seed, sortBy: spec.sweep.sortBy } : undefined,
                walkforward: spec.walkforward ? { inSample: spec.walkforward.inSample, outOfSample: spec.walkforward.outOfSample, anchored: spec.walkforward.scheme === 'anchored' } : undefined,
                experimentId: spec.experimentId, tags: spec.tags, timeoutMs: spec.timeoutMs,
            }, { user: ctx.principal.userName, team: ctx.principal.teamName, traceId: ctx.traceId });
            return { run: wireRun(run) };
        },
        'runs.get': async (p, ctx) => {
            const r = await ownRun(p.id, ctx.principal.teamName);
            return { run: { ...wireRun(r), spec: { ...r.spec } as never, params: r.params ? { ...r.params } : null, metrics: finite(r.metrics) } };
        },
        'runs.list': async (p, ctx) => {
            const states = p.state === undefined ? undefined : Array.isArray(p.state) ? p.state : [p.state];
            // The orchestrator filters by one state; several are merged here (newest first).
            const all: Run[] = [];
            for (const state of states ?? [undefined]) {
                all.push(...await s.orchestrator.list({ state, owner: p.owner, team: ctx.principal.teamName, experimentId: p.experimentId, limit: 1000 }));
            }
            const runs = all
                .filter(r => (p.kind === undefined || r.kind === p.kind) && (p.promoted === undefined || r.promoted === p.promoted))
                .sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.id.localeCompare(a.id));
            return { runs: runs.slice(p.offset, p.offset + p.limit).map(wireRun), total: runs.length };
        },
        'runs.cancel': async (p, ctx) => {
            await ownRun(p.id, ctx.principal.teamName);
            return { run: wireRun(await s.orchestrator.cancel(p.id, ctx.principal.userName)) };
        },
        'runs.logs': async (p, ctx) => {
            const run = await ownRun(p.id, ctx.principal.teamName);
            const order = ['debug', 'info', 'warn', 'error'];
            const all = await s.orchestrator.logs(p.id, p.afterSeq);
            const lines = all.slice(0, p.limit);
            const nextSeq = lines.length ? lines[lines.length - 1]!.seq : p.afterSeq;
            const finished = run.state === 'completed' || run.state === 'failed' || run.state === 'cancelled';
            return {
                lines: lines.filter(l => p.level === undefined || order.indexOf(l.level) >= order.indexOf(p.level)).map(l => ({ seq: l.seq, ts: l.ts, level: l.level, message: l.message })),
                nextSeq, done: finished && lines.length === all.length,
            };
        },
        'runs.artifacts': async (p, ctx) => {
            await ownRun(p.id, ctx.principal.teamName);
            const list = await s.orchestrator.artifacts(p.id);
            const artifacts = list.map(a => {
                const ext = /\.[a-z]+$/.exec(a.name)?.[0] ?? '';
                return { name: a.name, mediaType: MEDIA[ext] ?? 'application/octet-stream', bytes: a.bytes, sha256: a.sha256, status: a.status, path: a.path };
            });
            if (p.name === undefined) return { artifacts };
            if (!list.some(x => x.name === p.name)) throw notFound(`artifact ${p.name} of run ${p.id}`);
            // Checked against the SHA-256 recorded at completion: a truncated or altered file is an error, never served as whole.
            const { artifact: a, data } = await s.orchestrator.readArtifact(p.id, p.name);
            const bytes = data.subarray(0, p.maxBytes);
            const text = /\.(json|html|csv|txt|md)$/.test(a.name);
            return { artifacts, content: { name: basename(a.path), encoding: text ? 'utf8' as const : 'base64' as const, data: text ? bytes.toString('utf8') : bytes.toString('base64'), truncated: data.length > p.maxBytes } };
        },
        'runs.result': async (p, ctx) => {
            await ownRun(p.id, ctx.principal.teamName);
            const full = await withLedger(await s.orchestrator.result(p.id), p.id, ctx.principal.teamName);
            const result = viewOf(full, p);
            return {
                result,
                page: {
                    points: result.series?.ts.length ?? 0, bars: full.series?.ts.length ?? 0,
                    tradesOffset: p.tradesOffset, trades: result.trades.length, trialsOffset: p.trialsOffset, trials: result.sweep?.trials.length ?? 0,
                },
            };
        },
        'runs.promote': async (p, ctx) => {
            await ownRun(p.id, ctx.principal.teamName);
            return { run: wireRun(await s.orchestrator.promote(p.id, ctx.principal.userName)) };
        },

        // ------------------------------------------------------------- experiments
        'experiments.create': async (p, ctx) => {
            const e = await s.experiments.createExperiment({ name: p.name, team: ctx.principal.teamName, owner: ctx.principal.userName, description: p.description });
            return { experiment: { id: e.id, name: e.name, team: e.team, owner: e.owner, description: e.description, createdAt: e.created, runCount: e.runs } };
        },
        'experiments.list': async (p, ctx) => {
            const all = await s.experiments.listExperiments(ctx.principal.teamName);
            return {
                experiments: all.slice(p.offset, p.offset + p.limit).map(e => ({ id: e.id, name: e.name, team: e.team, owner: e.owner, description: e.description, createdAt: e.created, runCount: e.runs })),
                total: all.length,
            };
        },
        'experiments.search': async (p, ctx) => {
            const r = await s.experiments.search({ filter: p.filter, orderBy: p.orderBy, limit: p.limit, offset: p.offset, team: ctx.principal.teamName, experimentId: p.experimentId });
            const rows = [];
            // Families are found once per structure of the page.
            const families = new Map<string, Promise<string[]>>();
            for (const x of r.runs) {
                const run = await s.orchestrator.get(x.id);
                if (!run) continue;
                const structural = run.provenance?.structuralFingerprint;
                const ledger = p.ledger && structural && run.state === 'completed'
                    ? await ledgerOf(run.id, ctx.principal.teamName, structural, k => x.metrics[k] ?? NaN, families)
                    : null;
                rows.push({ run: wireRun(run), params: { ...x.params }, metrics: finite(x.metrics)!, ...(p.ledger ? { ledger } : {}) });
            }
            return { runs: rows, total: r.total };
        },
        'experiments.ledger': async (p, ctx) => {
            const r = await s.experiments.ledgerTrials({ team: ctx.principal.teamName, structural: p.structural.toLowerCase(), limit: p.limit, offset: p.offset });
            return {
                structural: p.structural.toLowerCase(), total: r.total, runs: r.runs, sharpeVariance: toWire(r.sharpeVariance),
                trials: r.trials.map(t => ({ ...t, recordedAt: new Date(t.recordedAt).toISOString(), periodSharpe: toWire(t.periodSharpe) })),
            };
        },
        'experiments.compare': async (p, ctx) => {
            const c = await s.experiments.compare(p.runIds, { team: ctx.principal.teamName });
            const metricKeys = c.metrics.map(m => m.key).filter(k => !p.metrics || p.metrics.includes(k));
            const best: Record<string, string | null> = {};
            for (const k of metricKeys) {
                const better = betterDirection(k);
                let bestId: string | null = null, bestV = NaN;
                if (better === null) { best[k] = null; continue; }
                for (const run of c.runs) {
                    const v = run.metrics[k];
                    if (typeof v !== 'number' || !Number.isFinite(v)) continue;
                    if (bestId === null || (better === 'lower' ? v < bestV : v > bestV)) { bestId = run.id; bestV = v; }
                }
                best[k] = bestId;
            }
            const structural = new Set(c.runs.map(r => r.fingerprints.structural));
            return {
                runs: c.runs.map(r => ({
                    id: r.id, strategy: r.strategy, experimentId: r.experiment?.id ?? null, state: r.state as never,
                    fingerprints: r.fingerprints.exact && r.fingerprints.structural ? { exact: r.fingerprints.exact, structural: r.fingerprints.structural } : null,
                    dataSnapshot: r.dataSnapshot, params: { ...r.params },
                    metrics: Object.fromEntries(metricKeys.map(k => [k, typeof r.metrics[k] === 'number' && Number.isFinite(r.metrics[k]) ? r.metrics[k]! : null])),
                    tags: { ...r.tags },
                })),
                paramKeys: c.params.map(x => x.key), metricKeys,
                differingParams: c.params.filter(x => x.differs).map(x => x.key),
                sameStructure: structural.size === 1 && !structural.has(null),
                best,
            };
        },
        'experiments.export': async (p, ctx) => {
            return toTeamExport(ctx.principal.teamId, p.name, p.format, 'runs',
                file => s.experiments.exportRuns(p.filter, file, { format: p.format, team: ctx.principal.teamName, experimentId: p.experimentId }));
        },

        // -------------------------------------------------------------- similarity
        'similar.find': async (p, ctx) => {
            let point: StrategyPoint;
            let file: string | undefined;
            if (p.runId !== undefined) {
                const run = await ownRun(p.runId, ctx.principal.teamName);
                point = await queryPoint(run.spec.source, run.spec.uri, run.strategy ?? run.spec.strategy, ctx.principal.teamName);
            } else {
                point = await queryPoint(p.source!, p.uri, p.strategy, ctx.principal.teamName);
                file = p.uri;
            }
            // While the index rebuilds, find throws SimilarityUnavailable (503 with its progress).
            const r = await s.similarity.find(point, { k: p.k, team: ctx.principal.teamName, ...(p.experimentId ? { experimentId: p.experimentId } : {}) });
            return { query: { strategy: point.strategy, fingerprints: point.fingerprints, ...(file ? { file } : {}) }, ...r, indexes: [s.similarity.info()] };
        },

        // ---------------------------------------------------------------- registry
        // Entries are the caller's team's only; the registry owns versions, states and four eyes.
        'venues.keys.set': async (p, ctx) => ({
            key: await s.venueKeys.set(ctx.principal.teamName, p.exchange, p.label, { apiKey: p.apiKey, secret: p.secret, ...(p.password !== undefined ? { password: p.password } : {}) }, ctx.principal.userName),
        }),
        'venues.keys.list': async (_p, ctx) => ({ keys: await s.venueKeys.list(ctx.principal.teamName) }),
        'venues.keys.remove': async (p, ctx) => ({ key: await s.venueKeys.remove(ctx.principal.teamName, p.ref) }),
        'registry.publish': async (p, ctx) => {
            const team = ctx.principal.teamName;
            const publication = p.runId !== undefined
                ? await fromRun(s.language, team, await ownRun(p.runId, team), { name: p.name, notes: p.notes })
                : await fromSource(s.language, team, { source: p.source!, uri: p.uri, strategy: p.strategy, params: p.params, name: p.name, notes: p.notes });
            return { entry: entryView(await s.registry.publish(publication, actorOf(ctx))) };
        },
        'registry.list': async (p, ctx) => {
            const r = await s.registry.list(ctx.principal.teamName, { name: p.name, state: p.state, limit: p.limit, offset: p.offset });
            return { entries: r.entries.map(entryView), total: r.total };
        },
        'registry.show': async (p, ctx) => ({ entry: entryDetailView(await s.registry.show(ctx.principal.teamName, p.name, p.version)) }),
        'registry.approve': async (p, ctx) => ({ entry: entryView(await s.registry.approve(ctx.principal.teamName, p.name, p.version, actorOf(ctx), p.note)) }),
        'registry.retire': async (p, ctx) => ({ entry: entryView(await s.registry.retire(ctx.principal.teamName, p.name, p.version, actorOf(ctx), p.note)) }),
        'registry.diff': async (p, ctx) => {
            const team = ctx.principal.teamName;
            const [a, b] = [await s.registry.show(team, p.from.name, p.from.version), await s.registry.show(team, p.to.name, p.to.version)];
            const d = await diffEntries(a, b);
            // The node-for-node part is lang.diff's, on the same two versions.
            const dag = await diffSides(s, team, { registry: p.from }, { registry: p.to }).then(x => ({ dag: x, dagError: null }), (e: unknown) => {
                if (e instanceof ConflictError || e instanceof UserInputError) return { dag: null, dagError: e.message };
                throw e;
            });
            return { from: entryView(a), to: entryView(b), ...d, ...dag };
        },

        // --------------------------------------------------------------- execution
        // Deployments are the caller's team's only (another team's is not found), like runs.
        'execution.paper.start': async (p, ctx) => {
            const team = ctx.principal.teamName;
            let strategy: Pick<Parameters<DeploymentManager['start']>[0], 'source' | 'uri' | 'strategy' | 'params' | 'registry' | 'published'>;
            if (p.registry) {
                const e = await s.registry.show(team, p.registry.name, p.registry.version);
                if (e.state === 'retired') throw new DeploymentStateConflict(`${e.name}@${e.version} is retired and cannot be deployed; publish or choose another version (af registry ls)`);
                strategy = { source: e.source, ...(e.uri !== null ? { uri: e.uri } : {}), strategy: e.strategy, params: e.params, registry: { name: e.name, version: e.version }, published: e.fingerprints.exact };
            } else {
                strategy = { source: p.source!, ...(p.uri !== undefined ? { uri: p.uri } : {}), ...(p.strategy !== undefined ? { strategy: p.strategy } : {}), ...(p.params ? { params: p.params } : {}) };
            }
            return { deployment: await s.deployments.start({ team, owner: ctx.principal.userName, mode: 'paper', ...strategy, venue: 'paper', feed: p.feed, capital: p.capital, limits: p.limits }) };
        },
        'execution.live.start': async (p, ctx) => {
            const team = ctx.principal.teamName;
            const e = await s.registry.show(team, p.registry.name, p.registry.version);
            if (e.state !== 'approved' && e.state !== 'deployed') {
                throw new DeploymentStateConflict(`${e.name}@${e.version} is ${e.state}: live trading needs an approved version${e.state === 'draft' ? ` (a trader other than its author approves it: af registry approve ${e.name}@${e.version})` : '; publish and approve a new one'}`);
            }
            const d = await s.deployments.start({
                team, owner: ctx.principal.userName, mode: 'live', source: e.source, ...(e.uri !== null ? { uri: e.uri } : {}), strategy: e.strategy, params: e.params,
                registry: { name: e.name, version: e.version }, published: e.fingerprints.exact, venue: p.venue, feed: p.feed ?? { kind: p.venue, barMs: 1000 }, capital: p.capital, limits: p.limits,
            });
            if (e.state === 'approved') await s.registry.markDeployed(team, e.name, e.version, actorOf(ctx), `live deployment ${d.id} on ${p.venue}`);
            return { deployment: d };
        },
        'execution.stop': async (p, ctx) => ({ deployment: await s.deployments.stop(ctx.principal.teamName, p.id, ctx.principal.userName, p.reason) }),
        'execution.kill': async (p, ctx) => ({
            deployments: await s.deployments.kill(ctx.principal.teamName, p.id !== undefined ? { id: p.id } : { all: true }, ctx.principal.userName, p.reason),
        }),
        'execution.list': async (p, ctx) => s.deployments.list(ctx.principal.teamName, { state: p.state, limit: p.limit, offset: p.offset }),
        'execution.show': async (p, ctx) => ({ deployment: await s.deployments.get(ctx.principal.teamName, p.id) }),
        'execution.positions': async (p, ctx) => s.deployments.positions(ctx.principal.teamName, p.id),
        'execution.orders': async (p, ctx) => ({ orders: await s.deployments.orders(ctx.principal.teamName, { id: p.id, open: p.open, limit: p.limit }) }),
        'execution.events': async (p, ctx) => s.deployments.events(ctx.principal.teamName, p.id, p.afterSeq, p.limit),

        // --------------------------------------------------------------------- IAM
        'iam.whoami': async (_p, ctx) => ({ principal: { ...ctx.principal, scopes: [...ctx.principal.scopes] } }),
        'iam.tokens.create': async (p, ctx) => {
            const t = await s.iam.createToken({ user: p.user ?? ctx.principal.userId, team: p.team ?? ctx.principal.teamId, name: p.name, scopes: p.scopes, ttlMs: p.ttlMs }, ctx.principal);
            return { id: t.id, token: t.token, prefix: t.prefix, expiresAt: t.expiresAt };
        },
        'iam.tokens.list': async (p, ctx) => ({ tokens: (await s.iam.listTokens({ user: p.user, team: p.team }, ctx.principal)).map(t => ({ ...t, scopes: [...t.scopes] })) }),
        'iam.tokens.revoke': async (p, ctx) => {
            const t = await s.iam.revokeToken(p.id, ctx.principal);
            return { token: { ...t, scopes: [...t.scopes] } };
        },
        'iam.users.create': async p => ({ user: copyUser(await s.iam.createUser(p.name)) }),
        'iam.users.list': async () => ({ users: (await s.iam.listUsers()).map(copyUser) }),
        'iam.users.disable': async p => ({ user: copyUser(await s.iam.disableUser(p.user)) }),
        'iam.users.enable': async p => ({ user: copyUser(await s.iam.enableUser(p.user)) }),
        'iam.teams.create': async p => ({ team: copyTeam(await s.iam.createTeam(p.name)) }),
        'iam.teams.list': async () => ({ teams: (await s.iam.listTeams()).map(copyTeam) }),
        'iam.members.set': async p => {
            if (p.role === null) {
                await s.iam.removeMembership(p.user, p.team);
                return { membership: null };
            }
            const m = await s.iam.setMembership(p.user, p.team, p.role);
            return { membership: { ...m } };
        },

        // ------------------------------------------------------------------- audit
        'audit.list': async p => {
            let since: number | undefined;
            try {
                since = p.since === undefined ? undefined : parseSince(p.since);
            } catch (e) {
                throw new RpcError(ErrorCodes.InvalidParams, `since: ${(e as Error).message.replace('--since ', '')}`, { issues: [{ path: ['since'], message: 'an ISO time or a duration such as 15m, 2h, 1d' }] });
            }
            const r = await readAudit(s.stateDir, { since, actor: p.actor, method: p.method, limit: p.limit });
            return { records: r.records, matched: r.matched };
        },
    };
}

/**
 * An import over RPC replaced stored bars (the old ones are kept in bar_revisions): a structured
 * warning in the daemon log. The audit log has it too, without a call here: the dispatcher records
 * data.import with its result's `replaced` count (audit/targets.ts) before answering.
 */
function onDataReplaced(ctx: CallContext, e: DataReplaced): void {
    ctx.logger.warn({ component: 'data', event: 'data.replaced', user: ctx.principal.userName, ...e }, `market data replaced: ${e.replaced} bars of ${e.series} ${e.timeframe}`);
}

interface UserLike { memberships: readonly object[] }
interface TeamLike { members: readonly object[] }
function copyUser<T extends UserLike>(u: T): T { return { ...u, memberships: u.memberships.map(m => ({ ...m })) }; }
function copyTeam<T extends TeamLike>(t: T): T { return { ...t, members: t.members.map(m => ({ ...m })) }; }

/** The caller as the registry records them: name shown, id compared (four eyes). */
function actorOf(ctx: CallContext): { user: string; userId: string } {
    return { user: ctx.principal.userName, userId: ctx.principal.userId };
}

/** Every available method must have a handler (the Handlers type says so; this guards the table at run time too). */
export function missingHandlers(h: Handlers): string[] {
    return Object.entries(METHODS).filter(([name, spec]) => spec.available && typeof (h as Record<string, unknown>)[name] !== 'function').map(([n]) => n);
}

/** An import's result as the protocol's plain arrays. */
function importAnswer(r: ImportResult) {
    return { ...r, instrument: { ...r.instrument }, problems: r.problems.map(x => ({ ...x, rows: [...x.rows], examples: [...x.examples] })), notes: [...r.notes] };
}
