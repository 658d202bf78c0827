/** Test support for packs: `af` in-process, and a fresh workspace with a scaffolded pack `demo` declared in its config file. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { loadConfig, type PackDeclaration } from '../../src/config/config.js';
import { run } from '../../src/cli/main.js';

export async function af(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
    let out = '', err = '';
    const code = await run(argv, s => { out += s; }, s => { err += s; });
    return { code, out, err };
}

/** A fresh workspace with a scaffolded pack `demo` declared in its config file. */
export async function workspace(): Promise<{ dir: string; config: string; packs: () => PackDeclaration[] }> {
    const dir = mkdtempSync(join(tmpdir(), 'af-packs-'));
    const config = join(dir, 'alphaforge.json');
    writeFileSync(config, JSON.stringify({ stateDir: '.alphaforge' }));
    expect((await af('pack', 'new', 'demo', '--dir', join(dir, 'packs', 'demo'))).code).toBe(0);
    const added = await af('--config', config, 'pack', 'add', join(dir, 'packs', 'demo'));
    expect(added.err).toBe('');
    expect(added.out).toMatch(/^added pack demo 0\.1\.0 \(\^0\.1\.0, sha256-/);
    return { dir, config, packs: () => loadConfig({ file: config }).config.packs ?? [] };
}

