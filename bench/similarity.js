// Similarity-index benchmark. Usage: npx tsc -p tsconfig.json && node --expose-gc bench/similarity.js
//   [--n 100000] [--queries 1000] [--seed 1]
// Corpus: the examples (examples/*.af) compiled to structural canonical DAGs, then --n DISTINCT
// strategies made from them by seeded random structural mutations, 1–6 chained per variant: swap a
// function for one of the same signature (sma↔ema↔wma↔…, rsi↔roc↔zscore, crossover↔crossunder…)
// or a multi-output function's output, wrap a series in a new `sma/ema/…(x, n)` or lag `x[n]`
// between it and one or all of its consumers, lt↔le, swap a comparison's operands, field
// close↔open/high/low/hl2/hlc3, add an `and`/`or` of an extra condition to a rule or drop one,
// negate a condition, drop or duplicate a rule, add or drop a stop. Each variant is re-normalised
// the way canonicalDag does (unused nodes dropped, equal subtrees merged, commutative inputs sorted,
// nodes ordered by (height, Merkle hash)) and deduplicated by fingerprintDag — and by its vector,
// so the index holds --n distinct vectors. Parameter mutations (new literal values) are made on the
// examples' source and compiled: the structural DAG abstracts values, so they only add duplicates;
// how many is reported. Vectors: embedDag(dag, { dims: 256 }).
// Measures, in one run (about 4 minutes for 100k on two shared cores):
// 1. Build: all --n points into a SimilarityIndex (backend 'hnsw', default m 16 / efConstruction 200),
//    built once, by PersistentIndex.rebuild, so the same index is then queried and persisted:
//    points/s; memory before/after (after a GC with --expose-gc) as RSS and by parts (JS heap +
//    float32 vectors + the native graph, whose size is its file's), since RSS also moves with what
//    the corpus generation freed.
// 2. Queries: --queries held-out variants (not in the index) plus a tenth as many indexed ones.
//    index.query(v, 10) latency p50/p95/p99 and Recall@10 against index.exact(v, 10) (brute force,
//    timed in a separate pass: the ratio is the speed-up). Near-duplicate structures can tie, so a
//    hit counts if its distance ≤ the exact 10th distance + 1e-9. Goals: recall ≥ 0.95, p95 ≤ 5 ms.
//    Then an efSearch sweep through index.graph.searchKnn (+ exact distances of the hits, as
//    query() does), and the worst-served queries, to see why.
// 3. Persistence (PersistentIndex in a tmp dir): snapshot write time and bytes on disk, reopen
//    (state 'loaded', same top-10 for 100 queries), 1,000 journalled adds + 1,000 removes (time per
//    op), a read-only open replaying that journal, and the compaction on close.
// Prints the figures and writes bench/results/similarity.json.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { URI } from 'langium';
import { NodeFileSystem } from 'langium/node';
import { z } from 'zod';
import { createAlphaForgeServices, loadFiles, loadString, compileStrategy, canonicalDag, fingerprintDag, embedDag, Catalogue, EMBEDDING_VERSION } from '../out/language/src/index.js';
import { PersistentIndex } from '../out/runtime/src/similarity/persistent-index.js';

const arg = (name, def) => { const i = process.argv.indexOf(name); return i > 0 ? Number(process.argv[i + 1]) : def; };
const N = arg('--n', 100_000);
const QUERIES = arg('--queries', 1000);
const SEED = arg('--seed', 1);
const DIMS = 256, K = 10;
const EF_SWEEP = [16, 32, 64, 96, 128, 200, 400];
const GOAL_RECALL = 0.95, GOAL_P95_MS = 5;

function rng(seed) {
    let s = seed >>> 0;
    const next = () => { s = (s + 0x6d2b79f5) >>> 0; let t = s; t = Math.imul(t ^ (t >>> 15), t | 1); t ^= t + Math.imul(t ^ (t >>> 7), t | 61); return ((t ^ (t >>> 14)) >>> 0) / 4294967296; };
    next.int = n => Math.floor(next() * n);
    next.pick = xs => xs[Math.floor(next() * xs.length)];
    return next;
}
const rnd = rng(SEED);
const pct = (xs, p) => { const s = Float64Array.from(xs).sort(); return s[Math.min(s.length - 1, Math.floor(s.length * p))]; };
const mean = xs => xs.reduce((a, b) => a + b, 0) / xs.length;
const r2 = x => +x.toFixed(2), r3 = x => +x.toFixed(3);
const MiB = b => +(b / 1048576).toFixed(1);
const fmt = n => Math.round(n).toLocaleString('en-US');
function mem() {
    globalThis.gc?.();
    const m = process.memoryUsage();
    return { rssMiB: MiB(m.rss), heapUsedMiB: MiB(m.heapUsed), externalMiB: MiB(m.external), arrayBuffersMiB: MiB(m.arrayBuffers) };
}

// ---------------------------------------------------------------------------------------- seeds

