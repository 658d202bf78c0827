/**
 * PathConfinement against the ways a hostile caller escapes a folder: `..`, absolute paths,
 * symlinks out of a root (file and folder), a symlinked root, NUL bytes, devices and FIFOs, wrong
 * extensions; and errors that never say whether a path outside the roots exists.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfinementError, PathConfinement } from '../../src/security/confine.js';
import { tempDir } from '../data/helpers.js';

function setup() {
    const root = tempDir('af-confine-root-');
    const outside = tempDir('af-confine-out-');
    writeFileSync(join(root, 'ok.csv'), 'ts,close\n');
    writeFileSync(join(root, 'ok.af'), 'strategy S {}');
    mkdirSync(join(root, 'sub'));
    writeFileSync(join(root, 'sub', 'deep.csv'), 'x');
    writeFileSync(join(outside, 'secret.txt'), 'SECRET');
    symlinkSync(join(outside, 'secret.txt'), join(root, 'link-out.csv'));
    symlinkSync(outside, join(root, 'dir-out'));
    symlinkSync(join(root, 'ok.csv'), join(root, 'link-in.csv'));
    const c = new PathConfinement([{ path: root, label: 'the workspace' }]);
    return { root, outside, c };
}

function refusal(fn: () => unknown): ConfinementError {
    try {
        fn();
    } catch (e) {
        if (e instanceof ConfinementError) return e;
        throw e;
    }
    throw new Error('expected a ConfinementError');
}

describe('PathConfinement', () => {
    it('allows regular files inside the root, by relative or absolute path and through inner symlinks', () => {
        const { root, c } = setup();
        expect(c.resolve('ok.csv')).toBe(join(c.rootPaths[0]!, 'ok.csv'));
        expect(c.resolve(join(root, 'sub', 'deep.csv'))).toBe(join(c.rootPaths[0]!, 'sub', 'deep.csv'));
        expect(c.resolve('sub/../ok.csv')).toBe(join(c.rootPaths[0]!, 'ok.csv'));
        expect(c.resolve('link-in.csv')).toBe(join(c.rootPaths[0]!, 'ok.csv'));
        expect(c.resolve('sub', { kind: 'dir' })).toBe(join(c.rootPaths[0]!, 'sub'));
    });

    it('refuses ../, absolute paths elsewhere, and symlinks that lead out of the root', () => {
        const { outside, c } = setup();
        for (const p of ['../x', '../../../../etc/passwd', '/etc/passwd', join(outside, 'secret.txt'), 'link-out.csv', 'dir-out/secret.txt', 'sub/../../x']) {
            const e = refusal(() => c.resolve(p));
            expect(e.message).toContain('outside the folders');
            expect(e.message).not.toContain('SECRET');
        }
    });

    it('does not tell whether a path outside the roots exists', () => {
        const { outside, c } = setup();
        expect(refusal(() => c.resolve(join(outside, 'secret.txt'))).message.replace('secret.txt', 'X'))
            .toBe(refusal(() => c.resolve(join(outside, 'missing.txt'))).message.replace('missing.txt', 'X'));
    });

    it('refuses NUL bytes, devices, FIFOs, folders for files, and wrong extensions', () => {
        const { root, c } = setup();
        expect(refusal(() => c.resolve('ok.csv\0.af')).message).toContain('not a usable path');
        execFileSync('mkfifo', [join(root, 'pipe.csv')]);
        expect(refusal(() => c.resolve('pipe.csv')).message).toContain('not a regular file');
        expect(refusal(() => c.resolve('sub')).message).toContain('not a regular file');
        expect(refusal(() => c.resolve('ok.csv', { extensions: ['.af'] })).message).toContain('not a .af file');
        expect(c.resolve('ok.af', { extensions: ['.af'] })).toMatch(/ok\.af$/);
        const dev = new PathConfinement([{ path: '/dev', label: '/dev' }]);
        expect(refusal(() => dev.resolve('/dev/zero')).message).toContain('not a regular file');
    });

    it('a new file: its folder must be inside, an existing non-file is refused', () => {
        const { root, c } = setup();
        expect(c.resolve('sub/new.parquet', { kind: 'new-file' })).toBe(join(c.rootPaths[0]!, 'sub', 'new.parquet'));
        expect(refusal(() => c.resolve('dir-out/new.parquet', { kind: 'new-file' })).message).toContain('outside');
        expect(refusal(() => c.resolve('missing-dir/new.parquet', { kind: 'new-file' })).message).toContain('outside');
        expect(refusal(() => c.resolve(join(root, 'sub'), { kind: 'new-file' })).message).toContain('not a regular file');
    });

    it('a root that is itself a symlink works', () => {
        const { root } = setup();
        const alias = join(tempDir('af-confine-alias-'), 'alias');
        symlinkSync(root, alias);
        const c = new PathConfinement([{ path: alias, label: 'the alias' }]);
        expect(c.resolve(join(alias, 'ok.csv'))).toBe(join(c.rootPaths[0]!, 'ok.csv'));
        expect(c.allows('link-out.csv')).toBe(false);
    });
});
