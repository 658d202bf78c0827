/**
 * The known keys of `risk { }`, `execution { }` and `portfolio { }` blocks and what each takes.
 * Keys are data, not grammar, so adding one needs no grammar change. The engine reads the same
 * table for defaults.
 */

export type SettingKind =
    /** A distance from the entry: a fraction (2%) or a price expression (2 * atr(14)). */
    | 'stop'
    /** A dimensionless fraction such as 10 bps or 50%. */
    | 'fraction'
    /** A fraction of equity, or a quantity with `units`. */
    | 'sizing'
    /** A fraction with an optional `=> action` (halt, flatten, warn). */
    | 'drawdown'
    /** A plain positive number. */
    | 'number'
    /** One of the constants of an enumeration. */
    | { readonly enumType: string };

export interface SettingSpec {
    readonly kind: SettingKind;
    readonly doc: string;
    /** Default used by the engine when the key is absent. */
    readonly default?: number | string;
}

export type Section = 'risk' | 'execution' | 'portfolio';

export const SETTINGS: Readonly<Record<Section, Readonly<Record<string, SettingSpec>>>> = {
    risk: {
        stop_loss: { kind: 'stop', doc: 'Exit when price moves this far against the entry, checked intrabar against high/low.' },
        take_profit: { kind: 'stop', doc: 'Exit when price moves this far in favour of the entry, checked intrabar against high/low.' },
        trailing_stop: { kind: 'stop', doc: 'Exit when price falls this far from the best price since entry (rises, for shorts).' },
        max_position: { kind: 'sizing', doc: 'Largest position per asset, as a fraction of equity or a quantity in units.' },
        max_drawdown: { kind: 'drawdown', doc: 'Largest peak-to-trough fall of equity before the action (halt by default) is taken.' },
        leverage: { kind: 'number', default: 1, doc: 'Largest gross exposure as a multiple of equity.' },
    },
    execution: {
        fill: { kind: { enumType: 'fill_mode' }, default: 'next_open', doc: 'When orders from a signal fill: next_open (default), next_close or this_close.' },
        fees: { kind: 'fraction', default: 0.001, doc: 'Commission per trade as a fraction of traded value (default 10 bps).' },
        slippage: { kind: 'fraction', default: 0.0005, doc: 'Price concession per fill as a fraction of price (default 5 bps).' },
        capital: { kind: 'number', default: 100_000, doc: 'Starting equity in quote currency.' },
        // No defaults (a default would enter every strategy's IR and fingerprint): the hft pack's event mode.
        mode: { kind: { enumType: 'engine_mode' }, doc: 'event_driven (hft pack): run event by event over trades and order-book updates (af hft backtest) instead of bar by bar.' },
        latency_ms: { kind: 'number', doc: 'Event mode: milliseconds between a decision and its order (or cancel) reaching the venue (0 when absent).' },
    },
    portfolio: {
        rebalance: { kind: { enumType: 'schedule' }, default: 'daily', doc: 'When allocations are recomputed: daily, weekly, monthly or quarterly.' },
        max_weight: { kind: 'fraction', doc: 'Largest weight of one asset in the portfolio.' },
    },
};
