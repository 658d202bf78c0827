// Language benchmark: full parse + link + validate of generated strategies (300 and 5,000
// lines) through Langium's DocumentBuilder, and re-validation after a one-line edit, the way
// the language server does it. Baselines in the same run: lexing the same text only, and a
// trivial Langium grammar (Langium's hello-world: `person NAME` / `Hello NAME!`, one cross-reference
// per greeting) parsed, linked and validated through the same DocumentBuilder, 5,000 lines.
// Goals (issue 16): 5,000 lines ≤ 300 ms and ≤ 1.0x the trivial grammar; one-line edit in 300 lines ≤ 50 ms.
// Each figure is given as wall time and as this process's CPU time (process.cpuUsage), which is
// less sensitive to other load on the machine; the ratios compare like with like.
// Edits re-parse only the member they touch (language/src/incremental-parse.ts); the full builds parse everything.
// Usage: npm run build && node bench/language.js    → prints figures, writes bench/results/language.json
//        OUT=/path/to/other/out node bench/language.js  → the same with another build of out/ (before/after in one sitting)
import { writeFileSync, mkdirSync } from 'node:fs';
import { loadavg } from 'node:os';
import { pathToFileURL } from 'node:url';
import { EmptyFileSystem, URI } from 'langium';
import { createServicesForGrammar } from 'langium/grammar';
import { generateStrategy } from './gen-strategy.js';
import { TRIVIAL_GRAMMAR, trivialText } from './trivial-server.js';

const { createAlphaForgeServices } = await import(process.env.OUT ? pathToFileURL(process.env.OUT).href + '/language/src/index.js' : '../out/language/src/index.js');

const files = new Map();
const memFs = {
    readFile: async uri => files.get(uri.toString()) ?? '',
    readFileSync: uri => files.get(uri.toString()) ?? '',
    readDirectory: async () => [],
};
const { AlphaForge: services, shared } = createAlphaForgeServices({ fileSystemProvider: () => memFs });
const builder = shared.workspace.DocumentBuilder;
const documents = shared.workspace.LangiumDocuments;
await builder.build([services.alphaforge.Builtins.document()], { validation: false });

function median(xs) { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; }
function p95(xs) { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor(s.length * 0.95))]; }

const cpuMs = () => { const c = process.cpuUsage(); return (c.user + c.system) / 1000; };

async function fullBuild(text, uri, env = { files, documents, builder }) {
    env.files.set(uri.toString(), text);
    if (env.documents.hasDocument(uri)) await env.builder.update([], [uri]);
    const t0 = performance.now(), c0 = cpuMs();
    const doc = await env.documents.getOrCreateDocument(uri);
    await env.builder.build([doc], { validation: true });
    const dt = performance.now() - t0, cpu = cpuMs() - c0;
    const errors = (doc.diagnostics ?? []).filter(d => d.severity === 1 || d.severity === 2);
    if (errors.length) throw new Error(`generated text has diagnostics: ${errors.slice(0, 3).map(d => d.message).join('; ')}`);
    return { wall: dt, cpu };
}

// The trivial-grammar baseline: same builder, same validation flag, the same number of lines.
const trivialFiles = new Map();
const trivial = await createServicesForGrammar({
    grammar: TRIVIAL_GRAMMAR,
    sharedModule: { workspace: { FileSystemProvider: () => ({ ...EmptyFileSystem.fileSystemProvider(), readFile: async uri => trivialFiles.get(uri.toString()) ?? '' }) } },
});
const trivialEnv = { files: trivialFiles, documents: trivial.shared.workspace.LangiumDocuments, builder: trivial.shared.workspace.DocumentBuilder };

async function edit(text, uri, k) {
    // Change one literal on one line, as typing would, at places spread over the file.
    const sites = [...text.matchAll(/sma\(close, (\d+)\)/g)];
    const m = sites[(k * 7919) % sites.length];
    const value = 100 + (k % 10) === Number(m[1]) ? 99 : 100 + (k % 10);
    const edited = text.slice(0, m.index) + `sma(close, ${value})` + text.slice(m.index + m[0].length);
    if (edited === text) throw new Error('edit did not change the text');
    files.set(uri.toString(), edited);
    const t0 = performance.now(), c0 = cpuMs();
    await builder.update([uri], []);
    const dt = performance.now() - t0, cpu = cpuMs() - c0;
    const doc = documents.getDocument(uri);
    if (!doc?.diagnostics) throw new Error('edit was not validated');
    return { dt, cpu, text: edited };
}

function lexOnly(text, reps) {
    const lexer = services.parser.Lexer;
    const t0 = performance.now();
    for (let i = 0; i < reps; i++) lexer.tokenize(text);
    return (performance.now() - t0) / reps;
}

