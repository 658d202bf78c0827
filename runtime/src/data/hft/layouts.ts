/**
 * The tick-data file layouts the HFT pack imports (docs/packs.md § The HFT pack § Data): the CSV
 * files public tick datasets publish — Binance's `trades` and `aggTrades` dumps (data.binance.vision,
 * with or without their header row) and Tardis.dev's `trades`, `incremental_book_L2` and
 * `book_snapshot_N` — each row checked and turned into one normalised record (a trade, or one
 * price level of the book). A bad cell is reported with the file, line and column and what to
 * write; the caller (store.ts) writes nothing unless every row is clean. Pure: lines in, records out.
 */
import { HFT_FORMATS } from '../../../../protocol/src/daemon/hft.js';
import { DataError } from '../errors.js';

export { HFT_FORMATS };
export type HftFormat = (typeof HFT_FORMATS)[number];

/** Which table a format fills. */
export const FORMAT_TABLE: Readonly<Record<HftFormat, 'trades' | 'book'>> = {
    'binance-trades': 'trades', 'binance-aggtrades': 'trades', 'tardis-trades': 'trades',
    'tardis-book-l2': 'book', 'tardis-book-snapshot': 'book',
};

/** A trade: time in µs since the epoch, side 1 buyer-initiated, −1 seller-initiated, 0 not known. */
export interface TradeRecord { us: number; price: number; qty: number; side: number; id: string | null }
/** One book level: its new total size (0 removes it); `snapshot` rows of one time replace the book. */
export interface BookRecord { us: number; snapshot: boolean; side: number; price: number; qty: number }

/** Columns of each format; Binance's files may come without a header row, then in this order. */
const COLUMNS: Readonly<Record<Exclude<HftFormat, 'tardis-book-snapshot'>, readonly string[]>> = {
    'binance-trades': ['id', 'price', 'qty', 'quote_qty', 'time', 'is_buyer_maker'],
    'binance-aggtrades': ['agg_trade_id', 'price', 'quantity', 'first_trade_id', 'last_trade_id', 'transact_time', 'is_buyer_maker'],
    'tardis-trades': ['exchange', 'symbol', 'timestamp', 'local_timestamp', 'id', 'side', 'price', 'amount'],
    'tardis-book-l2': ['exchange', 'symbol', 'timestamp', 'local_timestamp', 'is_snapshot', 'side', 'price', 'amount'],
};

/** Earliest time accepted (2000-01-01, µs): anything before is a wrong unit or a wrong column. */
const MIN_US = 946_684_800_000_000;

export interface RowSink {
    trade(r: TradeRecord): void;
    book(r: BookRecord): void;
}

/**
 * Parses one file's lines (push each, then finish). Problems are collected (file, line, column,
 * what to write); `problems` says whether any row was bad.
 */
export class HftParser {
    readonly problems: string[] = [];
    private problemCount = 0;
    private header: string[] | undefined;
    private index = new Map<string, number>();
    private lastUs = -Infinity;
    private lastLine = 0;
    rows = 0;
    /** book_snapshot_N: the levels per side found in the header. */
    private depth = 0;

    /** `detail` 'redacted': the caller may name the file but not read it (a host file over RPC): messages quote no cell or header. */
    /** `unit`: how messages number rows — a CSV's lines, or a Parquet file's rows (1 = the first data row). */
    constructor(private readonly format: HftFormat, private readonly name: string, private readonly sink: RowSink, private readonly detail: 'full' | 'redacted' = 'full', private readonly unit: 'line' | 'row' = 'line') {}

    /** A cell as messages show it. */
    private shown(s: string): string {
        return this.detail === 'full' ? `'${s.slice(0, 30)}'` : 'the cell';
    }

    private bad(line: number, column: string, what: string): void {
        this.problemCount++;
        if (this.problems.length < 5) this.problems.push(`${this.name} ${this.unit} ${line}, column ${column}: ${what}`);
    }

    get count(): number {
        return this.problemCount;
    }

