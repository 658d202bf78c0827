import { CliError } from '../errors.js';

export async function compileCommand(_file: string, _opts: { ir?: boolean; dag?: boolean; dot?: boolean; strategy?: string }, _out: (s: string) => void): Promise<number> {
    throw new CliError('compile is not implemented yet');
}
