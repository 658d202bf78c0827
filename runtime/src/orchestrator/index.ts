/** The run orchestrator of the daemon: runs as jobs on worker threads, persisted in the embedded store. */
export { Orchestrator, type OrchestratorEvents, type OrchestratorOptions } from './orchestrator.js';
export { InProcessQueue, type JobQueue, type QueuedJob } from './queue.js';
export * from './types.js';
