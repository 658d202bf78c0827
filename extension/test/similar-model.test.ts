/**
 * The "Similar Strategies" view's content: the language server's workspace matches and the
 * daemon's experiment-store matches (one SimilarResult shape) merged into one tree — header,
 * "tried" summary, the two groups in order, and what each group says while searching, without
 * a daemon, on failure, when nothing was found, and when the strategy does not compile.
 * The inputs are checked against the protocol's zod schemas, so they stay what the two sides send.
 */
import { describe, expect, it } from 'vitest';
import { SimilarResultSchema, type SimilarMatch, type SimilarResult } from '../../protocol/src/daemon/index.js';
import type { Compiled } from '../../protocol/src/lsp.js';
import {
    CONNECT_DAEMON, STORE_GROUP, WORKSPACE_GROUP, escapeMarkdown, orderMatches, similarTree, similarityPercent,
    type SimilarNode, type SimilarQuery, type SimilarTreeInput, type StoreOutcome, type WorkspaceOutcome,
} from '../src/similar-model.js';

const fp = (c: string): string => c.repeat(64);
const QUERY_FP = { exact: fp('a'), structural: fp('b') };
const ws = '/home/quant/alphas';

const query: SimilarQuery = { strategy: 'SmaCross', uri: `file://${ws}/sma-cross.af`, path: 'sma-cross.af', line: 4 };

function storeMatch(o: Partial<SimilarMatch> & Pick<SimilarMatch, 'strategy' | 'match' | 'similarity' | 'difference'>, runs: SimilarMatch['runs']): SimilarMatch {
    return { scope: 'store', fingerprints: { structural: fp('c'), exact: [fp('d')] }, runs, ...o };
}

function wsMatch(strategy: string, file: string, line: number, o: Pick<SimilarMatch, 'match' | 'similarity' | 'difference'> & Partial<SimilarMatch>): SimilarMatch {
    return { scope: 'workspace', strategy, fingerprints: { structural: fp('e'), exact: [fp('f')] }, file: { path: file, uri: `file://${ws}/${file}`, line }, ...o };
}

/** What the daemon's similar.find answers for SmaCross: its own structure tried 14 times, three neighbours. */
const storeResult: SimilarResult = SimilarResultSchema.parse({
    query: { strategy: 'SmaCross', fingerprints: QUERY_FP },
    tried: {
        runs: 14,
        best: { runId: 'r_01HZX3', metric: 'deflatedSharpe', value: 0.8012 },
        metrics: { sharpe: 1.42, totalReturn: 0.371, maxDrawdown: -0.124, tradeCount: 61, deflatedSharpe: 0.8012 },
        latestRunIds: ['r_01HZX9', 'r_01HZX3', 'r_01HZX1'],
        experimentId: 'e_trend',
        summary: 'this structure was tried 14 times; best deflated Sharpe 0.80 (run r_01HZX3)',
    },
    matches: [
        // Deliberately out of order: nearest-but-different first, the same structure last.
        storeMatch({ strategy: 'EmaCross', match: 'similar', similarity: 0.923, difference: 'same DAG except sma→ema in one place', fingerprints: { structural: fp('1'), exact: [fp('2')] } }, {
            runs: 3, best: { runId: 'r_ema_2', metric: 'sharpe', value: 1.1 }, metrics: { sharpe: 1.1, totalReturn: 0.2, maxDrawdown: -0.15, tradeCount: 40 }, latestRunIds: ['r_ema_3', 'r_ema_2', 'r_ema_1'], experimentId: null,
        }),
        storeMatch({ strategy: 'RsiFilter', match: 'similar', similarity: 0.71, difference: 'adds rsi, <; drops sma', fingerprints: { structural: fp('3'), exact: [fp('4')] } }, {
            runs: 1, best: null, metrics: null, latestRunIds: ['r_rsi_1'], experimentId: null,
        }),
        storeMatch({ strategy: 'SmaCross', match: 'structure', similarity: 1, difference: 'same structure, different parameter values', fingerprints: { structural: QUERY_FP.structural, exact: [fp('9')] } }, {
            runs: 14, best: { runId: 'r_01HZX3', metric: 'deflatedSharpe', value: 0.8012 }, metrics: { sharpe: 1.42, totalReturn: 0.371, maxDrawdown: -0.124 }, latestRunIds: ['r_01HZX9', 'r_01HZX3'], experimentId: 'e_trend',
        }),
    ],
    indexes: [{ scope: 'store', points: 57, embeddingVersion: 'wl-3', backend: 'hnsw' }],
});

