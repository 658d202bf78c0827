/**
 * The schema of alphaforge.duckdb: the one ordered list of migrations, assembled from what each
 * module contributes in its own schema.ts (data, iam, orchestrator, experiments, registry, execution), and the opener
 * that hands it to the store. It sits above the modules so that none of them imports another to
 * reach the database (the store core, runtime/src/store/, knows no module). Versions run 1, 2, 3, …
 * in the order the migrations were released, whichever module owns them; append, never edit.
 */
import { resolveStateDir } from '../../../protocol/src/discovery.js';
import { DATA_MIGRATIONS, DATA_OWNERSHIP_MIGRATIONS } from '../data/schema.js';
import { EXECUTION_MIGRATIONS } from '../execution/schema.js';
import { DEPLOYMENT_MIGRATIONS, DEPLOYMENT_PACKS_MIGRATIONS } from '../execution/deployments/schema.js';
import { EXPERIMENT_MIGRATIONS, LEDGER_MIGRATIONS } from '../experiments/schema.js';
import { IAM_IDENTITY_MIGRATIONS, IAM_MIGRATIONS } from '../iam/schema.js';
import { RUN_ARTIFACT_MIGRATIONS, RUN_MIGRATIONS, RUN_OWNER_MIGRATIONS } from '../orchestrator/schema.js';
import { REGISTRY_MIGRATIONS } from '../registry/schema.js';
import { VENUE_KEY_MIGRATIONS } from '../execution/venue-keys-schema.js';
import { HFT_MIGRATIONS, HFT_OWNERSHIP_MIGRATIONS } from '../data/hft/schema.js';
import { ONCHAIN_OWNERSHIP_MIGRATIONS } from '../data/onchain/schema.js';
import { checkSchema, latestVersion, type Schema } from '../store/migrations.js';
import { DataStore, type StoreOptions } from '../store/store.js';
import { PgStore, type PgStoreOptions } from '../store/pg-store.js';

/**
 * Every module's migrations, in version order: the data store's own (1–3), then the daemon's
 * modules (IAM 4, runs 5, experiments 6–7), market data ownership (8), run artifacts (9), the
 * strategy registry (10), identity-provider users (11), the execution gateway's orders (12), the research ledger (13), deployments (14), venue keys (15), HFT tick data (16), on-chain ownership (17), deployments' packs (18), HFT tick-data ownership (19), runs' owning daemon (20).
 */
export const MIGRATIONS: Schema = [...DATA_MIGRATIONS, ...IAM_MIGRATIONS, ...RUN_MIGRATIONS, ...EXPERIMENT_MIGRATIONS, ...DATA_OWNERSHIP_MIGRATIONS, ...RUN_ARTIFACT_MIGRATIONS, ...REGISTRY_MIGRATIONS, ...IAM_IDENTITY_MIGRATIONS, ...EXECUTION_MIGRATIONS, ...LEDGER_MIGRATIONS, ...DEPLOYMENT_MIGRATIONS, ...VENUE_KEY_MIGRATIONS, ...HFT_MIGRATIONS, ...ONCHAIN_OWNERSHIP_MIGRATIONS, ...DEPLOYMENT_PACKS_MIGRATIONS, ...HFT_OWNERSHIP_MIGRATIONS, ...RUN_OWNER_MIGRATIONS];
checkSchema(MIGRATIONS);

export const LATEST_VERSION = latestVersion(MIGRATIONS);

/** What an opener of the database says: the state directory (default: config's resolution), limits, and for tests a version to stop at. */
export type OpenStoreOptions = Partial<Omit<StoreOptions, 'schema'>>;

function storeOptions(o: OpenStoreOptions): StoreOptions {
    return { ...o, stateDir: resolveStateDir(o.stateDir), schema: MIGRATIONS };
}

/** Opens (and migrates) the database of a state directory with AlphaForge's schema. */
export function openStore(o: OpenStoreOptions = {}): Promise<DataStore> {
    return DataStore.open(storeOptions(o));
}

/** Opens, runs `fn`, and always closes. */
export function withStore<T>(o: OpenStoreOptions, fn: (store: DataStore) => Promise<T>): Promise<T> {
    return DataStore.with(storeOptions(o), fn);
}

/** Opens (and migrates) the control plane on PostgreSQL (team mode) with the same migrations and versions. */
export function openControlStore(o: Omit<PgStoreOptions, 'schema'>): Promise<PgStore> {
    return PgStore.open({ ...o, schema: MIGRATIONS });
}
