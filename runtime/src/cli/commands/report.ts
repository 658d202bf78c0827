/**
 * `af report RUN_ID|result.json [-o out.html]`: the self-contained HTML report of a run result,
 * rendered on demand — from a result file (`af backtest --json > result.json`, or a run's stored
 * result.json), or from a daemon run through `runs.result`. Nothing stores HTML: the result is the
 * data, the report one view of it.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, extname } from 'node:path';
import type { RunResult } from '../../../../protocol/src/run-result.js';
import { REPORT_MAX_ROWS } from '../../../../protocol/src/wire.js';
import { decodeResult } from '../../pipeline/result-file.js';
import { CliError, rejected } from '../errors.js';
import { writeReport } from './backtest.js';
import { connect, remote, type ConnectOptions } from './daemon.js';
import { resolveRunId } from './runs.js';

export async function reportCommand(target: string, o: ConnectOptions & { output?: string }, out: (s: string) => void): Promise<number> {
    const fromFile = existsSync(target) && statSync(target).isFile();
    const { result, uri } = fromFile ? { result: readResultFile(target), uri: undefined } : await fromDaemon(target, o);
    const path = o.output ?? `${fromFile ? basename(target, extname(target)) : target.replace(/[^A-Za-z0-9_.-]/g, '_')}.html`;
    writeReport(path, result, { ...(uri ? { uri } : {}) });
    if (o.json) out(`${JSON.stringify({ report: path, kind: result.kind, strategy: result.strategy })}\n`);
    else out(`report of ${result.strategy} (${result.kind}${result.runId ? ` ${result.runId}` : ''}) written to ${path}\n`);
    return 0;
}

function readResultFile(file: string): RunResult {
    const decoded = decodeResult(readFileSync(file));
    if (!decoded.ok) throw rejected(`${file}: ${decoded.problem}; give a result.json of a run (af backtest --json > result.json) or a run id`);
    return decoded.result;
}

async function fromDaemon(id: string, o: ConnectOptions): Promise<{ result: RunResult; uri: string | undefined }> {
    if (!/^[A-Za-z0-9_.:-]+$/.test(id)) throw new CliError(`${id}: no such file, and not a run id`);
    const client = connect(o);
    id = await resolveRunId(client, id);
    const { run } = await remote(() => client.call('runs.get', { id }));
    const { result } = await remote(() => client.call('runs.result', { id, tradesLimit: REPORT_MAX_ROWS, trialsLimit: REPORT_MAX_ROWS }));
    return { result, uri: run.spec.uri };
}
