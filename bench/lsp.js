// Language server benchmark, over LSP as an editor speaks it: the built server
// (out/server/src/main.js) is spawned with --stdio, a generated 2,000-line strategy is opened, and
// we time completion and hover at ~200 positions each (request → response), and diagnostics after
// an edit (didChange → the publishDiagnostics of that version) over ~30 one-line edits.
// Goals (issue 6): completion and hover p95 ≤ 30 ms; diagnostics after an edit ≤ 100 ms (p95).
//
// Wall-clock figures depend on what else the machine runs; on Linux the server's own CPU time
// per request / per edit (from /proc) is reported too, with the load average, to tell the two apart.
//
// Usage: npm run build && node bench/lsp.js     → prints figures, writes bench/results/lsp.json
//        AF_LSP_PROF=<dir> node bench/lsp.js    → also writes a CPU profile of the server to <dir>
import { execSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { setTimeout } from 'node:timers';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createProtocolConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-languageserver-protocol/node.js';
import { generateStrategy } from './gen-strategy.js';
import { mulberry32 } from '../out/language/src/util/prng.js';

const LINES = 2000, SAMPLES = 200, EDITS = 30, TIMEOUT_MS = 30_000;
const GOALS = { completionP95Ms: 30, hoverP95Ms: 30, diagnosticsAfterEditMs: 100 };
const root = resolve(fileURLToPath(new URL('.', import.meta.url)), '..');

function quantile(xs, q) { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor(s.length * q))]; }
const stats = xs => ({ n: xs.length, p50: +quantile(xs, 0.5).toFixed(1), p95: +quantile(xs, 0.95).toFixed(1), max: +Math.max(...xs).toFixed(1) });
/** CPU time (user + system, ms) the server process has used so far; undefined where /proc is missing. */
const ticksPerSecond = (() => { try { return Number(execSync('getconf CLK_TCK', { encoding: 'utf8' }).trim()) || 100; } catch { return 100; } })();
function serverCpuMs() {
    const stat = `/proc/${server.pid}/stat`;
    if (!existsSync(stat)) return undefined;
    const fields = readFileSync(stat, 'utf8').split(') ')[1].split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / ticksPerSecond;
}
const cpuPer = (before, n) => { const now = serverCpuMs(); return now === undefined || before === undefined ? null : +((now - before) / n).toFixed(1); };
const withTimeout = (p, what) => Promise.race([p, new Promise((_, reject) => setTimeout(() => reject(new Error(`${what}: no answer in ${TIMEOUT_MS} ms`)), TIMEOUT_MS).unref())]);

// The workspace: one directory with the generated file only.
const dir = mkdtempSync(join(tmpdir(), 'af-lsp-bench-'));
const text = generateStrategy(LINES);
const file = join(dir, 'big.af');
writeFileSync(file, text);
const uri = pathToFileURL(file).toString();
const lines = text.split('\n');

const prof = process.env.AF_LSP_PROF;
const server = spawn(process.execPath, [...(prof ? ['--cpu-prof', `--cpu-prof-dir=${resolve(prof)}`] : []), join(root, 'out', 'server', 'src', 'main.js'), '--stdio'], { stdio: ['pipe', 'pipe', 'inherit'] });
const conn = createProtocolConnection(new StreamMessageReader(server.stdout), new StreamMessageWriter(server.stdin));
/** `${uri}@${version}` → when the diagnostics of that version arrived (the server echoes the version it validated). */
const arrived = new Map();
const waiting = new Map();
conn.onNotification('textDocument/publishDiagnostics', p => {
    const key = `${p.uri}@${p.version}`;
    arrived.set(key, { at: performance.now(), diagnostics: p.diagnostics });
    waiting.get(key)?.();
});
conn.onRequest('workspace/configuration', () => []);
conn.onRequest('client/registerCapability', () => null);
conn.onNotification('window/logMessage', () => undefined);
conn.listen();
const diagnosticsOf = (u, version) => withTimeout(new Promise(res => {
    const key = `${u}@${version}`;
    if (arrived.has(key)) res(arrived.get(key));
    else waiting.set(key, () => { waiting.delete(key); res(arrived.get(key)); });
}), `diagnostics of version ${version}`);