const services = createAlphaForgeServices(NodeFileSystem).AlphaForge;
const exampleDir = new URL('../examples/', import.meta.url).pathname;
const exampleFiles = readdirSync(exampleDir).filter(f => f.endsWith('.af')).sort();

function strategyDag(document, errors) {
    const s = document.parseResult.value.elements.find(e => e.$type === 'Strategy');
    const r = s && compileStrategy(services, s);
    if (!r?.ir) for (const e of r?.errors ?? [{ code: 'no strategy' }]) errors?.push(e.code);
    return r?.ir ? canonicalDag(r.ir, 'structural') : undefined;
}

const seeds = [];
const loaded = await loadFiles(services, exampleFiles.map(f => URI.file(join(exampleDir, f))));
loaded.forEach((d, i) => {
    const dag = strategyDag(d.document);
    if (!dag) throw new Error(`examples/${exampleFiles[i]} does not compile`);
    seeds.push({ name: exampleFiles[i].replace(/\.af$/, ''), dag, fp: fingerprintDag(dag) });
});

// Parameter mutations, made where they are made in practice: new literal values in the source.
const paramMut = { variants: 0, compiled: 0, sameStructure: 0, newStructure: 0, rejectedBy: {} };
{
    const pr = rng(SEED + 7);
    let k = 0;
    for (const f of exampleFiles) {
        const text = readFileSync(join(exampleDir, f), 'utf8');
        for (let v = 0; v < 3; v++) {
            const mutated = text.split('\n').map(line => /^\s*\/\//.test(line) ? line : line.replace(/(?<![\w.])(\d+(?:\.\d+)?)(?![\w.]|\.\d)/g, m => {
                const x = Number(m) * (0.5 + pr() * 1.5);
                return m.includes('.') ? String(+x.toPrecision(2)) : String(Math.max(1, Math.round(x)));
            })).join('\n');
            paramMut.variants++;
            const { document } = await loadString(services, mutated, URI.file(join(exampleDir, `__bench-param-${k++}.af`)));
            const errors = [];
            const dag = strategyDag(document, errors);
            if (!dag) { for (const c of new Set(errors)) paramMut.rejectedBy[c] = (paramMut.rejectedBy[c] ?? 0) + 1; continue; }
            paramMut.compiled++;
            const fp = fingerprintDag(dag);
            if (seeds.some(s => s.fp === fp)) paramMut.sameStructure++;
            else { paramMut.newStructure++; seeds.push({ name: `${f.replace(/\.af$/, '')}~params`, dag, fp }); }
        }
    }
}

// ---------------------------------------------------------------------------------------- mutations

const catalogue = new Catalogue();
const fnInfo = name => catalogue.fn(String(name));
// Functions that can replace each other: same parameter types and result type, single output.
const families = new Map();
for (const e of catalogue.allEntries()) {
    if (e.kind !== 'function' || e.outputs) continue;
    const key = `${e.params.map(p => p.type).join(',')}->${e.returns}|${!!e.crossSectional}`;
    families.set(key, [...(families.get(key) ?? []), e.name]);
}
const familyOf = new Map();
for (const names of families.values()) if (names.length > 1) for (const n of names) familyOf.set(n, names);
const WRAPPERS = ['sma', 'ema', 'wma', 'highest', 'lowest'];
const PRICE_FIELDS = ['open', 'high', 'low', 'close', 'hl2', 'hlc3'];
const STOPS = ['stop_loss', 'trailing_stop', 'take_profit'];
const COMMUTATIVE = new Set(['add', 'mul', 'and', 'or', 'eq', 'ne']);
const isCommutative = n => COMMUTATIVE.has(n.op) || (n.op === 'call' && !!fnInfo(n.attrs.fn)?.entry.commutative);

/** Every place that names a node: [holder, key] with holder[key] a node index. */
function refs(d, withNodes = true) {
    const out = [];
    if (withNodes) for (const n of d.nodes) for (let j = 0; j < n.inputs.length; j++) out.push([n.inputs, j]);
    for (const r of d.rules) {
        out.push([r, 'condition']);
        for (const a of r.actions) {
            if (a.kind === 'target') for (const t of a.targets) out.push([t, 'size']);
            else if (a.kind === 'order') for (const k of ['size', 'price', 'expire']) if (a[k] !== null) out.push([a, k]);
        }
    }
    const settings = s => { for (const v of Object.values(s)) { out.push([v, 'value']); if (v.action !== null) out.push([v, 'action']); } };
    settings(d.risk);
    settings(d.execution);
    if (d.portfolio) {
        settings(d.portfolio.settings);
        for (const a of d.portfolio.allocations) out.push([a, 'selection'], [a, 'weighting']);
    }
    for (let i = 0; i < d.constraints.length; i++) out.push([d.constraints, i]);
    return out;
}

function live(d) {
    const seen = new Uint8Array(d.nodes.length);
    const stack = refs(d, false).map(([h, k]) => h[k]);
    while (stack.length) { const i = stack.pop(); if (seen[i]) continue; seen[i] = 1; stack.push(...d.nodes[i].inputs); }
    const out = [];
    seen.forEach((s, i) => { if (s) out.push(i); });
    return out;
}

