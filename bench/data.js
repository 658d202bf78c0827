// Data benchmark. Usage: npm run build && node bench/data.js [--rows 2000000]
// CSV import of ROWS one-minute bars through `importFile` (typed read, every validation check,
// gap search, one transaction), against DuckDB's bare read_csv into a table in the same run
// (the floor: what parsing alone costs on this machine now). Goal: ≥ 1M rows/s.
// Then loading the stored bars back into the engine's typed arrays (loadBarData).
// Prints the figures and writes bench/results/data.json.
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { openStore } from '../out/runtime/src/schema/registry.js';
import { importFile } from '../out/runtime/src/data/import.js';
import { loadFromStore } from '../out/runtime/src/data/load.js';
import { synthBars } from '../out/runtime/src/data/synth.js';

const arg = (name, def) => { const i = process.argv.indexOf(name); return i > 0 ? Number(process.argv[i + 1]) : def; };
const ROWS = arg('--rows', 2_000_000);
const dir = mkdtempSync(join(tmpdir(), 'af-bench-data-'));

try {
    const file = join(dir, 'bars.csv');
    {
        const r = synthBars({ symbols: ['BTC/USDT'], timeframeMs: 60_000, bars: ROWS, seed: 1 });
        const a = r.assets[0];
        const parts = ['timestamp,open,high,low,close,volume\n'];
        for (let i = 0; i < ROWS; i++) {
            parts.push(`${new Date(r.ts[i]).toISOString()},${a.open[i].toFixed(4)},${a.high[i].toFixed(4)},${a.low[i].toFixed(4)},${a.close[i].toFixed(4)},${a.volume[i].toFixed(2)}\n`);
        }
        writeFileSync(file, parts.join(''));
    }
    const mb = statSync(file).size / 2 ** 20;

    // Floor: DuckDB parsing the same file into a table, nothing else.
    const inst = await DuckDBInstance.create(join(dir, 'floor.duckdb'));
    const conn = await inst.connect();
    let t0 = performance.now();
    await conn.run(`CREATE TABLE t AS SELECT * FROM read_csv('${file}', header = true)`);
    const floorS = (performance.now() - t0) / 1000;
    conn.closeSync(); inst.closeSync();

    const store = await openStore({ stateDir: join(dir, 'state') });
    t0 = performance.now();
    const r = await importFile(store, file, { venue: 'binance', symbol: 'BTC/USDT', timeframe: '1m' });
    const importS = (performance.now() - t0) / 1000;
    if (r.rowsWritten !== ROWS) throw new Error(`imported ${r.rowsWritten} of ${ROWS}`);

    t0 = performance.now();
    const loaded = await loadFromStore(store, { assets: [{ venue: 'binance', symbol: 'BTC/USDT' }], timeframe: '1m' });
    const loadS = (performance.now() - t0) / 1000;
    if (loaded.ts.length !== ROWS) throw new Error(`loaded ${loaded.ts.length} of ${ROWS}`);
    store.close();

    const results = {
        date: new Date().toISOString(), node: process.version,
        csvImport: {
            rows: ROWS, fileMiB: +mb.toFixed(1), seconds: +importS.toFixed(2), rowsPerSecond: Math.round(ROWS / importS),
            duckdbReadCsvSeconds: +floorS.toFixed(2), ratioToBareReadCsv: +(importS / floorS).toFixed(2),
            goal: '≥ 1,000,000 rows/s', met: ROWS / importS >= 1e6,
        },
        load: { rows: ROWS, seconds: +loadS.toFixed(2), rowsPerSecond: Math.round(ROWS / loadS) },
    };
    console.log(`CSV import of ${ROWS.toLocaleString('en-US')} 1m bars (${mb.toFixed(0)} MiB), validated, one transaction: ${importS.toFixed(2)} s → ${results.csvImport.rowsPerSecond.toLocaleString('en-US')} rows/s (goal ≥ 1,000,000); bare DuckDB read_csv ${floorS.toFixed(2)} s → ratio ${results.csvImport.ratioToBareReadCsv}`);
    console.log(`load into typed arrays: ${loadS.toFixed(2)} s → ${results.load.rowsPerSecond.toLocaleString('en-US')} rows/s`);
    mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
    writeFileSync(new URL('./results/data.json', import.meta.url), JSON.stringify(results, null, 2) + '\n');
} finally {
    rmSync(dir, { recursive: true, force: true });
}
