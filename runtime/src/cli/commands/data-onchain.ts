/**
 * `af data onchain …`: on-chain/DeFi data for the onchain pack (docs/packs.md § The onchain pack) —
 * import a pools, swaps, tvl or gas file of the documented layouts, the bundled sample, or a seeded
 * synthetic venue market with its on-chain dataset. While a daemon holds the store, `import` and
 * `sample` go through it (the files uploaded to the caller's team, then data.import /
 * data.onchain.import: the team's copy); `synth` has no daemon method.
 */
import { formatTs, parseDateArg } from '../../data/dates.js';
import { DataError } from '../../data/errors.js';
import { resolve, join } from 'node:path';
import { importOnchainFile, importOnchainSample, importOnchainSynth, onchainSampleDir, ONCHAIN_SAMPLE } from '../../data/onchain/import.js';
import { ONCHAIN_KINDS, type OnchainKind } from '../../data/onchain/layouts.js';
import type { DaemonClient } from '../../../../protocol/src/client.js';
import type { OnchainImportResult } from '../../data/onchain/store.js';
import type { ImportResult } from '../../data/import.js';
import { withStore } from '../../schema/registry.js';
import { CliError, rejected } from '../errors.js';
import { holdingDaemon } from './data-remote.js';
import { remote } from './daemon.js';
import type { StoreCliOptions } from './data.js';

async function local<T>(o: StoreCliOptions, fn: () => Promise<T>): Promise<T> {
    const daemon = holdingDaemon(o.stateDir);
    if (daemon) throw new CliError(`the daemon (pid ${daemon.pid}) holds this store, and af data onchain synth has no daemon method; stop it (af daemon stop) or use another --state-dir`);
    try {
        return await fn();
    } catch (e) {
        if (e instanceof DataError) throw rejected(e.message);
        throw e;
    }
}

const onchainLine = (r: OnchainImportResult, source: string): string => {
    const parts = ([['pools', r.pools], ['swaps', r.swaps], ['TVL points', r.tvl], ['gas prices', r.gas]] as const).filter(([, n]) => n > 0).map(([w, n]) => `${n} ${w}`);
    return `imported ${parts.join(', ')} from ${source} (${r.seriesRows} on-chain series rows)\n`;
};
const barsLine = (r: ImportResult): string => `imported ${r.rowsWritten} ${r.timeframe} bars of ${r.instrument.id} from ${r.source} (${formatTs(r.firstTs)} .. ${formatTs(r.lastTs)})\n`;

/** One file through the daemon: uploaded to the caller's team, then imported from there (its team's copy). */
async function importThroughDaemon(c: DaemonClient, kind: string, file: string, format?: 'csv' | 'json'): Promise<OnchainImportResult> {
    if (!(ONCHAIN_KINDS as readonly string[]).includes(kind)) throw rejected(`--kind ${kind}: use one of ${ONCHAIN_KINDS.join(', ')}`);
    return remote(async () => {
        const up = await c.upload(resolve(file));
        return c.call('data.onchain.import', { kind: kind as OnchainKind, upload: up.id, ...(format ? { format } : {}) });
    });
}

export async function dataOnchainImportCommand(file: string, o: StoreCliOptions & { kind: string; format?: 'csv' | 'json' }, out: (s: string) => void): Promise<number> {
    const daemon = holdingDaemon(o.stateDir);
    const r = daemon
        ? await importThroughDaemon(daemon.client, o.kind, file, o.format)
        : await local(o, () => withStore({ stateDir: o.stateDir }, store => importOnchainFile(store, o.kind, file, { format: o.format })));
    out(o.json ? `${JSON.stringify(r, null, 2)}\n` : onchainLine(r, file));
    return 0;
}

export async function dataOnchainSampleCommand(o: StoreCliOptions, out: (s: string) => void): Promise<number> {
    const daemon = holdingDaemon(o.stateDir);
    const r = daemon ? await sampleThroughDaemon(daemon.client) : await local(o, () => withStore({ stateDir: o.stateDir }, store => importOnchainSample(store)));
    out(o.json ? `${JSON.stringify(r, null, 2)}\n` : barsLine(r.bars) + r.onchain.map(x => onchainLine(x, 'the bundled sample')).join(''));
    return 0;
}

export interface OnchainSynthCliOptions extends StoreCliOptions {
    venue: string;
    symbol: string;
    timeframe: string;
    bars: number;
    seed: number;
    start?: string;
}

export async function dataOnchainSynthCommand(o: OnchainSynthCliOptions, out: (s: string) => void): Promise<number> {
    const r = await local(o, () => withStore({ stateDir: o.stateDir }, store => importOnchainSynth(store, {
        venue: o.venue, symbol: o.symbol, timeframe: o.timeframe, bars: o.bars, seed: o.seed,
        ...(o.start !== undefined ? { start: parseDateArg(o.start, '--start') } : {}),
    })));
    out(o.json ? `${JSON.stringify(r, null, 2)}\n` : barsLine(r.bars) + onchainLine(r.onchain, `onchain-synth(seed=${o.seed})`));
    return 0;
}

/** The bundled sample through the daemon: its bars (data.import) and its four files (data.onchain.import), as the caller's team's. */
async function sampleThroughDaemon(c: DaemonClient): Promise<{ bars: ImportResult; onchain: OnchainImportResult[] }> {
    const dir = onchainSampleDir();
    const bars = await remote(async () => {
        const up = await c.upload(join(dir, 'bars.csv'));
        return c.call('data.import', { upload: up.id, ...ONCHAIN_SAMPLE, calendar: '24x7', repair: false, allowGaps: false });
    });
    const onchain: OnchainImportResult[] = [];
    for (const kind of ONCHAIN_KINDS) onchain.push(await importThroughDaemon(c, kind, join(dir, `${kind}.csv`)));
    return { bars: bars as unknown as ImportResult, onchain };
}
