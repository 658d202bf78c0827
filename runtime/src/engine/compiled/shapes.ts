/**
 * One object of each class the generated code touches (Broker, the hooks, indicator objects), kept
 * so that their hidden classes live on between runs. V8 frees a hidden class once no object has it,
 * and throws away code optimised against it: the cached bar loop (loop.ts) would be deoptimised at
 * the start of every run that follows a garbage collection, and run unoptimised until V8 recompiles it.
 */
const shapes = new Map<unknown, object>();

/** Keeps `o` as the object of its class: the latest one, whose hidden class is the most general. */
export function keepShape(o: object): void {
    shapes.set(o.constructor, o);
}
