/** `af functions`: the catalogue from the command line, and a "did you mean" for a misspelt name. */
import { describe, expect, it } from 'vitest';
import { Catalogue, renderFunctionList, renderFunctionText } from '../../../language/src/index.js';
import { run } from '../../src/cli/main.js';

async function af(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
    let out = '', err = '';
    const code = await run(argv, s => { out += s; }, s => { err += s; });
    return { code, out, err };
}

describe('af functions', () => {
    const catalogue = new Catalogue();

    it('lists every entry; one name prints it in full, whatever its case', async () => {
        expect(await af('functions')).toEqual({ code: 0, out: renderFunctionList(catalogue), err: '' });
        const r = await af('functions', 'HIGHEST');
        expect(r.code).toBe(0);
        expect(r.out).toBe(renderFunctionText(catalogue.get('highest')!));
    });

    it('an unknown name is an error that suggests the nearest (the AF003 example `smaa`)', async () => {
        const r = await af('functions', 'smaa');
        expect(r.code).not.toBe(0);
        expect(r.err).toContain("no function, field or constant 'smaa'; did you mean 'sma'?");
        expect(r.out).toBe('');
    });
});
