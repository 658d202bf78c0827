/**
 * Where a worker thread's compiled script is. From out/ the script sits beside the module that
 * starts it; under vitest (which runs the TypeScript sources) the same path under out/ is used,
 * so worker threads always run compiled code (`npm run build` first).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** `script` ('./language-worker.js') relative to the module whose `import.meta.url` is `from`. */
export function workerScript(from: string, script: string, what: string): URL {
    const here = new URL(script, from);
    const path = fileURLToPath(here);
    if (existsSync(path)) return here;
    const at = path.lastIndexOf('/runtime/src/');
    const compiled = at >= 0 ? `${path.slice(0, at)}/out${path.slice(at)}` : undefined;
    if (compiled && existsSync(compiled)) return pathToFileURL(compiled);
    throw new Error(`the ${what} is not built; run \`npm run build\``);
}
