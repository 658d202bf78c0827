/**
 * A throw-away, locked-down DuckDB for exports over RPC. It is in memory and holds only the rows
 * handed to it (never the store's file: no tokens, runs or other teams' bars), and before any row
 * arrives it is closed to the host: external access off except for one directory (the export's
 * own fresh work directory), no extension autoloaded or installed, no spilling to disk, and the
 * configuration locked so nothing run inside can undo it. Only our own SQL runs in it; the
 * lock-down is defence in depth should that ever change: read_text, glob, ATTACH or COPY
 * anywhere but the work directory fail with a permission error.
 */
import { DuckDBInstance } from '@duckdb/node-api';
import { type Connected, sqlString } from './export.js';

export interface SandboxOptions {
    /** DuckDB's memory_limit for the sandbox (it cannot spill to disk): a larger export fails cleanly. */
    readonly memoryLimit?: string;
}

export const SANDBOX_MEMORY_LIMIT = '1GB';

/** Opens a sandbox that may read and write only inside `dir` (an absolute directory), runs `fn`, and always closes it. */
export async function withSandbox<T>(dir: string, fn: (sandbox: Connected) => Promise<T>, options: SandboxOptions = {}): Promise<T> {
    const instance = await DuckDBInstance.create(':memory:', {
        autoload_known_extensions: 'false',
        autoinstall_known_extensions: 'false',
        threads: '1',
        memory_limit: options.memoryLimit ?? SANDBOX_MEMORY_LIMIT,
        temp_directory: '',
    });
    try {
        const connection = await instance.connect();
        try {
            // Order matters: allowed_directories must be set while external access is on, and locking comes last.
            for (const s of [`SET TimeZone = 'UTC'`, `SET allowed_directories = [${sqlString(dir.endsWith('/') ? dir : `${dir}/`)}]`,
                'SET enable_external_access = false', 'SET lock_configuration = true']) {
                await connection.run(s);
            }
            const check = (await connection.runAndReadAll(`SELECT current_setting('enable_external_access') AS ext, current_setting('lock_configuration') AS locked`)).getRowObjectsJS()[0];
            if (check?.ext !== false || check.locked !== true) throw new Error('the export sandbox did not lock down');
            return await fn({ connection });
        } finally {
            connection.closeSync();
        }
    } finally {
        instance.closeSync();
    }
}
