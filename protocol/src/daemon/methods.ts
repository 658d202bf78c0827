/**
 * The daemon's method table: every method, its params and result schemas, least role and
 * availability, gathered from the services' files. The gateway validates every call against it,
 * the client is typed by it, docs/protocol.md is generated from it.
 */
import { type z } from 'zod';
import { DATA_METHODS } from './data.js';
import { EXPERIMENTS_METHODS } from './experiments.js';
import { HFT_METHODS } from './hft.js';
import { IAM_METHODS } from './iam.js';
import { LANG_METHODS } from './lang.js';
import { EXECUTION_METHODS } from './execution.js';
import { PACKS_METHODS } from './packs.js';
import { REGISTRY_METHODS } from './registry.js';
import { RUNS_METHODS } from './runs.js';
import { VENUE_KEYS_METHODS } from './venue-keys.js';
import { type Role } from '../roles.js';

export const METHODS = {
    ...LANG_METHODS,
    ...DATA_METHODS,
    ...HFT_METHODS,
    ...RUNS_METHODS,
    ...EXPERIMENTS_METHODS,
    ...IAM_METHODS,
    ...REGISTRY_METHODS,
    ...PACKS_METHODS,
    ...EXECUTION_METHODS,
    ...VENUE_KEYS_METHODS,
} as const;

export type Methods = typeof METHODS;
export type MethodName = keyof Methods;
/** Methods that are implemented (not placeholders): the daemon must provide a handler for each. */
export type AvailableMethodName = { [M in MethodName]: Methods[M]['available'] extends true ? M : never }[MethodName];
/** What a handler receives: the params after validation (defaults applied). */
export type ParamsOf<M extends MethodName> = z.output<Methods[M]['params']>;
/** What a caller sends: optional fields with defaults may be left out. */
export type ParamsInput<M extends MethodName> = z.input<Methods[M]['params']>;
export type ResultOf<M extends MethodName> = z.output<Methods[M]['result']>;

export const METHOD_NAMES = Object.keys(METHODS) as MethodName[];

export function isMethodName(name: string): name is MethodName {
    return Object.prototype.hasOwnProperty.call(METHODS, name);
}

/** The table as `daemon.info` reports it. */
export function methodCatalogue(): { name: MethodName; role: Role; available: boolean }[] {
    return METHOD_NAMES.map(name => ({ name, role: METHODS[name].role, available: METHODS[name].available }));
}
