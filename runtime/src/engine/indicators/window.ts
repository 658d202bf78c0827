/**
 * Sliding-window building blocks shared by the indicators: a ring buffer of the last n values
 * that knows how many of them are undefined (NaN). Window indicators keep running aggregates
 * while the window is clean; when a NaN leaves the window they rebuild the aggregates once from
 * the ring (O(n), only after a gap), so a push is O(1) amortised and allocation-free.
 */

export class Ring {
    readonly buf: Float64Array;
    /** Values pushed so far. */
    count = 0;
    /** NaNs currently in the window. */
    nans = 0;

    constructor(readonly n: number) {
        if (!(n >= 1) || !Number.isInteger(n)) throw new RangeError(`window length must be a whole number ≥ 1, got ${n}`);
        this.buf = new Float64Array(n);
    }

    /** Next slot to write (count mod n, kept without a division). */
    private pos = 0;

    /** Adds x and returns the value that left the window (NaN-free check via `nans`), or undefined while filling. */
    push(x: number): number | undefined {
        const i = this.pos;
        const old = this.count >= this.n ? this.buf[i]! : undefined;
        if (old !== undefined && old !== old) this.nans--;
        if (x !== x) this.nans++;
        this.buf[i] = x;
        this.count++;
        this.pos = i + 1 === this.n ? 0 : i + 1;
        return old;
    }

    get full(): boolean {
        return this.count >= this.n;
    }

    /** The value k pushes ago (0 = the newest). */
    ago(k: number): number {
        return this.buf[(this.count - 1 - k) % this.n]!;
    }

    /** The values in the window, oldest first (for rebuilds). */
    forEach(f: (x: number, age: number) => void): void {
        const m = Math.min(this.count, this.n);
        for (let k = m - 1; k >= 0; k--) f(this.ago(k), k);
    }
}

/** Running mean and sum of squared deviations over a window (Welford's update for a sliding window). */
export class WindowMoments {
    readonly ring: Ring;
    mean = 0;
    m2 = 0;
    private dirty = false;
    /** Consecutive pushes equal to the newest value. */
    private run = 0;

    constructor(n: number) {
        this.ring = new Ring(n);
    }

    push(x: number): void {
        const r = this.ring;
        const old = r.push(x);
        this.run = r.count > 1 && x === r.ago(1) ? this.run + 1 : 1;
        if (r.nans > 0) { this.dirty = true; return; }
        // A constant window has variance exactly 0 (the sliding update would leave rounding residue,
        // and zscore must be undefined there); the next updates start from this exact state.
        if (this.run >= r.n) { this.mean = x; this.m2 = 0; this.dirty = false; return; }
        if (this.dirty) { this.rebuild(); return; } // a NaN just left the window
        if (old === undefined) { // still filling: Welford's add
            const k = r.count, d = x - this.mean;
            this.mean += d / k;
            this.m2 += d * (x - this.mean);
            return;
        }
        const n = r.n;
        const prevMean = this.mean;
        this.mean = prevMean + (x - old) / n;
        this.m2 += (x - old) * (x - this.mean + old - prevMean);
        if (this.m2 < 0) this.m2 = 0;
    }

    private rebuild(): void {
        let k = 0, mean = 0, m2 = 0;
        this.ring.forEach(v => {
            k++;
            const d = v - mean;
            mean += d / k;
            m2 += d * (v - mean);
        });
        this.mean = mean;
        this.m2 = m2;
        this.dirty = false;
    }

    get defined(): boolean {
        return this.ring.full && this.ring.nans === 0;
    }

    /** Population variance of the window. */
    get variance(): number {
        return this.m2 / this.ring.n;
    }
}
