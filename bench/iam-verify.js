// Token verification, the first thing every RPC does. Usage: npm run build && node bench/iam-verify.js [--calls 600]
// One embedded store (a real DuckDB file in a temp folder) with a bootstrap admin, 30 users and 10
// tokens; verifies the tokens round-robin with IAM as the embedded daemon runs it (verified tokens
// kept, `cacheVerified`) and as team mode runs it (every call reads the store), 3 rounds each, in
// CPU time of this process. Before the kept variant's second and third rounds a token is revoked
// and a user created (each write drops the kept rows, read again in that round): its worst round
// is reported beside its best. Prints and writes bench/results/iam-verify.json: CPU per call of
// each, and their ratio (same run, same store).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { withStore } from '../out/runtime/src/schema/registry.js';
import { Iam } from '../out/runtime/src/iam/iam.js';

const arg = (name, dflt) => {
    const i = process.argv.indexOf(`--${name}`);
    return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const CALLS = arg('calls', 600);
const cpuMs = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };

async function perCall(iam, tokens, between) {
    let best = Infinity, worst = 0;
    for (let rep = 0; rep < 3; rep++) {
        await between?.(rep);
        const c0 = cpuMs();
        for (let i = 0; i < CALLS; i++) await iam.verify(`Bearer ${tokens[i % tokens.length]}`);
        const ms = (cpuMs() - c0) / CALLS;
        best = Math.min(best, ms);
        worst = Math.max(worst, ms);
    }
    return { best, worst };
}

async function main() {
    const dir = mkdtempSync(join(tmpdir(), 'af-bench-iam-'));
    try {
        const results = await withStore({ stateDir: dir }, async store => {
            const setup = new Iam(store);
            const admin = (await setup.bootstrap(dir)).token;
            for (let i = 0; i < 30; i++) await setup.createUser(`u${i}`);
            const tokens = [admin];
            for (let i = 0; i < 9; i++) tokens.push((await setup.createToken({ user: 'admin', team: 'default', name: `t${i}` })).token);
            const spare = await setup.createToken({ user: 'admin', team: 'default', name: 'spare' });
            const reading = new Iam(store);
            const kept = new Iam(store, { cacheVerified: true });
            for (const iam of [reading, kept]) for (let i = 0; i < 50; i++) await iam.verify(tokens[i % tokens.length]); // warm-up
            const readingMs = await perCall(reading, tokens);
            const principal = await kept.verify(admin);
            const keptMs = await perCall(kept, tokens, async rep => {
                if (rep === 1) await kept.revokeToken(spare.id, principal);
                if (rep === 2) await kept.createUser('late');
            });
            return { readingMs, keptMs };
        });
        const out = {
            date: new Date().toISOString(), loadavg: loadavg().map(x => Math.round(x * 100) / 100), calls: CALLS,
            cpuMsPerCall: { storeEveryCall: round(results.readingMs.best), verifiedKept: round(results.keptMs.best), verifiedKeptAfterAWrite: round(results.keptMs.worst) },
            ratio: round(results.readingMs.best / results.keptMs.best),
        };
        console.log(`token verification, CPU per call: every call reads the DuckDB store (as before; team mode reads PostgreSQL every call) ${out.cpuMsPerCall.storeEveryCall} ms; verified tokens kept (embedded daemon) ${out.cpuMsPerCall.verifiedKept} ms, ${out.cpuMsPerCall.verifiedKeptAfterAWrite} ms in a round after a write; ${out.ratio}× (load ${out.loadavg[0]})`);
        writeFileSync(new URL('./results/iam-verify.json', import.meta.url), JSON.stringify(out, null, 2) + '\n');
    } finally {
        rmSync(dir, { recursive: true, force: true });
    }
}

const round = x => Math.round(x * 1000) / 1000;

await main();
process.exit(0);
