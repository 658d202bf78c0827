/**
 * A SimilarityIndex kept in a directory and updated incrementally: a snapshot (items, vectors,
 * the HNSW graph) plus an append-only journal of the changes made since. `add`/`remove` append
 * one checksummed line; when the journal grows past a tenth of the index the snapshot is
 * rewritten (`compact`). Nothing is ever rebuilt because something changed.
 *
 * Layout of the directory:
 *   meta.json               format, kind, embedding version, dims, generation, file checksums
 *   items.<gen>.json        [{ id, meta } | null] by label
 *   vectors.<gen>.f32       float32 × dims per label (zeros for removed ones)
 *   graph.<gen>.hnsw        hnswlib's own file (absent when the index searches exactly)
 *   journal.<gen>.jsonl     "<sha256:16> <json>" per change since the snapshot
 *   writer.lock             pid of the one process that may write (others open read-only)
 * A snapshot is written under a new generation and published by renaming meta.json, so a crash
 * leaves either the old or the new generation whole. On open, a missing, corrupt (checksum,
 * shape, unreadable graph) or version-mismatched index is reported in `opened` — the caller then
 * rebuilds it from its source of truth with `rebuild` — never loaded as wrong answers. A torn
 * last journal line (a crash mid-append) is dropped and logged; a bad line before the end is
 * corruption.
 */
