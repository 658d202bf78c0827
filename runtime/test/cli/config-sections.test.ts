/**
 * The config file's team-mode sections (`af daemon run --config`): absent → undefined, valid → parsed,
 * invalid → one error naming the file and the field (never a stack trace).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { barsSettings, controlPlaneSettings, queueSettings } from '../../src/cli/commands/daemon.js';

const dir = mkdtempSync(join(tmpdir(), 'af-config-sections-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const file = (config: unknown): string => {
    const f = join(dir, `team-${n++}.json`);
    writeFileSync(f, JSON.stringify(config));
    return f;
};

describe('config file sections', () => {
    it('absent sections are undefined; a valid controlPlane section is parsed', () => {
        const empty = file({});
        expect(controlPlaneSettings(empty)).toBeUndefined();
        expect(queueSettings(empty)).toBeUndefined();
        expect(barsSettings(empty)).toBeUndefined();
        expect(controlPlaneSettings(file({ controlPlane: { kind: 'postgres', url: 'postgres://af@127.0.0.1:15432/af' } })))
            .toMatchObject({ kind: 'postgres', url: 'postgres://af@127.0.0.1:15432/af' });
    });

    it('an invalid section names the file and the field', () => {
        const bad = file({ controlPlane: { kind: 'postgres', url: 'mysql://x' } });
        expect(() => controlPlaneSettings(bad)).toThrow(`${bad}: controlPlane.url: must be a postgres:// URL`);
        const badQueue = file({ queue: { kind: 'bullmq', redis: 'http://x' } });
        expect(() => queueSettings(badQueue)).toThrow(`${badQueue}: queue.redis: must be a redis:// or rediss:// URL`);
        const badBars = file({ bars: 42 });
        expect(() => barsSettings(badBars)).toThrow(`${badBars}: bars`);
    });

    it('controlPlane.takeoverMs and takeoverSettleMs: integers of milliseconds within bounds, else an error naming the file, the field and the bound', () => {
        const cp = { kind: 'postgres', url: 'postgres://af@127.0.0.1:15432/af' };
        expect(controlPlaneSettings(file({ controlPlane: { ...cp, takeoverMs: 1000, takeoverSettleMs: 500 } }))).toMatchObject({ takeoverMs: 1000, takeoverSettleMs: 500 });
        expect(controlPlaneSettings(file({ controlPlane: { ...cp, takeoverMs: 100, takeoverSettleMs: 60_000 } }))).toMatchObject({ takeoverMs: 100, takeoverSettleMs: 60_000 });
        expect(controlPlaneSettings(file({ controlPlane: cp }))).not.toHaveProperty('takeoverMs');
        const cases: [Record<string, unknown>, string][] = [
            [{ takeoverMs: 99 }, 'controlPlane.takeoverMs: must be at least 100 (ms)'],
            [{ takeoverMs: 600_001 }, 'controlPlane.takeoverMs: must be at most 600000 (ms, 10 min)'],
            [{ takeoverMs: 0 }, 'controlPlane.takeoverMs: must be at least 100 (ms)'],
            [{ takeoverMs: 1500.5 }, 'controlPlane.takeoverMs: must be a whole number of milliseconds'],
            [{ takeoverMs: '5000' }, 'controlPlane.takeoverMs: must be a number of milliseconds'],
            [{ takeoverSettleMs: -1 }, 'controlPlane.takeoverSettleMs: must be at least 100 (ms)'],
            [{ takeoverSettleMs: 60_001 }, 'controlPlane.takeoverSettleMs: must be at most 60000 (ms, 1 min)'],
        ];
        for (const [fields, message] of cases) {
            const f = file({ controlPlane: { ...cp, ...fields } });
            expect(() => controlPlaneSettings(f)).toThrow(`${f}: ${message}`);
        }
    });
});
