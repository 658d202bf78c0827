/**
 * What a method of the daemon's table is: params and result schemas, least role, availability.
 */
import { type z } from 'zod';
import { type Role } from '../roles.js';

export interface MethodSpec<P extends z.ZodType = z.ZodType, R extends z.ZodType = z.ZodType, A extends boolean = boolean> {
    /** Validates the call's params (by name). Handlers receive its output (defaults applied). */
    readonly params: P;
    /** What the method returns; the gateway and the client both check it. */
    readonly result: R;
    /** The least role that may call it (IAM also checks the token's scopes). */
    readonly role: Role;
    readonly description: string;
    /** False for placeholders: they answer 501 until their feature lands. */
    readonly available: A;
    /** Placeholders: what is missing and where it will come from (sent in the 501's message). */
    readonly pending?: string;
}

export function method<P extends z.ZodType, R extends z.ZodType>(role: Role, description: string, params: P, result: R): MethodSpec<P, R, true> {
    return { params, result, role, description, available: true };
}

/** A method whose feature has not landed: part of the protocol (so clients can be written against it) but answering 501. */
export function placeholder<P extends z.ZodType, R extends z.ZodType>(role: Role, description: string, pending: string, params: P, result: R): MethodSpec<P, R, false> {
    return { params, result, role, description, available: false, pending };
}
