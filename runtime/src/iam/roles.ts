/**
 * Roles, ordered by privilege: each role may do everything the roles before it may.
 * A user holds one role per team (see `memberships`); a method names the least role it needs.
 *
 * - viewer: reads runs, experiments, data and reports.
 * - researcher: also creates and runs backtests, sweeps and experiments; imports data.
 * - trader: also starts, stops and changes live (and paper) execution.
 * - admin: also manages users, teams, memberships and everyone's tokens.
 */
export const ROLES = ['viewer', 'researcher', 'trader', 'admin'] as const;

export type Role = (typeof ROLES)[number];

export function isRole(value: unknown): value is Role {
    return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

/** The role's rank: 0 for viewer … 3 for admin. */
export function roleRank(role: Role): number {
    return ROLES.indexOf(role);
}

/** True when `have` is `need` or a more privileged role. */
export function roleAtLeast(have: Role, need: Role): boolean {
    return roleRank(have) >= roleRank(need);
}
