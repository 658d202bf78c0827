/**
 * `af daemon run`: one long-running process, the only door to the platform. It validates the bind
 * address before it writes anything, makes the state directory private (umask 077, looser modes
 * tightened and logged), opens the audit log and the database, bootstraps IAM (admin token on first start), starts the orchestrator
 * (re-queuing runs a crash interrupted), the experiment store and similarity index, monitoring,
 * and serves the gateway (HTTP + WebSocket JSON-RPC, optionally gRPC) — then announces itself in
 * daemon.json. SIGTERM/SIGINT stop it gracefully (running jobs go back to the queue). Start,
 * stop and the runs a crash interrupted are recorded in the audit log.
 */
import { availableParallelism, hostname } from 'node:os';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_DAEMON_HOST, DEFAULT_MAX_UPLOAD_BYTES, type DaemonEvent, type RunState } from '../../../protocol/src/daemon/index.js';
import { AuditLog } from '../audit/audit-log.js';
import { privateDir, restrictUmask, tightenStateDir } from '../store/state-files.js';
import { DEFAULT_QUERY_LIMITS, withLimits, type QueryLimits } from '../store/call-gate.js';
import { DataError } from '../data/errors.js';
import { ConfigError } from '../config/config.js';
import { checkIntegrity, describeDamage, describeIncomplete } from '../store/integrity.js';
import { DatabaseProbe } from '../store/probe.js';
import { type DataStore, reportDamage, reportedDamage } from '../store/store.js';
import { resolveStateDir } from '../../../protocol/src/discovery.js';
import { openControlStore, openStore } from '../schema/registry.js';
import type { SqlStore } from '../store/sql-store.js';
import { controlPlaneUrl, DEFAULT_TAKEOVER_MS, type ControlPlaneSettings } from '../store/control-plane-settings.js';
import { ExperimentStore } from '../experiments/store.js';
import { Registry } from '../registry/registry.js';
import { VENUE_KEY_FILE, VenueKeys } from '../execution/venue-keys.js';
import { StoreIndex } from '../similarity/store-index.js';
import { Dispatcher } from '../gateway/dispatcher.js';
import { LocalEventBus, type EventBus, type EventPublisher } from '../gateway/events.js';
import { SharedEvents } from './shared-events.js';
import { openPgChannel, type PgChannel } from '../store/pg-channel.js';
import { openOwnership, type Ownership } from '../store/pg-ownership.js';
import { checkBindPolicy, createGateway, type Gateway, type LimitsInput } from '../gateway/http.js';
import { type GatewayLogger } from '../gateway/types.js';
import { Iam } from '../iam/iam.js';
import { type OidcSettings } from '../iam/oidc-settings.js';
import { routeVerifiers } from '../iam/verifier.js';
import { createMonitoring, type Monitoring } from '../monitoring/index.js';
import { type LogLevel } from '../monitoring/logger.js';
import { Orchestrator } from '../orchestrator/orchestrator.js';
import type { QueueSettings } from '../queue/settings.js';
import type { BarsSettings } from '../data/bars-settings.js';
import type { ClickHouseMirror } from '../data/clickhouse-mirror.js';
import type { TelemetrySettings } from '../monitoring/telemetry-settings.js';
import type { Telemetry } from '../monitoring/telemetry.js';
import { RUN_STATES, type RunEvent } from '../orchestrator/types.js';
import { createHandlers, missingHandlers } from './handlers.js';
import { announce, withdraw } from './lifecycle.js';
import { DaemonPacks } from '../packs/daemon-packs.js';
import { manifestSources } from '../engine/packs/bundles.js';
import { DataDirs } from './data-dirs.js';
import { RunLifecycleLog } from './run-log.js';
import { TeamFiles } from './team-files.js';
import { LanguageService, type LanguageLimits } from '../language-service/language-service.js';
import { type RunLimits } from '../orchestrator/limits.js';
import { RunCompiler } from '../orchestrator/compile.js';
import { DeploymentManager } from '../execution/deployments/manager.js';
import { replayFeed, type FeedFactory, type VenueFactory } from '../execution/deployments/plugs.js';
import { ccxtFeeds, ccxtVenues } from '../execution/venues/ccxt-plugs.js';
import { VenueUrlsSchema, type VenueUrls } from '../execution/venues/venue-urls.js';

