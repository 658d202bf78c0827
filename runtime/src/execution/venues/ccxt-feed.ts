/**
 * A live bar feed over ccxt: closed OHLCV bars of a universe of symbols, in time order, each once,
 * as StreamBars for the streaming engine.
 *
 * - Source: watchOHLCV (WebSocket) where the venue has it, else polling fetchOHLCV every `pollMs`;
 *   in stream mode a symbol lagging the clock by a closed bar is fetched over REST every `pollMs`.
 * - Only closed bars: a candle counts as closed once a later candle of the same symbol has been
 *   seen, or its close time (+ `graceMs`) has passed on `now()`; the forming candle never leaves.
 * - Warm-up: the last `warmupBars` closed bars are fetched over REST and handed over (live = false)
 *   before the first live bar.
 * - Gaps: on every (re)connect, and whenever the stream's next candle is not the one after the last
 *   closed one, the missing bars are fetched over REST and handed over first: the strategy sees every
 *   bar, in order, before trading resumes. A bar time is handed over once every symbol has closed it
 *   (a symbol without a candle there: null, as in a backtest).
 */
import type { Exchange, OHLCV } from 'ccxt';
import { parseTimeframe } from '../../data/timeframe.js';
import type { AssetBar, StreamBar } from '../streaming.js';
import { createExchange, type CcxtConnection } from './ccxt-exchange.js';
import { venueWords } from './ccxt-venue.js';

export interface CcxtFeedConfig extends CcxtConnection {
    /** Unified symbols (BTC/USDT …), in universe order. */
    readonly symbols: readonly string[];
    /** ccxt timeframe, e.g. 1m. */
    readonly timeframe: string;
    /** Closed bars handed over before the first live bar (default 0). */
    readonly warmupBars?: number;
    readonly mode?: 'stream' | 'poll';
    readonly pollMs?: number;
    /** First back-off after a stream error (default 250 ms, doubling, at most 8 s). */
    readonly backoffMs?: number;
    /** The clock that decides a candle's close (default Date.now) and the grace after it (default 0). */
    readonly now?: () => number;
    readonly graceMs?: number;
    readonly onNotice?: (message: string) => void;
}

export type BarListener = (bar: StreamBar, live: boolean) => void | Promise<void>;

const sleep = (ms: number): Promise<void> => new Promise(r => setTimeout(r, ms));
const PAGE = 500;

export class CcxtFeed {
    private readonly tf: number;
    private readonly candles: Map<number, AssetBar>[];
    /** Per symbol: the latest candle time known to be closed. */
    private readonly closedThrough: number[];
    /**
     * Per symbol: candles last fetched while still forming (by the clock). A stream may send only the
     * next forming candle after a period ends, so such a candle is never handed over as it was fetched:
     * closedThrough stays before it until a fetch made after its close replaces it (the catch-up does).
     */
    private readonly provisional: Set<number>[];
    private lastEmitted = -Infinity;
    private running = true;
    private chain: Promise<void> = Promise.resolve();
    private readonly loops: Promise<void>[] = [];
    private listener: BarListener = () => undefined;
    /** Bars handed over, warm-up included (tests and the deployment's status). */
    emitted = 0;

    private constructor(private readonly ex: Exchange, private readonly c: CcxtFeedConfig) {
        this.tf = parseTimeframe(c.timeframe).ms;
        this.candles = c.symbols.map(() => new Map());
        this.closedThrough = c.symbols.map(() => -Infinity);
        this.provisional = c.symbols.map(() => new Set());
    }

    static async open(c: CcxtFeedConfig): Promise<CcxtFeed> {
        const f = new CcxtFeed(await createExchange(c), c);
        await f.ex.loadMarkets();
        for (const s of c.symbols) if (!f.ex.markets?.[s]) throw new Error(`${c.exchange} has no spot market ${s}`);
        if (!f.ex.has['fetchOHLCV']) throw new Error(`${c.exchange} offers no candles (OHLCV) through ccxt`);
        return f;
    }

    /** Warm-up first, then live bars until close(); resolves once the warm-up is handed over. */
    async start(listener: BarListener): Promise<void> {
        this.listener = listener;
        const n = this.c.warmupBars ?? 0;
        const now = this.now();
        const latestClosed = Math.floor((now - (this.c.graceMs ?? 0)) / this.tf) * this.tf - this.tf;
        for (let a = 0; a < this.c.symbols.length; a++) await this.backfill(a, latestClosed - (n - 1) * this.tf);
        await this.drain(false);
        this.lastEmitted = Math.max(this.lastEmitted, latestClosed);
        const stream = (this.c.mode ?? 'stream') === 'stream' && this.ex.has['watchOHLCV'] === true;
        this.c.symbols.forEach((_, a) => this.loops.push(stream ? this.watch(a) : this.poll(a)));
        if (stream) this.loops.push(this.catchUp());
    }

    async close(): Promise<void> {
        this.running = false;
        await this.ex.close().catch(() => undefined);
        await Promise.allSettled(this.loops);
        await this.chain;
    }

    private now(): number {
        return (this.c.now ?? Date.now)();
    }

