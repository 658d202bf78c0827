/**
 * The commands of the server's code lenses (protocol/src/lsp.ts, LspCommands), executed by the
 * server over workspace/executeCommand so that editors other than VS Code, and agents, can run
 * them: backtest and sweep go to the daemon (daemon-link.ts) and wait for the run; Paper trade
 * starts a paper deployment there (protocol/src/paper-trade.ts) and answers at once; Show DAG writes
 * the canonical DAG as Graphviz DOT to a file and asks the client to show it; Find similar answers
 * like alphaforge/similar. Each returns a CommandResult and says its outcome in one line with
 * window/showMessage. Arguments come from the client: checked with zod.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { AbstractExecuteCommandHandler, type ExecuteCommandAcceptor } from 'langium/lsp';
import { MessageType, type Connection } from 'vscode-languageserver';
import * as z from 'zod';
import { dagToDot } from '../../language/src/ir/dot.js';
import { LspCommands, type CommandResult, type Compiled, type DagView, type SimilarResult, type StrategyRequest } from '../../protocol/src/lsp.js';
import type { RunSummary } from '../../protocol/src/daemon/index.js';
import type { DaemonLink } from './daemon-link.js';
import { paperTradeRequest, usesBundledSample } from '../../protocol/src/paper-trade.js';

const Request = z.object({
    uri: z.string().min(1).max(4096),
    strategy: z.string().max(256).optional(),
    wait: z.boolean().optional(),
    waitMs: z.number().int().min(0).max(24 * 3_600_000).optional(),
    limit: z.number().int().min(1).max(100).optional(),
});

/** What the commands use of the custom requests (custom-requests.ts), bound once the connection exists. */
export interface CommandBackends {
    readonly connection: Connection;
    readonly daemon: DaemonLink;
    readonly sourceOf: (uri: string) => Promise<string | undefined>;
    readonly dagView: (p: StrategyRequest) => Promise<Compiled<DagView>>;
    readonly similar: (p: StrategyRequest & { limit?: number }) => Promise<Compiled<SimilarResult>>;
}

const DEFAULT_WAIT_MS = 10 * 60_000;
const POLL_MS = 250;
const FINAL = new Set(['completed', 'failed', 'cancelled']);

export class AlphaForgeCommandHandler extends AbstractExecuteCommandHandler {
    private backends: CommandBackends | undefined;
    private readonly dagDir = join(tmpdir(), `alphaforge-dag-${process.pid}`);

    attach(backends: CommandBackends): void {
        this.backends = backends;
    }

    registerCommands(accept: ExecuteCommandAcceptor): void {
        const command = (name: string, run: (p: z.infer<typeof Request>, b: CommandBackends) => Promise<CommandResult>): void => accept(name, async args => {
            const b = this.backends;
            const p = Request.safeParse(args[0]);
            const result: CommandResult = !b ? { ok: false, message: 'the language server is still starting' }
                : !p.success ? { ok: false, message: `${name} takes one argument {uri, strategy?}: ${p.error.issues.map(i => `${i.path.join('.') || 'argument'}: ${i.message}`).join('; ')}` }
                    : await run(p.data, b).catch((e: unknown): CommandResult => ({ ok: false, message: `${name} failed: ${e instanceof Error ? e.message : String(e)}` }));
            void b?.connection.sendNotification('window/showMessage', { type: result.ok ? MessageType.Info : MessageType.Error, message: `AlphaForge: ${result.message}` });
            return result;
        });
        command(LspCommands.backtest, (p, b) => this.run('backtest', p, b));
        command(LspCommands.sweep, (p, b) => this.run('sweep', p, b));
        command(LspCommands.showDag, (p, b) => this.showDag(p, b));
        command(LspCommands.paperTrade, (p, b) => this.paperTrade(p, b));
        command(LspCommands.findSimilar, async (p, b) => {
            const r = await b.similar(p);
            if (!r.ok) return { ok: false, message: `cannot search: ${r.errors[0]?.message ?? 'the strategy does not compile'}`, errors: r.errors };
            const top = r.value.matches.slice(0, 3).map(m => `${m.strategy} (${m.similarity.toFixed(2)})`).join(', ');
            return { ok: true, message: r.value.matches.length ? `nearest to ${r.value.query.strategy}: ${top}` : `no other strategy in the workspace to compare ${r.value.query.strategy} with`, similar: r.value };
        });
    }