    push(text: string, line: number): void {
        const raw = text.endsWith('\r') ? text.slice(0, -1) : text;
        if (raw.trim() === '') return;
        this.pushCells(raw.split(','), line);
    }

    /** One row's cells (a Parquet reader's; push() splits a CSV line); the first row may be the header. */
    pushCells(cells: string[], line: number): void {
        if (!this.header) {
            const first = cells[0]!.trim();
            const binance = this.format === 'binance-trades' || this.format === 'binance-aggtrades';
            if (binance && /^[0-9]/.test(first)) {
                // Spot files carry one more column than futures files: is_best_match.
                const cols = COLUMNS[this.format as 'binance-trades'];
                this.setHeader(cells.length === cols.length + 1 ? [...cols, 'is_best_match'] : [...cols]);
            } else {
                this.setHeader(cells.map(c => c.trim().toLowerCase()));
                return;
            }
        }
        if (cells.length !== this.header!.length) {
            this.bad(line, '-', `${cells.length} cells, but the header has ${this.header!.length}`);
            return;
        }
        this.rows++;
        this.row(cells, line);
    }

    private setHeader(h: string[]): void {
        this.header = h;
        h.forEach((c, i) => this.index.set(c, i));
        let required: readonly string[];
        if (this.format === 'tardis-book-snapshot') {
            while (this.index.has(`asks[${this.depth}].price`) || this.index.has(`bids[${this.depth}].price`)) this.depth++;
            required = ['timestamp', 'asks[0].price', 'asks[0].amount', 'bids[0].price', 'bids[0].amount'];
        } else {
            // Binance's quote_qty / first and last trade ids are not used: not required.
            required = COLUMNS[this.format].filter(c => !['quote_qty', 'first_trade_id', 'last_trade_id', 'exchange', 'symbol', 'local_timestamp', 'id', 'agg_trade_id'].includes(c));
        }
        const missing = required.filter(c => !this.index.has(c));
        if (missing.length > 0) {
            throw new DataError(`${this.name}: the ${this.format} layout needs the column(s) ${missing.join(', ')} ${this.detail === 'full' ? ` (the header has ${h.slice(0, 12).join(', ')})` : ''}; see docs/packs.md § The HFT pack`);
        }
    }

    private cell(cells: string[], col: string): string {
        const i = this.index.get(col);
        return i === undefined ? '' : cells[i]!.trim();
    }

    private number(cells: string[], col: string, line: number, what: string, positive: 'positive' | 'non-negative'): number | undefined {
        const s = this.cell(cells, col);
        const v = s === '' ? NaN : Number(s);
        if (!Number.isFinite(v) || (positive === 'positive' ? v <= 0 : v < 0)) {
            this.bad(line, col, `${this.shown(s)} is not a ${positive} number; write ${what}`);
            return undefined;
        }
        return v;
    }

    /** A time in the file's unit (Binance: ms, or µs in newer spot files; Tardis: µs), as µs. */
    private time(cells: string[], col: string, line: number): number | undefined {
        const s = this.cell(cells, col);
        const v = /^[0-9]+$/.test(s) ? Number(s) : NaN;
        const tardis = this.format.startsWith('tardis');
        const us = tardis ? v : v >= 1e15 ? v : v * 1000;
        if (!Number.isFinite(us) || us < MIN_US || us > 4102444800000000) {
            this.bad(line, col, `${this.shown(s)} is not a time; write ${tardis ? 'microseconds' : 'milliseconds'} since 1970-01-01 UTC, e.g. ${tardis ? '1704067200000000' : '1704067200000'}`);
            return undefined;
        }
        if (us < this.lastUs) {
            this.bad(line, col, `the time goes back from ${this.unit} ${this.lastLine}; the file must be in time order`);
            return undefined;
        }
        this.lastUs = us; this.lastLine = line;
        return us;
    }

    private bool(cells: string[], col: string, line: number): boolean | undefined {
        const s = this.cell(cells, col).toLowerCase();
        if (s === 'true' || s === '1') return true;
        if (s === 'false' || s === '0') return false;
        this.bad(line, col, `${this.shown(s)} is not true or false`);
        return undefined;
    }

