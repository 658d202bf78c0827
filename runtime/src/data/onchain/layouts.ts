/**
 * The documented file layouts of on-chain data (docs/packs.md § The onchain pack) and their parser:
 * pools, swaps, liquidity (TVL) and gas, each a CSV file with a header row or a JSON array of
 * objects with the same keys. Every row is checked before anything is written; a bad value is
 * reported with the file, line and column and what to write instead (at most a few problems, then
 * a count), never half-imported. Pure: text in, typed records out (import.ts stores them).
 *
 * `detail: 'redacted'` (a file on the daemon's host that the caller may name but not read, like
 * data.import's) keeps the file, line, column and what to write, and drops every value, header
 * name and parser quote the file holds.
 */
import { extname } from 'node:path';
import { parseDateArg } from '../dates.js';
import { DataError } from '../errors.js';
import { ONCHAIN_KINDS } from '../../../../protocol/src/daemon/data.js';

/** The layouts: one list for the CLI and the daemon's method (protocol). */
export { ONCHAIN_KINDS };
export type OnchainKind = (typeof ONCHAIN_KINDS)[number];

export interface PoolRecord {
    readonly chain: string;
    readonly address: string;
    readonly dex: string | null;
    readonly token0: string;
    readonly token1: string;
    readonly feeBps: number;
}
export interface SwapRecord { readonly ts: number; readonly chain: string; readonly address: string; readonly block: number | null; readonly side: 'buy' | 'sell'; readonly amountUsd: number; readonly feeUsd: number | null; readonly line: number }
export interface TvlRecord { readonly ts: number; readonly chain: string; readonly address: string; readonly block: number | null; readonly tvlUsd: number; readonly line: number }
export interface GasRecord { readonly ts: number; readonly chain: string; readonly block: number | null; readonly gasPriceGwei: number; readonly line: number }

export interface OnchainRecords {
    pools: PoolRecord[];
    swaps: SwapRecord[];
    tvl: TvlRecord[];
    gas: GasRecord[];
}

/** Each layout's columns: required ones first, then optional ones (what docs/packs.md lists). */
export const LAYOUTS: Readonly<Record<OnchainKind, { readonly required: readonly string[]; readonly optional: readonly string[] }>> = {
    pools: { required: ['chain', 'address', 'token0', 'token1', 'fee_bps'], optional: ['dex'] },
    swaps: { required: ['ts', 'chain', 'address', 'side', 'amount_usd'], optional: ['block', 'fee_usd'] },
    tvl: { required: ['ts', 'chain', 'address', 'tvl_usd'], optional: ['block'] },
    gas: { required: ['ts', 'chain', 'gas_price_gwei'], optional: ['block'] },
};

const MAX_SHOWN = 5;

/** One table of text cells with each row's physical line in the file. */
interface Table { readonly header: readonly string[]; readonly rows: readonly { readonly line: number; readonly cells: Readonly<Record<string, string>> }[] }

/** Parses a file's text of one kind; `name` is how messages name the file. */
export function parseOnchainFile(kind: OnchainKind, text: string, name: string, format?: 'csv' | 'json', detail: 'full' | 'redacted' = 'full'): Partial<OnchainRecords> {
    const fmt = format ?? (extname(name).toLowerCase() === '.json' ? 'json' : 'csv');
    const redacted = detail === 'redacted';
    const table = fmt === 'json' ? jsonTable(text, name, redacted) : csvTable(text, name);
    const layout = LAYOUTS[kind];
    const missing = layout.required.filter(c => !table.header.includes(c));
    if (missing.length > 0) {
        const has = redacted ? '' : ` (it has ${table.header.join(', ') || 'none'})`;
        throw new DataError(`${name}: the ${kind} layout needs the column(s) ${missing.join(', ')}${has}; the columns are ${[...layout.required, ...layout.optional.map(c => `[${c}]`)].join(', ')} (docs/packs.md § The onchain pack)`);
    }
    if (table.rows.length === 0) throw new DataError(`${name}: no ${kind} rows`);
    const problems: string[] = [];
    const cell = new Cells(name, problems, fmt === 'json' ? 'item' : 'line', redacted);
    const out: Partial<OnchainRecords> = {};
    switch (kind) {
        case 'pools': out.pools = table.rows.map(r => cell.pool(r.line, r.cells)); break;
        case 'swaps': out.swaps = table.rows.map(r => cell.swap(r.line, r.cells)); break;
        case 'tvl': out.tvl = table.rows.map(r => cell.tvl(r.line, r.cells)); break;
        case 'gas': out.gas = table.rows.map(r => cell.gas(r.line, r.cells)); break;
    }
    if (problems.length > 0) {
        const more = problems.length > MAX_SHOWN ? `; and ${problems.length - MAX_SHOWN} more` : '';
        throw new DataError(`${problems.slice(0, MAX_SHOWN).join('; ')}${more}. Nothing was imported.`);
    }
    return out;
}