await conn.sendRequest('initialize', {
    processId: process.pid, rootUri: pathToFileURL(dir).toString(), workspaceFolders: [{ uri: pathToFileURL(dir).toString(), name: 'bench' }],
    capabilities: { textDocument: { completion: { completionItem: { snippetSupport: true } }, hover: { contentFormat: ['markdown'] }, publishDiagnostics: { versionSupport: true } } },
});
await conn.sendNotification('initialized', {});
let version = 1;
const t0 = performance.now();
await conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'alphaforge', version, text } });
const opened = await diagnosticsOf(uri, version);
const openMs = performance.now() - t0;
const problems = opened.diagnostics.filter(d => d.severity === 1 || d.severity === 2);
if (problems.length) throw new Error(`generated strategy has diagnostics: ${problems.slice(0, 3).map(d => d.message).join('; ')}`);

const rnd = mulberry32(20261125);
const declLines = lines.map((l, i) => [l, i]).filter(([l]) => /^\s+(feature|signal) \w+ = /.test(l)).map(([, i]) => i);
const pick = xs => xs[Math.floor(rnd() * xs.length)];
async function timed(method, params) {
    const s = performance.now();
    const r = await withTimeout(conn.sendRequest(method, params), method);
    return [performance.now() - s, r];
}

// Completion where one types: at the end of an identifier in an expression (`ema(clo|`, `fast1|`)
// or right after `= ` / `(` / `, ` — the positions an editor asks at.
function completionPositions(n) {
    const out = [];
    while (out.length < n) {
        const line = pick(declLines), l = lines[line];
        const eq = l.indexOf('= ') + 2;
        const sites = [eq];
        for (const m of l.slice(eq).matchAll(/[A-Za-z_]\w*/g)) sites.push(eq + m.index + Math.max(1, Math.floor(m[0].length / 2)), eq + m.index + m[0].length);
        out.push({ line, character: pick(sites) });
    }
    return out;
}
// Hover on names: builtins (ema, sma, crossover…), features and signals used, params, fields, declarations.
function hoverPositions(n) {
    const out = [];
    while (out.length < n) {
        const line = pick(declLines), l = lines[line];
        const words = [...l.matchAll(/[A-Za-z_]\w*/g)].filter(m => !['feature', 'signal', 'and', 'or', 'not'].includes(m[0]));
        const w = pick(words);
        out.push({ line, character: w.index + Math.floor(w[0].length / 2) });
    }
    return out;
}

// Warm-up (JIT, caches), not measured.
for (const p of completionPositions(20)) await timed('textDocument/completion', { textDocument: { uri }, position: p });
for (const p of hoverPositions(20)) await timed('textDocument/hover', { textDocument: { uri }, position: p });

const load = [loadavg()[0]];
const completion = [];
let completionItems = 0;
let cpu0 = serverCpuMs();
for (const p of completionPositions(SAMPLES)) {
    const [ms, r] = await timed('textDocument/completion', { textDocument: { uri }, position: p });
    completion.push(ms);
    completionItems += (Array.isArray(r) ? r : r?.items ?? []).length;
}
if (completionItems === 0) throw new Error('completion returned nothing');
const completionCpu = cpuPer(cpu0, SAMPLES);
const hover = [];
cpu0 = serverCpuMs();
let hovered = 0;
for (const p of hoverPositions(SAMPLES)) {
    const [ms, r] = await timed('textDocument/hover', { textDocument: { uri }, position: p });
    hover.push(ms);
    if (r) hovered++;
}
if (hovered < SAMPLES / 2) throw new Error(`only ${hovered} of ${SAMPLES} hovers answered`);
const hoverCpu = cpuPer(cpu0, SAMPLES);

