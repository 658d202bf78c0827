/**
 * Tiny evaluator for look-back formulas in the catalogue ("length - 1", "max(fast, slow) + signal - 2").
 * Numbers, parameter names, + - * /, parentheses, min() and max(). Throws on a malformed formula,
 * which is a bug in a pack and is caught when the pack is registered.
 */

type Tok = { t: 'num'; v: number } | { t: 'id'; v: string } | { t: 'op'; v: string };

function tokenize(src: string): Tok[] {
    const out: Tok[] = [];
    const re = /\s*(?:(\d+(?:\.\d+)?)|([A-Za-z_]\w*)|([-+*/(),]))/y;
    let pos = 0;
    while (pos < src.length) {
        if (/^\s*$/.test(src.slice(pos))) break;
        re.lastIndex = pos;
        const m = re.exec(src);
        if (!m) throw new Error(`bad look-back formula '${src}' at ${pos}`);
        if (m[1] !== undefined) out.push({ t: 'num', v: Number(m[1]) });
        else if (m[2] !== undefined) out.push({ t: 'id', v: m[2] });
        else out.push({ t: 'op', v: m[3]! });
        pos = re.lastIndex;
    }
    return out;
}

export type Formula = (env: Readonly<Record<string, number>>) => number;

export function compileFormula(src: string): Formula {
    const toks = tokenize(src);
    let i = 0;
    const peek = (): Tok | undefined => toks[i];
    const expectOp = (v: string): void => {
        const t = toks[i++];
        if (!t || t.t !== 'op' || t.v !== v) throw new Error(`bad look-back formula '${src}': expected '${v}'`);
    };
    const primary = (): Formula => {
        const t = toks[i++];
        if (!t) throw new Error(`bad look-back formula '${src}': unexpected end`);
        if (t.t === 'num') return () => t.v;
        if (t.t === 'op' && t.v === '(') { const e = additive(); expectOp(')'); return e; }
        if (t.t === 'op' && t.v === '-') { const e = primary(); return env => -e(env); }
        if (t.t === 'id') {
            const next = peek();
            if ((t.v === 'max' || t.v === 'min') && next?.t === 'op' && next.v === '(') {
                i++;
                const args: Formula[] = [additive()];
                while (peek()?.t === 'op' && peek()!.v === ',') { i++; args.push(additive()); }
                expectOp(')');
                const f = t.v === 'max' ? Math.max : Math.min;
                return env => f(...args.map(a => a(env)));
            }
            const name = t.v;
            return env => {
                const v = env[name];
                if (v === undefined) throw new Error(`look-back formula '${src}' needs '${name}'`);
                return v;
            };
        }
        throw new Error(`bad look-back formula '${src}'`);
    };
    const multiplicative = (): Formula => {
        let left = primary();
        while (peek()?.t === 'op' && (peek()!.v === '*' || peek()!.v === '/')) {
            const op = (toks[i++] as { v: string }).v;
            const l = left, r = primary();
            left = op === '*' ? env => l(env) * r(env) : env => l(env) / r(env);
        }
        return left;
    };
    const additive = (): Formula => {
        let left = multiplicative();
        while (peek()?.t === 'op' && (peek()!.v === '+' || peek()!.v === '-')) {
            const op = (toks[i++] as { v: string }).v;
            const l = left, r = multiplicative();
            left = op === '+' ? env => l(env) + r(env) : env => l(env) - r(env);
        }
        return left;
    };
    const f = additive();
    if (i !== toks.length) throw new Error(`bad look-back formula '${src}': trailing input`);
    return f;
}

/** The parameter names a formula reads. */
export function formulaNames(src: string): string[] {
    return tokenize(src).filter((t): t is { t: 'id'; v: string } => t.t === 'id' && t.v !== 'max' && t.v !== 'min').map(t => t.v);
}
