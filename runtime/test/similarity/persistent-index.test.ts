/**
 * The persistent index: a snapshot plus a journal in a directory. Closing and reopening loads the
 * same answers; changes after a snapshot survive a crash through the journal; a torn last journal
 * line is dropped; corrupt or version-mismatched files are reported (never loaded as wrong
 * answers); one process writes, others only read; `rebuild` and compaction write new generations.
 */
import { spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { PersistentIndex, type IndexLog, type PersistentIndexOptions } from '../../src/similarity/persistent-index.js';
import type { SimilarityIndex } from '../../../language/src/similarity/vector-index.js';
import { rng, tempDir } from './helpers.js';

const DIMS = 8;
const Meta = z.object({ n: z.number() });
type Meta = z.infer<typeof Meta>;

function vectors(seed: number, n: number): number[][] {
    const next = rng(seed);
    return Array.from({ length: n }, () => Array.from({ length: DIMS }, () => next() - 0.5));
}

const DATA = vectors(1, 60);
const QUERIES = vectors(2, 8);

function open(dir: string, extra: Partial<PersistentIndexOptions<Meta>> = {}): PersistentIndex<Meta> {
    return PersistentIndex.open<Meta>({ dir, kind: 'test', dims: DIMS, version: 'v1', meta: Meta, ...extra });
}

/** Everything the index answers for a few queries, as plain data. */
function answers(ix: SimilarityIndex<Meta>): unknown[] {
    return [ix.size, [...ix.entries()], ...QUERIES.map(q => ix.query(q, 5).map(n => [n.id, Number(n.distance.toFixed(12)), n.meta.n]))];
}

function fill(pi: PersistentIndex<Meta>, from: number, to: number): void {
    for (let i = from; i < to; i++) pi.add(`p${i}`, DATA[i]!, { n: i });
}

let dead: number | undefined;

/** The pid of a process that has exited (one, spawned once: a node start costs ~0.2 s here). */
function deadPid(): number {
    if (dead === undefined) {
        const r = spawnSync(process.execPath, ['-e', '']);
        expect(r.status).toBe(0);
        dead = r.pid!;
    }
    return dead;
}

/** As if the process holding the index had crashed: its lock names a pid that is gone. */
function crash(dir: string): void {
    writeFileSync(join(dir, 'writer.lock'), String(deadPid()));
}

const files = (dir: string): string[] => readdirSync(dir).sort();
const metaJson = (dir: string): { generation: number; labels: number; live: number; version: string; graph: boolean } => JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8'));
const journalLines = (dir: string, gen: number): string[] => readFileSync(join(dir, `journal.${gen}.jsonl`), 'utf8').split('\n').filter(Boolean);

/** An index of DATA[0..n) closed to a snapshot (generation 1), and what it answered. */
function saved(n = 20, extra: Partial<PersistentIndexOptions<Meta>> = {}): { dir: string; before: unknown[] } {
    const dir = join(tempDir('af-pi-'), 'ix');
    const pi = open(dir, extra);
    fill(pi, 0, n);
    const before = answers(pi.index);
    pi.close();
    return { dir, before };
}

describe('PersistentIndex', () => {
    it('a new directory: empty, writable, locked by this process; close writes a snapshot that reopens with the same answers', () => {
        const dir = join(tempDir('af-pi-'), 'nested', 'ix');
        const pi = open(dir);
        expect(pi.opened).toEqual({ state: 'empty', reason: 'no index yet' });
        expect(pi.writable).toBe(true);
        expect(pi.dir).toBe(dir);
        expect(readFileSync(join(dir, 'writer.lock'), 'utf8')).toBe(String(process.pid));
        fill(pi, 0, 30);
        pi.remove('p7');
        const before = answers(pi.index);
        expect(journalLines(dir, 0)).toHaveLength(31);
        pi.close();
        pi.close(); // idempotent

        expect(files(dir)).toEqual(['graph.1.hnsw', 'items.1.json', 'meta.json', 'vectors.1.f32']);
        expect(metaJson(dir)).toMatchObject({ generation: 1, labels: 30, live: 29, version: 'v1', graph: true });
        // A change after close goes nowhere.
        pi.add('late', DATA[40]!, { n: 40 });
        expect(files(dir)).toEqual(['graph.1.hnsw', 'items.1.json', 'meta.json', 'vectors.1.f32']);

        const again = open(dir);
        expect(again.opened).toEqual({ state: 'loaded', replayed: 0, droppedTornLine: false });
        expect(again.writable).toBe(true);
        expect(answers(again.index)).toEqual(before);
        expect(again.index.has('p7')).toBe(false);
        expect(again.index.backend).toBe('hnsw');
        // Nothing changed: close does not write another generation.
        again.close();
        expect(metaJson(dir).generation).toBe(1);
        expect(existsSync(join(dir, 'writer.lock'))).toBe(false);
    });

    it('closing an index that never had a point still writes a snapshot, so the next open is loaded, not empty', () => {
        const dir = join(tempDir('af-pi-'), 'ix');
        open(dir).close();
        const again = open(dir);
        expect(again.opened.state).toBe('loaded');
        expect(again.index.size).toBe(0);
        again.close();
    });

    it('changes after a snapshot go to the journal and are replayed after a crash', () => {
        const { dir } = saved(20);
        const pi = open(dir);
        fill(pi, 20, 25);
        pi.add('p3', DATA[50]!, { n: 50 }); // replaced
        expect(pi.remove('p4')).toBe(true);
        expect(pi.remove('p4')).toBe(false); // not journalled twice
        expect(journalLines(dir, 1)).toHaveLength(7);
        expect(journalLines(dir, 1).every(l => /^[0-9a-f]{16} \{/.test(l))).toBe(true);
        const before = answers(pi.index);
        // No close(): the process dies holding the lock.
        crash(dir);

        const log = vi.fn<IndexLog>();
        const again = open(dir, { log });
        expect(again.opened).toEqual({ state: 'loaded', replayed: 7, droppedTornLine: false });
        expect(again.writable).toBe(true);
        expect(readFileSync(join(dir, 'writer.lock'), 'utf8')).toBe(String(process.pid));
        expect(answers(again.index)).toEqual(before);
        expect(again.index.get('p3')!.meta).toEqual({ n: 50 });
        expect(again.index.has('p4')).toBe(false);
        expect(log).not.toHaveBeenCalled();
        // Closing folds the journal into a new snapshot.
        again.close();
        expect(files(dir)).toEqual(['graph.2.hnsw', 'items.2.json', 'meta.json', 'vectors.2.f32']);
        const third = open(dir);
        expect(third.opened).toEqual({ state: 'loaded', replayed: 0, droppedTornLine: false });
        expect(answers(third.index)).toEqual(before);
        third.close();
    });

    it('a torn last journal line (a crash mid-append) is dropped and logged; the changes before it stay, and later ones are kept too', () => {
        const { dir } = saved(20);
        const pi = open(dir);
        fill(pi, 20, 23);
        const before = answers(pi.index);
        crash(dir);
        const whole = journalLines(dir, 1)[0]!;
        appendFileSync(join(dir, 'journal.1.jsonl'), whole.slice(0, Math.floor(whole.length / 2)));

        const log = vi.fn<IndexLog>();
        const again = open(dir, { log });
        expect(again.opened).toEqual({ state: 'loaded', replayed: 3, droppedTornLine: true });
        expect(answers(again.index)).toEqual(before);
        expect(log).toHaveBeenCalledWith('warn', expect.stringMatching(/torn last journal line/), { dir });

        // The index keeps working after the recovery: a change made now survives another crash.
        again.add('after', DATA[40]!, { n: 40 });
        const after = answers(again.index);
        crash(dir);
        const third = open(dir, { log });
        expect(third.opened).toMatchObject({ state: 'loaded', droppedTornLine: false });
        expect(answers(third.index)).toEqual(after);
        third.close();
    });

    it('a bad journal line before the last one is corruption', () => {
        const { dir } = saved(10);
        const pi = open(dir);
        fill(pi, 10, 13);
        crash(dir);
        const lines = journalLines(dir, 1);
        lines[1] = lines[1]!.replace('"p11"', '"pXX"');
        writeFileSync(join(dir, 'journal.1.jsonl'), `${lines.join('\n')}\n`);
        const again = open(dir);
        expect(again.opened).toEqual({ state: 'corrupt', reason: 'journal.1.jsonl line 2 does not match its checksum' });
        expect(again.index.size).toBe(0);
        again.close();
    });

    it.each([
        ['vectors', 'vectors.1.f32'],
        ['items', 'items.1.json'],
        ['graph', 'graph.1.hnsw'],
    ])('a corrupted byte in the %s file: corrupt, naming the file, logged as a warning, and the index starts empty', (_what, file) => {
        const { dir } = saved(20);
        const path = join(dir, file);
        const bytes = readFileSync(path);
        const at = Math.floor(bytes.length / 2);
        bytes[at] = bytes[at]! ^ 0x01;
        writeFileSync(path, bytes);
        const log = vi.fn<IndexLog>();
        const pi = open(dir, { log });
        expect(pi.opened.state).toBe('corrupt');
        expect(pi.opened).toMatchObject({ reason: `${file} does not match its checksum` });
        expect(pi.index.size).toBe(0);
        expect(pi.writable).toBe(true);
        expect(log).toHaveBeenCalledWith('warn', expect.stringContaining(`is corrupt (${file} does not match its checksum): it will be rebuilt`), { dir, reason: `${file} does not match its checksum` });
        pi.close();
    });

    it('a missing snapshot file is corruption naming the file', () => {
        const { dir } = saved(5);
        rmSync(join(dir, 'graph.1.hnsw'));
        const pi = open(dir);
        expect(pi.opened.state).toBe('corrupt');
        expect(pi.opened.state !== 'loaded' && pi.opened.reason).toContain('graph.1.hnsw');
        pi.close();
    });

    it('items whose meta does not fit the schema are corruption naming the items file', () => {
        const { dir } = saved(5);
        const pi = PersistentIndex.open({ dir, kind: 'test', dims: DIMS, version: 'v1', meta: z.object({ n: z.string() }) });
        expect(pi.opened.state).toBe('corrupt');
        expect(pi.opened.state !== 'loaded' && pi.opened.reason).toMatch(/^items\.1\.json: /);
        pi.close();
    });

    it('meta.json of another embedding version or dims is stale; garbage or another kind is corrupt', () => {
        const { dir, before } = saved(10);
        const log = vi.fn<IndexLog>();
        const other = open(dir, { version: 'v2', log });
        expect(other.opened).toEqual({ state: 'stale', reason: 'embedding version v1 (8 dims) ≠ v2 (8 dims)' });
        expect(other.index.size).toBe(0);
        expect(log).toHaveBeenCalledWith('warn', expect.stringContaining('is from another embedding version'), expect.objectContaining({ dir }));
        other.close();
        // The v2 writer replaced it with an empty v2 generation at once, so its journal never mixes
        // v2 vectors into a v1 index: a version-1 reader now sees a stale index and rebuilds too.
        const v1 = open(dir);
        expect(v1.opened).toEqual({ state: 'stale', reason: 'embedding version v2 (8 dims) ≠ v1 (8 dims)' });
        expect(answers(v1.index)).not.toEqual(before);
        v1.close();

        const wide = PersistentIndex.open<Meta>({ dir, kind: 'test', dims: 16, version: 'v1', meta: Meta });
        expect(wide.opened).toEqual({ state: 'stale', reason: 'embedding version v1 (8 dims) ≠ v1 (16 dims)' });
        wide.close();

        const kind = open(dir, { kind: 'store' });
        expect(kind.opened).toEqual({ state: 'corrupt', reason: "it holds a 'test' index, not 'store'" });
        kind.close();

        const m = JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8')) as Record<string, unknown>;
        writeFileSync(join(dir, 'meta.json'), JSON.stringify({ ...m, generation: 'one' }));
        const badField = open(dir);
        expect(badField.opened).toMatchObject({ state: 'corrupt', reason: expect.stringMatching(/^meta\.json: generation /) });
        badField.close();

        writeFileSync(join(dir, 'meta.json'), '{ this is not json');
        const glog = vi.fn<IndexLog>();
        const garbage = open(dir, { log: glog });
        expect(garbage.opened.state).toBe('corrupt');
        expect(garbage.index.size).toBe(0);
        expect(glog).toHaveBeenCalledWith('warn', expect.stringContaining('is corrupt'), expect.objectContaining({ dir }));
        garbage.close();
    });

    it('a second open while the first holds the lock is read-only: its changes never reach the disk', () => {
        const { dir, before } = saved(20);
        const first = open(dir);
        expect(first.writable).toBe(true);
        const second = open(dir);
        expect(second.writable).toBe(false);
        expect(second.opened.state).toBe('loaded');
        expect(answers(second.index)).toEqual(before);
        second.add('ghost', DATA[50]!, { n: 50 });
        second.remove('p1');
        expect(second.index.has('ghost')).toBe(true); // in memory only
        second.compact();
        second.close();
        expect(files(dir)).toEqual(['graph.1.hnsw', 'items.1.json', 'meta.json', 'vectors.1.f32', 'writer.lock']);
        expect(readFileSync(join(dir, 'writer.lock'), 'utf8')).toBe(String(process.pid));
        first.close();
        const third = open(dir);
        expect(third.index.has('ghost')).toBe(false);
        expect(answers(third.index)).toEqual(before);
        third.close();
    });

    it('a lock held by another live process makes the open read-only; readOnly opens read-only without a lock', () => {
        const { dir } = saved(5);
        writeFileSync(join(dir, 'writer.lock'), String(process.ppid));
        const pi = open(dir);
        expect(pi.writable).toBe(false);
        pi.add('x', DATA[50]!, { n: 50 });
        pi.close();
        expect(readFileSync(join(dir, 'writer.lock'), 'utf8')).toBe(String(process.ppid));
        expect(existsSync(join(dir, 'journal.1.jsonl'))).toBe(false);

        rmSync(join(dir, 'writer.lock'));
        const ro = open(dir, { readOnly: true });
        expect(ro.writable).toBe(false);
        expect(ro.opened.state).toBe('loaded');
        expect(existsSync(join(dir, 'writer.lock'))).toBe(false);
        ro.add('x', DATA[50]!, { n: 50 });
        ro.close();
        expect(existsSync(join(dir, 'journal.1.jsonl'))).toBe(false);
    });

    it('rebuild(fill) replaces the contents and writes a new generation; the old generation is removed', async () => {
        const { dir } = saved(20);
        const pi = open(dir);
        fill(pi, 20, 22); // journalled in generation 1
        expect(files(dir)).toContain('journal.1.jsonl');
        await pi.rebuild(async add => {
            await Promise.resolve();
            for (let i = 40; i < 50; i++) add(`q${i}`, DATA[i]!, { n: i });
        });
        expect(pi.index.size).toBe(10);
        expect([...pi.index.entries()].map(([id]) => id)).toEqual(Array.from({ length: 10 }, (_, i) => `q${40 + i}`));
        expect(files(dir)).toEqual(['graph.2.hnsw', 'items.2.json', 'meta.json', 'vectors.2.f32', 'writer.lock']);
        expect(metaJson(dir)).toMatchObject({ generation: 2, labels: 10, live: 10 });
        const before = answers(pi.index);
        // A crash right after the rebuild loses nothing.
        crash(dir);
        const again = open(dir);
        expect(again.opened).toEqual({ state: 'loaded', replayed: 0, droppedTornLine: false });
        expect(answers(again.index)).toEqual(before);
        again.close();
    });

    it('a corrupt index is rebuilt in place', async () => {
        const { dir, before } = saved(20);
        writeFileSync(join(dir, 'meta.json'), 'garbage');
        const pi = open(dir);
        expect(pi.opened.state).toBe('corrupt');
        await pi.rebuild(async add => { for (let i = 0; i < 20; i++) add(`p${i}`, DATA[i]!, { n: i }); });
        pi.close();
        const again = open(dir);
        expect(again.opened.state).toBe('loaded');
        expect(answers(again.index)).toEqual(before);
        again.close();
    });

    it('compacts after compactAfter journal lines (and at least a tenth of the index)', async () => {
        const dir = join(tempDir('af-pi-'), 'ix');
        const pi = open(dir, { compactAfter: 5 });
        fill(pi, 0, 4);
        expect(files(dir)).toEqual(['journal.0.jsonl', 'writer.lock']);
        fill(pi, 4, 5); // the 5th line: a snapshot
        expect(files(dir)).toEqual(['graph.1.hnsw', 'items.1.json', 'meta.json', 'vectors.1.f32', 'writer.lock']);
        expect(metaJson(dir)).toMatchObject({ generation: 1, live: 5 });
        fill(pi, 5, 9);
        expect(journalLines(dir, 1)).toHaveLength(4);
        fill(pi, 9, 10);
        expect(metaJson(dir)).toMatchObject({ generation: 2, live: 10 });
        expect(files(dir)).not.toContain('journal.2.jsonl');

        // With 60 points, a compaction needs 6 lines (a tenth), not 5.
        await pi.rebuild(async add => { for (let i = 0; i < 60; i++) add(`p${i}`, DATA[i]!, { n: i }); });
        expect(metaJson(dir).generation).toBe(3);
        for (let i = 0; i < 5; i++) pi.add(`p${i}`, DATA[59 - i]!, { n: 100 + i });
        expect(journalLines(dir, 3)).toHaveLength(5);
        pi.remove('p10');
        expect(metaJson(dir)).toMatchObject({ generation: 4, live: 59 });
        const before = answers(pi.index);
        crash(dir);
        const again = open(dir, { compactAfter: 5 });
        expect(again.opened).toEqual({ state: 'loaded', replayed: 0, droppedTornLine: false });
        expect(answers(again.index)).toEqual(before);
        again.close();
    });

    it('a snapshot of an index that is mostly holes drops them', () => {
        const dir = join(tempDir('af-pi-'), 'ix');
        const pi = open(dir);
        fill(pi, 0, 60);
        for (let i = 0; i < 60; i++) pi.add(`r${i}`, DATA[i]!.map(x => -x), { n: -i });
        for (let i = 0; i < 60; i++) pi.remove(`r${i}`);
        for (let i = 0; i < 10; i++) pi.remove(`p${i}`);
        const before = answers(pi.index);
        expect(pi.index.labelCount).toBe(120);
        pi.close();
        expect(metaJson(dir)).toMatchObject({ labels: 50, live: 50 });
        const again = open(dir);
        expect(again.index.labelCount).toBe(50);
        expect(answers(again.index)).toEqual(before);
        again.close();
    });

    it('an index written by the exact backend loads into HNSW (the graph is built), and the other way round', () => {
        const { dir, before } = saved(20, { index: { backend: 'exact' } });
        expect(metaJson(dir).graph).toBe(false);
        expect(files(dir)).not.toContain('graph.1.hnsw');
        const hnsw = open(dir);
        expect(hnsw.opened.state).toBe('loaded');
        expect(hnsw.index.backend).toBe('hnsw');
        expect(answers(hnsw.index)).toEqual(before);
        hnsw.add('x', DATA[50]!, { n: 50 });
        hnsw.close();
        expect(metaJson(dir).graph).toBe(true);
        const exact = open(dir, { index: { backend: 'exact' } });
        expect(exact.opened.state).toBe('loaded');
        expect(exact.index.backend).toBe('exact');
        expect(exact.index.query(DATA[50]!, 1)[0]).toMatchObject({ id: 'x', distance: 0 });
        exact.close();
    });
});