// Edits as typing makes them: an incremental change of one literal on one line (`sma(close, 47)` →
// `sma(close, 31)`), each waited for before the next, so the next diagnostics are for that version.
const smaLines = lines.map((l, i) => [l, i]).filter(([l]) => /sma\(close, \d+\)/.test(l)).map(([, i]) => i);
const edits = [];
let current = [...lines];
for (let k = 0; k < EDITS + 3; k++) {
    if (k === 3) cpu0 = serverCpuMs();
    const line = pick(smaLines);
    const m = /sma\(close, (\d+)\)/.exec(current[line]);
    const start = m.index + 'sma(close, '.length;
    const value = String(20 + ((Number(m[1]) + 7 + k) % 60));
    version++;
    const s = performance.now();
    await conn.sendNotification('textDocument/didChange', {
        textDocument: { uri, version },
        contentChanges: [{ range: { start: { line, character: start }, end: { line, character: start + m[1].length } }, text: value }],
    });
    current[line] = current[line].slice(0, start) + value + current[line].slice(start + m[1].length);
    const d = await diagnosticsOf(uri, version);
    if (k >= 3) edits.push(d.at - s); // the first three warm up
    if (d.diagnostics.some(x => x.severity === 1)) throw new Error(`edit ${k} produced errors: ${d.diagnostics[0].message}`);
}

const editCpu = cpuPer(cpu0, EDITS);
load.push(loadavg()[0]);

// The server must still be alive and answering.
const [, h] = await timed('textDocument/hover', { textDocument: { uri }, position: hoverPositions(1)[0] });
if (server.exitCode !== null) throw new Error('the server exited');
await withTimeout(conn.sendRequest('shutdown'), 'shutdown');
await conn.sendNotification('exit');
await new Promise(r => (server.exitCode !== null ? r() : server.once('exit', r)));
conn.dispose();
rmSync(dir, { recursive: true, force: true });

const results = {
    lines: lines.length,
    machine: { cpus: cpus().length, loadAverage1m: load.map(l => +l.toFixed(2)) },
    /** Mean CPU time of the server process per request / per edit (ms), independent of other load. */
    serverCpuMs: { completion: completionCpu, hover: hoverCpu, edit: editCpu },
    openToDiagnosticsMs: +openMs.toFixed(1),
    completionMs: stats(completion),
    completionItemsMean: Math.round(completionItems / SAMPLES),
    hoverMs: stats(hover),
    hoverAnswered: hovered,
    diagnosticsAfterEditMs: stats(edits),
};
const met = {
    completion: results.completionMs.p95 <= GOALS.completionP95Ms,
    hover: results.hoverMs.p95 <= GOALS.hoverP95Ms,
    diagnosticsAfterEdit: results.diagnosticsAfterEditMs.p95 <= GOALS.diagnosticsAfterEditMs,
};
console.log(`LSP over stdio, ${results.lines}-line strategy (open → first diagnostics ${results.openToDiagnosticsMs} ms)`);
console.log(`  completion  ${SAMPLES} positions: p50 ${results.completionMs.p50} ms, p95 ${results.completionMs.p95} ms, max ${results.completionMs.max} ms (${results.completionItemsMean} items on average)  goal p95 ≤ ${GOALS.completionP95Ms} ms: ${met.completion ? 'met' : 'MISSED'}`);
console.log(`  hover       ${SAMPLES} positions: p50 ${results.hoverMs.p50} ms, p95 ${results.hoverMs.p95} ms, max ${results.hoverMs.max} ms (${hovered} answered)  goal p95 ≤ ${GOALS.hoverP95Ms} ms: ${met.hover ? 'met' : 'MISSED'}`);
console.log(`  diagnostics ${EDITS} edits: p50 ${results.diagnosticsAfterEditMs.p50} ms, p95 ${results.diagnosticsAfterEditMs.p95} ms, max ${results.diagnosticsAfterEditMs.max} ms  goal ≤ ${GOALS.diagnosticsAfterEditMs} ms: ${met.diagnosticsAfterEdit ? 'met' : 'MISSED'}`);
if (editCpu !== null) console.log(`  server CPU time: ${completionCpu} ms per completion, ${hoverCpu} ms per hover, ${editCpu} ms per edit (mean); load average ${results.machine.loadAverage1m.join(' → ')} on ${results.machine.cpus} CPUs`);
if (!h) console.log('  (the last hover had no content)');
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
writeFileSync(new URL('./results/lsp.json', import.meta.url), JSON.stringify({ date: new Date().toISOString(), node: process.version, results, goals: GOALS, met }, null, 2) + '\n');
