#!/usr/bin/env node
// Writes docs/protocol.md from the method table (protocol/src/daemon/).
// Run after `npm run build`: node scripts/gen-protocol-doc.js [--check]
// With --check, writes nothing and exits 1 when the file is stale (runtime/test/gateway/protocol-doc.test.ts checks the same).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const compiled = new URL('../out/runtime/src/gateway/protocol-doc.js', import.meta.url);
if (!existsSync(fileURLToPath(compiled))) {
    console.error('gen-protocol-doc: not built yet. Run `npm run build` first.');
    process.exit(2);
}
const { renderProtocolDoc } = await import(compiled.href);
const target = fileURLToPath(new URL('../docs/protocol.md', import.meta.url));
const text = renderProtocolDoc();
if (process.argv.includes('--check')) {
    const onDisk = existsSync(target) ? readFileSync(target, 'utf8') : '';
    if (onDisk !== text) {
        console.error('docs/protocol.md is stale: run `npm run build && node scripts/gen-protocol-doc.js`');
        process.exit(1);
    }
    console.log('docs/protocol.md is up to date');
} else {
    writeFileSync(target, text);
    console.log(`wrote docs/protocol.md (${text.length} characters)`);
}
