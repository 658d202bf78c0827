/**
 * The calling thread's own CPU time (Linux: /proc/thread-self/schedstat, nanoseconds), for the
 * sweep pool's stats (worker-pool.ts PoolStats): unlike wall time it barely moves when other
 * processes share the cores. NaN where it cannot be read.
 */
import { readFileSync } from 'node:fs';

export function threadCpuMs(): number {
    try {
        return Number(readFileSync('/proc/thread-self/schedstat', 'latin1').split(' ')[0]) / 1e6;
    } catch {
        return NaN;
    }
}
