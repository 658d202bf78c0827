#!/usr/bin/env node
// `af worker` processes in network namespaces of their own on this machine: a stand-in for workers on
// other hosts. Each namespace gets a veth pair, a /30 of its own (host end .1, namespace end .2) and
// its loopback; nothing else, so the worker reaches the servers only through the link, at the host
// end's address (start Redis with `servers.mjs up --bind <host end>`; the default stays 127.0.0.1).
//
//   node scripts/team/netns.mjs up NAME 10.231.7.0     namespace NAME, veth link, 10.231.7.1 <-> .2
//   node scripts/team/netns.mjs worker NAME -- --config team.json [--concurrency N]
//   node scripts/team/netns.mjs down NAME               removes the namespace and its link
//
// Needs root or CAP_NET_ADMIN and iproute2 (`ip`). Names: up to 10 characters [a-z0-9-], so the
// link's names (NAME-h, NAME-n) fit Linux's 15.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const AF = fileURLToPath(new URL('../../bin/af.js', import.meta.url));
const IP = ['/usr/sbin/ip', '/sbin/ip', '/usr/bin/ip', '/bin/ip'].find(p => existsSync(p)) ?? 'ip';

function check(name, subnet) {
    if (!/^[a-z0-9][a-z0-9-]{0,9}$/.test(name)) throw new Error(`namespace name ${JSON.stringify(name)}: use 1-10 characters a-z, 0-9, - (the link names add 2)`);
    if (subnet !== undefined && !/^10\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(subnet)) throw new Error(`subnet ${JSON.stringify(subnet)}: give the base address of a free 10.x.y.z/30, e.g. 10.231.7.0`);
}

function ip(args, what) {
    try {
        return execFileSync(IP, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (e) {
        const why = String(e.stderr ?? e.message).trim().split('\n')[0];
        throw new Error(`${what} failed (ip ${args.join(' ')}: ${why})${/permitted|denied/i.test(why) ? '; network namespaces need root or CAP_NET_ADMIN' : ''}`);
    }
}

/** The addresses of a /30 based at `subnet`: the host end (.1) and the namespace end (.2). */
export function addressesOf(subnet) {
    const p = subnet.split('.').map(Number);
    const base = p[3] & ~3;
    const at = n => `${p[0]}.${p[1]}.${p[2]}.${base + n}`;
    return { host: at(1), ns: at(2) };
}

/**
 * Creates namespace `name` with a veth link to the host and returns the two addresses. Whatever it
 * created is removed again if a later step fails.
 */
export function createNetns(name, subnet) {
    check(name, subnet);
    const { host, ns } = addressesOf(subnet);
    try {
        execFileSync(IP, ['-V'], { stdio: 'ignore' });
    } catch {
        throw new Error('iproute2 is missing (the `ip` command): apt-get install -y iproute2');
    }
    ip(['netns', 'add', name], `creating network namespace ${name}`);
    try {
        ip(['link', 'add', `${name}-h`, 'type', 'veth', 'peer', 'name', `${name}-n`], 'creating the veth link');
        ip(['link', 'set', `${name}-n`, 'netns', name], 'moving the link into the namespace');
        ip(['addr', 'add', `${host}/30`, 'dev', `${name}-h`], `giving the host end ${host}`);
        ip(['link', 'set', `${name}-h`, 'up'], 'bringing the host end up');
        ip(['-n', name, 'addr', 'add', `${ns}/30`, 'dev', `${name}-n`], `giving the namespace end ${ns}`);
        ip(['-n', name, 'link', 'set', `${name}-n`, 'up'], 'bringing the namespace end up');
        ip(['-n', name, 'link', 'set', 'lo', 'up'], 'bringing the namespace loopback up');
    } catch (e) {
        removeNetns(name);
        throw e;
    }
    return { name, host, ns };
}

/** Removes namespace `name` and its link (deleting either end deletes the pair); quiet if already gone. */
export function removeNetns(name) {
    check(name);
    try { execFileSync(IP, ['link', 'del', `${name}-h`], { stdio: 'ignore' }); } catch { /* gone */ }
    try { execFileSync(IP, ['netns', 'del', name], { stdio: 'ignore' }); } catch { /* gone */ }
}

/** Namespaces present now (to find leftovers). */
export function listNetns() {
    return ip(['netns', 'list'], 'listing network namespaces').split('\n').map(l => l.split(' ')[0]).filter(Boolean);
}

/**
 * Starts `af worker <args>` inside namespace `name` (`ip netns exec` execs into node: the child's pid
 * is the worker's). The caller owns the child (stdio as given).
 */
export function spawnWorkerIn(name, args, opts = {}) {
    check(name);
    return spawn(IP, ['netns', 'exec', name, process.execPath, AF, 'worker', ...args], { stdio: ['ignore', 'inherit', 'inherit'], ...opts });
}

if (import.meta.url === `file://${process.argv[1]}`) {
    const [cmd, name, ...rest] = process.argv.slice(2);
    try {
        if (cmd === 'up' && name && rest[0]) {
            const n = createNetns(name, rest[0]);
            process.stdout.write(`namespace ${n.name}: host end ${n.host} (${name}-h), namespace end ${n.ns}; start Redis with --bind ${n.host} and give the worker redis://${n.host}:PORT\n`);
        } else if (cmd === 'down' && name) {
            removeNetns(name);
            process.stdout.write(`removed ${name}\n`);
        } else if (cmd === 'worker' && name) {
            const child = spawnWorkerIn(name, rest[0] === '--' ? rest.slice(1) : rest);
            for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
            child.on('exit', code => process.exit(code ?? 1));
        } else {
            process.stderr.write('usage: node scripts/team/netns.mjs up NAME 10.x.y.0 | worker NAME -- --config FILE [...] | down NAME\n');
            process.exit(2);
        }
    } catch (e) {
        process.stderr.write(`netns: ${e.message}\n`);
        process.exit(1);
    }
}