/** The package version, from the repository's package.json (found upward: this file runs from src/ in tests and out/ otherwise). */
export const DAEMON_VERSION = ((): string => {
    for (let dir = dirname(fileURLToPath(import.meta.url)); dir !== dirname(dir); dir = dirname(dir)) {
        const f = join(dir, 'package.json');
        if (existsSync(f)) {
            const pkg = JSON.parse(readFileSync(f, 'utf8')) as { name?: string; version?: string };
            if (pkg.name === 'alphaforge' && pkg.version) return pkg.version;
        }
    }
    return '0.0.0';
})();

export interface DaemonOptions {
    readonly stateDir?: string;
    readonly host?: string;
    /** 0: a free port (announced in daemon.json). */
    readonly port?: number;
    readonly concurrency?: number;
    readonly grpc?: boolean;
    readonly tls?: { key: string; cert: string };
    readonly allowInsecureRemote?: boolean;
    readonly publicMetrics?: boolean;
    readonly defaultTimeoutMs?: number;
    /** Single sign-on: also accept the access tokens of this OpenID Connect provider (docs/iam.md). */
    readonly oidc?: OidcSettings;
    /** Team mode: runs execute on `af worker` processes through this BullMQ queue (docs/team-mode.md); default: this process's threads. */
    readonly queue?: QueueSettings;
    /** Team mode: users, tokens, runs, experiments, registry, ledger, orders and deployments in PostgreSQL, shared by every daemon given the same section (docs/team-mode.md); default: the DuckDB store. */
    readonly controlPlane?: ControlPlaneSettings;
    /** Team mode (controlPlane): how often runs and deployments of daemons that are gone are looked for and taken over; default `controlPlane.takeoverMs`, else 5000 ms. */
    readonly takeoverMs?: number;
    /** Team mode (controlPlane): how long a deployment taken over waits, holding its claim, before its state is read; default `controlPlane.takeoverSettleMs`, else 2000 ms. */
    readonly takeoverSettleMs?: number;
    /** Team mode: runs read bar rows from ClickHouse and imports write there too (docs/team-mode.md); default: the store's bars table. */
    readonly bars?: BarsSettings;
    /** Tracing: spans to this OTLP/HTTP endpoint (docs/team-mode.md, tracing); default none (the API's no-op spans). */
    readonly telemetry?: TelemetrySettings;
    /** Log to stderr as well as <state dir>/logs/daemon.log. */
    readonly stderr?: boolean;
    /** Request size, rate and WebSocket limits (default: the gateway's). */
    readonly limits?: LimitsInput;
    /** The folder the daemon serves (default: its working directory when started). */
    readonly workspace?: string;
    /** Folders data.import may read a named file from (default: the workspace); `<state dir>/imports/` always. */
    readonly dataDirs?: readonly string[];
    /** Largest upload (PUT /uploads/<name>) in bytes. Default 1 GiB. */
    readonly maxUploadBytes?: number;
    /** Disk one team's uploads and exports may use together. Default 20 GiB. */
    readonly teamQuotaBytes?: number;
    /** Uploads and exports older than this are removed. Default 7 days. */
    readonly fileRetentionMs?: number;
    /** Folders `import` statements of sources sent over RPC may read (.af files only, never the state directory); default: the workspace. */
    readonly sourceRoots?: readonly string[];
    /** Language workers (lang.*, similar.find, runs' compiles): count, time per request, memory, queue (runtime/src/language-service/language-service.ts). */
    readonly language?: LanguageLimits;
    /** Runs: default time limit with per-team overrides (defaultTimeoutMs is its older name), memory, trials (runtime/src/orchestrator/limits.ts). */
    readonly runs?: RunLimits;
    /** Time limits of database calls: interactive queries and bulk imports/exports (default DEFAULT_QUERY_LIMITS). */
    readonly queryLimits?: Partial<QueryLimits>;
    /** Time budget of the integrity check at start (default 60 s; 0: no check). */
    readonly integrityCheckMs?: number;
    /** Minimum level of the log (default info). */
    readonly logLevel?: LogLevel;
    /** Deployments: venues and feeds besides `paper` and `replay` (by name: execution/deployments/plugs.ts), and when a silent feed has stopped. */
    /** Trading venues: per ccxt exchange id, the base URL of its API instead of its own hosts (config `venues.urls`; https://, or http:// to loopback). */
    readonly venues?: { readonly urls?: Readonly<Record<string, string>> };
    readonly deployments?: { readonly venues?: Readonly<Record<string, VenueFactory>>; readonly feeds?: Readonly<Record<string, FeedFactory>>; readonly stallMs?: number; readonly maxRejects?: number };
}

