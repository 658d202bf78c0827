#!/usr/bin/env node
// Team mode's servers on this machine, from Debian's packages, without systemd: Redis, PostgreSQL 15
// and ClickHouse, each with its data, sockets and logs under one folder (default .alphaforge-team/),
// bound to 127.0.0.1. For trying team mode and for the tests; a real deployment runs them as services.
//
//   node scripts/team/servers.mjs up [--dir D] [--only redis,postgres,clickhouse] [--bind A,B]   (npm run team:up)
//   node scripts/team/servers.mjs down [--dir D]                                       (npm run team:down)
//
// `up` writes D/servers.json (ports, URLs, pids) and prints the URLs; `down` stops what it lists.
// `--bind` adds addresses Redis listens on beside 127.0.0.1 (e.g. the host end of a veth link to a worker's
// network namespace, scripts/team/netns.mjs); the default stays 127.0.0.1 only.
// The packages: apt-get install redis-server postgresql-15 clickhouse-server (bash .ci/run does).
// PostgreSQL refuses to run as root: as root, initdb and the server run as the `postgres` user.
import { spawn, execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { join, resolve } from 'node:path';

const PG_BIN = '/usr/lib/postgresql/15/bin';
const CH_CONFIG = '/etc/clickhouse-server/config.xml';
const CH_USERS = '/etc/clickhouse-server/users.xml';

/** A port nobody listens on now (for tests; users get fixed defaults). */
export async function freePort() {
    const s = createServer();
    await new Promise(r => s.listen(0, '127.0.0.1', r));
    const { port } = s.address();
    await new Promise(r => s.close(r));
    return port;
}

function need(file, pkg) {
    if (!existsSync(file)) throw new Error(`${file} is missing: install it with apt-get install -y ${pkg} (bash .ci/run does)`);
}

async function waitFor(what, check, log, timeoutMs = 60_000) {
    const until = Date.now() + timeoutMs;
    for (;;) {
        try {
            if (await check()) return;
        } catch { /* not yet */ }
        if (Date.now() > until) {
            const tail = log && existsSync(log) ? readFileSync(log, 'utf8').split('\n').slice(-15).join('\n') : '';
            throw new Error(`${what} did not become ready in ${timeoutMs / 1000} s${tail ? `; the end of ${log}:\n${tail}` : ''}`);
        }
        await new Promise(r => setTimeout(r, 200));
    }
}

function detached(cmd, args, log, opts = {}) {
    const fd = openSync(log, 'a');
    const child = spawn(cmd, args, { detached: true, stdio: ['ignore', fd, fd], ...opts });
    child.unref();
    return child.pid;
}

function redisPing(port) {
    return new Promise(res => {
        const c = createConnection({ host: '127.0.0.1', port }, () => c.write('PING\r\n'));
        c.on('data', d => { res(String(d).startsWith('+PONG')); c.destroy(); });
        c.on('error', () => res(false));
    });
}

/** Extra listen addresses: IPv4 literals only (they go on a command line). */
function bindList(bind) {
    for (const a of bind) if (!/^\d{1,3}(\.\d{1,3}){3}$/.test(a)) throw new Error(`--bind: ${JSON.stringify(a)} is not an IPv4 address`);
    return ['127.0.0.1', ...bind.filter(a => a !== '127.0.0.1')];
}

export async function startRedis(dir, port, bind = []) {
    need('/usr/bin/redis-server', 'redis-server');
    const home = join(dir, 'redis');
    mkdirSync(home, { recursive: true });
    const log = join(home, 'redis.log');
    // Redis's protected mode answers only loopback clients of a password-less server: extra addresses
    // (a veth link's host end, reachable only from its namespace) need it off.
    const extra = bind.length ? ['--protected-mode', 'no'] : [];
    const pid = detached('/usr/bin/redis-server', ['--port', String(port), '--bind', ...bindList(bind), ...extra, '--save', '', '--appendonly', 'no', '--daemonize', 'no', '--dir', home], log);
    await waitFor('redis-server', () => redisPing(port), log);
    return { pid, port, url: `redis://127.0.0.1:${port}` };
}

export async function startPostgres(dir, port) {
    need(join(PG_BIN, 'initdb'), 'postgresql-15');
    const root = process.getuid?.() === 0;
    const home = join(dir, 'postgres');
    const data = join(home, 'data');
    mkdirSync(home, { recursive: true });
    const as = root ? ['runuser', '-u', 'postgres', '--'] : [];
    const owner = () => {
        if (!root) return;
        const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
        const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
        chownSync(home, uid, gid);
        if (existsSync(data)) chownSync(data, uid, gid);
    };
    owner();
    const run = (bin, args) => execFileSync(as[0] ?? join(PG_BIN, bin), as.length ? [...as.slice(1), join(PG_BIN, bin), ...args] : args, { stdio: 'pipe' });
    // Locale C: text sorts and compares byte by byte, as in the embedded DuckDB store (whatever the host's locale).
    if (!existsSync(join(data, 'PG_VERSION'))) run('initdb', ['-D', data, '-U', 'alphaforge', '--auth=trust', '-E', 'UTF8', '--locale=C', '--no-instructions']);
    const log = join(home, 'postgres.log');
    run('pg_ctl', ['-D', data, '-l', log, '-w', '-t', '60', '-o', `-p ${port} -k ${home} -c listen_addresses=127.0.0.1`, 'start']);
    await waitFor('postgres', () => {
        execFileSync(join(PG_BIN, 'pg_isready'), ['-h', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
        return true;
    }, log);
    try {
        run('createdb', ['-h', '127.0.0.1', '-p', String(port), '-U', 'alphaforge', 'alphaforge']);
    } catch { /* exists */ }
    const pid = Number(readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0]);
    return { pid, port, data, url: `postgres://alphaforge@127.0.0.1:${port}/alphaforge` };
}

export async function startClickHouse(dir, httpPort, tcpPort) {
    need('/usr/sbin/clickhouse-server', 'clickhouse-server');
    const home = join(dir, 'clickhouse');
    mkdirSync(join(home, 'log'), { recursive: true });
    // Debian's config with every path under `home`, our ports, and only 127.0.0.1.
    const config = readFileSync(CH_CONFIG, 'utf8')
        .replaceAll('/var/log/clickhouse-server', join(home, 'log'))
        .replaceAll('/var/lib/clickhouse/', `${home}/`)
        .replace(/<http_port>\d+<\/http_port>/, `<http_port>${httpPort}</http_port>`)
        .replace(/<tcp_port>\d+<\/tcp_port>/, `<tcp_port>${tcpPort}</tcp_port>`)
        .replace(/<interserver_http_port>\d+<\/interserver_http_port>/, `<interserver_http_port>${await freePort()}</interserver_http_port>`)
        .replace(/<listen_host>::1<\/listen_host>/g, '');
    writeFileSync(join(home, 'config.xml'), config);
    writeFileSync(join(home, 'users.xml'), readFileSync(CH_USERS, 'utf8'));
    const log = join(home, 'log', 'stdout.log');
    const pid = detached('/usr/sbin/clickhouse-server', [`--config-file=${join(home, 'config.xml')}`], log, { cwd: home });
    const url = `http://127.0.0.1:${httpPort}`;
    await waitFor('clickhouse-server', async () => (await fetch(`${url}/ping`, { signal: AbortSignal.timeout(1000) })).ok, join(home, 'log', 'clickhouse-server.err.log'));
    return { pid, port: httpPort, tcpPort, url };
}

function stopPid(pid) {
    try { process.kill(pid, 'SIGTERM'); } catch { return; }
    const until = Date.now() + 10_000;
    while (Date.now() < until) {
        try { process.kill(pid, 0); } catch { return; }
        execFileSync('sleep', ['0.1']);
    }
    try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
}

/** Starts the servers; returns what servers.json holds. */
export async function up(dir, o = {}) {
    dir = resolve(dir);
    mkdirSync(dir, { recursive: true });
    const only = new Set(o.only ?? ['redis', 'postgres', 'clickhouse']);
    const ports = o.ports ?? {};
    const state = { dir };
    const file = join(dir, 'servers.json');
    const save = () => writeFileSync(file, JSON.stringify(state, null, 2) + '\n');
    try {
        if (only.has('redis')) { state.redis = await startRedis(dir, ports.redis ?? 16379, o.bind ?? []); save(); }
        if (only.has('postgres')) { state.postgres = await startPostgres(dir, ports.postgres ?? 15432); save(); }
        if (only.has('clickhouse')) { state.clickhouse = await startClickHouse(dir, ports.clickhouse ?? 18123, ports.clickhouseTcp ?? 19000); save(); }
    } catch (e) {
        save();
        down(dir);
        throw e;
    }
    save();
    return state;
}

/** Stops what servers.json lists (PostgreSQL with pg_ctl, the others by signal). */
export function down(dir, o = {}) {
    const file = join(resolve(dir), 'servers.json');
    if (!existsSync(file)) return;
    const state = JSON.parse(readFileSync(file, 'utf8'));
    if (state.postgres) {
        try {
            const root = process.getuid?.() === 0;
            const args = ['-D', state.postgres.data, '-m', 'fast', '-w', 'stop'];
            if (root) execFileSync('runuser', ['-u', 'postgres', '--', join(PG_BIN, 'pg_ctl'), ...args], { stdio: 'ignore' });
            else execFileSync(join(PG_BIN, 'pg_ctl'), args, { stdio: 'ignore' });
        } catch {
            stopPid(state.postgres.pid);
        }
    }
    if (state.redis) stopPid(state.redis.pid);
    if (state.clickhouse) stopPid(state.clickhouse.pid);
    rmSync(file, { force: true });
    if (o.wipe) rmSync(resolve(dir), { recursive: true, force: true });
}

if (import.meta.url === `file://${process.argv[1]}`) {
    const [cmd, ...rest] = process.argv.slice(2);
    const opt = name => { const i = rest.indexOf(name); return i >= 0 ? rest[i + 1] : undefined; };
    const dir = opt('--dir') ?? '.alphaforge-team';
    try {
        if (cmd === 'up') {
            const s = await up(dir, { only: opt('--only')?.split(','), bind: opt('--bind')?.split(',') });
            for (const k of ['redis', 'postgres', 'clickhouse']) if (s[k]) process.stdout.write(`${k.padEnd(10)} ${s[k].url}  (pid ${s[k].pid})\n`);
            process.stdout.write(`state: ${join(resolve(dir), 'servers.json')}; stop them with npm run team:down\n`);
        } else if (cmd === 'down') {
            down(dir, { wipe: rest.includes('--wipe') });
            process.stdout.write('stopped\n');
        } else {
            process.stderr.write('usage: node scripts/team/servers.mjs up|down [--dir D] [--only redis,postgres,clickhouse] [--bind A,B] [--wipe]\n');
            process.exit(2);
        }
    } catch (e) {
        process.stderr.write(`team servers: ${e.message}\n`);
        process.exit(1);
    }
}
