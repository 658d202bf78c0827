/**
 * The configuration: flags > environment > config file > defaults, each layer validated on its
 * own so a bad value is named by where it came from; through `loadConfig` and through the real
 * CLI (`run`), whose commands take their settings from it.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterEach, describe, expect, it } from 'vitest';
import { applyConfig } from '../../src/cli/config.js';
import { run } from '../../src/cli/main.js';
import { ConfigError, ConfigSchema, loadConfig, SETTINGS } from '../../src/config/config.js';
import { DB_FILE } from '../../src/store/store.js';
import { tempDir } from '../data/helpers.js';

function file(dir: string, name: string, value: unknown): string {
    const f = join(dir, name);
    writeFileSync(f, typeof value === 'string' ? value : JSON.stringify(value));
    return f;
}

function failure(fn: () => unknown): Error {
    try {
        fn();
    } catch (e) {
        return e as Error;
    }
    throw new Error('expected an error');
}

async function cli(argv: string[]): Promise<{ code: number; out: string; err: string }> {
    let out = '', err = '';
    const code = await run(argv, s => { out += s; }, s => { err += s; });
    return { code, out, err };
}

const ENV_KEYS = ['AF_STATE_DIR', 'AF_CONFIG', 'AF_LOG_LEVEL', 'AF_DAEMON_URL'] as const;
const saved = Object.fromEntries(ENV_KEYS.map(k => [k, process.env[k]]));
afterEach(() => {
    for (const k of ENV_KEYS) {
        if (saved[k] === undefined) delete process.env[k];
        else process.env[k] = saved[k];
    }
});

describe('precedence', () => {
    it('flags > environment > file, objects merged key by key, relative paths in the file relative to it', () => {
        const dir = tempDir('af-config-');
        const f = file(dir, 'alphaforge.json', {
            stateDir: 'state', daemon: { port: 9000, host: '0.0.0.0', url: 'http://10.0.0.1:9000', dataDirs: ['data', '/abs'] },
            runs: { teamTimeoutMs: { research: 5 } }, log: { level: 'warn' },
        });
        const onlyFile = loadConfig({ file: f, env: {}, cwd: '/elsewhere' });
        expect(onlyFile.file).toBe(f);
        expect(onlyFile.config).toEqual({
            stateDir: join(dir, 'state'), daemon: { port: 9000, host: '0.0.0.0', url: 'http://10.0.0.1:9000', dataDirs: [join(dir, 'data'), '/abs'] },
            runs: { teamTimeoutMs: { research: 5 } }, log: { level: 'warn' },
        });
        const env = { AF_STATE_DIR: '/env/state', AF_DAEMON_URL: 'http://127.0.0.1:7000', AF_LOG_LEVEL: 'debug' };
        const withEnv = loadConfig({ file: f, env }).config;
        expect(withEnv).toMatchObject({ stateDir: '/env/state', daemon: { port: 9000, host: '0.0.0.0', url: 'http://127.0.0.1:7000' }, log: { level: 'debug' } });
        const withFlags = loadConfig({ file: f, env, flags: { stateDir: '/flag/state', daemon: { port: 8000 }, runs: { teamTimeoutMs: { ops: 7 } } } }).config;
        expect(withFlags).toMatchObject({ stateDir: '/flag/state', daemon: { port: 8000, host: '0.0.0.0', url: 'http://127.0.0.1:7000' } });
        // A team's limits are replaced whole by a higher layer, not merged.
        expect(withFlags.runs?.teamTimeoutMs).toEqual({ ops: 7 });
        // Nothing given: nothing set (each component's own default applies).
        expect(loadConfig({ env: {}, cwd: tempDir('af-config-empty-') })).toEqual({ config: {} });
    });

    it('finds alphaforge.json in the current directory, or the file $AF_CONFIG names', () => {
        const ws = tempDir('af-config-ws-');
        file(ws, 'alphaforge.json', { daemon: { port: 1234 } });
        expect(loadConfig({ env: {}, cwd: ws }).config).toEqual({ daemon: { port: 1234 } });
        const other = file(tempDir('af-config-other-'), 'team.json', { daemon: { port: 4321 } });
        expect(loadConfig({ env: { AF_CONFIG: other }, cwd: ws }).config).toEqual({ daemon: { port: 4321 } });
    });

    it('the CLI: --state-dir > $AF_STATE_DIR > the config file\'s stateDir > .alphaforge', async () => {
        const dir = tempDir('af-config-cli-');
        const f = file(dir, 'team.json', { stateDir: 'from-file' });
        delete process.env.AF_STATE_DIR;
        expect(await cli(['data', 'ls', '--json', '--config', f])).toMatchObject({ code: 0, out: '[]\n' });
        expect(existsSync(join(dir, 'from-file', DB_FILE))).toBe(true);
        process.env.AF_STATE_DIR = join(dir, 'from-env');
        expect((await cli(['--config', f, 'data', 'ls', '--json'])).code).toBe(0);
        expect(existsSync(join(dir, 'from-env', DB_FILE))).toBe(true);
        expect((await cli(['data', 'ls', '--json', '--config', f, '--state-dir', join(dir, 'from-flag')])).code).toBe(0);
        expect(existsSync(join(dir, 'from-flag', DB_FILE))).toBe(true);
    });

    it('fills a command\'s options from the configuration unless given on the command line', () => {
        const dir = tempDir('af-config-cmd-');
        const f = file(dir, 'alphaforge.json', { daemon: { port: 9000, dataDirs: ['data'] }, runs: { teamTimeoutMs: { research: 5 } } });
        const command = (): Command => new Command('run').exitOverride()
            .option('--port <port>', 'port', Number, 7411)
            .option('--data-dir <dir>', 'data', (v: string, all: string[]) => [...all, v], [] as string[])
            .option('--team-run-timeout <team=ms>', 'team', (v: string, all: string[]) => [...all, v], [] as string[])
            .option('--verbose', 'not a setting', false);
        const fromFile = command().parse([], { from: 'user' });
        applyConfig(fromFile, f);
        expect(fromFile.opts()).toEqual({ port: 9000, dataDir: [join(dir, 'data')], teamRunTimeout: ['research=5'], verbose: false, configFile: f });
        const flagged = command().parse(['--port', '8000', '--team-run-timeout', 'ops=7'], { from: 'user' });
        applyConfig(flagged, f);
        expect(flagged.opts()).toMatchObject({ port: 8000, dataDir: [join(dir, 'data')], teamRunTimeout: ['ops=7'] });
        const bad = command().parse(['--team-run-timeout', 'ops'], { from: 'user' });
        expect(() => applyConfig(bad, f)).toThrow("--team-run-timeout takes team=milliseconds (e.g. research=3600000), not 'ops'");
    });
});

describe('bad values', () => {
    it('name the file and the field, the variable or the flag, and say what is expected', () => {
        const dir = tempDir('af-config-bad-');
        const bad = (value: unknown): string => failure(() => loadConfig({ file: file(dir, 'c.json', value), env: {} })).message;
        const f = join(dir, 'c.json');
        expect(bad('{ "daemon": ')).toMatch(new RegExp(`^${f} is not valid JSON: `));
        expect(bad([1])).toBe(`${f} must hold one JSON object of settings (docs/config.md)`);
        expect(bad({ daemon: { port: 'x' } })).toMatch(new RegExp(`^${f}: daemon\\.port: .*expected number`));
        expect(bad({ daemon: { port: 70000 } })).toMatch(new RegExp(`^${f}: daemon\\.port: .*65535`));
        expect(bad({ runs: { memry: 3 } })).toBe(`${f}: runs.memry: unknown setting; runs takes concurrency, timeoutMs, teamTimeoutMs, memoryMb (docs/config.md)`);
        expect(bad({ stateDirr: 'x' })).toMatch(new RegExp(`^${f}: stateDirr: unknown setting; the settings are stateDir, token, daemon, runs, language, database, files, sweeps, log`));
        expect(bad({ database: { queryTimeoutSeconds: -1 } })).toMatch(new RegExp(`^${f}: database\\.queryTimeoutSeconds: `));
        // Venue keys sign every request sent to a venue URL: clear text only to this machine, no paths or users.
        expect(bad({ venues: { urls: { binance: 'http://10.0.0.5:8080' } } })).toBe(`${f}: venues.urls.binance: 'http://10.0.0.5:8080' http:// is only for this machine (127.0.0.1, ::1, localhost); use https:// for any other host (the venue keys go with every request)`);
        expect(bad({ venues: { urls: { binance: 'https://u:p@proxy.example/api' } } })).toMatch(new RegExp(`^${f}: venues\\.urls\\.binance: .* must not carry a user or password`));
        expect(bad({ venues: { urls: { binance: 'https://proxy.example/api' } } })).toMatch(/must be a scheme and host \(and port\) only/);
        expect(bad({ venues: { urls: { 'Bin ance': 'https://x.example' } } })).toMatch(/venues\.urls\.Bin ance: must be a ccxt exchange id/);
        expect(loadConfig({ file: file(dir, 'ok.json', { venues: { urls: { binance: 'http://127.0.0.1:8090/', okx: 'https://testnet.example' } } }), env: {} }).config.venues?.urls)
            .toEqual({ binance: 'http://127.0.0.1:8090', okx: 'https://testnet.example' });
        // A secret does not belong in a file, whatever its value.
        expect(bad({ token: 'af_secret' })).toBe(`${f}: token: a token does not belong in a config file (anyone who can read the file could use it); use af login or $AF_TOKEN`);
        expect(bad({ token: 'af_secret' })).not.toContain('af_secret');

        const env = (e: Record<string, string>): string => failure(() => loadConfig({ env: e, cwd: dir })).message;
        expect(env({ AF_LOG_LEVEL: 'loud' })).toMatch(/^\$AF_LOG_LEVEL: .*"info"/);
        expect(env({ AF_DAEMON_URL: 'not a url' })).toMatch(/^\$AF_DAEMON_URL: /);
        expect(failure(() => loadConfig({ env: {}, cwd: dir, flags: { daemon: { port: -1 } }, flagName: () => '--port' })).message).toMatch(/^--port: /);
        expect(failure(() => loadConfig({ file: join(dir, 'missing.json'), env: {} })).message).toBe(`the config file ${join(dir, 'missing.json')} does not exist (--config)`);
        expect(failure(() => loadConfig({ env: { AF_CONFIG: 'nope.json' }, cwd: dir })).message).toBe(`the config file ${join(dir, 'nope.json')} does not exist ($AF_CONFIG)`);
        expect(failure(() => loadConfig({ env: { AF_LOG_LEVEL: 'loud' }, cwd: dir }))).toBeInstanceOf(ConfigError);
    });

    it('refuse to start a daemon whose single sign-on section is incomplete, naming the field', async () => {
        const dir = tempDir('af-config-oidc-');
        const f = file(dir, 'team.json', { stateDir: 'st', oidc: { audience: 'alphaforge', groups: { quants: { team: 'research', role: 'researcher' } } } });
        const r = await cli(['daemon', 'run', '--config', f, '--port', '0']);
        expect(r.code).toBe(2);
        expect(r.err).toMatch(new RegExp(`^af: ${f}: oidc\\.issuer: .*docs/iam\\.md`));
        expect(existsSync(join(dir, 'st'))).toBe(false);
    });

    it('stop the command before it does anything, with one line and exit code 2', async () => {
        const dir = tempDir('af-config-cli-bad-');
        const f = file(dir, 'c.json', { stateDir: 'st', daemon: { port: 'x' } });
        const r = await cli(['data', 'ls', '--config', f]);
        expect(r.code).toBe(2);
        expect(r.err).toMatch(new RegExp(`^af: ${f}: daemon\\.port: .*\\n$`));
        expect(existsSync(join(dir, 'st'))).toBe(false);
        process.env.AF_LOG_LEVEL = 'loud';
        expect((await cli(['data', 'ls', '--state-dir', join(dir, 'x')])).err).toMatch(/^af: \$AF_LOG_LEVEL: /);
        // Commands that take no setting do not read it.
        expect((await cli(['explain', 'AF101'])).code).toBe(0);
    });
});

describe('documentation', () => {
    it('docs/config.md names every setting with its flag and variable, and the schema has exactly these settings', () => {
        const doc = readFileSync(new URL('../../../docs/config.md', import.meta.url), 'utf8');
        for (const s of SETTINGS) {
            expect(doc, s.path).toContain(`\`${s.path}\``);
            if (s.flag) expect(doc, s.flag).toContain(`\`${s.flag}`);
            if (s.env) expect(doc, s.env).toContain(`\`${s.env}\``);
        }
        const leaves = Object.entries(ConfigSchema.shape).flatMap(([k, v]) => {
            const inner = (v as { unwrap?: () => unknown }).unwrap?.() as { shape?: Record<string, unknown> } | undefined;
            return inner?.shape ? Object.keys(inner.shape).map(n => `${k}.${n}`) : [k];
        });
        expect(leaves.sort()).toEqual(SETTINGS.map(s => s.path).sort());
    });
});
