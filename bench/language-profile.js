// Full builds of one generated 5,000-line strategy (DENSITY=typical|dense), N times, with this
// process's CPU time per build phase: parse (lex + parse), linking, reference index, validation.
// For a CPU profile of the same work, and to compare two builds of out/ in one sitting:
//   node --cpu-prof --cpu-prof-dir=/tmp/prof bench/language-profile.js
//   OUT=../out-base node bench/language-profile.js    (an out/ directory relative to bench/)
// (bench/language.js is the benchmark of record; this is its profiling companion.)
import { URI } from 'langium';

const { createAlphaForgeServices } = await import(process.env.OUT ? new URL(process.env.OUT + '/language/src/index.js', import.meta.url).href : '../out/language/src/index.js');
const { generateStrategy } = await import('./gen-strategy.js');
const files = new Map();
const memFs = { readFile: async u => files.get(u.toString()) ?? '', readFileSync: u => files.get(u.toString()) ?? '', readDirectory: async () => [] };
const { AlphaForge: services, shared } = createAlphaForgeServices({ fileSystemProvider: () => memFs });
const builder = shared.workspace.DocumentBuilder, documents = shared.workspace.LangiumDocuments;
await builder.build([services.alphaforge.Builtins.document()], { validation: false });
const density = process.env.DENSITY ?? 'typical';
const text = generateStrategy(5000, { density });
const uri = URI.parse('memory:///p.af');
const phases = {};
const cpu = () => { const c = process.cpuUsage(); return (c.user + c.system) / 1000; };
for (const st of [1,2,3,4,5,6]) builder.onBuildPhase(st, () => { phases[st] = cpu(); });
const times = [];
for (let i = 0; i < Number(process.env.N ?? 10); i++) {
  files.set(uri.toString(), text);
  if (documents.hasDocument(uri)) await builder.update([], [uri]);
  const t0 = cpu();
  const doc = await documents.getOrCreateDocument(uri);
  const tp = cpu();
  await builder.build([doc], { validation: true });
  const t1 = cpu();
  times.push([t1 - t0, tp - t0, phases[2]-tp, phases[3]-phases[2], phases[4]-phases[3], phases[5]-phases[4], phases[6]-phases[5]].map(x => +x.toFixed(1)));
}
console.log('total, parse, indexedContent, scopes, linked, indexedRefs, validated');
for (const t of times) console.log(t.join('\t'));
const med = k => { const s = times.slice(2).map(t => t[k]).sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
console.log(`median CPU ms: total ${med(0)} parse ${med(1)} link ${med(4)} refs ${med(5)} validate ${med(6)}`);
