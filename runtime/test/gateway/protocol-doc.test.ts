/**
 * docs/protocol.md is generated from the method table. Regenerate with
 * `npm run build && node scripts/gen-protocol-doc.js` (or UPDATE_PROTOCOL_DOC=1 on this test).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { METHOD_NAMES } from '../../../protocol/src/daemon/index.js';
import { renderProtocolDoc } from '../../src/gateway/protocol-doc.js';

const DOC = join(__dirname, '..', '..', '..', 'docs', 'protocol.md');

describe('docs/protocol.md', () => {
    it('is generated from the method table (node scripts/gen-protocol-doc.js)', () => {
        const text = renderProtocolDoc();
        if (process.env.UPDATE_PROTOCOL_DOC) writeFileSync(DOC, text);
        const onDisk = readFileSync(DOC, 'utf8');
        expect(onDisk, 'docs/protocol.md is stale: run `npm run build && node scripts/gen-protocol-doc.js`').toBe(text);
    });

    it('documents every method with its role, params and result, the errors, events and the gRPC service', () => {
        const text = renderProtocolDoc();
        for (const m of METHOD_NAMES) expect(text, m).toContain(`### ${m}\n`);
        for (const s of ['-32700', '-32601', '-32602', '| 401 |', '| 403 |', '| 413 |', '| 429 |', '| 501 |', 'events.subscribe', '"lagged"', 'service Daemon', 'Role: **trader**']) expect(text, s).toContain(s);
    });
});
