/**
 * A run's artifacts as recorded and as found. The worker hashes each file as it writes it; the
 * name, size and SHA-256 go into run_artifacts in the transaction that completes the run. Listing
 * compares the record with the run's directory (a deleted file is `missing`, a file of another
 * size `damaged` — never silently dropped or served as whole), and reading a file checks its
 * content against the recorded hash. Runs completed before hashes were recorded have no rows:
 * their files are listed as found, without a hash.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ArtifactDamaged, RunNotFound, type Artifact } from './types.js';

/** What run_artifacts holds for one file. */
export interface RecordedArtifact {
    readonly name: string;
    readonly bytes: number;
    readonly sha256: string;
}

export function sha256(data: string | Uint8Array): string {
    return createHash('sha256').update(data).digest('hex');
}

/** The run's artifacts: the recorded ones checked against the directory, else (older runs) the complete files found. */
export function listArtifacts(dir: string, recorded: readonly RecordedArtifact[]): Artifact[] {
    if (recorded.length === 0) return found(dir);
    return [...recorded].sort((a, b) => a.name.localeCompare(b.name)).map(r => {
        const path = join(dir, r.name);
        const st = statSync(path, { throwIfNoEntry: false });
        const recorded = { path, sha256: r.sha256, recordedBytes: r.bytes };
        if (!st?.isFile()) return { name: r.name, bytes: r.bytes, ...recorded, status: 'missing' as const };
        return { name: r.name, bytes: st.size, ...recorded, status: st.size === r.bytes ? 'ok' as const : 'damaged' as const };
    });
}

/** Complete files in the directory (temporary ones of an attempt in progress are not artifacts). */
function found(dir: string): Artifact[] {
    if (!existsSync(dir)) return [];
    return readdirSync(dir)
        .filter(n => !n.endsWith('.tmp') && !n.includes('.tmp-'))
        .sort()
        .flatMap(name => {
            const path = join(dir, name);
            const st = statSync(path, { throwIfNoEntry: false });
            return st?.isFile() ? [{ name, bytes: st.size, path, sha256: null, recordedBytes: null, status: 'ok' as const }] : [];
        });
}

/**
 * The content of an artifact, checked against its record: a missing file is not_found, a file
 * whose size or SHA-256 differs from the record is `damaged` — both say what to do.
 */
export function readArtifact(runId: string, a: Artifact): Buffer {
    const redo = 'run it again (runs.submit with the same spec) to produce it anew';
    if (a.status === 'missing') {
        throw new RunNotFound(`artifact ${a.name} of run ${runId} is missing: the run recorded it when it completed, but the file is gone; ${redo}`);
    }
    let data: Buffer;
    try {
        data = readFileSync(a.path);
    } catch {
        throw new RunNotFound(`artifact ${a.name} of run ${runId} is missing: the run recorded it when it completed, but the file cannot be read; ${redo}`);
    }
    if (a.sha256 === null) return data;
    const actual = sha256(data);
    if (actual !== a.sha256) {
        const size = a.recordedBytes !== null && a.recordedBytes !== data.length ? `${data.length} bytes, not the ${a.recordedBytes} recorded,` : `its ${data.length} bytes`;
        throw new ArtifactDamaged(`artifact ${a.name} of run ${runId} is damaged (truncated or altered): ${size} do not match the SHA-256 recorded when the run completed; ${redo}`);
    }
    return data;
}
