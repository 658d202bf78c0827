/**
 * The HFT pack's daemon methods (protocol/src/daemon/hft.ts): tick-data imports into the caller's
 * team's copy of an instrument (files confined exactly as data.import's, 32 MiB, the store's bulk
 * time limit, redacted errors for host files), list and show of the copies the team may read, and
 * hft.backtest — compiled in a language worker against the workspace's packs, the team's events
 * loaded here (DuckDB stays on the main thread), the event engine run in a worker thread of its own
 * (engine/hft/event-thread.ts) within the run memory limit and the call's time limit.
 */
import { basename, extname } from 'node:path';
import { ErrorCodes, RpcError } from '../../../protocol/src/daemon/index.js';
import { parseDateArg } from '../data/dates.js';
import { DataError } from '../data/errors.js';
import { importHftCsv, importHftSample, importHftSynth, MAX_HFT_RPC_FILE } from '../data/hft/import.js';
import { listHftSeries, loadHftEvents, readableCopy, showHftEvents } from '../data/hft/store.js';
import { isEventDriven } from '../engine/hft/engine.js';
import { runEventsOnThread } from '../engine/hft/event-thread.js';
import { manifestSources, type PackBundle } from '../engine/packs/bundles.js';
import { BacktestError } from '../engine/types.js';
import type { CallContext, Handlers } from '../gateway/types.js';
import type { LanguageService } from '../language-service/language-service.js';
import { RunCompiler, RunFailure } from '../orchestrator/compile.js';
import { DEFAULT_RUN_LIMITS } from '../orchestrator/limits.js';
import type { DataStore } from '../store/store.js';
import { HFT_EXTENSIONS, type DataDirs } from './data-dirs.js';
import { TeamFiles } from './team-files.js';

export interface HftServices {
    readonly data: DataStore;
    readonly dataReads: DataStore;
    readonly language: LanguageService;
    readonly files: { readonly dataDirs: DataDirs; readonly teams: TeamFiles };
    readonly packs: { forUri(uri: string | undefined): { readonly bundles: readonly PackBundle[]; readonly problems: readonly { readonly message: string }[] } };
    /** One run's memory (MB): the event thread's heap; the events loaded are bounded by it too. */
    readonly runMemoryMb?: number;
}

type HftMethod = 'data.hft.import' | 'data.hft.sample' | 'data.hft.synth' | 'data.hft.list' | 'data.hft.show' | 'hft.backtest';

/** Bytes one loaded event takes (ms, kind, side, price, qty). */
const EVENT_BYTES = 8 + 1 + 1 + 8 + 8;
/** The most events a daemon backtest loads, whatever the memory limit. */
const MAX_RPC_EVENTS = 20_000_000;

const ranges = (p: { from?: string | number | undefined; to?: string | number | undefined }) => ({
    ...(p.from !== undefined ? { fromMs: parseDateArg(String(p.from), 'from') } : {}),
    ...(p.to !== undefined ? { toMs: parseDateArg(String(p.to), 'to') } : {}),
});

function splitInstrument(id: string): { venue: string; symbol: string } {
    const i = id.indexOf(':');
    return { venue: id.slice(0, i), symbol: id.slice(i + 1) };
}

function adminForShared(visibility: string | undefined, ctx: CallContext): void {
    if (visibility === 'shared' && ctx.principal.role !== 'admin') {
        throw new RpcError(ErrorCodes.Forbidden, `making tick data shared (visibility 'shared') needs the admin role in team ${ctx.principal.teamName}; import it with visibility 'team' or ask an admin`, { requiredRole: 'admin' });
    }
}

