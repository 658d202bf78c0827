/**
 * The role ladder of IAM: the one definition the daemon, the clients and the docs share.
 */
import { z } from 'zod';

/** Least privileged first: each role may do everything the roles before it may. */
export const ROLES = ['viewer', 'researcher', 'trader', 'admin'] as const;
export type Role = (typeof ROLES)[number];
export const RoleSchema = z.enum(ROLES);

/** True when `have` is `need` or a more privileged role. */
export function roleAllows(have: Role, need: Role): boolean {
    return ROLES.indexOf(have) >= ROLES.indexOf(need);
}
