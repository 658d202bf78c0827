/** Runs async callbacks one at a time, in call order (a failed one does not block the next). */
export class Mutex {
    private tail: Promise<unknown> = Promise.resolve();

    run<T>(fn: () => Promise<T> | T): Promise<T> {
        const result = this.tail.then(fn);
        this.tail = result.catch(() => undefined);
        return result;
    }
}
