/**
 * The HFT capability pack: order-book and trade-flow features for the event-driven engine mode
 * (a strategy with `execution { mode: event_driven }` runs over trades and L2 book updates, one
 * decision per event, with limit orders that queue: runtime/src/engine/hft/). Pure data, like
 * core-pack.ts: the implementations are runtime/src/engine/packs/hft/. Shipped with AlphaForge but
 * enabled per workspace (`af pack add hft`).
 *
 * The functions read per-event columns (HFT_COLUMNS) the event engine fills from its book before
 * each decision: the top HFT_LEVELS levels of each side, the event's time, the signed quantity of
 * the trade the event is (0 for a book update) and the strategy's inventory. In a bar run those
 * columns do not exist and every function of the pack is undefined.
 */
import type { CapabilityPack, CatalogueEntry, CatalogueParam } from './pack-types.js';

/** Book levels per side the event engine publishes to the strategy (book_imbalance's largest `levels`). */
export const HFT_LEVELS = 5;

const levelCols = (what: string): string[] => Array.from({ length: HFT_LEVELS }, (_, i) => `hft_${what}_${i + 1}`);

/** The per-event columns of the event engine, read by the pack's functions (`reads`). */
export const HFT_COLUMNS = [
    'hft_time', ...levelCols('bid_px'), ...levelCols('ask_px'), ...levelCols('bid_sz'), ...levelCols('ask_sz'),
    'hft_trade_qty', 'hft_inventory',
] as const;
export type HftColumn = (typeof HFT_COLUMNS)[number];

const TOP = ['hft_bid_px_1', 'hft_ask_px_1'];
const TOP_SIZES = [...TOP, 'hft_bid_sz_1', 'hft_ask_sz_1'];
const seconds = (doc: string, dflt: number): CatalogueParam => ({ name: 'seconds', type: 'float', min: 0.001, default: dflt, doc });

const functions: CatalogueEntry[] = [
    {
        kind: 'function', name: 'best_bid', params: [], returns: 'series<price>', lookback: '0', reads: ['hft_bid_px_1'],
        doc: 'The best bid price of the order book after this event. Undefined while the bid side is empty.',
        example: 'when quote => buy 1 units limit at best_bid()',
    },
    {
        kind: 'function', name: 'best_ask', params: [], returns: 'series<price>', lookback: '0', reads: ['hft_ask_px_1'],
        doc: 'The best ask price of the order book after this event. Undefined while the ask side is empty.',
        example: 'when quote => sell 1 units limit at best_ask()',
    },
    {
        kind: 'function', name: 'spread', params: [], returns: 'series<price>', lookback: '0', reads: TOP, range: [0, Infinity],
        doc: 'Best ask minus best bid after this event, in price.',
        example: 'signal tight = spread() <= 0.02',
    },
    {
        kind: 'function', name: 'mid_price', params: [], returns: 'series<price>', lookback: '0', reads: TOP,
        doc: 'The mid price: (best bid + best ask) / 2.',
        example: 'feature edge = microprice() - mid_price()',
    },
    {
        kind: 'function', name: 'microprice', params: [], returns: 'series<price>', lookback: '0', reads: TOP_SIZES,
        doc: 'The size-weighted mid: (bid × ask size + ask × bid size) / (bid size + ask size) over the best level of each side. It leans towards the side with less size, where the price is likelier to go.',
        example: 'signal up = microprice() > mid_price()',
    },
    {
        kind: 'function', name: 'book_imbalance', params: [{ name: 'levels', type: 'int', min: 1, default: 1, doc: `Book levels per side summed (1 to ${HFT_LEVELS}).` }],
        returns: 'series<1>', lookback: '0', reads: [...levelCols('bid_sz'), ...levelCols('ask_sz')], range: [-1, 1],
        doc: 'Order-book imbalance over the best `levels` levels of each side: (bid size − ask size) / (bid size + ask size), from −1 (only asks) to 1 (only bids). A side with fewer levels counts what it has.',
        example: 'signal bid_heavy = book_imbalance(3) > 0.3',
    },
    {
        kind: 'function', name: 'trade_imbalance', params: [seconds('The window, in seconds, ending at this event.', 5)],
        returns: 'series<1>', lookback: '0', reads: ['hft_time', 'hft_trade_qty'], range: [-1, 1],
        doc: 'Trade-flow imbalance over the last `seconds`: (buyer-initiated − seller-initiated volume) / total volume of the trades with time in (now − seconds, now]. Undefined when no trade is in the window.',
        example: 'signal buyers = trade_imbalance(2) > 0.5',
    },
    {
        kind: 'function', name: 'realized_vol', params: [seconds('The window, in seconds, ending at this event.', 10)],
        returns: 'series<1>', lookback: '0', reads: ['hft_time', ...TOP], range: [0, Infinity],
        doc: 'Realised volatility of the mid over the last `seconds`: the square root of the sum of squared log changes of the mid from one event to the next, over the events with time in (now − seconds, now]. Not annualised.',
        example: 'signal calm = realized_vol(10) < 0.001',
    },
    {
        kind: 'function', name: 'inventory', params: [], returns: 'series<1>', lookback: '0', reads: ['hft_inventory'],
        doc: "The strategy's position in the instrument, in units (negative: short), after the fills up to this event.",
        example: 'signal can_buy = inventory() < 5',
    },
    {
        kind: 'const', name: 'event_driven', enumType: 'engine_mode',
        doc: 'Run the strategy event by event over trades and order-book updates (af hft backtest), with limit orders that queue at their price and a latency to the venue.',
        example: 'execution { mode: event_driven }',
    },
];

export const hftPack: CapabilityPack = {
    id: 'hft',
    version: '1.0.0',
    description: 'HFT: order-book and trade-flow features (spread, microprice, book and trade imbalance, realised volatility) for the event-driven engine mode.',
    entries: functions,
};
