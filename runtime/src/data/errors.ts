/**
 * A problem with the user's data or request (bad file, unknown symbol, data that does not fit).
 * The message is one line that names the file / row / field and says what to do; the CLI prints
 * it as is, the gateway answers -32602. Anything else thrown from this module is a bug.
 */
import { UserInputError } from '../../../protocol/src/errors.js';

export { firstLine } from '../store/errors.js';

export class DataError extends UserInputError {
    constructor(message: string) {
        super(message);
        this.name = 'DataError';
    }
}
