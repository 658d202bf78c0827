/**
 * An async context per owner (a CallGate, a PgStore) kept in one AsyncLocalStorage for the whole
 * process, instead of an AsyncLocalStorage per owner.
 *
 * Why: Node keeps every AsyncLocalStorage that was ever entered in a process-wide list until its
 * disable() is called — even once nothing else refers to it — and visits every one of them for
 * each promise and async resource the process creates afterwards. With a storage per store, each
 * store ever opened (a daemon opens several; a process that opens and closes stores — a test file,
 * `af` commands run in one process, a daemon restarting its stores — many) added that cost to all
 * async code in the process and was never freed: on Node 20, 10 storages made an `await` ~6x
 * slower and 100 storages ~100x. Here there is one storage, whose value maps each owner to its
 * own value: an owner sees only what it set, in the innermost of its own runs, exactly as with a
 * storage of its own, and a closed owner leaves nothing behind.
 *
 * The storage is shared through a global symbol so that copies of this module loaded side by
 * side (a test runner that re-evaluates modules per test file) still share one storage.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

type Values = ReadonlyMap<OwnedContext<unknown>, unknown>;

const KEY = Symbol.for('alphaforge.owned-context');
const holder = globalThis as { [KEY]?: AsyncLocalStorage<Values> };
const storage: AsyncLocalStorage<Values> = holder[KEY] ??= new AsyncLocalStorage<Values>();

export class OwnedContext<T> {
    /** This owner's value in the current async context (the innermost of its runs), if any. */
    getStore(): T | undefined {
        return storage.getStore()?.get(this) as T | undefined;
    }

    /** Runs `fn` with `value` as this owner's value; other owners' values pass through unchanged. */
    run<R>(value: T, fn: () => R): R {
        const values = new Map(storage.getStore());
        values.set(this, value);
        return storage.run(values, fn);
    }
}