    private row(cells: string[], line: number): void {
        const f = this.format;
        if (f === 'binance-trades' || f === 'binance-aggtrades') {
            const agg = f === 'binance-aggtrades';
            const us = this.time(cells, agg ? 'transact_time' : 'time', line);
            const price = this.number(cells, 'price', line, 'the trade price, e.g. 42150.5', 'positive');
            const qty = this.number(cells, agg ? 'quantity' : 'qty', line, 'the traded quantity, e.g. 0.015', 'positive');
            const maker = this.bool(cells, 'is_buyer_maker', line);
            if (us === undefined || price === undefined || qty === undefined || maker === undefined) return;
            // The buyer was the maker: the seller took liquidity.
            this.sink.trade({ us, price, qty, side: maker ? -1 : 1, id: this.cell(cells, agg ? 'agg_trade_id' : 'id') || null });
        } else if (f === 'tardis-trades') {
            const us = this.time(cells, 'timestamp', line);
            const price = this.number(cells, 'price', line, 'the trade price, e.g. 42150.5', 'positive');
            const qty = this.number(cells, 'amount', line, 'the traded quantity, e.g. 0.015', 'positive');
            const s = this.cell(cells, 'side').toLowerCase();
            const side = s === 'buy' ? 1 : s === 'sell' ? -1 : s === 'unknown' ? 0 : undefined;
            if (side === undefined) this.bad(line, 'side', `${this.shown(s)} is not buy, sell or unknown (the aggressor's side)`);
            if (us === undefined || price === undefined || qty === undefined || side === undefined) return;
            this.sink.trade({ us, price, qty, side, id: this.cell(cells, 'id') || null });
        } else if (f === 'tardis-book-l2') {
            const us = this.time(cells, 'timestamp', line);
            const snapshot = this.bool(cells, 'is_snapshot', line);
            const s = this.cell(cells, 'side').toLowerCase();
            const side = s === 'bid' ? 1 : s === 'ask' ? -1 : undefined;
            if (side === undefined) this.bad(line, 'side', `${this.shown(s)} is not bid or ask`);
            const price = this.number(cells, 'price', line, 'the level price, e.g. 42150.5', 'positive');
            const qty = this.number(cells, 'amount', line, "the level's new total size (0 removes the level)", 'non-negative');
            if (us === undefined || snapshot === undefined || side === undefined || price === undefined || qty === undefined) return;
            this.sink.book({ us, snapshot, side, price, qty });
        } else {
            const us = this.time(cells, 'timestamp', line);
            if (us === undefined) return;
            const levels: BookRecord[] = [];
            for (const [name, side] of [['bids', 1], ['asks', -1]] as const) {
                for (let i = 0; i < this.depth; i++) {
                    const p = this.cell(cells, `${name}[${i}].price`), q = this.cell(cells, `${name}[${i}].amount`);
                    if (p === '' && q === '') continue; // a book shallower than the file's depth
                    const price = this.number(cells, `${name}[${i}].price`, line, 'the level price, e.g. 42150.5', 'positive');
                    const qty = this.number(cells, `${name}[${i}].amount`, line, "the level's size", 'positive');
                    if (price !== undefined && qty !== undefined) levels.push({ us, snapshot: true, side, price, qty });
                }
            }
            for (const l of levels) this.sink.book(l);
        }
    }

    /** After the last line: throws the problems (nothing may be written), or the file had no rows. */
    finish(): void {
        if (!this.header) throw new DataError(`${this.name}: the file is empty`);
        if (this.problemCount > 0) {
            const more = this.problemCount > this.problems.length ? `; and ${this.problemCount - this.problems.length} more` : '';
            throw new DataError(`${this.problems.join('; ')}${more}. Nothing was imported.`);
        }
        if (this.rows === 0) throw new DataError(`${this.name}: no rows after the header`);
    }
}
