/**
 * `af data export`: a read-only query to Parquet, Arrow IPC and CSV, read back with DuckDB
 * (read_parquet, read_csv) and apache-arrow (tableFromIPC) and compared value for value; stored
 * feature panels; and the refusals that keep export from ever changing the database.
 */
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tableFromIPC, TimeUnit, Type, type Table } from 'apache-arrow';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DataError } from '../../src/data/errors.js';
import { barsQuery, exportFormatOf, exportQuery, sqlString } from '../../src/data/export.js';
import { loadFromStore } from '../../src/data/load.js';
import { deletePanel, listPanels, loadPanel, panelQuery, storePanel } from '../../src/data/panels.js';
import { type DataStore } from '../../src/store/store.js';
import { openStore } from '../../src/schema/registry.js';
import { computePanel, type Panel } from '../../src/engine/panel.js';
import { irOf } from '../engine/fixtures.js';
import { failure, tempDir } from './helpers.js';

const DAY = 86_400_000;
const T0 = Date.UTC(2024, 0, 1);

/** Closes per instrument; open/high/low derive from them with fractions that do not print short. */
const SERIES: Record<string, { venue: string; symbol: string; closes: number[] }> = {
    'x:A': { venue: 'x', symbol: 'A', closes: [10, 11, 12, 11, 13] },
    'x:B': { venue: 'x', symbol: 'B', closes: [20, 19, 21, 22, 20] },
    'x:C': { venue: 'x', symbol: 'C', closes: [5, 5.5, 5, 6, 6.5] },
    "x:O'NEIL": { venue: 'x', symbol: "O'NEIL", closes: [1 / 3, 2 / 3] },
};

const STRATEGY = `strategy P {
  universe: x:A, x:B, x:C
  timeframe: 1d
  param n: int = 3 in 2..5
  feature avg = sma(close, n)
  feature move = rank(close - close[1])
  signal up = close > avg
  rules {
    when up => target 10% long
  }
}`;

let dir: string;
let store: DataStore;

beforeEach(async () => {
    dir = tempDir('af-export-');
    store = await openStore({ stateDir: join(dir, 'state') });
    for (const s of Object.values(SERIES)) {
        for (const [i, c] of s.closes.entries()) {
            await store.run(`INSERT INTO bars VALUES ($1, $2, '1d', make_timestamp(CAST($3 AS BIGINT) * 1000), $4, $5, $6, $7, $8)`,
                [s.venue, s.symbol, T0 + i * DAY, c - 0.1, c + Math.PI / 10, c - Math.E / 10, c, 1000 + i / 7]);
        }
    }
});

afterEach(() => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
});

/** Rows of a query as plain values, timestamps as epoch ms. */
async function plain(sql: string): Promise<Record<string, unknown>[]> {
    return (await store.rows(sql)).map(r => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v instanceof Date ? v.getTime() : v])));
}

/** The column types DuckDB reads a file back with. */
async function typesOf(reader: string): Promise<Record<string, string>> {
    const rows = await store.rows(`DESCRIBE SELECT * FROM ${reader}`);
    return Object.fromEntries(rows.map(r => [String(r.column_name), String(r.column_type)]));
}

/** An Arrow table's rows as plain values (timestamps ms, bigints as numbers). */
function arrowRows(t: Table): Record<string, unknown>[] {
    const names = t.schema.fields.map(f => f.name);
    return Array.from({ length: t.numRows }, (_, i) => Object.fromEntries(names.map(n => {
        const v: unknown = t.getChild(n)!.get(i);
        return [n, typeof v === 'bigint' ? Number(v) : v];
    })));
}

const BAR_COLUMNS = ['symbol', 'ts', 'open', 'high', 'low', 'close', 'volume'];