import { createHash } from 'node:crypto';
import { appendFileSync, closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, truncateSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { withHnsw } from './hnsw.js';
import { SimilarityIndex, type SimilarityIndexOptions } from '../../../language/src/similarity/vector-index.js';
import { processAlive } from '../../../protocol/src/discovery.js';

export const INDEX_FORMAT = 1;

export type IndexLog = (level: 'info' | 'warn', message: string, fields?: Record<string, unknown>) => void;

export interface PersistentIndexOptions<M> {
    readonly dir: string;
    /** What the index holds ('store', 'workspace'): a meta.json of another kind is not loaded. */
    readonly kind: string;
    readonly dims: number;
    /** The embedding's version: an index written with another one is rebuilt, not used. */
    readonly version: string;
    /** Validates each item's meta when loading (zod): a mismatch is corruption. */
    readonly meta: z.ZodType<M>;
    readonly index?: SimilarityIndexOptions;
    readonly log?: IndexLog;
    /** Open read-only even when no other process writes (the CLI peeking at a daemon's index). */
    readonly readOnly?: boolean;
    /** Journal lines before a compaction: at least this many, and at least a tenth of the index (default 500). */
    readonly compactAfter?: number;
}

export type OpenOutcome =
    | { readonly state: 'loaded'; readonly replayed: number; readonly droppedTornLine: boolean }
    | { readonly state: 'empty' | 'stale' | 'corrupt'; readonly reason: string };

const MetaFile = z.object({
    format: z.literal(INDEX_FORMAT),
    kind: z.string(),
    version: z.string(),
    dims: z.number().int().positive(),
    generation: z.number().int().nonnegative(),
    labels: z.number().int().nonnegative(),
    live: z.number().int().nonnegative(),
    graph: z.boolean(),
    sha256: z.object({ items: z.string(), vectors: z.string(), graph: z.string().nullable() }),
    savedAt: z.string(),
});
type MetaFile = z.infer<typeof MetaFile>;

const sha = (b: Buffer | string): string => createHash('sha256').update(b).digest('hex');

const zodIssue = (e: z.ZodError): string => `${e.issues[0]?.path.join('.')} ${e.issues[0]?.message}`;

/** One process writes an index directory; the lock names it. A lock whose process is gone is taken over. */
function takeLock(dir: string): boolean {
    const file = join(dir, 'writer.lock');
    for (let attempt = 0; attempt < 2; attempt++) {
        try {
            const fd = openSync(file, 'wx');
            writeSync(fd, String(process.pid));
            closeSync(fd);
            return true;
        } catch (e) {
            if ((e as NodeJS.ErrnoException).code !== 'EEXIST') return false;
            const pid = Number(readFileSafe(file)?.toString().trim());
            if (pid === process.pid) return false; // another index object of this process holds it
            if (Number.isInteger(pid) && pid > 0 && processAlive(pid)) return false;
            rmSync(file, { force: true });
        }
    }
    return false;
}

function readFileSafe(file: string): Buffer | undefined {
    try {
        return readFileSync(file);
    } catch {
        return undefined;
    }
}

export class PersistentIndex<M> {
    private journalLines = 0;
    private closed = false;

    private constructor(
        private readonly o: PersistentIndexOptions<M>,
        private current: SimilarityIndex<M>,
        private generation: number,
        /** Whether this process may write the directory. */
        readonly writable: boolean,
        readonly opened: OpenOutcome,
    ) {}

    /**
     * Opens the index in `o.dir` (created if missing). Always returns an index: the loaded one, or
     * an empty one with `opened.state` saying why (empty / stale version / corrupt) — the caller
     * fills it with `rebuild`.
     */
    static open<M>(o: PersistentIndexOptions<M>): PersistentIndex<M> {
        mkdirSync(o.dir, { recursive: true });
        const writable = !o.readOnly && takeLock(o.dir);
        let outcome: OpenOutcome;
        let index: SimilarityIndex<M> | undefined;
        let generation = 0;
        let journalLines = 0;
        const metaRaw = readFileSafe(join(o.dir, 'meta.json'));
        if (!metaRaw) {
            outcome = { state: 'empty', reason: 'no index yet' };
        } else {
            try {
                const meta = MetaFile.parse(JSON.parse(metaRaw.toString('utf8')));
                generation = meta.generation;
                if (meta.kind !== o.kind) throw new Error(`it holds a '${meta.kind}' index, not '${o.kind}'`);
                if (meta.version !== o.version || meta.dims !== o.dims) {
                    outcome = { state: 'stale', reason: `embedding version ${meta.version} (${meta.dims} dims) ≠ ${o.version} (${o.dims} dims)` };
                } else {
                    index = PersistentIndex.loadSnapshot(o, meta);
                    const j = PersistentIndex.replay(o, index, meta.generation);
                    journalLines = j.lines;
                    // Cut the torn tail off, or the next append would be glued to it (and that line, no longer the last, would read as corruption).
                    if (j.torn && writable) truncateSync(join(o.dir, `journal.${meta.generation}.jsonl`), j.goodBytes);
                    outcome = { state: 'loaded', replayed: j.lines, droppedTornLine: j.torn };
                    if (j.torn) o.log?.('warn', `similarity index ${o.kind}: dropped a torn last journal line (a crash mid-write); the change is re-derived from the source`, { dir: o.dir });
                }
            } catch (e) {
                index = undefined;
                outcome = { state: 'corrupt', reason: e instanceof z.ZodError ? `meta.json: ${zodIssue(e)}` : e instanceof Error ? e.message : String(e) };
            }
        }
        if (outcome.state === 'stale' || outcome.state === 'corrupt') {
            o.log?.('warn', `similarity index ${o.kind} at ${o.dir} is ${outcome.state === 'stale' ? 'from another embedding version' : 'corrupt'} (${outcome.reason}): it will be rebuilt`, { dir: o.dir, reason: outcome.reason });
        }
        const pi = new PersistentIndex<M>(o, index ?? new SimilarityIndex<M>(o.dims, withHnsw(o.index)), generation, writable, outcome);
        pi.journalLines = journalLines;
        // Replace a broken or other-version index at once with an empty generation: what the caller
        // adds next is journalled against it, so a crash mid-rebuild leaves a valid partial index
        // (which reconciling completes), never the old files.
        if (writable && (outcome.state === 'stale' || outcome.state === 'corrupt')) pi.compact();
        return pi;
    }

    private static loadSnapshot<M>(o: PersistentIndexOptions<M>, meta: MetaFile): SimilarityIndex<M> {
        const g = meta.generation;
        const itemsRaw = readFileSync(join(o.dir, `items.${g}.json`));
        const vectorsRaw = readFileSync(join(o.dir, `vectors.${g}.f32`));
        if (sha(itemsRaw) !== meta.sha256.items) throw new Error(`items.${g}.json does not match its checksum`);
        if (sha(vectorsRaw) !== meta.sha256.vectors) throw new Error(`vectors.${g}.f32 does not match its checksum`);
        const parsedItems = z.array(z.object({ id: z.string(), meta: o.meta }).nullable()).safeParse(JSON.parse(itemsRaw.toString('utf8')));
        if (!parsedItems.success) throw new Error(`items.${g}.json: ${zodIssue(parsedItems.error)}`);
        const items = parsedItems.data;
        if (items.length !== meta.labels) throw new Error(`items.${g}.json has ${items.length} labels, meta.json says ${meta.labels}`);
        if (vectorsRaw.length !== items.length * o.dims * 4) throw new Error(`vectors.${g}.f32 has ${vectorsRaw.length} bytes, expected ${items.length * o.dims * 4}`);
        const all = new Float32Array(vectorsRaw.buffer.slice(vectorsRaw.byteOffset, vectorsRaw.byteOffset + vectorsRaw.length));
        const state = {
            dims: o.dims,
            items: items.map((it, l) => (it ? { id: it.id, meta: it.meta as M, vector: all.subarray(l * o.dims, (l + 1) * o.dims) } : null)),
        };
        let graphFile: string | undefined;
        if (meta.graph) {
            graphFile = join(o.dir, `graph.${g}.hnsw`);
            const graphRaw = readFileSync(graphFile);
            if (sha(graphRaw) !== meta.sha256.graph) throw new Error(`graph.${g}.hnsw does not match its checksum`);
        }
        const ix = SimilarityIndex.importState<M>(state, withHnsw(o.index), graphFile);
        if (ix.size !== meta.live) throw new Error(`${ix.size} live items, meta.json says ${meta.live}`);
        return ix;
    }

    private static replay<M>(o: PersistentIndexOptions<M>, index: SimilarityIndex<M>, generation: number): { lines: number; torn: boolean; goodBytes: number } {
        const raw = readFileSafe(join(o.dir, `journal.${generation}.jsonl`));
        if (!raw) return { lines: 0, torn: false, goodBytes: 0 };
        const lines = raw.toString('utf8').split('\n');
        const last = lines.length - 1;
        if (lines[last] === '') lines.pop();
        const Entry = z.discriminatedUnion('op', [
            z.object({ op: z.literal('add'), id: z.string(), vector: z.array(z.number()).length(o.dims), meta: o.meta }),
            z.object({ op: z.literal('remove'), id: z.string() }),
        ]);
        let n = 0;
        for (let i = 0; i < lines.length; i++) {
            const line = lines[i]!;
            const sp = line.indexOf(' ');
            const body = line.slice(sp + 1);
            const ok = sp === 16 && sha(body).slice(0, 16) === line.slice(0, 16);
            if (!ok) {
                // Only the very last line can be torn by a crash (and only if the file does not end in a newline).
                if (i === lines.length - 1 && !raw.toString('utf8').endsWith('\n')) return { lines: n, torn: true, goodBytes: raw.lastIndexOf(0x0a) + 1 };
                throw new Error(`journal.${generation}.jsonl line ${i + 1} does not match its checksum`);
            }
            const parsed = Entry.safeParse(JSON.parse(body));
            if (!parsed.success) throw new Error(`journal.${generation}.jsonl line ${i + 1}: ${zodIssue(parsed.error)}`);
            const e = parsed.data;
            if (e.op === 'add') index.add(e.id, e.vector, e.meta as M);
            else index.remove(e.id);
            n++;
        }
        return { lines: n, torn: false, goodBytes: raw.length };
    }

    get index(): SimilarityIndex<M> {
        return this.current;
    }

    get dir(): string {
        return this.o.dir;
    }

    /** Adds or replaces a point and journals the change. */
    add(id: string, vector: ArrayLike<number>, meta: M): void {
        this.current.add(id, vector, meta);
        this.journal({ op: 'add', id, vector: Array.from(vector), meta });
    }

    remove(id: string): boolean {
        if (!this.current.remove(id)) return false;
        this.journal({ op: 'remove', id });
        return true;
    }

    private journal(entry: unknown): void {
        if (!this.writable || this.closed) return;
        const body = JSON.stringify(entry);
        appendFileSync(join(this.o.dir, `journal.${this.generation}.jsonl`), `${sha(body).slice(0, 16)} ${body}\n`);
        this.journalLines++;
        if (this.journalLines >= Math.max(this.o.compactAfter ?? 500, this.current.size / 10)) this.compact();
    }

    /**
     * Replaces the contents with what `fill` adds (the caller's source of truth), then writes a
     * snapshot. `progress(done, total)` is passed through for the caller to report.
     */
    async rebuild(fill: (add: (id: string, vector: ArrayLike<number>, meta: M) => void) => Promise<void>): Promise<void> {
        const next = new SimilarityIndex<M>(this.o.dims, withHnsw(this.o.index));
        await fill((id, vector, meta) => next.add(id, vector, meta));
        this.current = next;
        this.compact();
    }

    /** Writes a snapshot of the current contents as a new generation and drops the old one. */
    compact(): void {
        if (!this.writable || this.closed) return;
        let ix = this.current;
        // Mostly holes (many removals): rebuild the graph from the vectors rather than carry them.
        if (ix.labelCount > 64 && ix.size < ix.labelCount / 2) {
            const state = ix.exportState();
            ix = SimilarityIndex.importState({ dims: state.dims, items: state.items.filter(x => x !== null) }, withHnsw(this.o.index));
            this.current = ix;
        }
        const g = this.generation + 1;
        const dir = this.o.dir;
        const state = ix.exportState();
        const vectors = new Float32Array(state.items.length * this.o.dims);
        state.items.forEach((it, l) => { if (it) vectors.set(it.vector, l * this.o.dims); });
        const itemsText = JSON.stringify(state.items.map(it => (it ? { id: it.id, meta: it.meta } : null)));
        const vectorsBuf = Buffer.from(vectors.buffer, vectors.byteOffset, vectors.byteLength);
        writeFileSync(join(dir, `items.${g}.json`), itemsText);
        writeFileSync(join(dir, `vectors.${g}.f32`), vectorsBuf);
        let graphSha: string | null = null;
        if (ix.graph) {
            ix.graph.writeIndexSync(join(dir, `graph.${g}.hnsw`));
            graphSha = sha(readFileSync(join(dir, `graph.${g}.hnsw`)));
        }
        const meta: MetaFile = {
            format: INDEX_FORMAT, kind: this.o.kind, version: this.o.version, dims: this.o.dims, generation: g,
            labels: state.items.length, live: ix.size, graph: graphSha !== null,
            sha256: { items: sha(itemsText), vectors: sha(vectorsBuf), graph: graphSha }, savedAt: new Date().toISOString(),
        };
        writeFileSync(join(dir, 'meta.json.tmp'), JSON.stringify(meta, null, 1));
        renameSync(join(dir, 'meta.json.tmp'), join(dir, 'meta.json'));
        this.generation = g;
        this.journalLines = 0;
        // The previous generations' files are garbage now.
        for (const f of readdirSync(dir)) {
            const m = /^(?:items|vectors|graph|journal)\.(\d+)\./.exec(f);
            if (m && Number(m[1]) !== g) rmSync(join(dir, f), { force: true });
        }
    }

    /** Snapshot if there are journalled changes, and release the writer lock. */
    close(): void {
        if (this.closed) return;
        if (this.writable) {
            if (this.journalLines > 0 || !existsSync(join(this.o.dir, 'meta.json'))) this.compact();
            rmSync(join(this.o.dir, 'writer.lock'), { force: true });
        }
        this.closed = true;
    }
}
