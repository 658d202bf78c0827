/**
 * vitest's global setup (vitest.config.ts): one scratch directory per `vitest run`, shared by every
 * test file's process, where fixtures keep state they build once and copy per test (the security
 * suite's template state directory: runtime/test/security/support.ts). Only the directory is made
 * here — nothing is built unless a file asks for it — and it is removed when the run ends.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
    export interface ProvidedContext {
        /** The run's scratch directory for built-once fixture templates. */
        afTemplateRoot: string;
    }
}

export default function setup(project: TestProject): () => void {
    const root = mkdtempSync(join(tmpdir(), 'af-templates-'));
    project.provide('afTemplateRoot', root);
    return () => rmSync(root, { recursive: true, force: true });
}