export function hftHandlers(s: HftServices): Pick<Handlers, HftMethod> {
    const compiler = new RunCompiler(s.language);
    const memoryMb = s.runMemoryMb ?? DEFAULT_RUN_LIMITS.memoryMb;
    return {
        'data.hft.import': async (p, ctx) => {
            adminForShared(p.visibility, ctx);
            // An upload is the caller's own bytes: full detail. A file on the host: the caller may name it, not read it.
            const from = p.upload !== undefined
                ? { ...s.files.teams.upload(ctx.principal.teamId, p.upload), detail: 'full' as const }
                : { path: s.files.dataDirs.resolve(p.file!, TeamFiles.folderOf(ctx.principal.teamId), HFT_EXTENSIONS), name: basename(p.file!), detail: 'redacted' as const };
            if (!HFT_EXTENSIONS.includes(extname(from.name).toLowerCase())) throw new DataError(`${from.name}: a tick-data file is .csv, .parquet or .pq`);
            const r = await importHftCsv(s.data, from.path, p.format, p.venue, p.symbol, {
                name: from.name, detail: from.detail, maxBytes: MAX_HFT_RPC_FILE,
                writer: { team: ctx.principal.teamName, ...(p.visibility ? { visibility: p.visibility } : {}) },
            });
            return { ...r };
        },
        'data.hft.sample': async (_p, ctx) => ({ imports: (await importHftSample(s.data, undefined, { team: ctx.principal.teamName })).map(r => ({ ...r })) }),
        'data.hft.synth': async (p, ctx) => ({
            ...await importHftSynth(s.data, {
                venue: p.venue, symbol: p.symbol, events: p.events, seed: p.seed,
                ...(p.start !== undefined ? { start: parseDateArg(String(p.start), 'start') } : {}),
            }, { team: ctx.principal.teamName }),
        }),
        'data.hft.list': async (p, ctx) => ({
            series: (await listHftSeries(s.dataReads, { team: ctx.principal.teamName, ...(p.venue ? { venue: p.venue } : {}), ...(p.symbol ? { symbol: p.symbol } : {}) }))
                .map(r => ({ id: `${r.venue}:${r.symbol}`, ...r })),
        }),
        'data.hft.show': async (p, ctx) => {
            const { venue, symbol } = splitInstrument(p.instrument);
            const r = await showHftEvents(s.dataReads, venue, symbol, { team: ctx.principal.teamName, limit: p.limit, tail: p.tail, ...ranges(p) });
            return { instrument: p.instrument, owner: r.owner, events: r.events, rows: r.rows.map(x => ({ ...x })) };
        },
        'hft.backtest': async (p, ctx) => {
            const packs = s.packs.forUri(p.uri);
            let ir;
            try {
                ir = await compiler.compile(p.source, { ...(p.uri !== undefined ? { uri: p.uri } : {}), ...(p.strategy !== undefined ? { strategy: p.strategy } : {}), packs: manifestSources(packs.bundles) });
            } catch (e) {
                if (e instanceof RunFailure) throw new BacktestError(e.message);
                throw e;
            }
            if (!isEventDriven(ir)) throw new BacktestError(`${ir.strategy} is a bar strategy: submit it with runs.submit (hft.backtest runs strategies with execution { mode: event_driven })`);
            if (ir.universe.length !== 1) throw new BacktestError(`the event-driven mode runs one instrument; the universe of ${ir.strategy} has ${ir.universe.length}`);
            const asset = ir.universe[0]!;
            const team = ctx.principal.teamName;
            const owner = await readableCopy(s.dataReads, asset.venue, asset.symbol, team);
            const maxEvents = Math.min(MAX_RPC_EVENTS, Math.floor((memoryMb * 1_048_576) / EVENT_BYTES));
            // A bad from/to is the caller's mistake, found before the read connection is taken.
            const range = ranges(p);
            const events = await s.dataReads.use(() => loadHftEvents(s.dataReads, asset.venue, asset.symbol, { team, maxEvents, ...range }), {
                kind: 'bulk', what: `loading the tick data of ${asset.id}`, hint: 'give a shorter from/to range, or ask an admin to raise the limit (af daemon run --bulk-timeout)',
            });
            if (events.n === 0) throw new DataError(`no tick data of ${asset.id} in the range`);
            const r = await runEventsOnThread(ir, events, {
                ...(p.params ? { params: p.params } : {}), ...(p.latencyMs !== undefined ? { latencyMs: p.latencyMs } : {}), keepFills: p.fills,
            }, packs.bundles, { memoryMb, timeoutMs: p.timeoutMs });
            return {
                strategy: r.strategy, instrument: asset.id, dataOwner: owner ?? team, events: r.events, decisions: r.decisions,
                fills: r.fills.map(f => ({ ...f })), fillCount: r.fillCount, ordersSent: r.ordersSent, cancelsSent: r.cancelsSent, unfilled: r.unfilled,
                inventory: r.inventory, maxAbsInventory: r.maxAbsInventory, cash: r.cash, feesPaid: r.feesPaid, pnl: r.pnl,
                equity: { ms: [...r.equity.ms], pnl: [...r.equity.pnl] }, params: { ...r.params }, provenance: { ...r.provenance },
            };
        },
    };
}