export interface RunningDaemon {
    readonly url: string;
    readonly stateDir: string;
    readonly gateway: Gateway;
    readonly orchestrator: Orchestrator;
    readonly monitoring: Monitoring;
    /** The bootstrap admin token, when this start created it. */
    readonly adminToken?: string;
    /** The connection data.list and data.export read on (tests hold it with a query that never ends). */
    readonly reads: DataStore;
    stop(): Promise<void>;
}

export async function startDaemon(o: DaemonOptions = {}): Promise<RunningDaemon> {
    const stateDir = resolveStateDir(o.stateDir);
    // The config file's controlPlane section gives them; an option of the call wins (tests).
    const takeoverMs = o.takeoverMs ?? o.controlPlane?.takeoverMs ?? DEFAULT_TAKEOVER_MS;
    const takeoverSettleMs = o.takeoverSettleMs ?? o.controlPlane?.takeoverSettleMs;
    // A refused bind leaves nothing behind: no directory, no log, no admin token.
    checkBindPolicy(o.host ?? DEFAULT_DAEMON_HOST, o);
    restrictUmask();
    privateDir(stateDir);
    const tightened = tightenStateDir(stateDir);
    const monitoring = createMonitoring({ stateDir, stderr: o.stderr, ...(o.logLevel ? { logLevel: o.logLevel } : {}) });
    const log = monitoring.logger;
    // Spans are exported only when configured; the SDK is not even loaded otherwise.
    let telemetry: Telemetry | undefined;
    if (o.telemetry) {
        const report = (message: string): void => log.warn({ component: 'telemetry' }, `span export: ${message.split('\n')[0]}`);
        telemetry = await (await import('../monitoring/telemetry.js')).startTelemetry({ settings: o.telemetry, role: 'daemon', version: DAEMON_VERSION, onError: report });
        log.info({ component: 'telemetry', otlpUrl: o.telemetry.otlpUrl, sampleRatio: o.telemetry.sampleRatio ?? 1 }, 'tracing: spans are exported over OTLP/HTTP');
    }
    if (tightened.length) {
        log.warn({ component: 'daemon', paths: tightened.slice(0, 100), count: tightened.length }, `took group and other permissions off ${tightened.length} path(s) of the state directory ${stateDir}: ${tightened.slice(0, 10).join(', ')}${tightened.length > 10 ? ', …' : ''}`);
    }
    const startedAt = new Date().toISOString();
    const stores: DataStore[] = [];
    let control: SqlStore | undefined;
    let controlUrl: string | undefined;
    let channel: PgChannel | undefined;
    let ownership: Ownership | undefined;
    let language: LanguageService | undefined;
    let probe: DatabaseProbe | undefined;
    let stopping = false;
    let audit: AuditLog | undefined;
    const open = async (): Promise<DataStore> => {
        const s = await openStore({ stateDir, limits: withLimits(DEFAULT_QUERY_LIMITS, o.queryLimits) });
        stores.push(s);
        return s;
    };
    try {
        audit = await AuditLog.open(stateDir);
        const auditLog = audit;
        const daemonActor = { transport: 'daemon' as const, user: 'daemon' };
        // Separate connections: each service runs its own transactions.
        const data = await open();
        // Damage is found before anything is served or written: a damaged database is refused (see checkDatabase).
        await checkDatabase(data, o.integrityCheckMs, log);
        // Team mode: one pooled PostgreSQL store for the control-plane services (each transaction holds a connection of its own).
        if (o.controlPlane) {
            const cp = o.controlPlane;
            const limits = withLimits(withLimits(DEFAULT_QUERY_LIMITS, o.queryLimits), {
                ...(cp.queryTimeoutSeconds !== undefined ? { queryMs: cp.queryTimeoutSeconds * 1000 } : {}),
                ...(cp.bulkTimeoutSeconds !== undefined ? { bulkMs: cp.bulkTimeoutSeconds * 1000 } : {}),
            });
            let url: string;
            try {
                url = controlPlaneUrl(cp);
            } catch (e) {
                throw new ConfigError((e as Error).message);
            }
            controlUrl = url;
            control = await openControlStore({ url, limits, ...(cp.schema ? { pgSchema: cp.schema } : {}), ...(cp.poolSize ? { poolSize: cp.poolSize } : {}) });
            log.info({ component: 'database', controlPlane: (control as { where?: string }).where, schemaVersion: control.schemaVersion }, 'team mode: the control plane is in PostgreSQL');
            // Which daemon owns which runs and deployments: advisory locks on a connection of its own (pg-ownership.ts).
            ownership = await openOwnership({ url, ...(cp.schema ? { pgSchema: cp.schema } : {}), name: `af-daemon pid ${process.pid}@${hostname()}` });
        }
        // The control plane's services: PostgreSQL's one pool, or a DuckDB connection each (the embedded default).
        const controlStore = async (): Promise<SqlStore> => control ?? await open();
        // Embedded, this Iam is the one writer of the credentials (the DuckDB file is this daemon's): it may keep verified tokens.
        const iam = new Iam(await controlStore(), { cacheVerified: control === undefined });
        const boot = await iam.bootstrap(stateDir);
        if (boot.created) log.info({ component: 'iam', file: boot.file }, 'first start: bootstrap admin token written');
        // Venue keys are decrypted with this state directory's key file; team mode's daemons share the
        // rows, so each needs the same key file: one with another is refused now (venue-keys.ts checkKeyFile).
        const venueKeys = VenueKeys.open(await controlStore(), stateDir);
        const keyFile = await venueKeys.checkKeyFile({ shared: control !== undefined });
        if (keyFile === 'other') {
            log.warn({ component: 'deployments', file: join(stateDir, VENUE_KEY_FILE) }, `the stored venue keys were encrypted under another ${VENUE_KEY_FILE}: deployments that use them fail until they are set again (af venue keys set), or the old key file is restored`);
        }
        if (keyFile === 'rewritten') log.info({ component: 'deployments', file: join(stateDir, VENUE_KEY_FILE) }, `${VENUE_KEY_FILE} was replaced while no venue keys were stored: it is the key from now on`);
        // Its runs export is DuckDB's: on PostgreSQL the rows are staged in a DuckDB connection of its own.
        const experiments = control ? new ExperimentStore(control, await open()) : new ExperimentStore(await open());
        // Every source text is parsed and compiled in the language workers; imports only from the source folders.
        const sourceRoots = o.sourceRoots ?? [o.workspace ?? process.cwd()];
        // The packs a source compiles against: its folder's declared ones, inside the source folders only.
        // The state directory and (team mode) the shared artifacts folder are the daemon's own: no import reads them.
        const ownDirs = [stateDir, ...(o.controlPlane?.artifactsDir ? [o.controlPlane.artifactsDir] : [])];
        const packs = new DaemonPacks({ roots: sourceRoots, exclude: ownDirs });
        language = new LanguageService({
            ...o.language, sourceRoots, excludeRoots: ownDirs, packsFor: uri => manifestSources(packs.forUri(uri).bundles),
            log: (level, message, fields) => log[level]({ component: 'language', ...fields }, message),
        });
        const lang = language;
        // Stored sources compile like submitted ones: imports resolve relative to the run's uri.
        const similarity = StoreIndex.open({
            store: await controlStore(), stateDir,
            embed: (source, uri, strategy) => lang.point({ source, ...(uri ? { uri } : {}), ...(strategy ? { strategy } : {}) }, { key: 'similarity', internal: true }),
            log: (level, message, fields) => log[level]({ component: 'similarity', ...fields }, message),
        });
        // A loaded index is reconciled before serving; a rebuild runs in the background (queries get a 503 with its progress).
        const similarityReady = similarity.start().catch(err => log.warn({ component: 'similarity', err }, 'similarity index start failed'));
        if (!similarity.rebuilds) await similarityReady;
        // Team mode: the engine half of runs goes to `af worker` processes; everything else stays here.
        const backend = o.queue ? await (await import('../queue/bullmq-backend.js')).BullmqBackend.open(o.queue) : undefined;
        if (o.queue) log.info({ component: 'orchestrator', redis: o.queue.redis, prefix: o.queue.prefix ?? 'af' }, 'team mode: runs execute on af worker processes through BullMQ');
        // Team mode's bars: rows from ClickHouse, ownership and the import log in the store (loaded only when configured).
        const barsMirror: ClickHouseMirror | undefined = o.bars ? await (await import('../data/clickhouse-mirror.js')).ClickHouseMirror.open(o.bars, await open()) : undefined;
        if (o.bars) log.info({ component: 'data', clickhouse: o.bars.url, database: o.bars.database ?? 'alphaforge' }, 'team mode: runs read bars from ClickHouse');
        const orchestrator = new Orchestrator({
            store: await open(), ...(control ? { control } : {}), stateDir: o.controlPlane?.artifactsDir ?? stateDir, concurrency: o.concurrency ?? availableParallelism(), language: lang, packs, ...(backend ? { backend } : {}), ...(barsMirror ? { bars: barsMirror } : {}),
            ...(ownership ? { ownership, takeoverMs } : {}),
            limits: { ...o.runs, timeoutMs: o.runs?.timeoutMs ?? o.defaultTimeoutMs },
        });

        // Run events → the gateway's subscribers (the owning team only) and the metrics/alerts.
        // Team mode: every daemon sharing the control plane also publishes what the others publish (shared-events.ts).
        const local = new LocalEventBus();
        const shared = controlUrl ? new SharedEvents(local, iam) : undefined;
        if (shared && controlUrl) {
            const name = `af_events${o.controlPlane?.schema ? `_${o.controlPlane.schema}` : ''}`.slice(0, 63);
            channel = await openPgChannel({ url: controlUrl, channel: name, onMessage: p => shared.receive(p), onError: m => log.warn({ component: 'gateway' }, m) });
            shared.attach(channel);
        }
        const bus: EventBus & EventPublisher = shared ?? local;
        const lastState = new Map<string, RunState>();
        // Events are published in the order the orchestrator emitted them: the owning team is looked
        // up once per run (cached) and each run's events wait on the run's previous ones.
        const teams = new Map<string, Promise<{ team?: string; traceId?: string }>>();
        // Runs a previous process left running, re-queued (or failed) by recovery: audited before serving.
        let recovering = true;
        const recovered: Promise<void>[] = [];
        const runLog = new RunLifecycleLog(log.child({ component: 'orchestrator' }));
        orchestrator.on('event', e => {
            if (recovering && e.kind === 'state' && e.actor === 'system' && (e.message ?? '').startsWith('daemon restarted')) {
                recovered.push(auditLog.record({ actor: daemonActor, method: 'daemon.recover', target: { runId: e.runId, state: e.state ?? null }, result: 'ok' }));
            } else if (e.kind === 'state' && e.actor === 'system' && (e.message ?? '').startsWith('taken over:')) {
                // Team mode: a run of a daemon that is gone, taken over while this one runs.
                void auditLog.record({ actor: daemonActor, method: 'daemon.recover', target: { runId: e.runId, state: e.state ?? null, takenOver: true }, result: 'ok' }).catch(() => undefined);
            }
            const ev = toWire(e, lastState);
            let route = teams.get(e.runId);
            if (!route) {
                route = orchestrator.routeOf(e.runId);
                teams.set(e.runId, route);
            }
            // Each run event carries the run's trace id: a subscriber finds the trace of what it watches.
            // The log line after the publish (it cannot delay or stop it), in the same turn: on disk before a subscriber hears of it.
            const next = route.then(r => { if (ev) bus.publish(r.traceId ? { ...ev, traceId: r.traceId } as DaemonEvent : ev, { team: r.team }); runLog.record(e, r); });
            teams.set(e.runId, next.then(() => route));
            if (e.kind === 'state' && (e.state === 'completed' || e.state === 'failed' || e.state === 'cancelled')) {
                void next.then(() => { teams.delete(e.runId); });
            }
            if (e.kind === 'state' && e.state === 'running') monitoring.alerts.onJobStarted();
            if (e.kind === 'state' && (e.state === 'completed' || e.state === 'failed' || e.state === 'cancelled')) monitoring.alerts.onRunFinished(e.state);
        });
        orchestrator.on('completed', (run) => {
            const seconds = run.startedAt && run.finishedAt ? (Date.parse(run.finishedAt) - Date.parse(run.startedAt)) / 1000 : 0;
            monitoring.metrics.observeRun(run.kind, 'completed', seconds);
            // The run's structure joins the similarity index (a no-op when it is known).
            similarity.record(run.id).catch(err => log.warn({ component: 'similarity', err, runId: run.id }, 'similarity index update failed'));
        });
        orchestrator.on('warning', err => log.warn({ component: 'orchestrator', err }, err.message));
        monitoring.alerts.on('alert', a => {
            bus.publish({ type: 'alert', ts: a.at, rule: a.rule, state: a.state, severity: a.severity, message: a.message, value: a.value, threshold: a.threshold });
        });
        await orchestrator.start();
        recovering = false;
        await Promise.all(recovered);
        // Open is not answering: a probe query on its own connection, within a short limit.
        probe = await DatabaseProbe.open(data);
        const dbProbe = probe;
        monitoring.readiness.register('database', () => (stores.every(s => s.isOpen) ? dbProbe.check() : { ok: false, detail: 'the database is closed' }));
        monitoring.readiness.register('orchestrator', () => !stopping);
        const controlPlane = control;
        if (controlPlane) {
            monitoring.readiness.register('controlPlane', () => controlPlane.scalar('SELECT 1', [], { timeoutMs: 2000, what: 'the control plane probe' })
                .then(() => ({ ok: true }), (e: unknown) => ({ ok: false, detail: `the control plane does not answer: ${(e as Error).message.split('\n')[0]}` })));
        }
        // Damage a call finds later (DuckDB verifies blocks as it reads them) takes the daemon out of rotation.
        monitoring.readiness.register('integrity', () => {
            const found = reportedDamage(data.file);
            return found ? { ok: false, detail: found } : { ok: true };
        });

        // Jobs by state and queue depth, refreshed every few seconds (cheap: one grouped query), from where the runs are.
        const runsReads = control ?? data;
        const gauges = setInterval(() => {
            void runsReads.rows(`SELECT state, count(*)::DOUBLE AS n FROM runs GROUP BY state`).then(rows => {
                const counts = Object.fromEntries(RUN_STATES.map(st => [st, 0])) as Record<string, number>;
                for (const r of rows) counts[String(r.state)] = Number(r.n);
                monitoring.metrics.setJobsByState(counts as never);
                monitoring.metrics.queueDepth.set(counts['queued'] ?? 0);
                monitoring.alerts.setQueueDepth(counts['queued'] ?? 0);
            }).catch(() => undefined);
        }, 2000);
        gauges.unref();

        // What files a caller can name: the data directories (never the state dir but its imports/), the team folders.
        const dataDirs = new DataDirs({ stateDir, dataDirs: o.dataDirs?.length ? o.dataDirs : [o.workspace ?? process.cwd()], excluded: ownDirs.slice(1) });
        const teamFiles = new TeamFiles(stateDir, { quotaBytes: o.teamQuotaBytes, retentionMs: o.fileRetentionMs });
        // Old uploads and exports go, at start and hourly (a team's disk is also capped by its quota).
        const sweepFiles = (): void => {
            try {
                const n = teamFiles.sweep();
                if (n) log.info({ component: 'files', removed: n, retentionMs: teamFiles.retentionMs }, 'expired uploads and exports removed');
            } catch (err) {
                log.warn({ component: 'files', err }, 'removing expired uploads and exports failed');
            }
        };
        sweepFiles();
        const fileSweeper = setInterval(sweepFiles, 3_600_000);
        fileSweeper.unref();
        const reads = await open();
        const registry = new Registry(await controlStore());
        // Deployments publish on deployment:<id> to the owning team; those a previous process left trading resume now.
        const compiler = new RunCompiler(lang);
        // ccxt:<exchange>: the team's keys are decrypted only here, for the adapter; where its API is comes from the config.
        const ccxt = {
            credentials: (team: string, exchange: string) => venueKeys.forVenue(team, exchange),
            urls: venueUrls(o.venues?.urls),
            log: (level: 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>) => log[level]({ component: 'deployments', ...fields }, message),
        };
        const deployments = new DeploymentManager({
            store: await controlStore(), compile: (source, c) => compiler.compile(source, c), packs, publish: (e, team) => bus.publish(e, { team }),
            venues: { ccxt: ccxtVenues(ccxt), ...o.deployments?.venues }, feeds: { replay: replayFeed(reads), ccxt: ccxtFeeds(ccxt), ...o.deployments?.feeds },
            stallMs: o.deployments?.stallMs, maxRejects: o.deployments?.maxRejects,
            log: (level, message, fields) => log[level]({ component: 'deployments', ...fields }, message),
            ...(ownership ? { claims: ownership } : {}), ...(takeoverSettleMs !== undefined ? { takeoverSettleMs } : {}),
        });
        ownership?.onLost(() => {
            log.warn({ component: 'deployments' }, 'the control plane connection that holds this daemon\'s claims was lost: its deployments stop trading here (another daemon may take them over); reconnecting');
            deployments.fence();
        });
        const resumed = await deployments.recover();
        if (resumed) log.info({ component: 'deployments', resumed }, `resumed ${resumed} deployment(s) no live daemon was trading`);
        // Team mode: deployments of a daemon that is gone are taken over (its runs: the orchestrator's own sweep).
        const takeovers = ownership && takeoverMs > 0 ? setInterval(() => {
            deployments.takeOver().then(n => {
                if (n) log.info({ component: 'deployments', resumed: n }, `took over ${n} deployment(s) of a daemon that is gone`);
            }, (err: unknown) => log.warn({ component: 'deployments', err }, `taking deployments over failed: ${(err as Error).message.split('\n')[0]}`));
        }, takeoverMs) : undefined;
        takeovers?.unref();
        const handlers = createHandlers({
            version: DAEMON_VERSION, startedAt, transports: { http: true, ws: true, grpc: o.grpc ?? false },
            language: lang, data, dataReads: reads, runsReads, iam, orchestrator, experiments, similarity, registry, deployments, venueKeys, stateDir, files: { dataDirs, teams: teamFiles }, ...(barsMirror ? { barsMirror } : {}),
            packs, readiness: () => monitoring.readiness.check(), ...(o.runs?.memoryMb !== undefined ? { runMemoryMb: o.runs.memoryMb } : {}),
        });
        const missing = missingHandlers(handlers);
        if (missing.length) throw new Error(`no handler for ${missing.join(', ')}`);
        const logger = log as unknown as GatewayLogger;
        // With SSO configured, JWTs go to the IdP's verifier and af_ tokens to IAM; authorisation is IAM's either way.
        const auth = o.oidc ? await ssoAuthenticator(iam, o.oidc) : iam;
        if (o.oidc) log.info({ component: 'iam', issuer: o.oidc.issuer }, 'single sign-on: accepting tokens of the identity provider');
        const dispatcher = new Dispatcher({
            handlers, auth, logger, audit: auditLog,
            onCall: r => monitoring.metrics.observeRpc(r.method, r.durationMs / 1000, r.errorCode),
        });
        const gateway = await createGateway({
            dispatcher, host: o.host, port: o.port, tls: o.tls, limits: o.limits, allowInsecureRemote: o.allowInsecureRemote, events: bus,
            routes: monitoring.handlers, publicMetrics: o.publicMetrics, grpc: o.grpc ? { port: 0 } : false, logger,
            onWsConnections: n => monitoring.metrics.wsClients.set(n), credentialChanges: shared ?? iam,
            transfers: {
                maxUploadBytes: o.maxUploadBytes ?? DEFAULT_MAX_UPLOAD_BYTES,
                store: {
                    upload: (principal, name, body, limit) => teamFiles.receive(principal.teamId, name, body, limit),
                    download: (principal, name) => teamFiles.exportFile(principal.teamId, name),
                },
            },
        });
        monitoring.start();
        // Named in errors of other daemons about what this one trades.
        await ownership?.rename(`af-daemon ${gateway.url} pid ${process.pid}`);
        await dispatcher.audit({
            actor: daemonActor, method: 'daemon.start', result: 'ok',
            target: { pid: process.pid, version: DAEMON_VERSION, url: gateway.url, grpc: gateway.grpcAddress ?? null, bootstrap: boot.created },
        });
        announce({ pid: process.pid, url: gateway.url, startedAt, version: DAEMON_VERSION, stateDir });
        log.info({ component: 'daemon', url: gateway.url, grpc: gateway.grpcAddress ?? null, stateDir, dataDirs: dataDirs.rootPaths, pid: process.pid }, 'daemon listening');

        const stop = async (): Promise<void> => {
            if (stopping) return;
            stopping = true;
            log.info({ component: 'daemon' }, 'stopping');
            clearInterval(gauges);
            clearInterval(fileSweeper);
            clearInterval(takeovers);
            // Deployments end after their bar, their state kept: the next start resumes them.
            await deployments.close(3000).catch(() => undefined);
            // Queries first: calls in flight are interrupted (their callers get a 503 'stopping'), so no
            // query, however long, holds up the gateway's close or the exit.
            await Promise.all([...stores, ...control ? [control] : []].map(s => s.stopCalls('the daemon is stopping; retry once it is back')));
            await gateway.close().catch(() => undefined);
            await orchestrator.stop({ graceMs: 5000 }).catch(() => undefined);
            await lang.close();
            await similarity.settled().catch(() => undefined);
            similarity.close();
            withdraw(stateDir);
            await dispatcher.audit({ actor: daemonActor, method: 'daemon.stop', target: { pid: process.pid }, result: 'ok' });
            await auditLog.close().catch(() => undefined);
            await telemetry?.shutdown().catch(() => undefined);
            await monitoring.close().catch(() => undefined);
            await probe?.close();
            await barsMirror?.close().catch(() => undefined);
            for (const s of stores) s.close();
            await channel?.close();
            // Last: other daemons take this one's runs and deployments over once its locks are free.
            await ownership?.close();
            await control?.close();
        };
        return { url: gateway.url, stateDir, gateway, orchestrator, monitoring, adminToken: boot.token, reads, stop };
    } catch (e) {
        await language?.close();
        await telemetry?.shutdown().catch(() => undefined);
        await audit?.close().catch(() => undefined);
        await monitoring.close().catch(() => undefined);
        await probe?.close();
        for (const s of stores) s.close();
        await channel?.close();
        await ownership?.close();
        await control?.close();
        throw e;
    }
}