const clone = d => ({
    ...d,
    nodes: d.nodes.map(n => ({ op: n.op, inputs: [...n.inputs], type: n.type, unit: n.unit, attrs: { ...n.attrs } })),
    rules: d.rules.map(r => ({ condition: r.condition, actions: r.actions.map(a => a.kind === 'target' ? { kind: 'target', targets: a.targets.map(t => ({ ...t })) } : { ...a }) })),
    risk: Object.fromEntries(Object.entries(d.risk).map(([k, v]) => [k, { ...v }])),
    execution: Object.fromEntries(Object.entries(d.execution).map(([k, v]) => [k, { ...v }])),
    portfolio: d.portfolio && { settings: Object.fromEntries(Object.entries(d.portfolio.settings).map(([k, v]) => [k, { ...v }])), allocations: d.portfolio.allocations.map(a => ({ ...a })) },
    constraints: [...d.constraints],
});

function node(d, op, inputs, type, unit, attrs = {}) {
    d.nodes.push({ op, inputs, type, unit, attrs });
    return d.nodes.length - 1;
}
/** An existing leaf with this shape (structural constants have no value), or a new one. */
function leaf(d, op, type, unit, attrs = {}) {
    const a = JSON.stringify(attrs);
    const i = d.nodes.findIndex(n => n.op === op && n.inputs.length === 0 && n.type === type && n.unit === unit && JSON.stringify(n.attrs) === a);
    return i >= 0 ? i : node(d, op, [], type, unit, attrs);
}
const liveWhere = (d, pred) => live(d).filter(i => pred(d.nodes[i]));
/** A new bool series over existing nodes: x < w(x, n), a cross of x and w(x, n), or an existing signal. */
function extraCondition(d, avoid) {
    const xs = liveWhere(d, n => n.type === 'series num');
    const bools = liveWhere(d, n => n.type === 'series bool').filter(i => i !== avoid);
    const t = rnd.int(bools.length ? 3 : 2);
    if (t === 2 || !xs.length) return bools.length ? rnd.pick(bools) : undefined;
    const x = rnd.pick(xs), c = leaf(d, 'const', 'scalar num', 'any');
    const w = node(d, 'call', [x, c], 'series num', d.nodes[x].unit, { fn: rnd.pick(WRAPPERS) });
    if (t === 0) return node(d, 'lt', rnd() < 0.5 ? [x, w] : [w, x], 'series bool', '1');
    return node(d, 'call', [x, w], 'series bool', '1', { fn: rnd() < 0.5 ? 'crossover' : 'crossunder' });
}

const MUTATIONS = {
    swapFn(d) {
        const cs = liveWhere(d, n => n.op === 'call' && familyOf.has(n.attrs.fn));
        if (!cs.length) return false;
        const n = d.nodes[rnd.pick(cs)];
        n.attrs.fn = rnd.pick(familyOf.get(n.attrs.fn).filter(f => f !== n.attrs.fn));
        return true;
    },
    swapOutput(d) {
        const cs = liveWhere(d, n => n.op === 'call' && n.attrs.output !== undefined);
        if (!cs.length) return false;
        const n = d.nodes[rnd.pick(cs)];
        n.attrs.output = rnd.pick(fnInfo(n.attrs.fn).entry.outputs.filter(o => o !== n.attrs.output));
        return true;
    },
    wrap(d) {
        const xs = liveWhere(d, n => n.type === 'series num');
        if (!xs.length) return false;
        const x = rnd.pick(xs);
        const uses = refs(d).filter(([h, k]) => h[k] === x);
        if (!uses.length) return false;
        const c = leaf(d, 'const', 'scalar num', 'any');
        const w = rnd() < 0.25
            ? node(d, 'index', [x, c], 'series num', d.nodes[x].unit)
            : node(d, 'call', [x, c], 'series num', d.nodes[x].unit, { fn: rnd.pick(WRAPPERS) });
        for (const [h, k] of rnd() < 0.3 ? uses : [rnd.pick(uses)]) h[k] = w;
        return true;
    },
    swapCmp(d) {
        const cs = liveWhere(d, n => n.op === 'lt' || n.op === 'le');
        if (!cs.length) return false;
        const n = d.nodes[rnd.pick(cs)];
        n.op = n.op === 'lt' ? 'le' : 'lt';
        return true;
    },
    flipCmp(d) {
        const cs = liveWhere(d, n => n.op === 'lt' || n.op === 'le');
        if (!cs.length) return false;
        d.nodes[rnd.pick(cs)].inputs.reverse();
        return true;
    },
    field(d) {
        const fs = liveWhere(d, n => n.op === 'field' && PRICE_FIELDS.includes(n.attrs.name));
        if (!fs.length) return false;
        const n = d.nodes[rnd.pick(fs)];
        n.attrs.name = rnd.pick(PRICE_FIELDS.filter(f => f !== n.attrs.name));
        return true;
    },
    addCondition(d) {
        if (!d.rules.length) return false;
        const r = rnd.pick(d.rules);
        const extra = extraCondition(d, r.condition);
        if (extra === undefined) return false;
        r.condition = node(d, rnd() < 0.8 ? 'and' : 'or', [r.condition, extra], 'series bool', '1');
        return true;
    },
    dropCondition(d) {
        const rs = d.rules.filter(r => ['and', 'or'].includes(d.nodes[r.condition].op));
        if (!rs.length) return false;
        const r = rnd.pick(rs);
        r.condition = rnd.pick(d.nodes[r.condition].inputs);
        return true;
    },
    negate(d) {
        if (!d.rules.length) return false;
        const r = rnd.pick(d.rules), c = d.nodes[r.condition];
        r.condition = c.op === 'not' ? c.inputs[0] : node(d, 'not', [r.condition], 'series bool', '1');
        return true;
    },
    dropRule(d) {
        if (d.rules.length < 2) return false;
        d.rules.splice(rnd.int(d.rules.length), 1);
        return true;
    },
    duplicateRule(d) {
        if (!d.rules.length || d.rules.length > 5) return false;
        const r = clone({ ...d, rules: [rnd.pick(d.rules)] }).rules[0];
        d.rules.splice(rnd.int(d.rules.length + 1), 0, r);
        return true;
    },
    stop(d) {
        const k = rnd.pick(STOPS);
        if (d.risk[k]) { delete d.risk[k]; return true; }
        const c = leaf(d, 'const', 'scalar num', 'any');
        const atr = node(d, 'call', [c], 'series num', 'price', { fn: 'atr' });
        d.risk[k] = { value: node(d, 'mul', [c, atr], 'series num', 'price'), quantity: false, action: null };
        return true;
    },
};
const MUTATION_NAMES = Object.keys(MUTATIONS);
const applied = Object.fromEntries(MUTATION_NAMES.map(m => [m, 0]));