    private async showDag(p: z.infer<typeof Request>, b: CommandBackends): Promise<CommandResult> {
        const v = await b.dagView(p);
        if (!v.ok) return { ok: false, message: `cannot draw the DAG: ${v.errors[0]?.message ?? 'the strategy does not compile'}`, errors: v.errors };
        const dot = dagToDot(v.value.dag, { title: v.value.strategy });
        mkdirSync(this.dagDir, { recursive: true });
        const file = join(this.dagDir, `${v.value.strategy.replace(/[^\w-]/g, '_')}.dot`);
        writeFileSync(file, dot);
        const uri = pathToFileURL(file).toString();
        // A client that can show documents opens it; others have the uri in the result.
        void b.connection.sendRequest('window/showDocument', { uri, takeFocus: true }).catch(() => undefined);
        return { ok: true, message: `DAG of ${v.value.strategy} written to ${file} (Graphviz: dot -Tsvg)`, uri, dot };
    }

    private async paperTrade(p: z.infer<typeof Request>, b: CommandBackends): Promise<CommandResult> {
        const source = await b.sourceOf(p.uri);
        if (source === undefined) return { ok: false, message: `${p.uri} is not a document of the workspace` };
        const link = b.daemon.connect();
        if ('error' in link) return { ok: false, message: `cannot paper trade: ${link.error}` };
        // Already there: nothing changes; another team's: the start says which bars are missing.
        if (usesBundledSample(source)) await link.client.call('data.sample', {}).catch(() => undefined);
        const { deployment: d } = await link.client.call('execution.paper.start', paperTradeRequest(source, { uri: p.uri, ...(p.strategy ? { strategy: p.strategy } : {}) }));
        return {
            ok: true,
            message: `paper trading ${d.strategy} on ${d.feed.symbols.join(', ')} replayed from ${d.feed.from ?? 'the first stored bar'}, a bar every ${d.feed.barMs} ms: deployment ${d.id} (af deployments show ${d.id}; af kill ${d.id})`,
            deployment: { id: d.id, state: d.state, strategy: d.strategy },
        };
    }

    private async run(kind: 'backtest' | 'sweep', p: z.infer<typeof Request>, b: CommandBackends): Promise<CommandResult> {
        const source = await b.sourceOf(p.uri);
        if (source === undefined) return { ok: false, message: `${p.uri} is not a document of the workspace` };
        const link = b.daemon.connect();
        if ('error' in link) return { ok: false, message: `cannot ${kind}: ${link.error}` };
        const spec = { source, ...(p.uri.startsWith('file:') ? { uri: p.uri } : {}), ...(p.strategy ? { strategy: p.strategy } : {}), ...(kind === 'sweep' ? { sweep: {} } : {}) };
        let { run } = await link.client.call('runs.submit', { kind, spec });
        const label = `${kind} ${run.id.slice(0, 8)} of ${run.strategy ?? p.strategy ?? 'the first strategy'}`;
        if (p.wait === false) return { ok: true, message: `${label} submitted`, run: summary(run) };
        const deadline = Date.now() + (p.waitMs ?? DEFAULT_WAIT_MS);
        let detail = (await link.client.call('runs.get', { id: run.id })).run;
        while (!FINAL.has(detail.state) && Date.now() < deadline) {
            await new Promise(r => setTimeout(r, POLL_MS));
            detail = (await link.client.call('runs.get', { id: run.id })).run;
        }
        run = detail;
        const out = summary(detail, detail.metrics);
        if (!FINAL.has(detail.state)) return { ok: true, message: `${label} is still ${detail.state}; af runs get ${detail.id}`, run: out };
        if (detail.state !== 'completed') return { ok: false, message: `${label} ${detail.state}${detail.error ? `: ${detail.error}` : ''}` };
        const m = detail.metrics ?? {};
        const fmt = (k: string, pct = false): string => typeof m[k] === 'number' ? (pct ? `${((m[k] as number) * 100).toFixed(1)}%` : (m[k] as number).toFixed(2)) : '–';
        return { ok: true, message: `${label} completed: return ${fmt('totalReturn', true)}, Sharpe ${fmt('sharpe')}, max drawdown ${fmt('maxDrawdown', true)} (af runs get ${detail.id})`, run: out };
    }
}

function summary(run: RunSummary, metrics: Readonly<Record<string, number | string | null>> | null = null): NonNullable<Extract<CommandResult, { ok: true }>['run']> {
    return { id: run.id, kind: run.kind, state: run.state, metrics, error: run.error };
}
