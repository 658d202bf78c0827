/**
 * The one seeded pseudo-random generator (mulberry32): the same seed gives the same sequence on
 * every machine. The engine samples random sweeps with it (its sequence is part of a run's
 * reproducibility record: never change it), the synthetic markets scramble their seed first
 * (`scrambleSeed`: nearby seeds give unrelated streams), and tests draw their random inputs from it.
 * Pure: no I/O, no global state.
 */

/** mulberry32: numbers in [0, 1), the seed taken as an unsigned 32-bit integer. */
export function mulberry32(seed: number): () => number {
    let a = seed >>> 0;
    return () => {
        a = (a + 0x6d2b79f5) >>> 0;
        let t = a;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
}

/** splitmix32's finaliser over a seed: seeds 1, 2, 3 … become unrelated 32-bit states. */
export function scrambleSeed(seed: number): number {
    let s = (Math.trunc(seed) ^ 0x9e3779b9) >>> 0;
    s = Math.imul(s ^ (s >>> 16), 0x85ebca6b) >>> 0;
    s = Math.imul(s ^ (s >>> 13), 0xc2b2ae35) >>> 0;
    return (s ^ (s >>> 16)) >>> 0;
}
