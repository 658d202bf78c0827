// Bars at scale: the embedded store (DuckDB) against team mode's ClickHouse (Debian's
// clickhouse-server 18.16, started here by scripts/team/servers.mjs under a temp folder).
// Usage: npm run build && node bench/bars-store.js [--bars 10000000] [--symbols 10]
//
// Both through the product's own paths, in the same run: DuckDB `importBars` (validated import
// into the store, one transaction per series) vs `ClickHouseBars.insert`; then a full-series read
// and a one-month range of each symbol (`loadFromStore` vs `ClickHouseBars.range`). Every read is
// checked against what was written (row counts and a checksum of closes), so a fast wrong answer
// cannot pass. Prints the figures and writes bench/results/bars-store.json.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../out/runtime/src/schema/registry.js';
import { importBars } from '../out/runtime/src/data/import.js';
import { loadFromStore } from '../out/runtime/src/data/load.js';
import { synthBars } from '../out/runtime/src/data/synth.js';
import { ClickHouseBars } from '../out/runtime/src/data/clickhouse-bars.js';
import { down, freePort, up } from '../scripts/team/servers.mjs';

const arg = (name, def) => { const i = process.argv.indexOf(name); return i > 0 ? Number(process.argv[i + 1]) : def; };
const BARS = arg('--bars', 10_000_000);
const SYMBOLS = arg('--symbols', 10);
const PER = Math.floor(BARS / SYMBOLS);
const MINUTE = 60_000, MONTH = 30 * 86_400_000;
const dir = mkdtempSync(join(tmpdir(), 'af-bench-bars-'));
const load0 = loadavg().map(x => +x.toFixed(2));

const sum = (xs) => { let s = 0; for (const x of xs) if (!Number.isNaN(x)) s += x; return s; };
const secs = (t0) => (performance.now() - t0) / 1000;

