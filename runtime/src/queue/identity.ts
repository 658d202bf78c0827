/**
 * The name an `af worker` process goes by in logs, spans and the runs it computed: `host:pid`, plus
 * its network namespace when that is not the host's (`ip netns` name, else the namespace's inode),
 * so that workers on one machine in namespaces of their own (scripts/team/netns.mjs) tell apart.
 */
import { readdirSync, readlinkSync, statSync } from 'node:fs';
import { hostname } from 'node:os';

/**
 * The namespace's `ip netns` name; else `net:[inode]` when it differs from pid 1's; undefined in the
 * host's namespace, off Linux, or when that cannot be told (pid 1's namespace unreadable).
 */
export function networkNamespace(): string | undefined {
    let mine: string;
    try {
        mine = readlinkSync('/proc/self/ns/net');
    } catch {
        return undefined; // not Linux
    }
    const inode = /^net:\[(\d+)\]$/.exec(mine)?.[1];
    try {
        for (const name of readdirSync('/run/netns')) {
            if (String(statSync(`/run/netns/${name}`).ino) === inode && /^[\w.-]{1,64}$/.test(name)) return name;
        }
    } catch { /* no named namespaces */ }
    try {
        return readlinkSync('/proc/1/ns/net') === mine ? undefined : mine;
    } catch {
        return undefined; // cannot tell: say nothing rather than guess
    }
}

export function workerIdentity(): string {
    const ns = networkNamespace();
    return `${hostname()}:${process.pid}${ns ? ` netns ${ns}` : ''}`;
}
