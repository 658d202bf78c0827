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
});