/** Reads and checks cells, collecting each problem as `file line L, column C: …` (JSON: `item K`). */
class Cells {
    constructor(private readonly name: string, private readonly problems: string[], private readonly unit: 'line' | 'item', private readonly redacted = false) {}

    private bad(line: number, column: string, what: string): void {
        const said = this.redacted ? `not valid; write ${REDACTED_HINTS[column] ?? 'what the layout says (docs/packs.md § The onchain pack)'}` : what;
        this.problems.push(`${this.name} ${this.unit} ${line}, column ${column}: ${said}`);
    }
    private text(line: number, c: Readonly<Record<string, string>>, k: string, required: boolean): string | null {
        const v = (c[k] ?? '').trim();
        if (v === '') {
            if (required) this.bad(line, k, 'is empty; every row needs it');
            return null;
        }
        return v;
    }
    private id(line: number, c: Readonly<Record<string, string>>, k: string): string {
        const v = this.text(line, c, k, true);
        if (v !== null && !/^[A-Za-z0-9_.-]{1,100}$/.test(v)) this.bad(line, k, `'${clip(v)}' is not a name (letters, digits, _ . -; e.g. ethereum, 0x88e6…)`);
        return (v ?? '').toLowerCase();
    }
    private number(line: number, c: Readonly<Record<string, string>>, k: string, required: boolean, min: number, hint: string): number | null {
        const v = this.text(line, c, k, required);
        if (v === null) return null;
        const x = Number(v);
        if (!Number.isFinite(x) || !/^[-+0-9.eE]+$/.test(v)) { this.bad(line, k, `'${clip(v)}' is not a number; ${hint}`); return null; }
        if (x < min) { this.bad(line, k, `${v} is below ${min}; ${hint}`); return null; }
        return x;
    }
    private block(line: number, c: Readonly<Record<string, string>>): number | null {
        const b = this.number(line, c, 'block', false, 0, 'write the block number (a whole number), or leave it empty');
        if (b !== null && !Number.isInteger(b)) { this.bad(line, 'block', `${b} is not a whole number`); return null; }
        return b;
    }
    private ts(line: number, c: Readonly<Record<string, string>>): number {
        const v = this.text(line, c, 'ts', true);
        if (v === null) return NaN;
        try {
            return parseDateArg(v, 'ts');
        } catch {
            this.bad(line, 'ts', `'${clip(v)}' is not a time; write an ISO-8601 UTC time (2024-03-01T12:00:00Z) or epoch seconds (a block timestamp)`);
            return NaN;
        }
    }

    pool(line: number, c: Readonly<Record<string, string>>): PoolRecord {
        const fee = this.number(line, c, 'fee_bps', true, 0, 'write the swap fee in basis points (30 for 0.3%)');
        if (fee !== null && fee >= 10_000) this.bad(line, 'fee_bps', `${fee} bps is 100% or more; write basis points (30 for 0.3%)`);
        return {
            chain: this.id(line, c, 'chain'), address: this.id(line, c, 'address'), dex: this.text(line, c, 'dex', false),
            token0: token(this.text(line, c, 'token0', true)), token1: token(this.text(line, c, 'token1', true)), feeBps: fee ?? 0,
        };
    }
    swap(line: number, c: Readonly<Record<string, string>>): SwapRecord {
        const side = (this.text(line, c, 'side', true) ?? '').toLowerCase();
        if (side !== '' && side !== 'buy' && side !== 'sell') this.bad(line, 'side', `'${clip(side)}' is neither buy nor sell (of the pool's token0)`);
        return {
            ts: this.ts(line, c), chain: this.id(line, c, 'chain'), address: this.id(line, c, 'address'), block: this.block(line, c),
            side: side === 'sell' ? 'sell' : 'buy',
            amountUsd: this.number(line, c, 'amount_usd', true, 0, "write the swap's value in USD, e.g. 1520.5") ?? 0,
            feeUsd: this.number(line, c, 'fee_usd', false, 0, "write the swap's fee in USD, or leave it empty for the pool's fee_bps"),
            line,
        };
    }
    tvl(line: number, c: Readonly<Record<string, string>>): TvlRecord {
        return {
            ts: this.ts(line, c), chain: this.id(line, c, 'chain'), address: this.id(line, c, 'address'), block: this.block(line, c),
            tvlUsd: this.number(line, c, 'tvl_usd', true, 0, "write the pool's total value locked in USD") ?? 0, line,
        };
    }
    gas(line: number, c: Readonly<Record<string, string>>): GasRecord {
        return {
            ts: this.ts(line, c), chain: this.id(line, c, 'chain'), block: this.block(line, c),
            gasPriceGwei: this.number(line, c, 'gas_price_gwei', true, 0, 'write the gas price in gwei, e.g. 23.5') ?? 0, line,
        };
    }
}