/** What the language server's alphaforge/similar answers for the same strategy. */
const workspaceResult: Compiled<SimilarResult> = {
    ok: true,
    value: SimilarResultSchema.parse({
        query: { strategy: 'SmaCross', fingerprints: QUERY_FP, file: 'sma-cross.af' },
        tried: null,
        matches: [
            wsMatch('MacdTrend', 'macd-trend.af', 2, { match: 'similar', similarity: 0.64, difference: 'adds macd.signal, 2× ema; drops 2× sma' }),
            wsMatch('EmaCross', 'lib/ema-cross.af', 11, { match: 'similar', similarity: 0.923, difference: 'same DAG except sma→ema in one place', fingerprints: { structural: fp('1'), exact: [fp('7')] } }),
            wsMatch('SmaCrossSlow', 'sma-cross.af', 30, { match: 'structure', similarity: 1, difference: 'same structure, different parameter values', fingerprints: { structural: QUERY_FP.structural, exact: [fp('8')] } }),
        ],
        indexes: [{ scope: 'workspace', points: 12, embeddingVersion: 'wl-3', backend: 'exact' }],
    }),
};

const done = { store: { state: 'done', result: storeResult } as StoreOutcome, workspace: { state: 'done', result: workspaceResult } as WorkspaceOutcome };
const tree = (o: Partial<SimilarTreeInput> = {}): SimilarNode[] => similarTree({ query, ...done, ...o });
const labels = (nodes: readonly SimilarNode[] | undefined): string[] => (nodes ?? []).map(n => n.label);
const find = (nodes: readonly SimilarNode[], label: string): SimilarNode => {
    const n = nodes.find(x => x.label === label);
    if (!n) throw new Error(`no node '${label}' among ${labels(nodes).join(', ')}`);
    return n;
};