let ch;
try {
    const servers = await up(join(dir, 'servers'), { only: ['clickhouse'], ports: { clickhouse: await freePort(), clickhouseTcp: await freePort() } });
    ch = new ClickHouseBars({ url: servers.clickhouse.url, database: 'af_bench', timeoutMs: 300_000 });
    await ch.ensureSchema();
    const store = await openStore({ stateDir: join(dir, 'state') });

    const series = [];
    for (let s = 0; s < SYMBOLS; s++) {
        const r = synthBars({ symbols: [`S${s}`], timeframeMs: MINUTE, bars: PER, seed: 100 + s, start: Date.UTC(2010, 0, 1) });
        const a = r.assets[0];
        series.push({ symbol: `S${s}`, bars: { ts: r.ts, open: a.open, high: a.high, low: a.low, close: a.close, volume: a.volume } });
    }
    const checksums = series.map(x => sum(x.bars.close));
    const month = (b) => ({ from: b.ts[Math.floor(b.ts.length / 2)], to: b.ts[Math.floor(b.ts.length / 2)] + MONTH - MINUTE });
    const monthRows = series.map(x => { const { from, to } = month(x.bars); return x.bars.ts.filter(t => t >= from && t <= to).length; });

    const result = { duckdb: {}, clickhouse: {} };
    let t0 = performance.now();
    for (const x of series) await importBars(store, x.bars, 'bench', { venue: 'synth', symbol: x.symbol, timeframe: '1m' });
    result.duckdb.insertSeconds = secs(t0);
    t0 = performance.now();
    for (const x of series) await ch.insert({ venue: 'synth', symbol: x.symbol, timeframe: '1m' }, x.bars);
    result.clickhouse.insertSeconds = secs(t0);

    t0 = performance.now();
    for (const [i, x] of series.entries()) {
        const got = await loadFromStore(store, { assets: [{ venue: 'synth', symbol: x.symbol }], timeframe: '1m' });
        if (got.ts.length !== PER || Math.abs(sum(got.assets[0].close) - checksums[i]) > 1e-6 * Math.abs(checksums[i])) throw new Error(`DuckDB read of ${x.symbol} differs`);
    }
    result.duckdb.fullReadSeconds = secs(t0);
    t0 = performance.now();
    for (const [i, x] of series.entries()) {
        const got = await ch.range({ venue: 'synth', symbol: x.symbol, timeframe: '1m' });
        if (got.ts.length !== PER || Math.abs(sum(got.close) - checksums[i]) > 1e-6 * Math.abs(checksums[i])) throw new Error(`ClickHouse read of ${x.symbol} differs`);
    }
    result.clickhouse.fullReadSeconds = secs(t0);

    t0 = performance.now();
    for (const [i, x] of series.entries()) {
        const { from, to } = month(x.bars);
        const got = await loadFromStore(store, { assets: [{ venue: 'synth', symbol: x.symbol }], timeframe: '1m', from, to });
        if (got.ts.length !== monthRows[i]) throw new Error(`DuckDB month of ${x.symbol}: ${got.ts.length} rows, not ${monthRows[i]}`);
    }
    result.duckdb.monthRangeSeconds = secs(t0);
    t0 = performance.now();
    for (const [i, x] of series.entries()) {
        const { from, to } = month(x.bars);
        const got = await ch.range({ venue: 'synth', symbol: x.symbol, timeframe: '1m' }, from, to);
        if (got.ts.length !== monthRows[i]) throw new Error(`ClickHouse month of ${x.symbol}: ${got.ts.length} rows, not ${monthRows[i]}`);
    }
    result.clickhouse.monthRangeSeconds = secs(t0);
    store.close();

    const total = PER * SYMBOLS;
    const rate = (s) => Math.round(total / s);
    const out = {
        date: new Date().toISOString(), node: process.version, cores: 2, loadAverageAtStart: load0, loadAverageAtEnd: loadavg().map(x => +x.toFixed(2)),
        bars: total, symbols: SYMBOLS, timeframe: '1m', clickhouse: '18.16 (Debian)',
        insert: {
            duckdbRowsPerSecond: rate(result.duckdb.insertSeconds), clickhouseRowsPerSecond: rate(result.clickhouse.insertSeconds),
            clickhouseOverDuckdb: +(result.duckdb.insertSeconds / result.clickhouse.insertSeconds).toFixed(2),
        },
        fullRead: {
            duckdbRowsPerSecond: rate(result.duckdb.fullReadSeconds), clickhouseRowsPerSecond: rate(result.clickhouse.fullReadSeconds),
            clickhouseOverDuckdb: +(result.duckdb.fullReadSeconds / result.clickhouse.fullReadSeconds).toFixed(2),
        },
        monthRange: {
            queries: SYMBOLS, rowsEach: monthRows[0],
            duckdbMsPerQuery: +(1000 * result.duckdb.monthRangeSeconds / SYMBOLS).toFixed(1), clickhouseMsPerQuery: +(1000 * result.clickhouse.monthRangeSeconds / SYMBOLS).toFixed(1),
        },
        note: 'product paths both sides: DuckDB importBars (validated, gaps found, one transaction per series) / loadFromStore into typed arrays; ClickHouse insert as double bit patterns through a staging table (18.16 parses text floats to within one ulp) / range with FINAL. Ratios > 1: ClickHouse faster. One machine, one ClickHouse: no sharding, no replicas.',
    };
    console.log(`${total.toLocaleString('en-US')} 1m bars in ${SYMBOLS} series (load average ${load0.join(' ')})`);
    console.log(`insert:     DuckDB ${out.insert.duckdbRowsPerSecond.toLocaleString('en-US')} rows/s, ClickHouse ${out.insert.clickhouseRowsPerSecond.toLocaleString('en-US')} rows/s (ClickHouse/DuckDB speed ${out.insert.clickhouseOverDuckdb})`);
    console.log(`full read:  DuckDB ${out.fullRead.duckdbRowsPerSecond.toLocaleString('en-US')} rows/s, ClickHouse ${out.fullRead.clickhouseRowsPerSecond.toLocaleString('en-US')} rows/s (ClickHouse/DuckDB speed ${out.fullRead.clickhouseOverDuckdb})`);
    console.log(`one month:  DuckDB ${out.monthRange.duckdbMsPerQuery} ms, ClickHouse ${out.monthRange.clickhouseMsPerQuery} ms per query (${monthRows[0].toLocaleString('en-US')} rows)`);
    mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
    writeFileSync(new URL('./results/bars-store.json', import.meta.url), JSON.stringify(out, null, 2) + '\n');
} finally {
    await ch?.close();
    down(join(dir, 'servers'));
    rmSync(dir, { recursive: true, force: true });
}
