/** The experiment and metric store: the public API for the daemon's gateway and orchestrator. */
export { ExperimentError, FilterError } from './errors.js';
export { ATTRIBUTE_NAMES, parseFilter, parseIsoDate, parseOrderBy, RUN_KINDS, RUN_STATES, RunSql, type Field, type FilterNode, type Literal, type OrderTerm } from './filter.js';
export { EXPERIMENT_MIGRATIONS } from './schema.js';
export {
    ExperimentStore,
    type CompareRow, type CompareValue, type Experiment, type ExportRunsOptions, type NewExperiment, type ParamValue, type RunComparison, type RunResult,
    type RunSummary, type SearchOptions, type SearchResult,
} from './store.js';
