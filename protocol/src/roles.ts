/**
 * The role ladder of IAM: the one definition the daemon, the clients and the docs share. A user
 * holds one role per team; a method names the least role it needs (the method table), and each
 * role may do everything the roles before it may:
 *
 * - viewer: reads runs, experiments, data and reports.
 * - researcher: also creates and runs backtests, sweeps and experiments; imports and exports data.
 * - trader: also starts, stops and changes paper and live execution.
 * - admin: also manages users, teams, memberships, everyone's tokens and shared market data.
 */
import * as z from 'zod';

/** Least privileged first: each role may do everything the roles before it may. */
export const ROLES = ['viewer', 'researcher', 'trader', 'admin'] as const;
export type Role = (typeof ROLES)[number];
export const RoleSchema = z.enum(ROLES);

/** True when `have` is `need` or a more privileged role. */
export function roleAllows(have: Role, need: Role): boolean {
    return ROLES.indexOf(have) >= ROLES.indexOf(need);
}

export function isRole(value: unknown): value is Role {
    return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}
