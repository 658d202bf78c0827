/**
 * The job queue behind the orchestrator. `JobQueue` is the seam for a distributed implementation
 * (its methods are async for that reason); `InProcessQueue` is the default: FIFO per owner and
 * round-robin across owners — each `take` serves the owner with something queued who was served
 * least recently (a newcomer first) — so a user with 100 queued runs does not starve a user with one.
 *
 * The queue holds no truth of its own: the runs table does. On start the orchestrator re-enqueues
 * every run the database says is queued, so a queue that loses its content loses nothing.
 */

export interface QueuedJob {
    readonly runId: string;
    readonly owner: string;
    readonly team: string;
}

export interface JobQueue {
    /** Adds a job behind its owner's earlier jobs. Enqueuing a run id that is already queued does nothing. */
    enqueue(job: QueuedJob): Promise<void>;
    /** Removes and returns the next job, fairly across owners; undefined when empty. */
    take(): Promise<QueuedJob | undefined>;
    /** Removes a queued job (a cancellation); false when it was not queued. */
    remove(runId: string): Promise<boolean>;
    size(): Promise<number>;
}

export class InProcessQueue implements JobQueue {
    /** Per owner with something queued, FIFO. */
    private readonly byOwner = new Map<string, QueuedJob[]>();
    /** When each owner was last served (a counter): the least recently served owner goes next. */
    private readonly served = new Map<string, number>();
    private tick = 0;
    private readonly ids = new Set<string>();

    async enqueue(job: QueuedJob): Promise<void> {
        if (this.ids.has(job.runId)) return;
        this.ids.add(job.runId);
        const list = this.byOwner.get(job.owner);
        if (list) list.push(job);
        else this.byOwner.set(job.owner, [job]);
    }

    async take(): Promise<QueuedJob | undefined> {
        let owner: string | undefined, best = Infinity;
        for (const o of this.byOwner.keys()) {
            const at = this.served.get(o) ?? -1;
            if (at < best) { best = at; owner = o; }
        }
        if (owner === undefined) return undefined;
        const list = this.byOwner.get(owner)!;
        const job = list.shift()!;
        if (list.length === 0) this.byOwner.delete(owner);
        this.served.set(owner, ++this.tick);
        this.ids.delete(job.runId);
        return job;
    }

    async remove(runId: string): Promise<boolean> {
        if (!this.ids.delete(runId)) return false;
        for (const [owner, list] of this.byOwner) {
            const i = list.findIndex(j => j.runId === runId);
            if (i < 0) continue;
            list.splice(i, 1);
            if (list.length === 0) this.byOwner.delete(owner);
            return true;
        }
        return false;
    }

    async size(): Promise<number> {
        return this.ids.size;
    }
}
