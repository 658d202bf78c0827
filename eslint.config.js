// Lint rules. Beyond the recommended sets, this enforces the dependency direction of the
// repository: `language/` imports none of server/, runtime/, extension/; only extension/ imports vscode.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const noVscode = { name: 'vscode', message: 'Only extension/ may import vscode.' };

export default tseslint.config(
    { ignores: ['node_modules/**', 'out/**', 'dist/**', '**/generated/**', 'webviews/dist/**', '.cache/**'] },
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
    {
        files: ['language/src/**/*.ts'],
        rules: {
            'no-restricted-imports': ['error', {
                paths: [noVscode],
                patterns: [
                    { group: ['**/server/**', '**/runtime/**', '**/extension/**', '**/webviews/**'], message: 'language/ is a pure library: it imports none of server/, runtime/, extension/, webviews/.' },
                    { group: ['node:fs', 'node:fs/*', 'fs', 'node:net', 'node:http', 'node:child_process'], message: 'language/ does no I/O of its own; take a FileSystemProvider.' },
                ],
            }],
        },
    },
    {
        files: ['language/test/**/*.ts'],
        rules: {
            'no-restricted-imports': ['error', { paths: [noVscode], patterns: [{ group: ['**/server/**', '**/runtime/**', '**/extension/**'], message: 'Language tests test the library alone.' }] }],
        },
    },
    {
        files: ['server/**/*.ts', 'runtime/**/*.ts', 'webviews/**/*.ts'],
        rules: {
            'no-restricted-imports': ['error', { paths: [noVscode], patterns: [{ group: ['**/extension/**'], message: 'Nothing imports extension/.' }] }],
        },
    },
    {
        files: ['bin/**/*.js', 'bench/**/*.js', 'scripts/**/*.js', '.ci/**/*.js', 'webviews/*.mjs'],
        languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly', performance: 'readonly' } },
    },
);
