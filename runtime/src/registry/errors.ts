/**
 * The registry's failure classes, subclasses of the protocol's (mapped to RPC codes by class):
 * an entry that does not exist for the caller's team (404), a transition its state does not allow
 * or a publish identical to the latest version (409), stored content that no longer matches its
 * digest (409: never shown, approved or deployed), four eyes (403), a publication that cannot be
 * made (-32602: does not compile, bad parameter values, an unpromoted run).
 */
import { ConflictError, ForbiddenError, NotFoundError, UserInputError } from '../../../protocol/src/errors.js';

export class RegistryNotFound extends NotFoundError {
    constructor(message: string) {
        super(message);
        this.name = 'RegistryNotFound';
    }
}

export class RegistryStateConflict extends ConflictError {
    constructor(message: string) {
        super(message);
        this.name = 'RegistryStateConflict';
    }
}

export class RegistryTampered extends ConflictError {
    constructor(message: string) {
        super(message);
        this.name = 'RegistryTampered';
    }
}

export class FourEyesViolation extends ForbiddenError {
    constructor(message: string) {
        super(message);
        this.name = 'FourEyesViolation';
    }
}

export class InvalidPublication extends UserInputError {
    constructor(message: string) {
        super(message);
        this.name = 'InvalidPublication';
    }
}
