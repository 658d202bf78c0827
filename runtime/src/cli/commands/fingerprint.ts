import { CliError } from '../errors.js';

export async function fingerprintCommand(_files: string[], _opts: { json: boolean }, _out: (s: string) => void): Promise<number> {
    throw new CliError('fingerprint is not implemented yet');
}
