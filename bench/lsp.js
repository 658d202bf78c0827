// Language server benchmark, over LSP as an editor speaks it: the built server
// (out/server/src/main.js) is spawned with --stdio, a generated strategy is opened, and we time
// diagnostics after one-line edits (didChange → the publishDiagnostics of that version) and
// completion and hover (request → response). Goals (issue 16), one server session each:
//   - one-line edit in a 300-line file: diagnostics ≤ 50 ms (median; p95 reported)
//   - one-line edit in a 2,000-line file: diagnostics p95 ≤ 100 ms
//   - completion and hover on a 5,000-line file: p95 ≤ 30 ms
//   - (open → diagnostics, a full parse + validate, is reported beside the trivial server's for each size)
// Baseline in the same run: a language server for a trivial Langium grammar (bench/trivial-server.js,
// Langium's defaults throughout) with a file of the same number of lines, the same edits, hovers
// and completions; each figure's ratio to it is in bench/results/lsp.json (`vsTrivialGrammar`).
//
// Wall-clock figures depend on what else the machine runs; on Linux the server's own CPU time
// per request / per edit (from /proc) is reported too, with the load average, to tell the two apart.
//
// Usage: npm run build && node bench/lsp.js     → prints figures, writes bench/results/lsp.json
//        AF_LSP_PROF=<dir> node bench/lsp.js    → also writes CPU profiles of the servers to <dir>
//        OUT=<dir> node bench/lsp.js            → the AlphaForge server from another build of out/ (before/after in one sitting; results not written)
import { execSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { setTimeout } from 'node:timers';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createProtocolConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-languageserver-protocol/node.js';
import { generateStrategy } from './gen-strategy.js';
import { trivialText } from './trivial-server.js';
import { mulberry32 } from '../out/language/src/util/prng.js';

const SAMPLES = 200, TIMEOUT_MS = 60_000;
const GOALS = { edit300MedianMs: 50, edit2000P95Ms: 100, completion5000P95Ms: 30, hover5000P95Ms: 30 };
const root = resolve(fileURLToPath(new URL('.', import.meta.url)), '..');
const prof = process.env.AF_LSP_PROF;

function quantile(xs, q) { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor(s.length * q))]; }
const stats = xs => ({ n: xs.length, p50: +quantile(xs, 0.5).toFixed(1), p95: +quantile(xs, 0.95).toFixed(1), max: +Math.max(...xs).toFixed(1) });
const ticksPerSecond = (() => { try { return Number(execSync('getconf CLK_TCK', { encoding: 'utf8' }).trim()) || 100; } catch { return 100; } })();
const withTimeout = (p, what) => Promise.race([p, new Promise((_, reject) => setTimeout(() => reject(new Error(`${what}: no answer in ${TIMEOUT_MS} ms`)), TIMEOUT_MS).unref())]);

/** The two languages: how to make a file, where to complete and hover, how to make a one-line edit. */
const languages = {
    alphaforge: {
        server: join(process.env.OUT ? resolve(process.env.OUT) : join(root, 'out'), 'server', 'src', 'main.js'), languageId: 'alphaforge', ext: 'af',
        text: lines => generateStrategy(lines),
        completionLine: l => /^\s+(feature|signal) \w+ = /.test(l), hoverLine: l => /^\s+(feature|signal) \w+ = /.test(l),
        completionStart: l => l.indexOf('= ') + 2, skipWords: ['feature', 'signal', 'and', 'or', 'not'],
        // `sma(close, 47)` → `sma(close, 31)`: a literal changes, as typing would.
        editLine: l => /sma\(close, \d+\)/.test(l),
        edit(line, k) { const m = /sma\(close, (\d+)\)/.exec(line); const start = m.index + 'sma(close, '.length; return { start, end: start + m[1].length, text: String(20 + ((Number(m[1]) + 7 + k) % 60)) }; },
    },
    trivial: {
        server: join(root, 'bench', 'trivial-server.js'), languageId: 'trivial', ext: 'trivial',
        text: lines => trivialText(lines),
        completionLine: l => l.startsWith('Hello '), hoverLine: l => l.startsWith('person '),
        completionStart: () => 'Hello '.length, skipWords: ['Hello', 'person'],
        hoverAnswers: false, // Langium's default hover shows documentation comments only, and this file has none
        // `Hello P12!` → `Hello P7!`: the greeted name changes (still declared above).
        editLine: l => l.startsWith('Hello '),
        edit(line, k) { const m = /^Hello (P\d+)!/.exec(line); return { start: 6, end: 6 + m[1].length, text: `P${k % 3}` }; },
    },
};

