/**
 * Schema of the execution gateway (migration 12). exec_orders: one row per order a deployment
 * handed to a venue, keyed by its client order id (client-order-id.ts), so recording the same
 * order twice fails instead of sending it twice; its state and fill totals change only together
 * with an exec_order_events row (seq 1, 2, … per order: every transition of order-state.ts, every
 * fill with its venue fill id) in the same transaction. exec_risk_events: every decision of the
 * risk engine (risk.ts) in order: pass, deny with its reason, state change. Times are ISO strings.
 */
import { type Migration } from '../store/migrations.js';

export const EXECUTION_MIGRATIONS: readonly Migration[] = [
    {
        version: 12,
        description: 'execution gateway: orders, their transitions and risk decisions',
        statements: [
            `CREATE TABLE exec_orders (
                team VARCHAR NOT NULL,
                deployment VARCHAR NOT NULL,
                client_order_id VARCHAR NOT NULL,
                venue VARCHAR NOT NULL,
                symbol VARCHAR NOT NULL,
                side VARCHAR NOT NULL CHECK (side IN ('buy', 'sell')),
                type VARCHAR NOT NULL CHECK (type IN ('market', 'limit', 'stop')),
                qty DOUBLE NOT NULL,
                price DOUBLE,
                reduce_only BOOLEAN NOT NULL,
                expire_ts DOUBLE,
                bar_ts DOUBLE NOT NULL,
                state VARCHAR NOT NULL CHECK (state IN ('new', 'accepted', 'partially_filled', 'filled', 'cancelled', 'rejected', 'expired')),
                filled_qty DOUBLE NOT NULL,
                avg_price DOUBLE NOT NULL,
                fees DOUBLE NOT NULL,
                created_at VARCHAR NOT NULL,
                updated_at VARCHAR NOT NULL,
                PRIMARY KEY (team, deployment, client_order_id))`,
            `CREATE TABLE exec_order_events (
                team VARCHAR NOT NULL,
                deployment VARCHAR NOT NULL,
                client_order_id VARCHAR NOT NULL,
                seq INTEGER NOT NULL,
                ts VARCHAR NOT NULL,
                kind VARCHAR NOT NULL CHECK (kind IN ('new', 'accepted', 'fill', 'cancelled', 'rejected', 'expired')),
                from_state VARCHAR,
                to_state VARCHAR NOT NULL,
                fill_id VARCHAR,
                fill_qty DOUBLE,
                fill_price DOUBLE,
                fee DOUBLE,
                reason VARCHAR,
                PRIMARY KEY (team, deployment, client_order_id, seq))`,
            `CREATE TABLE exec_risk_events (
                team VARCHAR NOT NULL,
                deployment VARCHAR NOT NULL,
                seq INTEGER NOT NULL,
                ts VARCHAR NOT NULL,
                kind VARCHAR NOT NULL CHECK (kind IN ('pass', 'deny', 'state')),
                client_order_id VARCHAR,
                from_state VARCHAR,
                to_state VARCHAR,
                reason VARCHAR,
                PRIMARY KEY (team, deployment, seq))`,
        ],
    },
];
