/** Durations as written in the language (`5m`, `1h`, `1d`, `1w`, `1mo`, `1y`), in milliseconds. */
const UNIT_MS: Record<string, number> = {
    ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000, mo: 30 * 86_400_000, y: 365 * 86_400_000,
};

export function durationMs(text: string): number | undefined {
    const m = /^(\d+)(ms|mo|s|m|h|d|w|y)$/.exec(text);
    return m ? Number(m[1]) * UNIT_MS[m[2]!]! : undefined;
}

export const YEAR_MS = 365.25 * 86_400_000;