describe('barsQuery', () => {
    it('selects stored bars of the instruments in request order, then time, within the date range', async () => {
        const sql = barsQuery({ ids: ['x:B', 'x:a'], timeframe: '1d', from: '2024-01-02', to: '2024-01-04' });
        const rows = await plain(sql);
        expect(rows.map(r => [r.symbol, r.ts])).toEqual([
            ['x:B', T0 + DAY], ['x:B', T0 + 2 * DAY], ['x:B', T0 + 3 * DAY],
            ['x:A', T0 + DAY], ['x:A', T0 + 2 * DAY], ['x:A', T0 + 3 * DAY],
        ]);
        expect(rows[0]).toEqual({ symbol: 'x:B', ts: T0 + DAY, open: 18.9, high: 19 + Math.PI / 10, low: 19 - Math.E / 10, close: 19, volume: 1000 + 1 / 7 });
        expect(await plain(barsQuery({ ids: ["x:O'NEIL"], timeframe: '1d' }))).toHaveLength(2);
        expect(await plain(barsQuery({ ids: ['x:A'], timeframe: '1h' }))).toHaveLength(0);
    });

    it('refuses bad requests with DataErrors', () => {
        expect(() => barsQuery({ ids: [], timeframe: '1d' })).toThrow(/no instruments/);
        expect(() => barsQuery({ ids: ['A'], timeframe: '1d' })).toThrow(/venue:SYMBOL/);
        expect(() => barsQuery({ ids: ['x:A'], timeframe: 'daily' })).toThrow(/timeframe 'daily'/);
        expect(() => barsQuery({ ids: ['x:A'], timeframe: '1d', from: '2024-02-01', to: '2024-01-01' })).toThrow(/after --to/);
        expect(() => barsQuery({ ids: ['x:A'], timeframe: '1d', from: 'yesterday' })).toThrow(DataError);
    });
});

describe('exportQuery: bars', () => {
    const sql = barsQuery({ ids: ['x:A', 'x:B', 'x:C', "x:O'NEIL"], timeframe: '1d' });

    it('Parquet: written by DuckDB, timestamps UTC, every value read back exactly', async () => {
        const file = join(dir, 'bars.parquet');
        const r = await exportQuery(store, sql, file);
        expect(r).toMatchObject({ file, format: 'parquet', rows: 17, columns: BAR_COLUMNS });
        expect(r.bytes).toBeGreaterThan(0);
        expect(await typesOf(`read_parquet(${sqlString(file)})`)).toMatchObject({ symbol: 'VARCHAR', ts: 'TIMESTAMP WITH TIME ZONE', close: 'DOUBLE' });
        expect(await plain(`SELECT * FROM read_parquet(${sqlString(file)})`)).toEqual(await plain(sql));
    });

    it('CSV: header, UTC offsets, doubles that read back exactly', async () => {
        const file = join(dir, 'bars.csv');
        const r = await exportQuery(store, sql, file);
        expect(r).toMatchObject({ format: 'csv', rows: 17, columns: BAR_COLUMNS });
        const text = readFileSync(file, 'utf8');
        expect(text.split('\n')[0]).toBe(BAR_COLUMNS.join(','));
        expect(text.split('\n')[1]).toMatch(/^x:A,2024-01-01 00:00:00\+00,/);
        expect(await typesOf(`read_csv(${sqlString(file)})`)).toMatchObject({ ts: 'TIMESTAMP WITH TIME ZONE', close: 'DOUBLE', high: 'DOUBLE' });
        expect(await plain(`SELECT * FROM read_csv(${sqlString(file)})`)).toEqual(await plain(sql));
    });

    it('Arrow IPC (.arrow and .feather): timestamp[ms, UTC], float64, utf8; values exact', async () => {
        for (const name of ['bars.arrow', 'bars.feather']) {
            const file = join(dir, name);
            const r = await exportQuery(store, sql, file);
            expect(r).toMatchObject({ format: 'arrow', rows: 17, columns: BAR_COLUMNS });
            const t = tableFromIPC(readFileSync(file));
            expect(t.numRows).toBe(17);
            expect(t.schema.fields.map(f => f.name)).toEqual(BAR_COLUMNS);
            const ts = t.schema.fields[1]!.type as { typeId: Type; unit: TimeUnit; timezone: string };
            expect(ts.typeId).toBe(Type.Timestamp);
            expect(ts.unit).toBe(TimeUnit.MILLISECOND);
            expect(ts.timezone).toBe('UTC');
            expect(t.schema.fields[0]!.type.typeId).toBe(Type.Utf8);
            expect(t.schema.fields[5]!.type.typeId).toBe(Type.Float);
            expect(arrowRows(t)).toEqual(await plain(sql));
        }
    });

    it('Arrow: integers, booleans, dates, decimals and NULLs', async () => {
        const file = join(dir, 'types.arrow');
        await exportQuery(store, `SELECT 42::INTEGER AS i, 9007199254740993::BIGINT AS big, true AS b, DATE '2024-02-29' AS d,
            1.25 AS dec, NULL::DOUBLE AS nothing, 'naïve ☃' AS s, TIMESTAMPTZ '2024-01-01 12:00:00+02' AS tz`, file);
        const t = tableFromIPC(readFileSync(file));
        expect(t.getChild('i')!.get(0)).toBe(42);
        expect(t.getChild('big')!.get(0)).toBe(9007199254740993n);
        expect(t.getChild('b')!.get(0)).toBe(true);
        expect(t.getChild('d')!.get(0)).toBe(Date.UTC(2024, 1, 29));
        expect(t.getChild('dec')!.get(0)).toBe(1.25);
        expect(t.getChild('nothing')!.get(0)).toBeNull();
        expect(t.getChild('s')!.get(0)).toBe('naïve ☃');
        expect(t.getChild('tz')!.get(0)).toBe(Date.UTC(2024, 0, 1, 10));
        const refused = await failure<DataError>(exportQuery(store, 'SELECT [1, 2] AS xs', join(dir, 'list.arrow')));
        expect(refused.message).toMatch(/column 'xs' has type INTEGER\[\].*CAST it/);
    });

    it('an empty result still writes a file with the columns', async () => {
        for (const ext of ['parquet', 'arrow', 'csv']) {
            const r = await exportQuery(store, barsQuery({ ids: ['x:A'], timeframe: '4h' }), join(dir, `empty.${ext}`));
            expect(r).toMatchObject({ rows: 0, columns: BAR_COLUMNS });
        }
        expect(tableFromIPC(readFileSync(join(dir, 'empty.arrow'))).schema.fields.map(f => f.name)).toEqual(BAR_COLUMNS);
    });

    it('takes a trailing semicolon and comments; the format can be forced', async () => {
        const r = await exportQuery(store, '-- all of A\nFROM bars WHERE symbol = \'A\' ORDER BY ts; -- done\n', join(dir, 'a.out'), { format: 'csv' });
        expect(r.rows).toBe(5);
        expect(readFileSync(join(dir, 'a.out'), 'utf8').split('\n')[0]).toBe('venue,symbol,timeframe,ts,open,high,low,close,volume');
        expect((await exportQuery(store, 'TABLE instruments', join(dir, 'i.parquet'))).rows).toBe(0);
        expect((await exportQuery(store, "SELECT ';' AS semi /* ; */;", join(dir, 's.csv'))).rows).toBe(1);
    });

    it('replaces an existing file and leaves no temporary file behind', async () => {
        const file = join(dir, 'x.csv');
        await exportQuery(store, 'SELECT 1 AS one', file);
        await exportQuery(store, 'SELECT 2 AS two', file);
        expect(readFileSync(file, 'utf8')).toBe('two\n2\n');
        await failure(exportQuery(store, 'SELECT * FROM nope', file));
        expect(readFileSync(file, 'utf8')).toBe('two\n2\n');
        expect(readdirSync(dir).filter(f => f.endsWith('.tmp'))).toEqual([]);
    });
});

