// Writes .ci/test-durations.txt (read by vitest.sequencer.ts to start the longest test files
// first) from the output of a whole vitest run: each file's line, ` ✓ path (N tests) 1234ms`,
// becomes `1234 path`, longest first.
//
//   node scripts/ci/test-durations.mjs <vitest output file>
import { readFileSync, writeFileSync } from 'node:fs';

const [log] = process.argv.slice(2);
if (!log) {
    console.error('usage: node scripts/ci/test-durations.mjs <vitest output file>');
    process.exit(2);
}
// eslint-disable-next-line no-control-regex
const text = readFileSync(log, 'utf8').replace(/\x1b\[[0-9;]*m/g, '');
const rows = [...text.matchAll(/^ [✓×❯↓] (\S+\.test\.ts) \(\d+ tests?[^)]*\) (\d+)ms$/gm)].map(m => [Number(m[2]), m[1]]);
if (rows.length === 0) {
    console.error(`${log}: no test file lines (\` ✓ path (N tests) 1234ms\`) found`);
    process.exit(1);
}
rows.sort((a, b) => b[0] - a[0] || (a[1] < b[1] ? -1 : 1));
const out = new URL('../../.ci/test-durations.txt', import.meta.url);
writeFileSync(out, rows.map(([ms, file]) => `${ms} ${file}\n`).join(''));
console.log(`${rows.length} files → .ci/test-durations.txt`);