/**
 * The integrity check at start (data/integrity.ts). A damaged database is refused: the daemon does
 * not start, and says which file and table and what to do. Serving it read-only would hand out
 * wrong or missing results as if they were whole, and every write could spread the damage; the
 * readable part can still be saved with the local CLI (af data export --sql …) before restoring.
 */
async function checkDatabase(data: DataStore, budgetMs: number | undefined, log: Monitoring['logger']): Promise<void> {
    if (budgetMs === 0) return;
    const report = await checkIntegrity(data, { timeoutMs: budgetMs });
    if (!report.ok) {
        const message = describeDamage(report);
        reportDamage(data.file, message);
        log.error({ component: 'database', file: report.file, damaged: report.damaged }, message);
        throw new DataError(message);
    }
    if (report.unchecked.length) log.warn({ component: 'database', file: report.file, unchecked: report.unchecked, ms: report.ms }, describeIncomplete(report));
    else log.info({ component: 'database', file: report.file, tables: report.tables, ms: report.ms }, 'integrity check passed');
}

/** The venue URLs, checked (the daemon is also started from code): a bad one refuses the start naming it. */
function venueUrls(urls: Readonly<Record<string, string>> | undefined): VenueUrls {
    const r = VenueUrlsSchema.safeParse(urls ?? {});
    if (!r.success) throw new ConfigError(r.error.issues.map(i => `venues.urls.${i.path.map(String).join('.')}: ${i.message}`).join('; ') + ' (docs/trading.md)');
    return r.data;
}