describe('the similar strategies tree', () => {
    it('is a header, the tried summary, then the experiment store and the workspace', () => {
        const t = tree();
        expect(labels(t)).toEqual(['Similar to SmaCross', 'Tried 14× · best deflated Sharpe 0.80', STORE_GROUP, WORKSPACE_GROUP]);
        expect(t[0]).toMatchObject({ description: 'sma-cross.af', icon: 'search', action: { kind: 'openFile', uri: query.uri, line: 4 } });
        expect(t[0]!.tooltip).toContain(`\`${QUERY_FP.structural.slice(0, 16)}…\``);
        expect(new Set(t.flatMap(function ids(n: SimilarNode): string[] { return [n.id, ...(n.children ?? []).flatMap(ids)]; })).size)
            .toBe(t.flatMap(function all(n: SimilarNode): SimilarNode[] { return [n, ...(n.children ?? []).flatMap(all)]; }).length);
    });

    it('the tried node names the best run, opens its report, and says the rest in its tooltip', () => {
        const tried = tree()[1]!;
        expect(tried).toMatchObject({ icon: 'history', action: { kind: 'openRun', runId: 'r_01HZX3' }, contextValue: 'similar.tried.run' });
        expect(tried.tooltip).toContain('This structure was tried 14 times; best deflated Sharpe 0.80 (run r\\_01HZX3).');
        expect(tried.tooltip).toContain('14 completed runs; best deflated Sharpe 0.80 (run `r_01HZX3`) · experiment `e_trend`');
        expect(tried.tooltip).toContain('Sharpe 1.42 · return 37.10% · max drawdown -12.40% · trades 61');
        expect(tried.tooltip).toContain('`r_01HZX9`, `r_01HZX3`, `r_01HZX1`');
    });

    it('a tried structure without a best run still counts, and opens its newest run', () => {
        const result = { ...storeResult, tried: { runs: 2, best: null, metrics: null, latestRunIds: ['r_new', 'r_old'], experimentId: null, summary: 'this structure was tried 2 times' } };
        const t = tree({ store: { state: 'done', result } });
        expect(t[1]).toMatchObject({ label: 'Tried 2×', action: { kind: 'openRun', runId: 'r_new' } });
    });

    it('store matches: identical, then same structure, then nearest first; percent and difference; open the best run', () => {
        const store = find(tree(), STORE_GROUP);
        expect(store.description).toBe('3 matches');
        expect(labels(store.children)).toEqual(['SmaCross', 'EmaCross', 'RsiFilter']);
        expect(store.children!.map(c => c.description)).toEqual([
            '100% · same structure, different parameter values',
            '92% · same DAG except sma→ema in one place',
            '71% · adds rsi, <; drops sma',
        ]);
        const ema = store.children![1]!;
        expect(ema.action).toEqual({ kind: 'openRun', runId: 'r_ema_2' });
        expect(ema.icon).toBe('symbol-structure');
        expect(ema.tooltip).toContain('**EmaCross** — similar · 92% similar');
        expect(ema.tooltip).toContain('same DAG except sma→ema in one place');
        expect(ema.tooltip).toContain('3 completed runs; best Sharpe 1.10 (run `r_ema_2`)');
        expect(ema.tooltip).toContain('Sharpe 1.10 · return 20.00% · max drawdown -15.00% · trades 40');
        // No best run (no Sharpe recorded): the newest run opens.
        expect(store.children![2]!.action).toEqual({ kind: 'openRun', runId: 'r_rsi_1' });
        expect(store.children![0]!.icon).toBe('type-hierarchy-sub');
    });

    it('workspace matches: ordered the same way, open the file at the strategy, say what the store knows of them', () => {
        const w = find(tree({ relativePath: f => `rel/${f.path}` }), WORKSPACE_GROUP);
        expect(w.description).toBe('3 matches');
        expect(labels(w.children)).toEqual(['SmaCrossSlow', 'EmaCross', 'MacdTrend']);
        expect(w.children!.map(c => c.description)).toEqual([
            '100% · same structure, different parameter values',
            '92% · same DAG except sma→ema in one place',
            '64% · adds macd.signal, 2× ema; drops 2× sma',
        ]);
        const ema = w.children![1]!;
        expect(ema).toMatchObject({ resourceUri: `file://${ws}/lib/ema-cross.af`, action: { kind: 'openFile', uri: `file://${ws}/lib/ema-cross.af`, line: 11, character: 0 }, contextValue: 'similar.workspace' });
        expect(ema.tooltip).toContain('`rel/lib/ema-cross.af:12`');
        // The store has runs of EmaCross's structure and of SmaCrossSlow's (the query's own structure).
        expect(ema.tooltip).toContain('In the experiment store: 3 runs of this structure, best Sharpe 1.10 (run `r_ema_2`).');
        expect(w.children![0]!.tooltip).toContain('In the experiment store: 14 runs of this structure, best deflated Sharpe 0.80 (run `r_01HZX3`).');
        expect(w.children![2]!.tooltip).not.toContain('experiment store');
    });

    it('leaves the query itself out of the workspace matches', () => {
        const self = wsMatch('SmaCross', 'sma-cross.af', 4, { match: 'identical', similarity: 1, difference: 'identical structure and values' });
        const result: Compiled<SimilarResult> = { ok: true, value: { ...(workspaceResult as { value: SimilarResult }).value, matches: [self] } };
        expect(labels(find(tree({ workspace: { state: 'done', result } }), WORKSPACE_GROUP).children)).toEqual(['No similar strategies in the workspace']);
    });

    it('orders ties by name and never mutates its input', () => {
        const a = wsMatch('B', 'b.af', 0, { match: 'similar', similarity: 0.5, difference: 'x' });
        const b = wsMatch('A', 'a.af', 0, { match: 'similar', similarity: 0.5, difference: 'x' });
        const c = wsMatch('C', 'c.af', 0, { match: 'identical', similarity: 0.99, difference: 'identical structure and values' });
        const input = [a, b, c];
        expect(orderMatches(input).map(m => m.strategy)).toEqual(['C', 'A', 'B']);
        expect(input.map(m => m.strategy)).toEqual(['B', 'A', 'C']);
        expect([similarityPercent(1), similarityPercent(0.996), similarityPercent(0.923), similarityPercent(-0.2)]).toEqual(['100%', '99%', '92%', '-20%']);
    });

    it('tooltips are Markdown: differences and names are escaped, not interpreted', () => {
        expect(escapeMarkdown('adds rsi, <; drops sma_fast * 2')).toBe('adds rsi, \\<; drops sma\\_fast \\* 2');
        expect(escapeMarkdown('- drops\n1. adds\n# x')).toBe('\\- drops\n1\\. adds\n\\# x');
        expect(escapeMarkdown('same DAG except sma→ema in one place (2× ema)')).toBe('same DAG except sma→ema in one place (2× ema)');
        const rsi = find(tree(), STORE_GROUP).children![2]!;
        expect(rsi.tooltip).toContain('adds rsi, \\<; drops sma');
        expect(rsi.description).toBe('71% · adds rsi, <; drops sma');
    });
});

