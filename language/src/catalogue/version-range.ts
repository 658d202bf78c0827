/**
 * The version ranges of pack manifests and workspace pack declarations: a small subset of npm's
 * semver ranges, enough to say "built for AlphaForge 0.x" or "this pack, 1.2 or a compatible later
 * one" — `*`, `1.2.3` (exact), `^1.2.3`, `~1.2.3`, comparators (`>=1.0.0 <2.0.0`, space = and)
 * and alternatives joined by `||`. Pre-release tags are not supported (a manifest naming one is refused).
 */

type Triple = readonly [number, number, number];

const VERSION = /^(\d+)\.(\d+)\.(\d+)$/;

export function parseVersion(v: string): Triple | undefined {
    const m = VERSION.exec(v.trim());
    return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : undefined;
}

function compare(a: Triple, b: Triple): number {
    return a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
}

type Test = (v: Triple) => boolean;

function comparator(c: string): Test | undefined {
    if (c === '*' || c === 'x') return () => true;
    const m = /^(\^|~|>=|<=|>|<|=)?(\d+\.\d+\.\d+)$/.exec(c);
    if (!m) return undefined;
    const base = parseVersion(m[2]!)!;
    switch (m[1]) {
        case '^': {
            // ^1.2.3 := >=1.2.3 <2.0.0; ^0.2.3 := >=0.2.3 <0.3.0; ^0.0.3 := exactly 0.0.3
            const upper: Triple = base[0] > 0 ? [base[0] + 1, 0, 0] : base[1] > 0 ? [0, base[1] + 1, 0] : [0, 0, base[2] + 1];
            return v => compare(v, base) >= 0 && compare(v, upper) < 0;
        }
        case '~': return v => compare(v, base) >= 0 && compare(v, [base[0], base[1] + 1, 0]) < 0;
        case '>=': return v => compare(v, base) >= 0;
        case '<=': return v => compare(v, base) <= 0;
        case '>': return v => compare(v, base) > 0;
        case '<': return v => compare(v, base) < 0;
        default: return v => compare(v, base) === 0;
    }
}

/** Whether `range` is one this module understands. */
export function isValidRange(range: string): boolean {
    return compileRange(range) !== undefined;
}

function compileRange(range: string): Test | undefined {
    const alternatives: Test[] = [];
    for (const alt of range.split('||')) {
        const parts = alt.trim().split(/\s+/).filter(Boolean);
        if (parts.length === 0) return undefined;
        const tests = parts.map(comparator);
        if (tests.some(t => t === undefined)) return undefined;
        alternatives.push(v => tests.every(t => t!(v)));
    }
    return v => alternatives.some(t => t(v));
}

/** Whether `version` satisfies `range`; false for anything malformed. */
export function satisfies(version: string, range: string): boolean {
    const v = parseVersion(version), test = compileRange(range);
    return v !== undefined && test !== undefined && test(v);
}
