/**
 * Finding the daemon without VS Code: the URL setting wins over announcement files; state
 * directories are searched in order (setting, $AF_STATE_DIR, each folder's .alphaforge); stale
 * and malformed announcements are skipped; tokens, backoff and the `af` CLI lookup.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { discoverDaemon, isLoopback, normaliseUrl, parseAnnouncement, readAdminToken, stateDirs } from '../../protocol/src/discovery.js';
import { backoffMs, daemonStartArgs, findCli, tokenKey } from '../src/daemon-discovery.js';

const tmp = mkdtempSync(join(tmpdir(), 'af-ext-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function folder(name: string, files: Record<string, string> = {}): string {
    const f = join(tmp, name);
    for (const [rel, text] of Object.entries(files)) {
        mkdirSync(join(f, rel, '..'), { recursive: true });
        writeFileSync(join(f, rel), text);
    }
    mkdirSync(f, { recursive: true });
    return f;
}

const announce = (pid: number, url: string): string => JSON.stringify({ pid, url, startedAt: '2024-01-01T00:00:00Z', version: '0.1.0', stateDir: 'x' });
const alive = (pids: number[]) => (pid: number): boolean => pids.includes(pid);

describe('daemon discovery', () => {
    it('uses the URL setting first, even when a daemon is announced', () => {
        const ws = folder('setting-wins', { '.alphaforge/daemon.json': announce(101, 'http://127.0.0.1:5000') });
        const d = discoverDaemon({ settingUrl: ' http://10.0.0.5:7411/ ', workspaceFolders: [ws], isAlive: alive([101]) });
        expect(d).toEqual({ kind: 'setting', url: 'http://10.0.0.5:7411', stateDir: undefined });
    });

    it('finds the local state directory of a loopback URL setting (for its admin token)', () => {
        const ws = folder('setting-local', { '.alphaforge/admin.token': 'af_0123456789abcdef\n' });
        const d = discoverDaemon({ settingUrl: 'http://localhost:7411', workspaceFolders: [ws] });
        expect(d).toMatchObject({ kind: 'setting', url: 'http://localhost:7411', stateDir: join(ws, '.alphaforge') });
    });

    it('reports a bad URL setting instead of guessing', () => {
        expect(discoverDaemon({ settingUrl: 'localhost:7411', workspaceFolders: [] })).toMatchObject({ kind: 'none', invalidSetting: expect.stringContaining('http') });
        expect(discoverDaemon({ settingUrl: 'ftp://x', workspaceFolders: [] })).toMatchObject({ kind: 'none', invalidSetting: expect.stringContaining('http') });
        expect(discoverDaemon({ settingUrl: 'http://user:secret@127.0.0.1:1', workspaceFolders: [] })).toMatchObject({ kind: 'none', invalidSetting: expect.stringContaining('token') });
    });

    it('reads <folder>/.alphaforge/daemon.json without a setting', () => {
        const ws = folder('announced', { '.alphaforge/daemon.json': announce(202, 'http://127.0.0.1:41234') });
        const d = discoverDaemon({ workspaceFolders: [ws], isAlive: alive([202]) });
        expect(d).toEqual({ kind: 'announcement', url: 'http://127.0.0.1:41234', pid: 202, file: join(ws, '.alphaforge', 'daemon.json'), stateDir: join(ws, '.alphaforge') });
    });

    it('an empty or blank setting means "not set"', () => {
        const ws = folder('blank', { '.alphaforge/daemon.json': announce(203, 'http://127.0.0.1:1') });
        expect(discoverDaemon({ settingUrl: '  ', workspaceFolders: [ws], isAlive: alive([203]) }).kind).toBe('announcement');
    });

    it('skips a stale announcement (its local pid is gone) and goes on to the next folder', () => {
        const a = folder('stale-a', { '.alphaforge/daemon.json': announce(301, 'http://127.0.0.1:1111') });
        const b = folder('stale-b', { '.alphaforge/daemon.json': announce(302, 'http://127.0.0.1:2222') });
        const d = discoverDaemon({ workspaceFolders: [a, b], isAlive: alive([302]) });
        expect(d).toMatchObject({ kind: 'announcement', url: 'http://127.0.0.1:2222', pid: 302 });
        const none = discoverDaemon({ workspaceFolders: [a], isAlive: alive([]) });
        expect(none).toEqual({ kind: 'none', searched: [join(a, '.alphaforge', 'daemon.json')], stale: [join(a, '.alphaforge', 'daemon.json')] });
    });

    it('does not judge the pid of a daemon on another host', () => {
        const ws = folder('remote-announce', { '.alphaforge/daemon.json': announce(999_999, 'https://quant.example:7411') });
        expect(discoverDaemon({ workspaceFolders: [ws], isAlive: alive([]) })).toMatchObject({ kind: 'announcement', url: 'https://quant.example:7411' });
    });

    it('ignores malformed announcements', () => {
        for (const text of ['', '{', '[]', '{"pid":"1","url":"http://127.0.0.1:1"}', '{"pid":1}', '{"pid":-3,"url":"http://127.0.0.1:1"}', '{"pid":1,"url":"file:///x"}']) {
            expect(parseAnnouncement(text)).toBeUndefined();
        }
        expect(parseAnnouncement(announce(5, 'http://127.0.0.1:7411/'))).toEqual({ pid: 5, url: 'http://127.0.0.1:7411', startedAt: '2024-01-01T00:00:00Z', version: '0.1.0', stateDir: 'x' });
        // Informative fields of the wrong type are dropped, not a reason to ignore the daemon.
        expect(parseAnnouncement('{"pid":5,"url":"http://127.0.0.1:7411","version":3}')).toEqual({ pid: 5, url: 'http://127.0.0.1:7411' });
    });

    it('searches the stateDir setting, then $AF_STATE_DIR, then each folder', () => {
        const a = join(tmp, 'w1'), b = join(tmp, 'w2');
        expect(stateDirs({ stateDir: 'state', workspaceFolders: [a, b], env: { AF_STATE_DIR: '/srv/af' } }))
            .toEqual([join(a, 'state'), join(b, 'state'), '/srv/af', join(a, '.alphaforge'), join(b, '.alphaforge')]);
        expect(stateDirs({ stateDir: '/abs/state', workspaceFolders: [a] })).toEqual(['/abs/state', join(a, '.alphaforge')]);
        // A relative $AF_STATE_DIR means the daemon's cwd, unknown here: not guessed.
        expect(stateDirs({ workspaceFolders: [a], env: { AF_STATE_DIR: 'rel' } })).toEqual([join(a, '.alphaforge')]);
        const ws = folder('by-setting', { 'custom/daemon.json': announce(404, 'http://127.0.0.1:4040'), '.alphaforge/daemon.json': announce(405, 'http://127.0.0.1:4050') });
        expect(discoverDaemon({ stateDir: 'custom', workspaceFolders: [ws], isAlive: alive([404, 405]) })).toMatchObject({ url: 'http://127.0.0.1:4040' });
    });

    it('with no folder and no setting there is nothing to find', () => {
        expect(discoverDaemon({ workspaceFolders: [] })).toEqual({ kind: 'none', searched: [], stale: [] });
    });
});

describe('tokens, URLs, retries', () => {
    it('reads the bootstrap admin token, trimmed; refuses junk', () => {
        const ws = folder('token', { '.alphaforge/admin.token': '  af_abcdef0123456789  \n' });
        expect(readAdminToken(join(ws, '.alphaforge'))).toBe('af_abcdef0123456789');
        expect(readAdminToken(join(tmp, 'nowhere'))).toBeUndefined();
        const bad = folder('token-bad', { '.alphaforge/admin.token': 'two words' });
        expect(readAdminToken(join(bad, '.alphaforge'))).toBeUndefined();
    });

    it('keys tokens by URL for a setting and by state directory for an announced daemon (whose port changes)', () => {
        expect(tokenKey({ kind: 'setting', url: 'http://h:1', stateDir: undefined })).toBe('alphaforge.token:http://h:1');
        expect(tokenKey({ kind: 'announcement', url: 'http://127.0.0.1:5', pid: 1, file: '/s/daemon.json', stateDir: '/s' })).toBe('alphaforge.token:state:/s');
        expect(tokenKey({ kind: 'none', searched: [], stale: [] })).toBeUndefined();
    });

    it('normalises URLs and knows loopback', () => {
        expect(normaliseUrl('http://127.0.0.1:7411///')).toEqual({ url: 'http://127.0.0.1:7411' });
        expect(normaliseUrl('https://daemon.example/base/')).toEqual({ url: 'https://daemon.example/base' });
        expect(isLoopback('http://127.0.0.1:1')).toBe(true);
        expect(isLoopback('http://localhost:1')).toBe(true);
        expect(isLoopback('http://[::1]:1')).toBe(true);
        expect(isLoopback('http://10.1.2.3:1')).toBe(false);
        expect(isLoopback('nonsense')).toBe(false);
    });

    it('backs off exponentially up to a cap, with bounded jitter', () => {
        const fixed = { random: () => 0.5 };
        expect([0, 1, 2, 3, 4, 5, 6, 7].map(a => backoffMs(a, fixed))).toEqual([2000, 4000, 8000, 16000, 32000, 60000, 60000, 60000]);
        expect(backoffMs(1000, fixed)).toBe(60000);
        expect(backoffMs(0, { random: () => 0 })).toBe(1800);
        expect(backoffMs(0, { random: () => 1 })).toBe(2200);
    });
});

describe('the af CLI', () => {
    const exists = (files: string[]) => (p: string): boolean => files.includes(p);

    it('prefers the setting, then node_modules/.bin/af, then bin/af.js of a checkout, then PATH', () => {
        const ws = '/w';
        const env = { PATH: '/usr/bin:/opt/af/bin' };
        const node = '/usr/bin/node';
        expect(findCli({ setting: 'tools/af.js', workspaceFolders: [ws], env, exists: exists([node, '/w/tools/af.js', '/w/node_modules/.bin/af']) }))
            .toEqual({ command: node, args: ['/w/tools/af.js'], description: '/w/tools/af.js' });
        expect(findCli({ workspaceFolders: [ws], env, exists: exists([node, '/w/node_modules/.bin/af', '/opt/af/bin/af']) }))
            .toEqual({ command: '/w/node_modules/.bin/af', args: [], description: 'node_modules/.bin/af' });
        expect(findCli({ workspaceFolders: [ws], env, exists: exists([node, '/w/bin/af.js']), readFile: () => '{"name":"alphaforge"}' }))
            .toEqual({ command: node, args: ['/w/bin/af.js'], description: 'bin/af.js' });
        // bin/af.js of another project is not ours.
        expect(findCli({ workspaceFolders: [ws], env, exists: exists([node, '/w/bin/af.js', '/opt/af/bin/af']), readFile: () => '{"name":"other"}' }))
            .toEqual({ command: '/opt/af/bin/af', args: [], description: 'af on PATH' });
        expect(findCli({ workspaceFolders: [ws], env, exists: exists([node]) })).toBeUndefined();
    });

    it('starts the daemon for a state directory', () => {
        expect(daemonStartArgs('/w/.alphaforge')).toEqual(['daemon', 'start', '--state-dir', '/w/.alphaforge', '--port', '0']);
    });
});
