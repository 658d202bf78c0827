// Lint rules. Beyond the recommended sets, this enforces the dependency direction of the
// repository: `language/` imports none of server/, runtime/, extension/; only extension/ imports vscode.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const noVscode = { name: 'vscode', message: 'Only extension/ may import vscode.' };

/** `files` may not import the given top-level folders (nor vscode, except extension/). */
function boundary(files, folders, message, extra = []) {
    const paths = files.startsWith('extension/') ? [] : [noVscode];
    return {
        files: [files],
        // Relative specifiers only: a package such as @modelcontextprotocol/sdk/server/… is not our server/.
        rules: { 'no-restricted-imports': ['error', { paths, patterns: [{ regex: `^\\.\\.?/(?:.*/)?(?:${folders.join('|')})/`, message }, ...extra] }] },
    };
}

export default tseslint.config(
    { ignores: ['node_modules/**', 'out/**', 'dist/**', '**/generated/**', 'webviews/dist/**', '.cache/**', 'vendor/**'] },
    js.configs.recommended,
    ...tseslint.configs.recommended,
    {
        files: ['**/*.ts'],
        rules: {
            '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
            '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
            'no-console': 'off',
        },
    },
    // The dependency direction: protocol/ at the bottom, then language/; server/, extension/ and
    // webviews/ never import runtime/; nothing imports extension/. A test
    // (runtime/test/boundaries.test.ts) lints deliberate violations to prove each rule fires.
    boundary('protocol/src/**/*.ts', ['language', 'server', 'runtime', 'extension', 'webviews'], 'protocol/ is the bottom of the tree: it imports nothing else of the repository.'),
    boundary('language/src/**/*.ts', ['server', 'runtime', 'extension', 'webviews'], 'language/ is a pure library: it imports only protocol/.',
        [{ group: ['node:fs', 'node:fs/*', 'fs', 'node:net', 'node:http', 'node:child_process'], message: 'language/ does no I/O of its own; take a FileSystemProvider.' }]),
    boundary('language/test/**/*.ts', ['server', 'runtime', 'extension', 'webviews'], 'Language tests test the library alone.'),
    boundary('webviews/src/**/*.ts', ['language', 'server', 'runtime', 'extension'], 'webviews/ runs in a browser and imports only protocol/.'),
    boundary('extension/src/**/*.ts', ['server', 'runtime', 'webviews'], 'extension/ is a thin client: it imports only protocol/ and language/ (the server and the daemon do the work).'),
    boundary('server/src/**/*.ts', ['runtime', 'extension', 'webviews'], 'server/ imports only protocol/ and language/: no DuckDB, no daemon in the language server.'),
    boundary('runtime/src/**/*.ts', ['server', 'extension', 'webviews'], 'runtime/ imports protocol/ and language/, never the editor side.'),
    boundary('{server,runtime,webviews,protocol}/test/**/*.ts', ['extension'], 'Nothing imports extension/.'),
    {
        files: ['bin/**/*.js', 'bench/**/*.js', 'scripts/**/*.js', 'scripts/**/*.mjs', '.ci/**/*.js', 'webviews/*.mjs'],
        languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly', performance: 'readonly', setTimeout: 'readonly', fetch: 'readonly', AbortSignal: 'readonly' } },
    },
);