/** 53-bit string hash (cyrb53): node identity for merging and ordering; collisions are negligible here. */
function hash53(str) {
    let h1 = 0xdeadbeef, h2 = 0x41c6ce57;
    for (let i = 0; i < str.length; i++) { const ch = str.charCodeAt(i); h1 = Math.imul(h1 ^ ch, 2654435761); h2 = Math.imul(h2 ^ ch, 1597334677); }
    h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
    h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
    return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(36).padStart(11, '0');
}

/** Back to canonical form: live nodes only, equal subtrees merged, ordered by (height, Merkle hash). */
function normalise(d) {
    const n = d.nodes.length, hash = new Array(n), height = new Int32Array(n).fill(-1);
    const visit = i => {
        if (height[i] >= 0) return;
        const nd = d.nodes[i];
        for (const x of nd.inputs) visit(x);
        const ins = nd.inputs.map(x => hash[x]);
        if (isCommutative(nd)) ins.sort();
        hash[i] = hash53(`${nd.op}|${JSON.stringify(nd.attrs)}|${nd.type}|${nd.unit}(${ins.join(',')})`);
        height[i] = nd.inputs.reduce((h, x) => Math.max(h, height[x] + 1), 0);
    };
    const rs = refs(d, false);
    for (const [h, k] of rs) visit(h[k]);
    const repr = new Map();
    for (let i = 0; i < n; i++) if (height[i] >= 0 && !repr.has(hash[i])) repr.set(hash[i], i);
    const order = [...repr.values()].sort((a, b) => height[a] - height[b] || (hash[a] < hash[b] ? -1 : hash[a] > hash[b] ? 1 : 0));
    const index = new Map(order.map((i, j) => [hash[i], j]));
    const id = i => index.get(hash[i]);
    const nodes = order.map((i, j) => {
        const nd = d.nodes[i];
        const inputs = nd.inputs.map(id);
        if (isCommutative(nd)) inputs.sort((a, b) => a - b);
        return { id: j, op: nd.op, inputs, type: nd.type, unit: nd.unit, attrs: nd.attrs };
    });
    for (const [h, k] of rs) h[k] = id(h[k]);
    const sorted = s => Object.fromEntries(Object.keys(s).sort().map(k => [k, s[k]]));
    return {
        ...d, nodes,
        constraints: [...new Set(d.constraints)].sort((a, b) => a - b),
        risk: sorted(d.risk), execution: sorted(d.execution),
        portfolio: d.portfolio && { ...d.portfolio, settings: sorted(d.portfolio.settings) },
    };
}

function mutate(seed) {
    const d = clone(seed.dag);
    const steps = 1 + rnd.int(6);
    let done = 0;
    for (let tries = 0; done < steps && tries < steps * 4; tries++) {
        const m = rnd.pick(MUTATION_NAMES);
        if (MUTATIONS[m](d)) { applied[m]++; done++; }
    }
    return { dag: normalise(d), steps: done };
}

// ---------------------------------------------------------------------------------------- corpus