/** What each column takes, said without the file's value (redacted detail). */
const REDACTED_HINTS: Readonly<Record<string, string>> = {
    chain: 'a name (letters, digits, _ . -)', address: 'a name (letters, digits, _ . -)', token0: 'a token symbol', token1: 'a token symbol',
    fee_bps: 'the swap fee in basis points, below 10000', ts: 'an ISO-8601 UTC time or epoch seconds', side: 'buy or sell (of the pool\'s token0)',
    amount_usd: "the swap's value in USD, at least 0", fee_usd: "the swap's fee in USD, or nothing", tvl_usd: "the pool's TVL in USD, at least 0",
    gas_price_gwei: 'the gas price in gwei, at least 0', block: 'a whole block number, or nothing',
};

/** Token symbols are compared upper-case (WETH, USDC). */
const token = (s: string | null): string => (s ?? '').toUpperCase();

const clip = (s: string): string => (s.length > 40 ? `${s.slice(0, 40)}…` : s);

/** RFC 4180 CSV: a header row, quoted cells with "" escapes, CRLF or LF; blank lines skipped. */
function csvTable(text: string, name: string): Table {
    const records: { line: number; cells: string[] }[] = [];
    let line = 1, i = 0;
    const n = text.length;
    while (i < n) {
        const start = line;
        const cells: string[] = [];
        let cell = '';
        for (;;) {
            if (i < n && text[i] === '"' && cell === '') {
                i++;
                for (;;) {
                    if (i >= n) throw new DataError(`${name} line ${start}: a quoted cell is not closed; close it with "`);
                    const ch = text[i]!;
                    if (ch === '"') {
                        if (text[i + 1] === '"') { cell += '"'; i += 2; continue; }
                        i++;
                        break;
                    }
                    if (ch === '\n') line++;
                    cell += ch;
                    i++;
                }
            }
            const ch = i < n ? text[i]! : '\n';
            i++;
            if (ch === ',') { cells.push(cell); cell = ''; continue; }
            if (ch === '\r' && text[i] === '\n') continue;
            if (ch === '\n' || ch === '\r') { cells.push(cell); line++; break; }
            cell += ch;
        }
        if (!(cells.length === 1 && cells[0]!.trim() === '')) records.push({ line: start, cells });
    }
    if (records.length === 0) throw new DataError(`${name}: the file is empty; it needs a header row`);
    const header = records[0]!.cells.map(h => h.trim().toLowerCase());
    const rows = records.slice(1).map(r => {
        if (r.cells.length !== header.length) throw new DataError(`${name} line ${r.line}: ${r.cells.length} cells, but the header has ${header.length}; quote cells that contain commas`);
        return { line: r.line, cells: Object.fromEntries(header.map((h, k) => [h, r.cells[k]!])) };
    });
    return { header, rows };
}

/** A JSON array of objects; a row's "line" is its position in the array, counted from 1 (messages say "item"). */
function jsonTable(text: string, name: string, redacted: boolean): Table {
    let doc: unknown;
    try {
        doc = JSON.parse(text);
    } catch (e) {
        // The parser's message quotes the text.
        const why = redacted ? '' : ` (${e instanceof Error ? e.message : String(e)})`;
        throw new DataError(`${name}: not JSON${why}; write an array of objects, one per row`);
    }
    if (!Array.isArray(doc)) throw new DataError(`${name}: the JSON must be an array of objects, one per row`);
    const header = new Set<string>();
    const rows = doc.map((item: unknown, k) => {
        if (item === null || typeof item !== 'object' || Array.isArray(item)) throw new DataError(`${name} item ${k + 1}: not an object; write one object per row`);
        const cells: Record<string, string> = {};
        for (const [key, v] of Object.entries(item as Record<string, unknown>)) {
            const col = key.toLowerCase();
            header.add(col);
            cells[col] = v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v as string | number | boolean);
        }
        return { line: k + 1, cells };
    });
    // Every layout column any item has counts as present (an item without it has it empty).
    return { header: [...header], rows };
}
