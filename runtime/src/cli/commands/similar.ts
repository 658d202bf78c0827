/**
 * `af similar FILE [--k 10] [--scope workspace|store|all]`: what has been tried that looks like
 * this strategy — the workspace's .af files (an index under the state directory, brought up to
 * date with the files on disk first) and the daemon's experiment store.
 */
import { relative } from 'node:path';
import type { SimilarMatch } from '../../../../protocol/src/daemon/index.js';
import { resolveStateDir } from '../../../../protocol/src/discovery.js';
import { findSimilar, SimilarQueryError, type SimilarScope } from '../../similarity/find.js';
import { CliError } from '../errors.js';
import { progressBar } from '../progress.js';
import { connect, remote, type ConnectOptions } from './daemon.js';

export interface SimilarOptions extends ConnectOptions {
    k: number;
    scope: SimilarScope;
    strategy?: string;
    root?: string;
}

export async function similarCommand(file: string, o: SimilarOptions, out: (s: string) => void): Promise<number> {
    const stateDir = resolveStateDir(o.stateDir);
    let r;
    try {
        r = await findSimilar({
            file, k: o.k, scope: o.scope, stateDir, ...(o.strategy ? { strategy: o.strategy } : {}), ...(o.root ? { root: o.root } : {}),
            store: p => remote(() => connect(o).call('similar.find', p)),
            ...(o.json ? {} : { progress: progressBar('indexing workspace') }),
            log: (level, message) => { if (level === 'warn') process.stderr.write(`${message}\n`); },
        });
    } catch (e) {
        if (e instanceof SimilarQueryError) throw new CliError(e.message, 1);
        throw e;
    }
    if (o.json) {
        out(`${JSON.stringify(r, null, 2)}\n`);
        return 0;
    }
    const rel = (p: string): string => relative(process.cwd(), p) || p;
    out(`${r.query.strategy}${r.query.file ? ` (${rel(r.query.file)})` : ''} · structural ${r.query.fingerprints.structural.slice(0, 12)}…\n`);
    if (r.tried) out(`${r.tried.summary}\n`);
    else if (o.scope !== 'workspace') out('this structure was never run before\n');
    if (!r.matches.length) out('nothing similar found\n');
    r.matches.forEach((m, i) => out(`${String(i + 1).padStart(3)}. ${(m.similarity * 100).toFixed(1).padStart(5)}%  ${m.match.padEnd(9)}  ${(m.strategy ?? '?').padEnd(22)} ${where(m)}\n       ${m.difference}\n`));
    out(`index: ${r.indexes.map(x => `${x.scope} ${x.points} ${x.scope === 'store' ? 'structures' : 'strategies'} (${x.backend})`).join(' · ')} · embedding ${r.indexes[0]?.embeddingVersion ?? '-'}\n`);
    const files = [...new Set(r.problems.map(p => p.path))];
    if (files.length) {
        out(`not indexed: ${files.length} file${files.length === 1 ? '' : 's'} with errors (previous entries kept; af check lists them all), e.g.\n`);
        for (const f of files.slice(0, 3)) {
            const p = r.problems.find(x => x.path === f)!;
            out(`  ${p.path}:${p.line}:${p.column} ${p.code} ${p.message}\n`);
        }
    }
    return 0;
}

function where(m: SimilarMatch): string {
    if (m.file) return `${m.file.path}:${m.file.line + 1}`;
    const t = m.runs;
    if (!t) return 'store';
    const best = t.best ? ` · best ${t.best.metric === 'deflatedSharpe' ? 'deflated Sharpe' : 'Sharpe'} ${t.best.value.toFixed(2)} (${t.best.runId})` : '';
    return `store · ${t.runs} run${t.runs === 1 ? '' : 's'}${best}`;
}

export function parseScope(v: string): SimilarScope {
    if (v !== 'workspace' && v !== 'store' && v !== 'all') throw new CliError(`--scope must be workspace, store or all, not '${v}'`);
    return v;
}
