/**
 * Two registry versions compared: a unified diff of the source and of each library (jsdiff's
 * createTwoFilesPatch, in its asynchronous mode so a large diff yields to the event loop, and
 * bounded by an edit length and a time limit: past them the file is reported as "too different to
 * show" rather than holding the daemon), the parameter values that differ, and the structural
 * difference in words from the language library's difference module (the same words as "find
 * similar"), read off the building-block signatures stored with each entry.
 */
import { createTwoFilesPatch } from 'diff';
import { describeDifference } from '../../../language/src/ir/difference.js';
import { type Entry } from './registry.js';

export interface FileDiff {
    readonly file: string;
    readonly change: 'same' | 'changed' | 'added' | 'removed';
    readonly diff: string;
}

export interface EntryDiff {
    readonly files: FileDiff[];
    readonly params: { name: string; from: number | boolean | null; to: number | boolean | null }[];
    readonly sameStructure: boolean;
    readonly sameExact: boolean;
    readonly structure: string;
}

export interface DiffLimits {
    /** Most edits (inserted + removed lines) one file's diff may take. */
    readonly maxEditLength?: number;
    /** Time limit of one file's diff, ms. */
    readonly timeoutMs?: number;
}

const DEFAULT_LIMITS: Required<DiffLimits> = { maxEditLength: 20_000, timeoutMs: 2_000 };

function unified(label: string, from: string, to: string, a: string, b: string, limits: Required<DiffLimits>): Promise<string> {
    return new Promise(resolve => {
        createTwoFilesPatch(`${label} (${from})`, `${label} (${to})`, a, b, undefined, undefined, {
            context: 3, maxEditLength: limits.maxEditLength, timeout: limits.timeoutMs,
            callback: patch => resolve(patch ?? `(${label}: too different to show as a diff within ${limits.maxEditLength} edited lines or ${limits.timeoutMs} ms)\n`),
        });
    });
}

export async function diffEntries(from: Entry, to: Entry, o: DiffLimits = {}): Promise<EntryDiff> {
    const limits = { ...DEFAULT_LIMITS, ...o };
    const a = `${from.name}@${from.version}`, b = `${to.name}@${to.version}`;
    const files: FileDiff[] = [];
    files.push(from.source === to.source
        ? { file: 'source', change: 'same', diff: '' }
        : { file: 'source', change: 'changed', diff: await unified('source', a, b, from.source, to.source, limits) });
    const libsA = new Map(from.libraries.map(l => [l.uri, l.text]));
    const libsB = new Map(to.libraries.map(l => [l.uri, l.text]));
    for (const uri of [...new Set([...libsA.keys(), ...libsB.keys()])].sort()) {
        const x = libsA.get(uri), y = libsB.get(uri);
        const change = x === undefined ? 'added' : y === undefined ? 'removed' : x === y ? 'same' : 'changed';
        files.push({ file: uri, change, diff: change === 'same' ? '' : await unified(uri, a, b, x ?? '', y ?? '', limits) });
    }
    const params = [...new Set([...Object.keys(from.params), ...Object.keys(to.params)])].sort()
        .filter(k => from.params[k] !== to.params[k])
        .map(k => ({ name: k, from: from.params[k] ?? null, to: to.params[k] ?? null }));
    const sameExact = from.fingerprints.exact === to.fingerprints.exact;
    const sameStructure = from.fingerprints.structural === to.fingerprints.structural;
    return { files, params, sameExact, sameStructure, structure: describeDifference(from.signature, to.signature, { sameExact, sameStructure }) };
}