    private async watch(a: number): Promise<void> {
        const s = this.c.symbols[a]!;
        let failures = 0, fresh = true;
        while (this.running) {
            try {
                if (fresh) { await this.backfill(a, this.lastEmitted + this.tf); await this.drain(true); fresh = false; }
                const rows = await this.ex.watchOHLCV(s, this.c.timeframe);
                failures = 0;
                const first = rows.map(r => Number(r[0])).filter(ts => ts > this.closedThrough[a]!).sort((x, y) => x - y)[0];
                // The stream skipped bars (a silent reconnect): fetch them before anything newer.
                if (first !== undefined && this.closedThrough[a]! > -Infinity && first > this.closedThrough[a]! + this.tf) await this.backfill(a, this.closedThrough[a]! + this.tf);
                this.record(a, rows);
                await this.drain(true);
            } catch (e) {
                if (!this.running) return;
                this.notice(`${s} candles stream: ${venueWords(e)}; reconnecting and back-filling`);
                fresh = true;
                await sleep(Math.min(8000, (this.c.backoffMs ?? 250) * 2 ** failures++));
            }
        }
    }

    /**
     * Stream mode's guard: a symbol whose stream has not delivered a bar the clock says has closed
     * (its subscription not yet confirmed, a socket dead without an error) is fetched over REST.
     */
    private async catchUp(): Promise<void> {
        while (this.running) {
            await sleep(this.c.pollMs ?? 1000);
            const byClock = Math.floor((this.now() - (this.c.graceMs ?? 0)) / this.tf) * this.tf - this.tf;
            for (let a = 0; a < this.c.symbols.length && this.running; a++) {
                if (this.closedThrough[a]! >= byClock) continue;
                try {
                    await this.backfill(a, Math.max(this.lastEmitted, this.closedThrough[a]!) + this.tf);
                    await this.drain(true);
                } catch (e) {
                    if (this.running) this.notice(`${this.c.symbols[a]} catch-up: ${venueWords(e)}`);
                }
            }
        }
    }

    private async poll(a: number): Promise<void> {
        while (this.running) {
            try {
                await this.backfill(a, this.lastEmitted + this.tf);
                await this.drain(true);
            } catch (e) {
                if (!this.running) return;
                this.notice(`${this.c.symbols[a]} candles: ${venueWords(e)}; polling again`);
            }
            await sleep(this.c.pollMs ?? 1000);
        }
    }

    /** REST pages of candles from `since` up to now. */
    private async backfill(a: number, since: number): Promise<void> {
        if (!Number.isFinite(since)) return;
        let from = since;
        for (;;) {
            const asOf = this.now();
            const rows = await this.ex.fetchOHLCV(this.c.symbols[a]!, this.c.timeframe, from, PAGE);
            this.record(a, rows, asOf);
            const last = rows.length ? Number(rows[rows.length - 1]![0]) : -Infinity;
            if (rows.length < PAGE || !(last >= from)) return;
            from = last + this.tf;
        }
    }

    /** `asOf`: when the rows were asked for (a REST answer can arrive after its candle has closed). */
    private record(a: number, rows: readonly OHLCV[], asOf = this.now()): void {
        const map = this.candles[a]!, provisional = this.provisional[a]!;
        const closedAt = (t: number): number => Math.floor((t - (this.c.graceMs ?? 0)) / this.tf) * this.tf - this.tf;
        const byClock = closedAt(this.now()), closedWhenAsked = closedAt(asOf);
        let latest = -Infinity;
        for (const r of rows) {
            const ts = Number(r[0]);
            if (!Number.isFinite(ts) || ts <= this.lastEmitted) continue;
            map.set(ts, { open: Number(r[1]), high: Number(r[2]), low: Number(r[3]), close: Number(r[4]), volume: Number(r[5]) });
            if (ts > closedWhenAsked) provisional.add(ts); else provisional.delete(ts);
            latest = Math.max(latest, ts);
        }
        for (const r of rows) latest = Math.max(latest, Number(r[0]));
        // Closed: everything before the latest candle seen, and the latest too once its time is up;
        // never a candle whose stored values were fetched while it was still forming.
        let closed = Math.max(latest - this.tf, Math.min(latest, byClock));
        for (const ts of provisional) if (ts <= closed) closed = Math.min(closed, ts - this.tf);
        if (closed > this.closedThrough[a]!) this.closedThrough[a] = closed;
    }

    /** Hands over, in order, every bar time all symbols have closed. One drain at a time. */
    private drain(live: boolean): Promise<void> {
        this.chain = this.chain.then(async () => {
            const through = Math.min(...this.closedThrough);
            for (;;) {
                let next = Infinity;
                for (const m of this.candles) for (const ts of m.keys()) if (ts > this.lastEmitted && ts < next) next = ts;
                if (!(next <= through)) return;
                const bar: StreamBar = { ts: next, assets: this.candles.map(m => m.get(next) ?? null) };
                for (const m of this.candles) for (const ts of [...m.keys()]) if (ts <= next) m.delete(ts);
                for (const p of this.provisional) for (const ts of [...p]) if (ts <= next) p.delete(ts);
                this.lastEmitted = next;
                this.emitted++;
                await this.listener(bar, live);
            }
        }).catch(e => this.notice(`a bar's handler failed: ${e instanceof Error ? e.message : String(e)}`));
        return this.chain;
    }

    private notice(m: string): void {
        this.c.onNotice?.(`ccxt:${this.c.exchange} feed: ${m}`);
    }
}