const held = QUERIES;
const total = N + held;
const vectors = new Float32Array(total * DIMS);
const metas = new Array(total);
const seenFp = new Set(), seenVec = new Set();
const gen = { attempts: 0, duplicateFingerprint: 0, duplicateVector: 0, embedMs: 0 };
const t0 = performance.now();
let count = 0;
while (count < total) {
    gen.attempts++;
    const seedIx = rnd.int(seeds.length);
    const { dag, steps } = mutate(seeds[seedIx]);
    const fp = fingerprintDag(dag);
    if (seenFp.has(fp)) { gen.duplicateFingerprint++; continue; }
    seenFp.add(fp);
    const te = performance.now();
    const v = Float32Array.from(embedDag(dag, { dims: DIMS }));
    gen.embedMs += performance.now() - te;
    const vk = createHash('sha1').update(new Uint8Array(v.buffer)).digest('base64');
    if (seenVec.has(vk)) { gen.duplicateVector++; continue; }
    seenVec.add(vk);
    vectors.set(v, count * DIMS);
    metas[count] = { seed: seedIx, muts: steps, nodes: dag.nodes.length };
    count++;
    if (count % 20000 === 0) process.stdout.write(`  generated ${fmt(count)} / ${fmt(total)} (${((performance.now() - t0) / 1000).toFixed(0)} s)\n`);
}
const genMs = performance.now() - t0;
seenFp.clear(); seenVec.clear();
const vec = i => vectors.subarray(i * DIMS, (i + 1) * DIMS);
const corpus = {
    examples: exampleFiles.length, seeds: seeds.length, parameterMutations: paramMut,
    distinct: N, heldOut: held, attempts: gen.attempts,
    rejectedSameFingerprint: gen.duplicateFingerprint, rejectedSameVector: gen.duplicateVector,
    meanNodes: r2(mean(metas.map(m => m.nodes))), maxNodes: Math.max(...metas.map(m => m.nodes)),
    mutationsApplied: applied,
    generateSeconds: r2(genMs / 1000), embedSeconds: r2(gen.embedMs / 1000),
    perSecond: Math.round(total / (genMs / 1000)),
};
console.log(`corpus: ${fmt(N)} distinct structures (+${fmt(held)} held out) from ${exampleFiles.length} examples in ${corpus.generateSeconds} s (${fmt(corpus.perSecond)}/s, embedding ${corpus.embedSeconds} s); ${fmt(gen.attempts)} attempts, ${fmt(gen.duplicateFingerprint)} same fingerprint, ${fmt(gen.duplicateVector)} distinct structure but same vector; mean ${corpus.meanNodes} nodes`);
console.log(`  parameter mutations of the sources: ${paramMut.compiled}/${paramMut.variants} compiled, ${paramMut.sameStructure} same structural fingerprint as their example, ${paramMut.newStructure} new; rejected by the compiler: ${Object.entries(paramMut.rejectedBy).map(([c, n]) => `${c} ×${n}`).join(', ') || 'none'}`);

// ---------------------------------------------------------------------------------------- 1. build

