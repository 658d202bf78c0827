/**
 * The venue's L2 order book as the data describes it (never including the strategy's own orders,
 * which the event engine keeps beside it with their queue positions): each side's levels in price
 * order (bids high to low, asks low to high) and their sizes. A level update sets a price's total
 * size (0 removes it). O(log levels) to find a level, O(levels) to insert or remove one — books are
 * a few hundred levels at most, and updates cluster at the top.
 */

export class OrderBook {
    /** [bids, asks]: prices in priority order. */
    private readonly prices: [number[], number[]] = [[], []];
    private readonly sizes: [Map<number, number>, Map<number, number>] = [new Map(), new Map()];

    clear(): void {
        for (const s of [0, 1] as const) {
            this.prices[s].length = 0;
            this.sizes[s].clear();
        }
    }

    /** Sets `side`'s (1 bid, −1 ask) level at `price` to `qty` (0 removes it). */
    set(side: number, price: number, qty: number): void {
        const s = side === 1 ? 0 : 1;
        const sizes = this.sizes[s];
        const had = sizes.has(price);
        if (qty > 0) {
            sizes.set(price, qty);
            if (!had) {
                const p = this.prices[s];
                p.splice(this.find(s, price), 0, price);
            }
        } else if (had) {
            sizes.delete(price);
            const p = this.prices[s];
            p.splice(this.find(s, price), 1);
        }
    }

    /** Index of `price` in side s's priority order, or where it would go. */
    private find(s: 0 | 1, price: number): number {
        const p = this.prices[s];
        let lo = 0, hi = p.length;
        while (lo < hi) {
            const mid = (lo + hi) >> 1;
            const before = s === 0 ? p[mid]! > price : p[mid]! < price;
            if (before) lo = mid + 1;
            else hi = mid;
        }
        return lo;
    }

    /** Price of side's i-th level from the best (0 = best), NaN past the last. */
    price(side: number, i: number): number {
        const p = this.prices[side === 1 ? 0 : 1];
        return i < p.length ? p[i]! : NaN;
    }

    /** Size of side's i-th level, NaN past the last. */
    size(side: number, i: number): number {
        const s = side === 1 ? 0 : 1;
        const p = this.prices[s];
        return i < p.length ? this.sizes[s].get(p[i]!)! : NaN;
    }

    /** Size at a price on a side (0 when no level). */
    qtyAt(side: number, price: number): number {
        return this.sizes[side === 1 ? 0 : 1].get(price) ?? 0;
    }

    levels(side: number): number {
        return this.prices[side === 1 ? 0 : 1].length;
    }
}