/** An orchestrator event as the protocol's event (lifecycle carries the previous state). */
export function toWire(e: RunEvent, lastState: Map<string, RunState>): DaemonEvent | undefined {
    switch (e.kind) {
        case 'state': {
            const previous = lastState.get(e.runId) ?? null;
            if (e.state) lastState.set(e.runId, e.state);
            if (e.state === 'completed' || e.state === 'failed' || e.state === 'cancelled') lastState.delete(e.runId);
            return { type: 'lifecycle', runId: e.runId, seq: e.seq, ts: e.ts, state: e.state!, previous, actor: e.actor, message: e.message ?? null };
        }
        case 'promoted':
            return { type: 'lifecycle', runId: e.runId, seq: e.seq, ts: e.ts, state: 'promoted', previous: 'completed', actor: e.actor, message: e.message ?? null };
        case 'progress':
            return { type: 'progress', runId: e.runId, ts: e.ts, done: Math.min(1, Math.max(0, e.progress ?? 0)), message: e.message };
        case 'log':
            return { type: 'log', runId: e.runId, seq: e.seq, ts: e.ts, level: e.level ?? 'info', message: e.message ?? '' };
        default:
            return undefined;
    }
}

/** IAM's API tokens and an identity provider's tokens side by side (the verifier module loads only when configured). */
async function ssoAuthenticator(iam: Iam, settings: OidcSettings): Promise<Pick<Iam, 'verify' | 'authorize'>> {
    const { OidcVerifier } = await import('../iam/oidc.js');
    const sso = new OidcVerifier(settings, iam);
    const verifier = routeVerifiers([{ accepts: t => iam.accepts(t), verifier: iam }, { accepts: t => sso.accepts(t), verifier: sso }]);
    return { verify: b => verifier.verify(b), authorize: (p, m, r) => iam.authorize(p, m, r) };
}