describe('exportQuery: only reads', () => {
    async function refused(sql: string, file = join(dir, 'out.parquet')): Promise<string> {
        const e = await failure<Error>(exportQuery(store, sql, file));
        expect(e).toBeInstanceOf(DataError);
        return e.message;
    }

    it('refuses statements that write, several statements, and side effects; nothing changes', async () => {
        const before = await plain('SELECT count(*)::DOUBLE AS n, sum(close) AS s FROM bars');
        expect(await refused(`INSERT INTO bars SELECT * FROM bars`)).toMatch(/refuses INSERT statements: it never changes data; export takes one read-only query/);
        expect(await refused(`DELETE FROM bars`)).toMatch(/refuses DELETE/);
        expect(await refused(`UPDATE bars SET close = 0`)).toMatch(/refuses UPDATE/);
        expect(await refused(`DROP TABLE bars`)).toMatch(/refuses DROP/);
        expect(await refused(`WITH x AS (SELECT 1) DELETE FROM bars`)).toMatch(/refuses DELETE/);
        expect(await refused(`COPY bars TO '${join(dir, 'b.csv')}'`)).toMatch(/refuses COPY/);
        expect(await refused(`CREATE TABLE t AS SELECT * FROM bars`)).toMatch(/refuses CREATE/);
        expect(await refused(`PRAGMA table_info('bars')`)).toMatch(/refuses PRAGMA statements/);
        expect(await refused(`DESCRIBE bars`)).toMatch(/refuses DESCRIBE statements/);
        expect(await refused(`SELECT 1; DELETE FROM bars`)).toMatch(/the query holds 2 statements/);
        expect(await refused(`SELECT 1; SELECT 2`)).toMatch(/holds 2 statements/);
        expect(await refused(`SELECT nextval('imports_id')`)).toMatch(/tries to change the database/);
        expect(await refused(`SELECT nextval('imports_id')`, join(dir, 'out.arrow'))).toMatch(/tries to change the database/);
        expect(await plain('SELECT count(*)::DOUBLE AS n, sum(close) AS s FROM bars')).toEqual(before);
        expect(Number(await store.scalar(`SELECT count(*) FROM duckdb_tables() WHERE table_name = 't'`))).toBe(0);
        expect(readdirSync(dir)).toEqual(['state']);
        // The connection is usable afterwards (every failed export rolled back its transaction).
        expect(await store.run(`INSERT INTO instruments VALUES ('x', 'A', 'ticker', NULL, NULL)`)).toBe(1);
    });

    it('bad SQL: DuckDB\'s first line and a hint', async () => {
        expect(await refused('SELEC 1')).toMatch(/^bad query: Parser Error: syntax error at or near "SELEC"; export takes one read-only query .* bars, instruments/);
        expect(await refused('SELECT * FROM nope')).toMatch(/^bad query: Catalog Error: Table with name nope does not exist!( Did you mean "[a-z_.]+"\?)?; export takes/);
        expect(await refused('SELECT * FROM bar')).toMatch(/^bad query: Catalog Error: Table with name bar does not exist! Did you mean "bars"\?; export takes/);
        expect(await refused('   -- nothing\n ;')).toMatch(/the query is empty/);
        expect(await refused('SELECT 1 AS a, 2 AS a')).toMatch(/two columns named 'a'/);
        expect(await refused('SELECT $1 AS x')).toMatch(/parameters/);
        expect(await refused('SELECT 1', join(dir, 'no/such/dir/x.csv'))).toMatch(/directory .* does not exist/);
    });

    it('the format comes from the extension, or is given', () => {
        expect(exportFormatOf('a/b.PARQUET')).toBe('parquet');
        expect(exportFormatOf('b.pq')).toBe('parquet');
        expect(exportFormatOf('b.ipc')).toBe('arrow');
        expect(exportFormatOf('b.feather')).toBe('arrow');
        expect(exportFormatOf('b.csv')).toBe('csv');
        expect(exportFormatOf('b.txt', 'csv')).toBe('csv');
        expect(() => exportFormatOf('b.txt')).toThrow(/cannot tell the export format from 'b.txt'/);
        expect(() => exportFormatOf('b.csv', 'xlsx')).toThrow(/'xlsx' is not supported/);
    });
});