// The index is built once, by PersistentIndex.rebuild (a plain SimilarityIndex, backend 'hnsw', filled
// point by point, then snapshotted): the fill is the build figure, the rest the snapshot write.
const results = { date: new Date().toISOString(), node: process.version, gcExposed: typeof globalThis.gc === 'function', dims: DIMS, k: K, corpus };
const dir = mkdtempSync(join(tmpdir(), 'af-similarity-bench-'));
const Meta = z.object({ seed: z.number().int(), muts: z.number().int(), nodes: z.number().int() });
const options = { dir, kind: 'bench', dims: DIMS, version: `embedding-${EMBEDDING_VERSION}`, meta: Meta, index: { backend: 'hnsw', capacity: N } };
const diskBytes = () => readdirSync(dir).reduce((s, f) => s + statSync(join(dir, f)).size, 0);
try {
    let pi = PersistentIndex.open(options);
    const firstState = pi.opened.state;
    let fillMs = 0, memBefore, memAfter;
    const tr = performance.now();
    await pi.rebuild(async add => {
        memBefore = mem();
        const t = performance.now();
        for (let i = 0; i < N; i++) add(`v${i}`, vec(i), metas[i]);
        fillMs = performance.now() - t;
        memAfter = mem();
    });
    const snapshotMs = performance.now() - tr - fillMs;
    const index = pi.index;
    if (index.backend !== 'hnsw' || index.size !== N) throw new Error(`expected an HNSW index of ${N} points, got ${index.backend} with ${index.size}`);
    results.build = {
        backend: index.backend, points: index.size, m: 16, efConstruction: 200, seconds: r2(fillMs / 1000), pointsPerSecond: Math.round(N / (fillMs / 1000)),
        memoryBefore: memBefore, memoryAfter: memAfter,
        rssDeltaMiB: r2(memAfter.rssMiB - memBefore.rssMiB), heapDeltaMiB: r2(memAfter.heapUsedMiB - memBefore.heapUsedMiB),
        rssBytesPerPoint: Math.round((memAfter.rssMiB - memBefore.rssMiB) * 1048576 / N),
    };
    const snapshotBytes = diskBytes();
    const files = Object.fromEntries(readdirSync(dir).map(f => [f, statSync(join(dir, f)).size]));
    // RSS moves with whatever the corpus generation freed and the allocators kept, so the index's
    // own memory is also given by parts: JS heap + its float32 vectors + the native graph (whose
    // size is that of hnswlib's file: it writes its memory blocks as they are).
    const graphBytes = Object.entries(files).find(([f]) => f.startsWith('graph.'))?.[1] ?? 0;
    const B = results.build;
    B.graphMiB = MiB(graphBytes);
    B.vectorsDeltaMiB = r2(memAfter.arrayBuffersMiB - memBefore.arrayBuffersMiB);
    B.indexMiBByParts = r2(B.heapDeltaMiB + B.vectorsDeltaMiB + B.graphMiB);
    B.indexBytesPerPointByParts = Math.round(B.indexMiBByParts * 1048576 / N);
    console.log(`build: ${fmt(N)} points (hnsw, M 16, efConstruction 200) in ${B.seconds} s → ${fmt(B.pointsPerSecond)} points/s; index memory by parts ${B.indexMiBByParts} MiB (${fmt(B.indexBytesPerPointByParts)} B/point: heap +${B.heapDeltaMiB}, vectors +${B.vectorsDeltaMiB}, graph ${B.graphMiB}); RSS ${memBefore.rssMiB} → ${memAfter.rssMiB} MiB (+${B.rssDeltaMiB})${results.gcExposed ? '' : ' (no --expose-gc: figures include garbage)'}`);

    // ------------------------------------------------------------------------------------ 2. queries

    // Held-out variants, then a tenth as many indexed ones (their own vector is a distance-0 hit).
    const inIndex = Math.max(1, Math.round(held / 10));
    const queries = [];
    for (let i = 0; i < held; i++) queries.push({ v: vec(N + i), held: true });
    for (let i = 0; i < inIndex; i++) queries.push({ v: vec(Math.floor((i + 0.5) * N / inIndex)), held: false });

    const recall = (got, truth) => {
        if (!truth.length) return 1;
        const kth = truth[truth.length - 1].distance;
        let hit = 0;
        for (const g of got) if (g.distance <= kth + 1e-9) hit++;
        return Math.min(hit, truth.length) / truth.length;
    };
    const strictRecall = (got, truth) => { const ids = new Set(truth.map(t => t.id)); return got.filter(g => ids.has(g.id)).length / truth.length; };

    // HNSW queries and brute force in separate passes: exact() allocates an object per item, and
    // its garbage would otherwise be collected during the next timed HNSW query.
    for (let i = 0; i < 30; i++) index.query(queries[i % queries.length].v, K); // warm-up
    globalThis.gc?.();
    const qMs = [], got = [];
    for (const q of queries) {
        const t = performance.now();
        got.push(index.query(q.v, K));
        qMs.push(performance.now() - t);
    }
    globalThis.gc?.();
    const xMs = [], truths = [];
    for (const q of queries) {
        const t = performance.now();
        truths.push(index.exact(q.v, K));
        xMs.push(performance.now() - t);
    }
    const rec = [], recHeld = [], recIn = [], strict = [], d1 = [], d10 = [], tieAt10 = [];
    queries.forEach((q, i) => {
        const r = recall(got[i], truths[i]), truth = truths[i];
        rec.push(r); (q.held ? recHeld : recIn).push(r);
        strict.push(strictRecall(got[i], truth));
        if (q.held) { d1.push(truth[0].distance); d10.push(truth[K - 1].distance); tieAt10.push(truth.filter(x => Math.abs(x.distance - truth[K - 1].distance) <= 1e-9).length); }
    });
    // The queries HNSW served worst, to see why.
    const who = m => `${seeds[m.seed].name}+${m.muts}`;
    const worst = queries.map((q, i) => ({ i, r: rec[i] })).filter(x => x.r < 1).sort((a, b) => a.r - b.r).slice(0, 5).map(({ i, r }) => ({
        recall: r, heldOut: queries[i].held, query: queries[i].held ? who(metas[N + i]) : who(truths[i][0].meta),
        exact: truths[i].map(x => `${r3(x.distance)} ${x.id} ${who(x.meta)}`),
        hnsw: got[i].map(x => `${r3(x.distance)} ${x.id} ${who(x.meta)}`),
    }));
    const queryStats = ms => ({ p50Ms: r3(pct(ms, 0.5)), p95Ms: r3(pct(ms, 0.95)), p99Ms: r3(pct(ms, 0.99)), meanMs: r3(mean(ms)) });
    results.queries = {
        count: queries.length, heldOut: held, inIndex, efSearch: 96,
        hnsw: queryStats(qMs), bruteForce: queryStats(xMs),
        speedupP50: r2(pct(xMs, 0.5) / pct(qMs, 0.5)), speedupMean: r2(mean(xMs) / mean(qMs)),
        recallAt10: r3(mean(rec)), recallAt10HeldOut: r3(mean(recHeld)), recallAt10InIndex: r3(mean(recIn)),
        recallAt10StrictIds: r3(mean(strict)), queriesBelowFullRecall: rec.filter(r => r < 1).length, worstQueryRecall: Math.min(...rec),
        heldOutNearestDistance: { p50: r3(pct(d1, 0.5)), p95: r3(pct(d1, 0.95)) },
        heldOut10thDistance: { p50: r3(pct(d10, 0.5)), p95: r3(pct(d10, 0.95)) },
        heldOutTiedAt10th: { mean: r2(mean(tieAt10)), max: Math.max(...tieAt10) },
        worstQueries: worst,
    };
    const Q = results.queries;
    console.log(`queries (${queries.length}: ${held} held out + ${inIndex} indexed), k ${K}, efSearch 96: p50 ${Q.hnsw.p50Ms} ms, p95 ${Q.hnsw.p95Ms} ms, p99 ${Q.hnsw.p99Ms} ms; brute force (index.exact) p50 ${Q.bruteForce.p50Ms} ms, p95 ${Q.bruteForce.p95Ms} ms → ${Q.speedupP50}× faster (p50)`);
    console.log(`  Recall@10 (ties counted) ${Q.recallAt10} (held out ${Q.recallAt10HeldOut}, indexed ${Q.recallAt10InIndex}); by id only ${Q.recallAt10StrictIds}; ${Q.queriesBelowFullRecall} queries below 1.0 (worst ${Q.worstQueryRecall}); held-out nearest distance p50 ${Q.heldOutNearestDistance.p50}, 10th p50 ${Q.heldOut10thDistance.p50}, mean ${Q.heldOutTiedAt10th.mean} items tied at the 10th`);

    // efSearch sweep on the same graph: searchKnn, then the hits' exact distances (as query() does).
    // Labels are insertion order (no removals yet), so label l is corpus vector l.
    const norms = new Float64Array(N);
    for (let i = 0; i < N; i++) { const v = vec(i); let s = 0; for (let j = 0; j < DIMS; j++) s += v[j] * v[j]; norms[i] = s; }
    const cosDist = (q, qn, l) => {
        const off = l * DIMS; let dot = 0;
        for (let j = 0; j < DIMS; j++) dot += q[j] * vectors[off + j];
        return Math.min(2, Math.max(0, 1 - dot / Math.sqrt(qn * norms[l])));
    };
    results.efSweep = [];
    for (const ef of EF_SWEEP) {
        index.graph.setEf(Math.max(ef, K));
        const ms = [], rs = [];
        queries.forEach((q, qi) => {
            const t = performance.now();
            const r = index.graph.searchKnn(Array.from(q.v), K); // hnswlib-node takes plain arrays
            let qn = 0; for (let j = 0; j < DIMS; j++) qn += q.v[j] * q.v[j];
            const hits = r.neighbors.map(l => ({ id: `v${l}`, distance: cosDist(q.v, qn, l) }));
            ms.push(performance.now() - t);
            rs.push(recall(hits, truths[qi]));
        });
        const row = { efSearch: ef, recallAt10: r3(mean(rs)), p50Ms: r3(pct(ms, 0.5)), p95Ms: r3(pct(ms, 0.95)), p99Ms: r3(pct(ms, 0.99)) };
        row.meetsGoals = row.recallAt10 >= GOAL_RECALL && row.p95Ms <= GOAL_P95_MS;
        results.efSweep.push(row);
    }
    const at96 = results.efSweep.find(r => r.efSearch === 96);
    if (at96 && Math.abs(at96.recallAt10 - Q.recallAt10) > 0.005) console.log(`  (warning: the sweep's recall at ef 96, ${at96.recallAt10}, differs from query()'s ${Q.recallAt10})`);
    const lowestOk = results.efSweep.find(r => r.meetsGoals);
    results.lowestEfSearchMeetingGoals = lowestOk ? lowestOk.efSearch : null;
    for (const w of worst.filter(w => w.recall < 0.5)) console.log(`  a query with recall ${w.recall} (${w.heldOut ? 'held out' : 'indexed'}, ${w.query}): exact 1st ${w.exact[0]}, 10th ${w.exact.at(-1)}; HNSW 1st ${w.hnsw[0] ?? 'nothing'}`);
    console.log(`  efSearch sweep (searchKnn + exact distances): ${results.efSweep.map(r => `ef ${r.efSearch}: recall ${r.recallAt10}, p95 ${r.p95Ms} ms${r.meetsGoals ? ' ✓' : ''}`).join('; ')}`);
    console.log(`  lowest efSearch meeting both goals: ${lowestOk ? lowestOk.efSearch : 'none'}`);

    // ------------------------------------------------------------------------------------ 3. persistence

    const probe = queries.slice(0, 100).map(q => q.v);
    const before = probe.map(v => index.query(v, K));
    pi.close();

    let t = performance.now();
    pi = PersistentIndex.open(options);
    const reopenMs = performance.now() - t;
    const reopened = pi.opened;
    const after = probe.map(v => pi.index.query(v, K));
    const same = before.filter((b, i) => b.length === after[i].length && b.every((x, j) => x.id === after[i][j].id && Math.abs(x.distance - after[i][j].distance) < 1e-12)).length;

    // Incremental: journalled adds (held-out vectors, new ids) and removes (indexed ids).
    const incr = Math.min(1000, held, N);
    t = performance.now();
    for (let i = 0; i < incr; i++) pi.add(`h${i}`, vec(N + i), metas[N + i]);
    const addMs = performance.now() - t;
    t = performance.now();
    for (let i = 0; i < incr; i++) pi.remove(`v${i * Math.floor(N / incr)}`);
    const removeMs = performance.now() - t;
    const sizeAfterOps = pi.index.size;
    const journalBytes = diskBytes() - snapshotBytes;

    // A reader opening now loads the snapshot and replays the journal.
    t = performance.now();
    const reader = PersistentIndex.open({ ...options, readOnly: true });
    const replayMs = performance.now() - t;
    const replayOk = reader.opened.state === 'loaded' && reader.index.size === sizeAfterOps;
    const replaySame = probe.filter(v => JSON.stringify(reader.index.query(v, K).map(x => x.id)) === JSON.stringify(pi.index.query(v, K).map(x => x.id))).length;
    const replayed = reader.opened.replayed ?? 0;
    reader.close();

    t = performance.now();
    pi.close(); // journal lines → a compaction
    const closeMs = performance.now() - t;
    results.persistence = {
        firstOpenState: firstState,
        snapshot: { writeSeconds: r2(snapshotMs / 1000), bytesOnDisk: snapshotBytes, MiBOnDisk: MiB(snapshotBytes), bytesPerPoint: Math.round(snapshotBytes / N), files },
        reopen: { seconds: r2(reopenMs / 1000), state: reopened.state, loaded: reopened.state === 'loaded', sameTop10: `${same}/${probe.length}`, allSame: same === probe.length },
        incremental: {
            adds: incr, removes: incr, addMsPerOp: r3(addMs / incr), removeMsPerOp: r3(removeMs / incr), journalBytes,
            replayOpenSeconds: r2(replayMs / 1000), replayed, replayedSizeMatches: replayOk, replayedSameTop10: `${replaySame}/${probe.length}`,
            compactOnCloseSeconds: r2(closeMs / 1000), bytesOnDiskAfter: diskBytes(),
        },
    };
    const P = results.persistence;
    console.log(`persistence: snapshot of ${fmt(N)} points written in ${P.snapshot.writeSeconds} s, ${P.snapshot.MiBOnDisk} MiB on disk (${fmt(P.snapshot.bytesPerPoint)} B/point)`);
    console.log(`  reopen ${P.reopen.seconds} s, state ${P.reopen.state}, same top-10 for ${P.reopen.sameTop10} queries`);
    console.log(`  ${incr} journalled adds ${P.incremental.addMsPerOp} ms/op, ${incr} removes ${P.incremental.removeMsPerOp} ms/op (journal ${MiB(journalBytes)} MiB); open with ${replayed} lines replayed ${P.incremental.replayOpenSeconds} s (size ${replayOk ? 'matches' : 'DIFFERS'}, same top-10 ${P.incremental.replayedSameTop10}); compaction on close ${P.incremental.compactOnCloseSeconds} s`);
} finally {
    rmSync(dir, { recursive: true, force: true });
}