async function session(lang, lines, { edits = 0, samples = 0 }) {
    const L = languages[lang];
    const dir = mkdtempSync(join(tmpdir(), 'af-lsp-bench-'));
    const text = L.text(lines);
    const file = join(dir, `big.${L.ext}`);
    writeFileSync(file, text);
    const uri = pathToFileURL(file).toString();
    const textLines = text.split('\n');
    const server = spawn(process.execPath, [...(prof ? ['--cpu-prof', `--cpu-prof-dir=${resolve(prof)}`] : []), L.server, '--stdio'], { stdio: ['pipe', 'pipe', 'inherit'] });
    /** CPU time (user + system, ms) the server process has used so far; undefined where /proc is missing. */
    const serverCpuMs = () => {
        const stat = `/proc/${server.pid}/stat`;
        if (!existsSync(stat)) return undefined;
        const fields = readFileSync(stat, 'utf8').split(') ')[1].split(' ');
        return ((Number(fields[11]) + Number(fields[12])) * 1000) / ticksPerSecond;
    };
    const cpuPer = (before, n) => { const now = serverCpuMs(); return now === undefined || before === undefined ? null : +((now - before) / n).toFixed(1); };
    const conn = createProtocolConnection(new StreamMessageReader(server.stdout), new StreamMessageWriter(server.stdin));
    /** `${uri}@${version}` → when the diagnostics of that version arrived (the server echoes the version it validated). */
    const arrived = new Map(), waiting = new Map();
    conn.onNotification('textDocument/publishDiagnostics', p => {
        const key = `${p.uri}@${p.version}`;
        arrived.set(key, { at: performance.now(), diagnostics: p.diagnostics });
        waiting.get(key)?.();
    });
    conn.onRequest('workspace/configuration', () => []);
    conn.onRequest('client/registerCapability', () => null);
    conn.onRequest('window/workDoneProgress/create', () => null);
    conn.onNotification('window/logMessage', () => undefined);
    conn.listen();
    const diagnosticsOf = version => withTimeout(new Promise(res => {
        const key = `${uri}@${version}`;
        if (arrived.has(key)) res(arrived.get(key));
        else waiting.set(key, () => { waiting.delete(key); res(arrived.get(key)); });
    }), `${lang}: diagnostics of version ${version}`);
    const timed = async (method, params) => {
        const s = performance.now();
        const r = await withTimeout(conn.sendRequest(method, params), `${lang}: ${method}`);
        return [performance.now() - s, r];
    };

    await conn.sendRequest('initialize', {
        processId: process.pid, rootUri: pathToFileURL(dir).toString(), workspaceFolders: [{ uri: pathToFileURL(dir).toString(), name: 'bench' }],
        capabilities: { textDocument: { completion: { completionItem: { snippetSupport: true } }, hover: { contentFormat: ['markdown'] }, publishDiagnostics: { versionSupport: true } } },
    });
    await conn.sendNotification('initialized', {});
    let version = 1;
    const t0 = performance.now();
    await conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: L.languageId, version, text } });
    const opened = await diagnosticsOf(version);
    const openMs = performance.now() - t0;
    const problems = opened.diagnostics.filter(d => d.severity === 1 || d.severity === 2);
    if (problems.length) throw new Error(`${lang}: generated text has diagnostics: ${problems.slice(0, 3).map(d => d.message).join('; ')}`);

    const rnd = mulberry32(20261125);
    const pick = xs => xs[Math.floor(rnd() * xs.length)];
    const indexes = pred => textLines.map((l, i) => [l, i]).filter(([l]) => pred(l)).map(([, i]) => i);
    const completionLines = indexes(L.completionLine), hoverLines = indexes(L.hoverLine), editLines = indexes(L.editLine);
    // Completion where one types: at the end or middle of an identifier, or right after `= ` / `Hello `.
    const completionPositions = n => Array.from({ length: n }, () => {
        const line = pick(completionLines), l = textLines[line], from = L.completionStart(l);
        const sites = [from];
        for (const m of l.slice(from).matchAll(/[A-Za-z_]\w*/g)) sites.push(from + m.index + Math.max(1, Math.floor(m[0].length / 2)), from + m.index + m[0].length);
        return { line, character: pick(sites) };
    });
    // Hover on names: builtins, declarations, references.
    const hoverPositions = n => Array.from({ length: n }, () => {
        const line = pick(hoverLines), l = textLines[line];
        const w = pick([...l.matchAll(/[A-Za-z_]\w*/g)].filter(m => !L.skipWords.includes(m[0])));
        return { line, character: w.index + Math.floor(w[0].length / 2) };
    });

    const out = { lines: textLines.length, openToDiagnosticsMs: +openMs.toFixed(1) };
    if (samples) {
        // Warm-up (JIT, caches), not measured.
        for (const p of completionPositions(20)) await timed('textDocument/completion', { textDocument: { uri }, position: p });
        for (const p of hoverPositions(20)) await timed('textDocument/hover', { textDocument: { uri }, position: p });
        const completion = [];
        let items = 0, cpu0 = serverCpuMs();
        for (const p of completionPositions(samples)) {
            const [ms, r] = await timed('textDocument/completion', { textDocument: { uri }, position: p });
            completion.push(ms);
            items += (Array.isArray(r) ? r : r?.items ?? []).length;
        }
        if (items === 0) throw new Error(`${lang}: completion returned nothing`);
        out.completionMs = stats(completion);
        out.completionCpuMs = cpuPer(cpu0, samples);
        out.completionItemsMean = Math.round(items / samples);
        const hover = [];
        let answered = 0;
        cpu0 = serverCpuMs();
        for (const p of hoverPositions(samples)) {
            const [ms, r] = await timed('textDocument/hover', { textDocument: { uri }, position: p });
            hover.push(ms);
            if (r) answered++;
        }
        if (L.hoverAnswers !== false && answered < samples / 2) throw new Error(`${lang}: only ${answered} of ${samples} hovers answered`);
        out.hoverMs = stats(hover);
        out.hoverCpuMs = cpuPer(cpu0, samples);
        out.hoverAnswered = answered;
    }
    if (edits) {
        // Incremental one-line changes, each waited for before the next, so the next diagnostics are for that version.
        const times = [], current = [...textLines];
        let cpu0;
        for (let k = 0; k < edits + 3; k++) {
            if (k === 3) cpu0 = serverCpuMs();
            const line = pick(editLines);
            const e = L.edit(current[line], k);
            version++;
            const s = performance.now();
            await conn.sendNotification('textDocument/didChange', {
                textDocument: { uri, version },
                contentChanges: [{ range: { start: { line, character: e.start }, end: { line, character: e.end } }, text: e.text }],
            });
            current[line] = current[line].slice(0, e.start) + e.text + current[line].slice(e.end);
            const d = await diagnosticsOf(version);
            if (k >= 3) times.push(d.at - s); // the first three warm up
            if (d.diagnostics.some(x => x.severity === 1)) throw new Error(`${lang}: edit ${k} produced errors: ${d.diagnostics[0].message}`);
        }
        out.diagnosticsAfterEditMs = stats(times);
        out.editCpuMs = cpuPer(cpu0, edits);
    }
    // The server must still be alive and answering.
    await timed('textDocument/hover', { textDocument: { uri }, position: { line: 0, character: 0 } });
    if (server.exitCode !== null) throw new Error(`${lang}: the server exited`);
    await withTimeout(conn.sendRequest('shutdown'), 'shutdown');
    await conn.sendNotification('exit');
    await new Promise(r => (server.exitCode !== null ? r() : server.once('exit', r)));
    conn.dispose();
    rmSync(dir, { recursive: true, force: true });
    return out;
}

