/**
 * A bare orchestrator process over a state directory, without the gateway: recovers what was left
 * unfinished, optionally submits runs from a JSON file, prints every event as one JSON line on
 * stdout, and stops gracefully on SIGTERM / SIGINT. The crash test drives it (and kill -9s it);
 * it is also a quick way to drain a queue by hand.
 *
 *   node out/runtime/src/daemon/standalone-orchestrator.js --state-dir DIR [--concurrency N]
 *        [--submit runs.json] [--timeout MS] [--exit-when-idle] [--queue queue.json]
 *
 * --queue: team mode's queue settings (queue/settings.ts) as JSON: runs execute on `af worker` processes.
 *
 * runs.json: [{ "spec": RunSpec, "user": "…", "team": "…" }, …]
 * Output lines: {"type":"ready"} · {"type":"submitted","id":…} · {"type":"event","event":RunEvent} ·
 * {"type":"completed","id":…} · {"type":"warning","message":…} · {"type":"idle"} · {"type":"stopped"}
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { openStore } from '../schema/registry.js';
import { Orchestrator } from '../orchestrator/orchestrator.js';
import type { RunSpec } from '../orchestrator/types.js';
import { QueueSettingsSchema } from '../queue/settings.js';

const { values } = parseArgs({
    options: {
        'state-dir': { type: 'string' },
        concurrency: { type: 'string' },
        submit: { type: 'string' },
        timeout: { type: 'string' },
        'exit-when-idle': { type: 'boolean' },
        queue: { type: 'string' },
    },
});

const print = (o: unknown): void => { process.stdout.write(`${JSON.stringify(o)}\n`); };

const store = await openStore({ stateDir: values['state-dir'] });
const backend = values.queue ? await (await import('../queue/bullmq-backend.js')).BullmqBackend.open(QueueSettingsSchema.parse(JSON.parse(readFileSync(values.queue, 'utf8')))) : undefined;
const orchestrator = new Orchestrator({
    store, ...(backend ? { backend } : {}),
    concurrency: values.concurrency ? Number(values.concurrency) : undefined,
    defaultTimeoutMs: values.timeout ? Number(values.timeout) : undefined,
});
orchestrator.on('event', event => print({ type: 'event', event }));
orchestrator.on('completed', run => print({ type: 'completed', id: run.id }));
orchestrator.on('warning', e => print({ type: 'warning', message: e.message }));

let stopping = false;
async function shutdown(code: number): Promise<void> {
    if (stopping) return;
    stopping = true;
    await orchestrator.stop();
    store.close();
    print({ type: 'stopped' });
    process.exit(code);
}
process.on('SIGTERM', () => void shutdown(0));
process.on('SIGINT', () => void shutdown(0));

await orchestrator.start();
print({ type: 'ready' });
if (values.submit) {
    const runs = JSON.parse(readFileSync(values.submit, 'utf8')) as { spec: RunSpec; user: string; team: string }[];
    for (const r of runs) {
        const run = await orchestrator.submit(r.spec, { user: r.user, team: r.team });
        print({ type: 'submitted', id: run.id, user: r.user });
    }
}
// Nothing else keeps the process alive between runs (idle workers do not): a daemon waits for a signal.
if (!values['exit-when-idle']) setInterval(() => undefined, 3_600_000);
if (values['exit-when-idle']) {
    const timer = setInterval(() => {
        void orchestrator.status().then(s => {
            if (s.running === 0 && s.queued === 0 && !stopping) {
                clearInterval(timer);
                print({ type: 'idle' });
                void shutdown(0);
            }
        });
    }, 200);
}
