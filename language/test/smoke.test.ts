import { describe, expect, it } from 'vitest';
import { check, codes, SMA_CROSS } from './helpers.js';

describe('smoke', () => {
    it('the brief example checks clean', async () => {
        const ds = await check(SMA_CROSS);
        console.log(ds.map(d => `${d.range.start.line + 1}:${d.range.start.character + 1} ${d.code} ${d.severity} ${d.message}`).join('\n'));
        expect(codes(ds)).toEqual([]);
    });
});