const ratio = (a, b) => (b > 0 ? +(a / b).toFixed(2) : null);
const load = [loadavg()[0]];
const results = {};
for (const [key, lines, opts] of [['edit300', 300, { edits: 40 }], ['edit2000', 2000, { edits: 30 }], ['requests5000', 5000, { samples: SAMPLES }]]) {
    // Alternate the two servers so both see the same load.
    const af = await session('alphaforge', lines, opts);
    const base = await session('trivial', lines, opts);
    // Opening the file is a full parse + validate over LSP: the 5,000-line case is issue 16's first goal (≤ 1.0x).
    const vs = { open: ratio(af.openToDiagnosticsMs, base.openToDiagnosticsMs) };
    if (af.diagnosticsAfterEditMs) Object.assign(vs, { editP50: ratio(af.diagnosticsAfterEditMs.p50, base.diagnosticsAfterEditMs.p50), editP95: ratio(af.diagnosticsAfterEditMs.p95, base.diagnosticsAfterEditMs.p95), editCpu: ratio(af.editCpuMs, base.editCpuMs) });
    if (af.completionMs) Object.assign(vs, { completionP95: ratio(af.completionMs.p95, base.completionMs.p95), hoverP95: ratio(af.hoverMs.p95, base.hoverMs.p95), completionCpu: ratio(af.completionCpuMs, base.completionCpuMs), hoverCpu: ratio(af.hoverCpuMs, base.hoverCpuMs) });
    results[key] = { alphaforge: af, trivialGrammar: base, vsTrivialGrammar: vs };
    const f = (r, name) => name === 'edit' ? `diagnostics after edit p50 ${r.diagnosticsAfterEditMs.p50} ms, p95 ${r.diagnosticsAfterEditMs.p95} ms (server CPU ${r.editCpuMs} ms/edit)`
        : `completion p95 ${r.completionMs.p95} ms (CPU ${r.completionCpuMs} ms), hover p95 ${r.hoverMs.p95} ms (CPU ${r.hoverCpuMs} ms)`;
    const kind = opts.edits ? 'edit' : 'requests';
    console.log(`${String(af.lines).padStart(5)} lines  AlphaForge: ${f(af, kind)}; open → diagnostics ${af.openToDiagnosticsMs} ms`);
    console.log(`${String(base.lines).padStart(5)} lines  trivial grammar: ${f(base, kind)}; open → diagnostics ${base.openToDiagnosticsMs} ms`);
    console.log(`              ratio to the trivial grammar: ${JSON.stringify(vs)}`);
}
load.push(loadavg()[0]);
const met = {
    edit300: results.edit300.alphaforge.diagnosticsAfterEditMs.p50 <= GOALS.edit300MedianMs,
    edit2000: results.edit2000.alphaforge.diagnosticsAfterEditMs.p95 <= GOALS.edit2000P95Ms,
    completion5000: results.requests5000.alphaforge.completionMs.p95 <= GOALS.completion5000P95Ms,
    hover5000: results.requests5000.alphaforge.hoverMs.p95 <= GOALS.hover5000P95Ms,
};
const machine = { cpus: cpus().length, loadAverage1m: load.map(l => +l.toFixed(2)) };
console.log(`goals: edit in 300 lines ≤ ${GOALS.edit300MedianMs} ms: ${met.edit300 ? 'met' : 'MISSED'}; edit in 2,000 lines p95 ≤ ${GOALS.edit2000P95Ms} ms: ${met.edit2000 ? 'met' : 'MISSED'}; completion p95 ≤ ${GOALS.completion5000P95Ms} ms on 5,000 lines: ${met.completion5000 ? 'met' : 'MISSED'}; hover: ${met.hover5000 ? 'met' : 'MISSED'}  (load average ${machine.loadAverage1m.join(' → ')} on ${machine.cpus} CPUs)`);
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
if (!process.env.OUT) writeFileSync(new URL('./results/lsp.json', import.meta.url), JSON.stringify({ date: new Date().toISOString(), node: process.version, machine, results, goals: GOALS, met }, null, 2) + '\n');
