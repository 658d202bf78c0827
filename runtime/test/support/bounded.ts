/** Waits in multi-process tests that fail with their own message, not vitest's bare timeout. */

/** `p`, or a failure naming `what` and `seen()` once `ms` have passed (`seen` may itself fail: its error is shown instead). */
export async function bounded<T>(what: string, p: Promise<T>, ms: number, seen: () => string | Promise<string>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    try {
        return await Promise.race([p, new Promise<never>((_, reject) => {
            timer = setTimeout(() => {
                Promise.resolve().then(seen).catch((e: Error) => `(${e.message})`)
                    .then(text => reject(new Error(`${what}: not within ${Math.round(ms / 1000)} s; ${text}`)));
            }, ms);
        })]);
    } finally {
        clearTimeout(timer);
    }
}
