/**
 * Group commit across writers of one connection: many independent writers (the deployments, each
 * storing its bar with its journal batch) hand in their rows, and every write handed in while a
 * transaction is being written (or in the same tick) goes into the next one — one BEGIN … COMMIT
 * for all of them, and the rows of all of them for one table as one multi-row statement.
 *
 * Why: a DuckDB connection serves one call at a time, and a statement (a round trip through the
 * native binding on libuv's pool) and a commit (a WAL write) cost far more than the rows they
 * carry; on a loaded machine each waits for a core. 50 deployments on 1-second bars each committing
 * their own few statements need 50 transactions and ~250 statements a second through that one
 * connection; grouped, a transaction carries every bar ready at that moment in about five
 * statements, so the cost follows the commit time, not the number of writers (bench/deployments.js).
 *
 * A write does not run statements: it adds rows to statement templates (`RowSink.add`), and the
 * group runs each template once, in the order first used, with every row it was given.
 *
 * What a group keeps:
 * - all or nothing per write: a write's rows are in one transaction, the group's. If the group
 *   cannot commit, each write is run again alone in its own transaction, so a failing write fails
 *   only its own caller (a write must therefore only add rows it was handed: it may run twice);
 * - order: writes run in the order they were handed in, and each caller's promise settles after
 *   the transaction that holds its rows has committed (or after its own failure). Two writes that
 *   must be ordered against each other must not be handed in at the same time (the journal of a
 *   deployment hands in one flush at a time);
 * - idle cost: a write with nothing in flight is committed on the next tick (no waiting for company).
 */
import type { Params, SqlStore } from './sql-store.js';

/** Where a write puts its rows. */
export interface RowSink {
    /**
     * One row of a statement template. `sql` holds `{values}` where the rows' tuples go, e.g.
     * `INSERT INTO t (a, b) VALUES {values} ON CONFLICT DO NOTHING`, or an `UPDATE … FROM (VALUES
     * {values}) AS v(a, b) WHERE …`; rows of one template share statements. `casts`: a SQL type per
     * value where the statement cannot infer it (VALUES outside an INSERT).
     */
    add(sql: string, values: readonly unknown[], casts?: readonly string[]): void;
}

export type GroupWrite = (sink: RowSink) => void | Promise<void>;

interface Pending {
    readonly write: GroupWrite;
    resolve(): void;
    reject(e: unknown): void;
}

export interface GroupCommitStats {
    /** Transactions committed, and the writes they carried. */
    readonly transactions: number;
    readonly writes: number;
    /** Groups that could not commit and were run write by write. */
    readonly split: number;
}

/** Rows per statement (DuckDB's parameters per statement stay in the thousands). */
const CHUNK = 200;

/** The rows of a transaction, by template, in the order the templates were first used. */
class Rows implements RowSink {
    private readonly byTemplate = new Map<string, { casts: readonly string[] | undefined; rows: (readonly unknown[])[] }>();

    add(sql: string, values: readonly unknown[], casts?: readonly string[]): void {
        let t = this.byTemplate.get(sql);
        if (!t) this.byTemplate.set(sql, t = { casts, rows: [] });
        t.rows.push(values);
    }

    async run(store: SqlStore): Promise<void> {
        for (const [sql, { casts, rows }] of this.byTemplate) {
            for (let i = 0; i < rows.length; i += CHUNK) {
                const params: unknown[] = [];
                const tuples = rows.slice(i, i + CHUNK).map(v => {
                    const base = params.length;
                    params.push(...v);
                    return `(${v.map((_, k) => `$${base + k + 1}${casts?.[k] ? `::${casts[k]}` : ''}`).join(', ')})`;
                });
                await store.run(sql.replace('{values}', tuples.join(', ')), params as Params);
            }
        }
    }
}

export class GroupCommit {
    private queue: Pending[] = [];
    private running: Promise<void> | undefined;
    private scheduled = false;
    private readonly counts = { transactions: 0, writes: 0, split: 0 };

    /** `maxWrites`: most writes per transaction (the rest go into the next). */
    constructor(private readonly store: SqlStore, private readonly maxWrites = 256) {}

    /** One write in a transaction of its own (a writer without a group). */
    static async once(store: SqlStore, write: GroupWrite): Promise<void> {
        await store.transaction(async () => {
            const rows = new Rows();
            await write(rows);
            await rows.run(store);
        });
    }

    get stats(): GroupCommitStats {
        return { ...this.counts };
    }

    /** Runs `write` in the next group transaction; resolves once that transaction has committed. */
    commit(write: GroupWrite): Promise<void> {
        return new Promise<void>((resolve, reject) => {
            this.queue.push({ write, resolve, reject });
            this.schedule();
        });
    }

    private schedule(): void {
        if (this.scheduled || this.running) return;
        this.scheduled = true;
        // setImmediate: the writes of this tick share the transaction.
        setImmediate(() => {
            this.scheduled = false;
            this.running = this.drain().finally(() => { this.running = undefined; if (this.queue.length) this.schedule(); });
        });
    }

    /** Transactions one after the other while writes are waiting. */
    private async drain(): Promise<void> {
        while (this.queue.length) {
            const group = this.queue.splice(0, this.maxWrites);
            try {
                await this.store.transaction(async () => {
                    const rows = new Rows();
                    for (const p of group) await p.write(rows);
                    await rows.run(this.store);
                });
                this.counts.transactions++;
                this.counts.writes += group.length;
                for (const p of group) p.resolve();
            } catch (e) {
                if (group.length === 1) { group[0]!.reject(e); continue; }
                // Rolled back: each alone, so one bad write fails only its caller.
                this.counts.split++;
                for (const p of group) {
                    try {
                        await GroupCommit.once(this.store, p.write);
                        this.counts.transactions++;
                        this.counts.writes++;
                        p.resolve();
                    } catch (err) {
                        p.reject(err);
                    }
                }
            }
        }
    }
}