describe('while searching, without a daemon, on failure, with nothing found', () => {
    it('says "Searching…" in each group still waiting, and shows the other as it arrives', () => {
        const both = tree({ store: { state: 'pending' }, workspace: { state: 'pending' } });
        expect(labels(both)).toEqual(['Similar to SmaCross', STORE_GROUP, WORKSPACE_GROUP]);
        for (const g of both.slice(1)) {
            expect(labels(g.children)).toEqual(['Searching…']);
            expect(g.children![0]!.icon).toBe('loading~spin');
            expect(g.description).toBeUndefined();
        }
        const half = tree({ store: { state: 'pending' } });
        expect(labels(find(half, STORE_GROUP).children)).toEqual(['Searching…']);
        expect(labels(find(half, WORKSPACE_GROUP).children)).toEqual(['SmaCrossSlow', 'EmaCross', 'MacdTrend']);
    });

    it('names the first strategy once an answer does, when the query did not', () => {
        const q = { ...query, strategy: undefined };
        expect(similarTree({ query: q, store: { state: 'pending' }, workspace: { state: 'pending' } })[0]!.label).toBe('Similar to the first strategy');
        expect(similarTree({ query: q, store: { state: 'pending' }, workspace: done.workspace })[0]!.label).toBe('Similar to SmaCross');
    });

    it('without a daemon: no tried node, and the store group offers to connect', () => {
        const t = tree({ store: { state: 'disconnected', reason: 'The daemon is not available: connect ECONNREFUSED 127.0.0.1:7411' } });
        expect(labels(t)).toEqual(['Similar to SmaCross', STORE_GROUP, WORKSPACE_GROUP]);
        const connect = find(t, STORE_GROUP).children!;
        expect(connect).toHaveLength(1);
        expect(connect[0]).toMatchObject({ label: CONNECT_DAEMON, icon: 'plug', action: { kind: 'command', command: 'alphaforge.connectDaemon' } });
        expect(connect[0]!.tooltip).toContain('ECONNREFUSED');
        // The workspace does not need the daemon; nor does it get store annotations then.
        expect(find(t, WORKSPACE_GROUP).children!.every(c => !c.tooltip?.includes('experiment store'))).toBe(true);
    });

    it('when nothing was found, each group says so', () => {
        const emptyStore: SimilarResult = { ...storeResult, tried: null, matches: [] };
        const emptyWs: Compiled<SimilarResult> = { ok: true, value: { ...(workspaceResult as { value: SimilarResult }).value, matches: [] } };
        const t = tree({ store: { state: 'done', result: emptyStore }, workspace: { state: 'done', result: emptyWs } });
        expect(labels(t)).toEqual(['Similar to SmaCross', STORE_GROUP, WORKSPACE_GROUP]);
        expect(labels(find(t, STORE_GROUP).children)).toEqual(['No similar strategies among the stored runs']);
        expect(labels(find(t, WORKSPACE_GROUP).children)).toEqual(['No similar strategies in the workspace']);
        expect(find(t, STORE_GROUP).description).toBe('0 matches');
        expect(find(t, STORE_GROUP).children![0]!.action).toBeUndefined();
    });

    it('a failed search is an error in its group; the other group is unaffected', () => {
        const t = tree({ store: { state: 'failed', message: 'the similarity index is being rebuilt (3/57 structures, 5%); try again in a moment' }, workspace: { state: 'failed', message: 'the language server is off (alphaforge.server.enabled)' } });
        expect(labels(find(t, STORE_GROUP).children)).toEqual(['Search failed: the similarity index is being rebuilt (3/57 structures, 5%); try again in a moment']);
        expect(labels(find(t, WORKSPACE_GROUP).children)).toEqual(['Search failed: the language server is off (alphaforge.server.enabled)']);
        expect(find(t, WORKSPACE_GROUP).children![0]).toMatchObject({ icon: 'error', color: 'errorForeground' });
        const one = tree({ store: { state: 'failed', message: 'boom' } });
        expect(labels(find(one, WORKSPACE_GROUP).children)).toHaveLength(3);
    });

    it('a strategy that does not compile: "fix the errors first", each problem opens its place; no groups', () => {
        const errors: Compiled<SimilarResult> = {
            ok: false,
            errors: [
                { line: 3, column: 5, code: 'AF001', message: "Expected '}' but found 'signal'" },
                { line: 9, column: 12, code: 'AF003', message: "Unknown name 'slowMa'" },
            ],
        };
        const t = tree({ workspace: { state: 'done', result: errors }, store: { state: 'failed', message: 'AF001 at 3:5' } });
        expect(labels(t)).toEqual(['Similar to SmaCross', "Fix the errors first: 3:5 AF001 Expected '}' but found 'signal'"]);
        const p = t[1]!;
        expect(p).toMatchObject({ description: '2 problems', icon: 'error', action: { kind: 'openFile', uri: query.uri, line: 2, character: 4 } });
        expect(labels(p.children)).toEqual(["3:5 AF001 Expected '}' but found 'signal'", "9:12 AF003 Unknown name 'slowMa'"]);
        expect(p.children![1]!.action).toEqual({ kind: 'openFile', uri: query.uri, line: 8, character: 11 });
        // Pending or disconnected daemon: still nothing but the problems.
        expect(labels(tree({ workspace: { state: 'done', result: errors }, store: { state: 'pending' } }))).toHaveLength(2);
        expect(labels(tree({ workspace: { state: 'done', result: errors }, store: { state: 'disconnected' } }))).toHaveLength(2);
        // One problem: no children, just the node.
        const one = tree({ workspace: { state: 'done', result: { ok: false, errors: [errors.errors[1]!] } }, store: { state: 'pending' } });
        expect(one[1]).toMatchObject({ label: "Fix the errors first: 9:12 AF003 Unknown name 'slowMa'" });
        expect(one[1]!.children).toBeUndefined();
        expect(one[1]!.description).toBeUndefined();
    });

    it('a store that answered despite the workspace\'s errors (the saved text compiles) still shows its matches', () => {
        const errors: Compiled<SimilarResult> = { ok: false, errors: [{ line: 1, column: 1, code: 'AF000', message: 'sma-cross.af is not open in the workspace' }] };
        const t = tree({ workspace: { state: 'done', result: errors } });
        expect(labels(t)).toEqual(['Similar to SmaCross', 'Tried 14× · best deflated Sharpe 0.80', 'Fix the errors first: 1:1 AF000 sma-cross.af is not open in the workspace', STORE_GROUP]);
        expect(labels(find(t, STORE_GROUP).children)).toEqual(['SmaCross', 'EmaCross', 'RsiFilter']);
    });
});
