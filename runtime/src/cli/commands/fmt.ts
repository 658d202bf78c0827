import { CliError } from '../errors.js';

export async function fmtCommand(_paths: string[], _opts: { check: boolean; stdout: boolean }, _out: (s: string) => void): Promise<number> {
    throw new CliError('fmt is not implemented yet');
}
