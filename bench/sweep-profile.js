// Profiling helper for the sweep (not a benchmark): the SMA grid of bench/sweep.js, REPS times on WORKERS workers (0: inline).
// Usage: npm run build && node --cpu-prof --cpu-prof-dir=/tmp/prof bench/sweep-profile.js [WORKERS] [REPS]
import { EmptyFileSystem } from 'langium';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAlphaForgeServices, loadString, compileStrategy } from '../out/language/src/index.js';
import { runSweep } from '../out/runtime/src/engine/sweep.js';
import { openStore } from '../out/runtime/src/schema/registry.js';
import { importFile } from '../out/runtime/src/data/import.js';
import { loadFromStore } from '../out/runtime/src/data/load.js';
import { sampleFile } from '../out/runtime/src/data/sample.js';
const src = `strategy SmaGrid {
  universe: sp:SPX
  timeframe: 1d
  param fast: int = 10 in 2..99 step 1
  param slow: int = 50 in 3..100 step 1
  constraint fast < slow
  feature fastMa = sma(close, fast)
  feature slowMa = sma(close, slow)
  rules {
    when crossover(fastMa, slowMa) => target 100% long
    when crossunder(fastMa, slowMa) => flat
  }
  execution {
    fill: next_open
    fees: 10 bps
    slippage: 0 bps
  }
}
`;
const services = createAlphaForgeServices(EmptyFileSystem).AlphaForge;
const { document } = await loadString(services, src, 'memory:///p.af');
const ir = compileStrategy(services, document.parseResult.value.elements.find(e => e.$type === 'Strategy')).ir;
const dir = mkdtempSync(join(tmpdir(), 'af-prof-'));
const store = await openStore({ stateDir: dir });
await importFile(store, sampleFile(), { venue: 'sp', symbol: 'SPX', timeframe: '1d', calendar: 'weekdays', allowGaps: true });
const data = await loadFromStore(store, { assets: [{ venue: 'sp', symbol: 'SPX' }], timeframe: '1d' });
store.close(); rmSync(dir, { recursive: true, force: true });
const workers = Number(process.argv[2] ?? 0);
const reps = Number(process.argv[3] ?? 1);
for (let r = 0; r < reps; r++) {
    const t0 = performance.now(), c0 = process.cpuUsage();
    const res = await runSweep(ir, data, { mode: 'grid', workers });
    const c = process.cpuUsage(c0);
    console.log(`workers ${workers}: ${res.trials} trials ${Math.round(performance.now() - t0)} ms wall, CPU ${Math.round((c.user + c.system) / 1000)} ms; best ${JSON.stringify(res.rows[0].params)} ${res.rows[0].metrics.sharpe}`);
}