// ---------------------------------------------------------------------------------------- goals

const Q = results.queries, P = results.persistence;
results.peakRssMiB = MiB(process.resourceUsage().maxRSS * 1024);
results.totalSeconds = r2(performance.now() / 1000);
results.goals = {
    recall: { goal: `Recall@10 ≥ ${GOAL_RECALL} (efSearch 96)`, value: Q.recallAt10, met: Q.recallAt10 >= GOAL_RECALL },
    latency: { goal: `p95 query ≤ ${GOAL_P95_MS} ms (efSearch 96)`, value: Q.hnsw.p95Ms, met: Q.hnsw.p95Ms <= GOAL_P95_MS },
    lowestEfSearchMeetingBoth: results.lowestEfSearchMeetingGoals,
    reopen: { goal: 'reopened snapshot loads and answers the same top-10', met: P.reopen.loaded && P.reopen.allSame },
};
const G = results.goals;
console.log(`goals: Recall@10 ≥ ${GOAL_RECALL}: ${G.recall.met ? 'met' : 'MISSED'} (${Q.recallAt10}); p95 ≤ ${GOAL_P95_MS} ms: ${G.latency.met ? 'met' : 'MISSED'} (${Q.hnsw.p95Ms} ms); reopen: ${G.reopen.met ? 'met' : 'MISSED'}. Peak RSS ${results.peakRssMiB} MiB, ${results.totalSeconds} s in all`);
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
writeFileSync(new URL('./results/similarity.json', import.meta.url), JSON.stringify(results, null, 2) + '\n');