const results = {};
{
    const text = trivialText(5000);
    const uri = URI.parse('memory:///trivial-5000.trivial');
    const full = [];
    for (let i = 0; i < 8; i++) full.push(await fullBuild(text, uri, trivialEnv));
    results.trivialGrammar_5000 = {
        actualLines: text.split('\n').length,
        fullValidateMedianMs: +median(full.slice(2).map(r => r.wall)).toFixed(1),
        fullValidateCpuMedianMs: +median(full.slice(2).map(r => r.cpu)).toFixed(1),
    };
    console.log(`5000 lines trivial grammar (baseline): full parse+validate ${results.trivialGrammar_5000.fullValidateMedianMs} ms (median; CPU ${results.trivialGrammar_5000.fullValidateCpuMedianMs} ms)`);
}
for (const [lines, density] of [[300, 'typical'], [2000, 'typical'], [5000, 'typical'], [5000, 'dense']]) {
    const text = generateStrategy(lines, { density });
    const uri = URI.parse(`memory:///bench-${lines}-${density}.af`);
    const full = [];
    for (let i = 0; i < (lines > 1000 ? 8 : 20); i++) full.push(await fullBuild(text, uri));
    const edits = [], editCpu = [];
    files.set(uri.toString(), text);
    await builder.update([uri], []);
    // Each edit on top of the last, as in an editor.
    let current = text;
    for (let i = 0; i < (lines > 1000 ? 15 : 40); i++) {
        const r = await edit(current, uri, i);
        edits.push(r.dt);
        editCpu.push(r.cpu);
        current = r.text;
    }
    const lex = lexOnly(text, 10);
    const key = `${density}_${lines}`;
    results[key] = {
        tokensPerLine: +(services.parser.Lexer.tokenize(text).tokens.length / text.split('\n').length).toFixed(1),
        actualLines: text.split('\n').length,
        fullValidateMedianMs: +median(full.slice(2).map(r => r.wall)).toFixed(1),
        fullValidateCpuMedianMs: +median(full.slice(2).map(r => r.cpu)).toFixed(1),
        editRevalidateMedianMs: +median(edits.slice(3)).toFixed(1),
        editRevalidateP95Ms: +p95(edits.slice(3)).toFixed(1),
        editRevalidateCpuMedianMs: +median(editCpu.slice(3)).toFixed(1),
        editRevalidateCpuP95Ms: +p95(editCpu.slice(3)).toFixed(1),
        lexOnlyMs: +lex.toFixed(2),
        fullOverLexRatio: +(median(full.slice(2).map(r => r.wall)) / lex).toFixed(1),
    };
    if (lines === 5000) {
        results[key].fullOverTrivialGrammarRatio = +(results[key].fullValidateMedianMs / results.trivialGrammar_5000.fullValidateMedianMs).toFixed(2);
        results[key].fullOverTrivialGrammarCpuRatio = +(results[key].fullValidateCpuMedianMs / results.trivialGrammar_5000.fullValidateCpuMedianMs).toFixed(2);
    }
    console.log(`${String(lines).padStart(5)} lines ${density.padEnd(7)} (${results[key].tokensPerLine} tokens/line): full parse+validate ${results[key].fullValidateMedianMs} ms (median; CPU ${results[key].fullValidateCpuMedianMs} ms${lines === 5000 ? `; ${results[key].fullOverTrivialGrammarRatio}x the trivial grammar, CPU ${results[key].fullOverTrivialGrammarCpuRatio}x` : ''}), one-line edit re-validate ${results[key].editRevalidateMedianMs} ms (median, p95 ${results[key].editRevalidateP95Ms}; CPU ${results[key].editRevalidateCpuMedianMs}, p95 ${results[key].editRevalidateCpuP95Ms}), lexing alone ${results[key].lexOnlyMs} ms`);
}
const goals = {
    full5000Under300ms: results.typical_5000.fullValidateMedianMs <= 300,
    full5000AtMostTrivialGrammar: results.typical_5000.fullOverTrivialGrammarRatio <= 1.0,
    edit300Under50ms: results.typical_300.editRevalidateMedianMs <= 50,
    edit2000P95Under100ms: results.typical_2000.editRevalidateP95Ms <= 100,
};
console.log(`goals: 5,000 lines ≤ 300 ms: ${goals.full5000Under300ms ? 'met' : 'MISSED'}; ≤ 1.0x the trivial grammar: ${goals.full5000AtMostTrivialGrammar ? 'met' : 'MISSED'}; edit in 300 lines ≤ 50 ms: ${goals.edit300Under50ms ? 'met' : 'MISSED'}; edit in 2,000 lines p95 ≤ 100 ms (in-process): ${goals.edit2000P95Under100ms ? 'met' : 'MISSED'}`);
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
if (!process.env.OUT) writeFileSync(new URL('./results/language.json', import.meta.url), JSON.stringify({ date: new Date().toISOString(), node: process.version, loadAverage1m: +loadavg()[0].toFixed(2), results, goals }, null, 2) + '\n');
