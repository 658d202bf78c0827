/** Number and date formatting shared by the panels (tables use tabular figures; see theme.css). */

export function fixed(x: number, digits = 2): string {
    if (!Number.isFinite(x)) return Number.isNaN(x) ? '–' : x > 0 ? '∞' : '−∞';
    return x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

export function percent(x: number, digits = 2): string {
    return Number.isFinite(x) ? `${fixed(x * 100, digits)}%` : fixed(x);
}

/** Significant digits for prices of any magnitude (BTC at 60 000 and a token at 0.000123). */
export function price(x: number): string {
    if (!Number.isFinite(x)) return fixed(x);
    const a = Math.abs(x);
    const digits = a >= 1000 ? 2 : a >= 1 ? 4 : Math.min(10, 2 - Math.floor(Math.log10(a || 1)) + 2);
    return fixed(x, digits);
}

/** `2020-01-03` for day bars, `2020-01-03 14:00` otherwise (UTC, as the data store keeps time). */
export function utc(ms: number, withTime = true): string {
    if (!Number.isFinite(ms)) return '–';
    const iso = new Date(ms).toISOString();
    const day = iso.slice(0, 10);
    const time = iso.slice(11, 16);
    return withTime && time !== '00:00' ? `${day} ${time}` : day;
}

export function shortHash(h: string, n = 12): string {
    return h.length > n ? `${h.slice(0, n)}…` : h;
}
