/**
 * The dependency direction is enforced by lint (eslint.config.js, `boundary(...)` rules), and this
 * test proves each rule fires: for every folder, a deliberate violation (an import of a folder it
 * must not use) is linted as if it were a file of that folder and must be refused, and an allowed
 * import of the same file must pass. The real tree is linted by `npm run lint` in CI.
 */
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint({ cwd: process.cwd() });

/** The no-restricted-imports messages of `code` linted as `filePath`. */
async function refusals(filePath: string, code: string): Promise<string[]> {
    const [result] = await eslint.lintText(code, { filePath });
    return (result?.messages ?? []).filter(m => m.ruleId === 'no-restricted-imports').map(m => m.message);
}

/** [file of the folder, a forbidden import from it, an allowed import from it]. */
const CASES: readonly [string, string, string][] = [
    ['protocol/src/fixture.ts', '../../language/src/index.js', './numbers.js'],
    ['protocol/src/fixture.ts', '../../runtime/src/cli/main.js', './roles.js'],
    ['language/src/fixture.ts', '../../runtime/src/data/load.js', '../../protocol/src/ir.js'],
    ['language/src/fixture.ts', '../../webviews/src/common/dom.js', './index.js'],
    ['webviews/src/fixture.ts', '../../language/src/index.js', '../../protocol/src/webview.js'],
    ['webviews/src/fixture.ts', '../../runtime/src/engine/metrics.js', '../../protocol/src/metrics.js'],
    ['extension/src/fixture.ts', '../../runtime/src/daemon/daemon.js', '../../language/src/index.js'],
    ['extension/src/fixture.ts', '../../webviews/src/common/dom.js', '../../protocol/src/client.js'],
    ['server/src/fixture.ts', '../../runtime/src/similarity/workspace-index.js', '../../language/src/similarity/workspace-points.js'],
    ['server/src/fixture.ts', '../../extension/src/extension.js', '../../protocol/src/lsp.js'],
    ['runtime/src/fixture.ts', '../../server/src/main.js', '../../language/src/index.js'],
    ['runtime/src/fixture.ts', '../../webviews/src/common/dom.js', '../../protocol/src/webview-page.js'],
    ['runtime/test/fixture.ts', '../../extension/src/extension.js', '../src/cli/main.js'],
];

describe('import boundaries (eslint.config.js)', () => {
    it.each(CASES)('%s may not import %s, may import %s', async (file, forbidden, allowed) => {
        const bad = await refusals(file, `import { x } from '${forbidden}';\nexport const y = x;\n`);
        expect(bad, `${file} importing ${forbidden}`).toHaveLength(1);
        const good = await refusals(file, `import { x } from '${allowed}';\nexport const y = x;\n`);
        expect(good, `${file} importing ${allowed}`).toEqual([]);
    });

    it('only extension/ imports vscode', async () => {
        for (const file of ['protocol/src/f.ts', 'language/src/f.ts', 'server/src/f.ts', 'runtime/src/f.ts', 'webviews/src/f.ts']) {
            expect(await refusals(file, "import * as vscode from 'vscode';\nexport const v = vscode;\n"), file).toHaveLength(1);
        }
        expect(await refusals('extension/src/f.ts', "import * as vscode from 'vscode';\nexport const v = vscode;\n")).toEqual([]);
    });

    it('language/ does no I/O of its own; a package whose path contains a folder name is not that folder', async () => {
        expect(await refusals('language/src/f.ts', "import { readFileSync } from 'node:fs';\nexport const r = readFileSync;\n")).toHaveLength(1);
        expect(await refusals('runtime/src/f.ts', "import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';\nexport const m = McpServer;\n")).toEqual([]);
    });
});