describe('feature panels in the store', () => {
    async function panel(params: Record<string, number> = {}): Promise<Panel> {
        const data = await loadFromStore(store, { assets: [{ venue: 'x', symbol: 'A' }, { venue: 'x', symbol: 'B' }, { venue: 'x', symbol: 'C' }], timeframe: '1d' });
        return computePanel(await irOf(STRATEGY), data, params);
    }

    /** The panel's value at (feature, symbol, ts), NaN → null as in SQL. */
    function cell(p: Panel, feature: string, symbol: string, ts: number): number | null {
        const v = p.values[(p.features.indexOf(feature) * p.symbols.length + p.symbols.indexOf(symbol)) * p.ts.length + p.ts.indexOf(ts)]!;
        return Number.isNaN(v) ? null : v;
    }

    /** Every cell in long layout order: ts, then symbol, then feature. */
    function longRows(p: Panel): { ts: number; symbol: string; feature: string; value: number | null }[] {
        const out = [];
        for (const ts of p.ts) for (const symbol of p.symbols) for (const feature of p.features) out.push({ ts, symbol, feature, value: cell(p, feature, symbol, ts) });
        return out;
    }

    it('stores a panel with its provenance, reads it back bit for bit, and replaces it by name', async () => {
        const p = await panel();
        const stored = await storePanel(store, 'p3', p);
        expect(stored).toEqual({ name: 'p3', rows: 3 * 3 * 5, replaced: false });
        const [info] = await listPanels(store);
        expect(info).toMatchObject({
            name: 'p3', strategy: 'P', exactFingerprint: p.provenance.exactFingerprint, structuralFingerprint: p.provenance.structuralFingerprint,
            params: { n: 3 }, snapshot: p.provenance.dataSnapshot, timeframeMs: DAY, symbols: ['x:A', 'x:B', 'x:C'],
            features: ['avg', 'move', 'up'], kinds: ['feature', 'feature', 'signal'], bars: 5, firstTs: T0, lastTs: T0 + 4 * DAY,
        });
        expect(info!.createdAt).toBeGreaterThan(T0);
        const back = await loadPanel(store, 'p3');
        expect(Array.from(back.ts)).toEqual(Array.from(p.ts));
        expect(Array.from(back.values)).toEqual(Array.from(p.values));
        expect(back.provenance).toEqual(p.provenance);
        expect(await plain(`SELECT count(*)::DOUBLE AS n FROM panel_values WHERE value IS NULL`)).toEqual([{ n: p.values.filter(Number.isNaN).length }]);

        const p2 = await panel({ n: 2 });
        expect(await storePanel(store, 'p3', p2)).toEqual({ name: 'p3', rows: 45, replaced: true });
        expect(Array.from((await loadPanel(store, 'p3')).values)).toEqual(Array.from(p2.values));
        expect((await listPanels(store)).map(x => [x.name, x.params])).toEqual([['p3', { n: 2 }]]);
        expect(await plain(`SELECT count(*)::DOUBLE AS n FROM panel_values`)).toEqual([{ n: 45 }]);

        await storePanel(store, 'other', p);
        expect(await deletePanel(store, 'p3')).toBe(true);
        expect(await deletePanel(store, 'p3')).toBe(false);
        expect(await plain(`SELECT DISTINCT panel FROM panel_values`)).toEqual([{ panel: 'other' }]);
        expect((await failure<DataError>(loadPanel(store, 'p3'))).message).toMatch(/no panel 'p3' .*stored panels: other/);
        expect((await failure<DataError>(storePanel(store, 'bad name', p))).message).toMatch(/panel name 'bad name' is not valid/);
    });

    it('exports a panel, long and wide, to Parquet, Arrow and CSV with every value exact', async () => {
        const p = await panel();
        await storePanel(store, 'xs', p);
        const long = await panelQuery(store, 'xs');
        const wide = await panelQuery(store, 'xs', { layout: 'wide' });
        const wantLong = longRows(p);
        const wantWide: Record<string, unknown>[] = [];
        for (const ts of p.ts) for (const symbol of p.symbols) wantWide.push({ ts, symbol, ...Object.fromEntries(p.features.map(f => [f, cell(p, f, symbol, ts)])) });
        expect(await plain(long)).toEqual(wantLong);
        expect(await plain(wide)).toEqual(wantWide);
        // Spot checks against the hand calculation: sma3 of A at bar 2 = 11; rank of the changes at bar 3 (A −1, B +1, C +1) = 0, 0.75, 0.75.
        expect(wantWide[2 * 3]).toMatchObject({ symbol: 'x:A', avg: 11, up: 1 });
        expect(wantWide.slice(9, 12).map(r => r.move)).toEqual([0, 0.75, 0.75]);

        for (const [layout, sql, want] of [['long', long, wantLong], ['wide', wide, wantWide]] as const) {
            const pq = join(dir, `${layout}.parquet`), csv = join(dir, `${layout}.csv`), arrow = join(dir, `${layout}.arrow`);
            expect((await exportQuery(store, sql, pq)).rows).toBe(want.length);
            expect((await exportQuery(store, sql, csv)).rows).toBe(want.length);
            const a = await exportQuery(store, sql, arrow);
            expect(a.rows).toBe(want.length);
            expect(await plain(`SELECT * FROM read_parquet(${sqlString(pq)})`)).toEqual(want);
            // NULL-only columns would make read_csv guess VARCHAR; give the types.
            const types = layout === 'long' ? `{'ts': 'TIMESTAMPTZ', 'value': 'DOUBLE'}` : `{'ts': 'TIMESTAMPTZ', 'avg': 'DOUBLE', 'move': 'DOUBLE', 'up': 'DOUBLE'}`;
            expect(await plain(`SELECT * FROM read_csv(${sqlString(csv)}, types = ${types})`)).toEqual(want);
            const t = tableFromIPC(readFileSync(arrow));
            expect(t.schema.fields.map(f => f.name)).toEqual(a.columns);
            expect(arrowRows(t)).toEqual(want);
        }
        expect(existsSync(join(dir, 'wide.parquet'))).toBe(true);
    });
});
