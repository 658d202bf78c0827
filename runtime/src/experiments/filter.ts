/**
 * The run filter language, in the spirit of MLflow's search syntax:
 *
 *     metrics.sharpe > 1 and tags.style = 'trend' and not attributes.state IN ('failed', 'cancelled')
 *
 * A hand-written lexer and recursive-descent parser produce a typed AST; `RunSql` turns it into
 * parameterised DuckDB SQL over `runs r` (+ `experiments e`, + one LEFT JOIN per referenced
 * metric / param / tag key). Every user value — literals and keys alike — is a bound parameter;
 * the only text spliced into the SQL is the module's own (column names, operators, `$n`).
 *
 * Grammar (keywords case-insensitive):
 *
 *     filter     := [ or ] EOF
 *     or         := and ( OR and )*
 *     and        := not ( AND not )*
 *     not        := NOT not | primary
 *     primary    := '(' or ')' | predicate
 *     predicate  := field op value
 *                 | field [NOT] IN '(' value ( ',' value )* ')'
 *                 | field [NOT] LIKE string | field [NOT] ILIKE string
 *                 | field IS [NOT] NULL
 *     op         := '=' | '==' | '!=' | '<>' | '<' | '<=' | '>' | '>='
 *     field      := metrics.KEY | params.KEY | tags.KEY
 *                 | fingerprint.exact | fingerprint.structural | attributes.NAME
 *     KEY        := segment ( '.' segment )*      segment: [A-Za-z0-9_-]+ or `back quoted`
 *     value      := 'string' | "string" | number | true | false | ISO date (2024-01-31, 2024-01-31T12:00Z)
 *
 *     orderBy    := field [ASC | DESC] ( ',' field [ASC | DESC] )*
 *
 * Prefixes also take their singular (metric., param., tag., attribute. / attr.). Attributes: id,
 * state, kind, owner, team, strategy, experiment (the id), experiment_name, created, started,
 * finished, data_snapshot, engine_version, seed, promoted, error (aliases: run_id, experiment_id,
 * created_at, started_at, finished_at, snapshot). state and kind values are checked against the
 * runs table's. LIKE / ILIKE patterns escape % and _ with a backslash.
 *
 * Types: metrics are numbers; tags, fingerprints and most attributes text; params are numbers or
 * text (a number compares the numeric value, a string the text, true/false the text
 * 'true'/'false'); attributes.created / started / finished are timestamps (a date alone means
 * the whole UTC day: `= 2024-03-01` is that day, `> 2024-03-01` from the next day on);
 * attributes.promoted is a boolean. A predicate on a key the run does not have is false (so
 * `not tags.style = 'x'` includes runs without the tag; `tags.style IS NULL` finds them).
 */
import { type DuckDBValue } from '@duckdb/node-api';
import { FilterError } from './errors.js';

// ------------------------------------------------------------------------------------------ AST

export type FieldKind = 'metric' | 'param' | 'tag' | 'fingerprint' | 'attribute';
export type ValueType = 'number' | 'text' | 'boolean' | 'timestamp' | 'param';

export interface Field {
    readonly kind: FieldKind;
    /** The metric / param / tag key, the fingerprint kind, or the attribute's canonical name. */
    readonly key: string;
    readonly type: ValueType;
    /** As written, and where (1-based column). */
    readonly text: string;
    readonly column: number;
}

export type Literal =
    | { readonly type: 'string'; readonly value: string; readonly text: string; readonly column: number }
    | { readonly type: 'number'; readonly value: number; readonly text: string; readonly column: number }
    | { readonly type: 'boolean'; readonly value: boolean; readonly text: string; readonly column: number }
    | { readonly type: 'date'; readonly ms: number; readonly dateOnly: boolean; readonly text: string; readonly column: number };

export type CompareOp = '=' | '!=' | '<' | '<=' | '>' | '>=';

export type FilterNode =
    | { readonly type: 'or' | 'and'; readonly operands: readonly FilterNode[] }
    | { readonly type: 'not'; readonly operand: FilterNode }
    | { readonly type: 'compare'; readonly field: Field; readonly op: CompareOp; readonly value: Literal }
    | { readonly type: 'in'; readonly field: Field; readonly negated: boolean; readonly values: readonly Literal[] }
    | { readonly type: 'like'; readonly field: Field; readonly negated: boolean; readonly caseInsensitive: boolean; readonly pattern: Literal & { type: 'string' } }
    | { readonly type: 'null'; readonly field: Field; readonly negated: boolean };

export interface OrderTerm {
    readonly field: Field;
    readonly descending: boolean;
}

// ----------------------------------------------------------------------------- fields we know

export const RUN_STATES = ['created', 'queued', 'running', 'completed', 'failed', 'cancelled'] as const;
export const RUN_KINDS = ['backtest', 'sweep', 'walkforward'] as const;

interface AttributeSpec {
    readonly sql: string;
    readonly type: Exclude<ValueType, 'param'>;
    readonly values?: readonly string[];
}

/** attributes.<name>: the canonical names (first) and their aliases. */
const ATTRIBUTES: Readonly<Record<string, AttributeSpec>> = {
    id: { sql: 'r.id', type: 'text' },
    state: { sql: 'r.state', type: 'text', values: RUN_STATES },
    kind: { sql: 'r.kind', type: 'text', values: RUN_KINDS },
    owner: { sql: 'r.owner', type: 'text' },
    team: { sql: 'r.team', type: 'text' },
    strategy: { sql: 'r.strategy', type: 'text' },
    experiment: { sql: 'r.experiment_id', type: 'text' },
    experiment_name: { sql: 'e.name', type: 'text' },
    created: { sql: 'r.created_at', type: 'timestamp' },
    started: { sql: 'r.started_at', type: 'timestamp' },
    finished: { sql: 'r.finished_at', type: 'timestamp' },
    data_snapshot: { sql: 'r.data_snapshot', type: 'text' },
    engine_version: { sql: 'r.engine_version', type: 'text' },
    seed: { sql: 'CAST(r.seed AS DOUBLE)', type: 'number' },
    promoted: { sql: 'r.promoted', type: 'boolean' },
    error: { sql: 'r.error', type: 'text' },
};
const ATTRIBUTE_ALIASES: Readonly<Record<string, string>> = {
    run_id: 'id', experiment_id: 'experiment', created_at: 'created', started_at: 'started', finished_at: 'finished', snapshot: 'data_snapshot',
};

const PREFIXES: Readonly<Record<string, FieldKind>> = {
    metrics: 'metric', metric: 'metric',
    params: 'param', param: 'param', parameters: 'param',
    tags: 'tag', tag: 'tag',
    fingerprint: 'fingerprint', fingerprints: 'fingerprint',
    attributes: 'attribute', attribute: 'attribute', attr: 'attribute',
};

const FIELD_HELP = 'fields are metrics.<key>, params.<key>, tags.<key>, fingerprint.exact, fingerprint.structural and attributes.<name>';

export const ATTRIBUTE_NAMES: readonly string[] = Object.keys(ATTRIBUTES);

// --------------------------------------------------------------------------------------- lexer

type TokenKind = 'ident' | 'string' | 'number' | 'date' | 'op' | '(' | ')' | ',' | 'eof';

interface Token {
    readonly kind: TokenKind;
    /** The source text of the token. */
    readonly text: string;
    /** 1-based column of its first character. */
    readonly column: number;
    /** ident: its dot-separated segments (back quotes removed); string: its value. */
    readonly segments?: readonly string[];
    readonly quoted?: readonly boolean[];
    readonly value?: string;
}

const KEYWORDS = new Set(['and', 'or', 'not', 'in', 'like', 'ilike', 'is', 'null', 'true', 'false']);
const MAX_LENGTH = 20_000;
const MAX_DEPTH = 64;
const MAX_IN = 1_000;
const DATE_RE = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?/;
const NUMBER_RE = /^-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?/;
const SEGMENT_START = /[A-Za-z_]/;
const SEGMENT_CHAR = /[A-Za-z0-9_-]/;

class Lexer {
    private i = 0;
    constructor(private readonly text: string, private readonly what: 'filter' | 'orderBy') {}

    private fail(reason: string, at: number, token: string): never {
        throw new FilterError(reason, at + 1, token, this.text, this.what);
    }

    tokens(): Token[] {
        const out: Token[] = [];
        const s = this.text;
        for (;;) {
            while (this.i < s.length && /\s/.test(s[this.i]!)) this.i++;
            const start = this.i;
            if (start >= s.length) {
                out.push({ kind: 'eof', text: '', column: s.length + 1 });
                return out;
            }
            const c = s[start]!;
            const two = s.slice(start, start + 2);
            if (c === '(' || c === ')' || c === ',') {
                this.i++;
                out.push({ kind: c, text: c, column: start + 1 });
            } else if (['<=', '>=', '!=', '<>', '=='].includes(two)) {
                this.i += 2;
                out.push({ kind: 'op', text: two, column: start + 1 });
            } else if (c === '<' || c === '>' || c === '=') {
                this.i++;
                out.push({ kind: 'op', text: c, column: start + 1 });
            } else if (c === "'" || c === '"') {
                out.push(this.string(c));
            } else if (/\d/.test(c) || ((c === '-' || c === '.') && /\d/.test(s[start + 1] ?? '')) || (c === '-' && s[start + 1] === '.' && /\d/.test(s[start + 2] ?? ''))) {
                out.push(this.numberOrDate());
            } else if (SEGMENT_START.test(c) || c === '`') {
                out.push(this.ident());
            } else {
                const hint = c === '!' ? " (not equal is '!=')" : c === ';' ? ' (a filter is one expression; combine conditions with and / or)' : c === '&' || c === '|' ? " (write 'and' / 'or')" : '';
                this.fail(`unexpected character '${c}'${hint}`, start, c);
            }
        }
    }

    private string(q: string): Token {
        const s = this.text;
        const start = this.i;
        let value = '';
        let i = start + 1;
        for (;;) {
            if (i >= s.length) this.fail(`unterminated string: the ${q} at column ${start + 1} has no closing ${q}`, start, q);
            const ch = s[i]!;
            if (ch === q) {
                if (s[i + 1] === q) { value += q; i += 2; continue; }
                i++;
                break;
            }
            value += ch;
            i++;
        }
        this.i = i;
        return { kind: 'string', text: s.slice(start, i), column: start + 1, value };
    }

    private numberOrDate(): Token {
        const s = this.text;
        const start = this.i;
        const rest = s.slice(start);
        const date = DATE_RE.exec(rest)?.[0];
        const num = NUMBER_RE.exec(rest)?.[0];
        const kind: TokenKind = date ? 'date' : 'number';
        const text = date ?? num!;
        const after = s[start + text.length];
        if (after !== undefined && (SEGMENT_CHAR.test(after) || after === '.' || after === ':')) {
            let end = start + text.length;
            while (end < s.length && /[A-Za-z0-9_.:+-]/.test(s[end]!)) end++;
            const bad = s.slice(start, end);
            this.fail(kind === 'date' || /^\d{4}-/.test(bad) ? `'${bad}' is not an ISO date or time (YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS][Z])` : `'${bad}' is not a number`, start, bad);
        }
        this.i = start + text.length;
        return { kind, text, column: start + 1 };
    }

    private ident(): Token {
        const s = this.text;
        const start = this.i;
        const segments: string[] = [];
        const quoted: boolean[] = [];
        for (;;) {
            const segStart = this.i;
            if (s[this.i] === '`') {
                let value = '';
                let i = this.i + 1;
                for (;;) {
                    if (i >= s.length) this.fail(`unterminated back-quoted key: the \` at column ${segStart + 1} has no closing \``, segStart, '`');
                    if (s[i] === '`') {
                        if (s[i + 1] === '`') { value += '`'; i += 2; continue; }
                        i++;
                        break;
                    }
                    value += s[i];
                    i++;
                }
                if (value === '') this.fail('empty back-quoted key', segStart, '``');
                segments.push(value);
                quoted.push(true);
                this.i = i;
            } else if (this.i < s.length && SEGMENT_CHAR.test(s[this.i]!)) {
                let i = this.i;
                while (i < s.length && SEGMENT_CHAR.test(s[i]!)) i++;
                segments.push(s.slice(this.i, i));
                quoted.push(false);
                this.i = i;
            } else {
                const prefix = s.slice(start, segStart);
                const found = this.i < s.length && !/\s/.test(s[this.i]!) ? s[this.i]! : '';
                this.fail(`expected a key after '${prefix}' but ${found ? `found '${found}' (back-quote keys with other characters: \`my key\`)` : 'there is none'}`, segStart, found);
            }
            if (s[this.i] !== '.') break;
            this.i++;
        }
        return { kind: 'ident', text: s.slice(start, this.i), column: start + 1, segments, quoted };
    }
}

function isKeyword(t: Token, word?: string): boolean {
    if (t.kind !== 'ident' || t.segments!.length !== 1 || t.quoted![0]) return false;
    const w = t.segments![0]!.toLowerCase();
    return word === undefined ? KEYWORDS.has(w) : w === word;
}

function describe(t: Token): string {
    if (t.kind === 'eof') return 'the filter ends';
    return t.kind === 'string' ? `found ${t.text}` : `found '${t.text}'`;
}

// -------------------------------------------------------------------------------------- parser

class Parser {
    private pos = 0;
    private depth = 0;
    private readonly tokens: Token[];

    constructor(private readonly text: string, private readonly what: 'filter' | 'orderBy' = 'filter') {
        if (text.length > MAX_LENGTH) throw new FilterError(`the ${what} is ${text.length} characters long; the limit is ${MAX_LENGTH}`, MAX_LENGTH + 1, text[MAX_LENGTH]!, text.slice(0, MAX_LENGTH + 1), what);
        this.tokens = new Lexer(text, what).tokens();
    }

    private get peek(): Token {
        return this.tokens[this.pos]!;
    }

    private next(): Token {
        const t = this.tokens[this.pos]!;
        if (t.kind !== 'eof') this.pos++;
        return t;
    }

    private fail(reason: string, t: Token): never {
        throw new FilterError(reason.replace('the filter ends', `the ${this.what} ends`), t.column, t.text, this.text, this.what);
    }

    private failAt(reason: string, column: number, token: string): never {
        throw new FilterError(reason, column, token, this.text, this.what);
    }

    parseFilter(): FilterNode | undefined {
        if (this.peek.kind === 'eof') return undefined;
        const node = this.or();
        const t = this.peek;
        if (t.kind !== 'eof') {
            if (t.kind === ')') this.fail(`unmatched ')': no '(' before it`, t);
            this.fail(`expected 'and', 'or' or the end of the filter after a condition but ${describe(t)}`, t);
        }
        return node;
    }

    parseOrderBy(): OrderTerm[] {
        const terms: OrderTerm[] = [];
        if (this.peek.kind === 'eof') return terms;
        for (;;) {
            const field = this.field('a field to sort by');
            let descending = false;
            const t = this.peek;
            if (isWord(t, 'desc')) { this.next(); descending = true; } else if (isWord(t, 'asc')) { this.next(); }
            terms.push({ field, descending });
            const after = this.peek;
            if (after.kind === 'eof') return terms;
            if (after.kind !== ',') this.fail(`expected ASC, DESC, ',' or the end after '${field.text}' but ${describe(after)}`, after);
            this.next();
        }
    }

    private or(): FilterNode {
        const operands = [this.and()];
        while (isKeyword(this.peek, 'or')) {
            const op = this.next();
            operands.push(this.and(op));
        }
        return operands.length === 1 ? operands[0]! : { type: 'or', operands };
    }

    private and(after?: Token): FilterNode {
        const operands = [this.not(after)];
        while (isKeyword(this.peek, 'and')) {
            const op = this.next();
            operands.push(this.not(op));
        }
        return operands.length === 1 ? operands[0]! : { type: 'and', operands };
    }

    private not(after?: Token): FilterNode {
        if (isKeyword(this.peek, 'not')) {
            const op = this.next();
            return { type: 'not', operand: this.nested(() => this.not(op), op) };
        }
        return this.primary(after);
    }

    private nested<T>(fn: () => T, at: Token): T {
        if (++this.depth > MAX_DEPTH) this.fail(`the filter nests deeper than ${MAX_DEPTH} levels`, at);
        try {
            return fn();
        } finally {
            this.depth--;
        }
    }

    private primary(after?: Token): FilterNode {
        const t = this.peek;
        if (t.kind === '(') {
            this.next();
            if (this.peek.kind === ')') this.fail(`expected a condition after '(' but ${describe(this.peek)}`, this.peek);
            const inner = this.nested(() => this.or(), t);
            const close = this.peek;
            if (close.kind !== ')') {
                this.fail(close.kind === 'eof'
                    ? `expected ')' to close the '(' at column ${t.column} but the filter ends`
                    : `expected ')' to close the '(' at column ${t.column} (or 'and' / 'or') but ${describe(close)}`, close);
            }
            this.next();
            return inner;
        }
        if (t.kind !== 'ident' || isKeyword(t)) {
            const where = after ? ` after '${after.text}'` : '';
            this.fail(`expected a condition${where} (such as metrics.sharpe > 1) but ${describe(t)}`, t);
        }
        return this.predicate();
    }

    private field(expected: string): Field {
        const t = this.peek;
        if (t.kind !== 'ident' || isKeyword(t)) this.fail(`expected ${expected} but ${describe(t)}`, t);
        this.next();
        const segs = t.segments!;
        const prefixText = segs[0]!;
        const kind = t.quoted![0] ? undefined : PREFIXES[prefixText.toLowerCase()];
        if (!kind) {
            const bare = prefixText.toLowerCase();
            const hint = segs.length === 1 && ATTRIBUTES[ATTRIBUTE_ALIASES[bare] ?? bare] ? ` (did you mean attributes.${bare}?)`
                : segs.length === 1 ? ` (did you mean metrics.${prefixText}, params.${prefixText} or tags.${prefixText}?)` : '';
            this.fail(`unknown field '${t.text}'${hint}: ${FIELD_HELP}`, t);
        }
        if (segs.length < 2) this.fail(`'${t.text}' needs a key: ${kind === 'fingerprint' ? 'fingerprint.exact or fingerprint.structural' : kind === 'attribute' ? `attributes.<name>, one of ${ATTRIBUTE_NAMES.join(', ')}` : `${prefixText}.<key>`}`, t);
        const key = segs.slice(1).join('.');
        if (kind === 'fingerprint') {
            const k = segs.length === 2 && !t.quoted![1] ? key.toLowerCase() : '';
            if (k !== 'exact' && k !== 'structural') this.fail(`unknown fingerprint '${key}': use fingerprint.exact or fingerprint.structural`, t);
            return { kind, key: k, type: 'text', text: t.text, column: t.column };
        }
        if (kind === 'attribute') {
            const lower = segs.length === 2 ? key.toLowerCase() : key;
            const name = ATTRIBUTE_ALIASES[lower] ?? lower;
            const spec = ATTRIBUTES[name];
            if (!spec) this.fail(`unknown attribute '${key}'; attributes are ${ATTRIBUTE_NAMES.join(', ')}`, t);
            return { kind, key: name, type: spec.type, text: t.text, column: t.column };
        }
        if (key.length > 250) this.fail(`the key of '${t.text.slice(0, 40)}…' is longer than 250 characters`, t);
        return { kind, key, type: kind === 'metric' ? 'number' : kind === 'param' ? 'param' : 'text', text: t.text, column: t.column };
    }

    private predicate(): FilterNode {
        const field = this.field('a field');
        const t = this.peek;
        if (t.kind === 'op') {
            this.next();
            const op: CompareOp = t.text === '==' ? '=' : t.text === '<>' ? '!=' : t.text as CompareOp;
            const value = this.value(t);
            this.check(field, op, value);
            return { type: 'compare', field, op, value };
        }
        let negated = false;
        if (isKeyword(t, 'not')) {
            const n = this.tokens[this.pos + 1]!;
            if (!isKeyword(n, 'in') && !isKeyword(n, 'like') && !isKeyword(n, 'ilike')) this.fail(`expected IN, LIKE or ILIKE after '${field.text} not' but ${describe(n)}`, n);
            this.next();
            negated = true;
        }
        const k = this.peek;
        if (isKeyword(k, 'in')) {
            this.next();
            const open = this.peek;
            if (open.kind !== '(') this.fail(`expected '(' after IN but ${describe(open)}`, open);
            this.next();
            const values: Literal[] = [];
            for (;;) {
                const v = this.value(values.length === 0 ? open : this.tokens[this.pos - 1]!);
                this.check(field, 'in', v);
                values.push(v);
                if (values.length > MAX_IN) this.fail(`IN takes at most ${MAX_IN} values`, this.tokens[this.pos - 1]!);
                const sep = this.peek;
                if (sep.kind === ')') { this.next(); break; }
                if (sep.kind !== ',') this.fail(`expected ',' or ')' in the IN list but ${describe(sep)}`, sep);
                this.next();
            }
            const types = new Set(values.map(v => v.type === 'date' ? 'string' : v.type));
            if (types.size > 1) {
                const odd = values.find(v => v.type !== values[0]!.type)!;
                this.failAt(`the IN list mixes ${values[0]!.type}s and ${odd.type}s: ${odd.text}`, odd.column, odd.text);
            }
            return { type: 'in', field, negated, values };
        }
        if (isKeyword(k, 'like') || isKeyword(k, 'ilike')) {
            this.next();
            const caseInsensitive = isKeyword(k, 'ilike');
            const p = this.peek;
            if (p.kind !== 'string') this.fail(`expected a quoted pattern after ${k.text.toUpperCase()} (such as 'abc%') but ${describe(p)}`, p);
            this.next();
            if (field.type !== 'text' && field.type !== 'param') this.fail(`${k.text.toUpperCase()} needs a text field; ${field.text} is a ${field.type}`, k);
            return { type: 'like', field, negated, caseInsensitive, pattern: { type: 'string', value: p.value!, text: p.text, column: p.column } };
        }
        if (negated) this.fail(`expected IN, LIKE or ILIKE after 'not' but ${describe(k)}`, k);
        if (isKeyword(k, 'is')) {
            this.next();
            let neg = false;
            if (isKeyword(this.peek, 'not')) { this.next(); neg = true; }
            const n = this.peek;
            if (!isKeyword(n, 'null')) this.fail(`expected NULL or NOT NULL after IS but ${describe(n)}`, n);
            this.next();
            return { type: 'null', field, negated: neg };
        }
        this.fail(`expected a comparison (=, !=, <, <=, >, >=, IN, LIKE, IS NULL) after '${field.text}' but ${describe(k)}`, k);
    }

    private value(after: Token): Literal {
        const t = this.peek;
        const where = after.kind === '(' ? `after '('` : after.kind === ',' ? `after ','` : `after '${after.text}'`;
        switch (t.kind) {
            case 'string':
                this.next();
                return { type: 'string', value: t.value!, text: t.text, column: t.column };
            case 'number': {
                this.next();
                const value = Number(t.text);
                if (!Number.isFinite(value)) this.fail(`'${t.text}' is out of range for a number`, t);
                return { type: 'number', value, text: t.text, column: t.column };
            }
            case 'date': {
                this.next();
                const d = parseIsoDate(t.text);
                if (!d) this.fail(`'${t.text}' is not a valid date or time`, t);
                return { type: 'date', ms: d.ms, dateOnly: d.dateOnly, text: t.text, column: t.column };
            }
            case 'ident':
                if (isKeyword(t, 'true') || isKeyword(t, 'false')) {
                    this.next();
                    return { type: 'boolean', value: isKeyword(t, 'true'), text: t.text, column: t.column };
                }
                if (isKeyword(t, 'null')) this.fail(`expected a value ${where} but found 'null'; test for a missing value with IS NULL`, t);
                if (!isKeyword(t)) this.fail(`expected a value ${where} but found '${t.text}'; values are quoted strings, numbers, true/false or dates (a field cannot be compared with another field)`, t);
                break;
            default:
                break;
        }
        this.fail(`expected a value ${where} but ${describe(t)}`, t);
    }

    /** Type-checks `field op value`, pointing at the value (or the operator) when they do not fit. */
    private check(field: Field, op: CompareOp | 'in', v: Literal): void {
        const bad = (reason: string): never => this.failAt(reason, v.column, v.text);
        const ordering = op === '<' || op === '<=' || op === '>' || op === '>=';
        switch (field.type) {
            case 'number':
                if (v.type !== 'number') bad(`${field.text} is a number; ${v.text} is ${typeName(v)}`);
                return;
            case 'param':
                if (v.type === 'date') bad(`params are numbers or text; quote the date to compare the text: '${v.text}'`);
                if (v.type === 'boolean' && ordering) bad(`true / false can only be compared with = or !=`);
                return;
            case 'boolean':
                if (v.type !== 'boolean') bad(`${field.text} is true or false; ${v.text} is ${typeName(v)}`);
                if (ordering) bad(`true / false can only be compared with = or !=`);
                return;
            case 'timestamp': {
                if (op === 'in') bad(`IN does not apply to times; compare ${field.text} with <, <=, >, >= or =`);
                if (v.type === 'string') {
                    const d = parseIsoDate(v.value);
                    if (!d) bad(`${field.text} is a time; ${v.text} is not an ISO date or time (YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS][Z])`);
                    return;
                }
                if (v.type !== 'date') bad(`${field.text} is a time; ${v.text} is ${typeName(v)}; write an ISO date such as 2024-01-31`);
                return;
            }
            case 'text': {
                if (v.type === 'number' || v.type === 'boolean') bad(`${field.text} is text; ${v.text} is ${typeName(v)}: quote it ('${v.text}')`);
                if (v.type === 'date') bad(`${field.text} is text; quote the value: '${v.text}'`);
                const values = field.kind === 'attribute' ? ATTRIBUTES[field.key]!.values : undefined;
                if (values && v.type === 'string' && !ordering && !values.includes(v.value)) {
                    bad(`unknown ${field.key} ${v.text}; ${field.key}s are ${values.join(', ')}`);
                }
                return;
            }
        }
    }
}

function isWord(t: Token, w: string): boolean {
    return t.kind === 'ident' && t.segments!.length === 1 && !t.quoted![0] && t.segments![0]!.toLowerCase() === w;
}

function typeName(v: Literal): string {
    switch (v.type) {
        case 'string': return 'text';
        case 'number': return 'a number';
        case 'boolean': return 'a boolean';
        case 'date': return 'a date';
    }
}

/** Parses a filter; undefined for an empty (or all-blank) filter. Throws FilterError. */
export function parseFilter(text: string): FilterNode | undefined {
    return new Parser(text, 'filter').parseFilter();
}

/** Parses `field [ASC|DESC], …`; [] for an empty text. Throws FilterError. */
export function parseOrderBy(text: string): OrderTerm[] {
    return new Parser(text, 'orderBy').parseOrderBy();
}

/**
 * An ISO date (UTC midnight), or date and time (Z / ±hh:mm offset; none means UTC), as epoch ms;
 * undefined when it does not name a real day and time (2024-02-30, 25:00).
 */
export function parseIsoDate(text: string): { ms: number; dateOnly: boolean } | undefined {
    const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})?)?$/.exec(text.trim());
    if (!m) return undefined;
    const num = (i: number): number => Number(m[i] ?? '0');
    const Y = num(1), M = num(2), D = num(3), H = num(4), MI = num(5), S = num(6);
    const frac = m[7] ?? '', zone = m[8] ?? 'Z';
    if (M < 1 || M > 12 || D < 1 || H > 23 || MI > 59 || S > 59) return undefined;
    const base = Date.UTC(Y, M - 1, D, H, MI, S);
    const check = new Date(base);
    if (check.getUTCFullYear() !== Y || check.getUTCMonth() !== M - 1 || check.getUTCDate() !== D) return undefined;
    let ms = base + Math.floor(Number(`0.${frac || '0'}`) * 1000);
    if (zone !== 'Z') {
        const z = /^([+-])(\d{2}):?(\d{2})$/.exec(zone)!;
        const minutes = Number(z[2]) * 60 + Number(z[3]);
        if (Number(z[2]) > 23 || Number(z[3]) > 59) return undefined;
        ms -= (z[1] === '-' ? -1 : 1) * minutes * 60_000;
    }
    return { ms, dateOnly: m[4] === undefined };
}

// ----------------------------------------------------------------------------------------- SQL

const DAY_MS = 86_400_000;

/**
 * Builds parameterised SQL over `runs r LEFT JOIN experiments e`: collects the bound values
 * (`$1`, `$2`, … in `params`) and one LEFT JOIN per metric / param / tag key referenced by the
 * filter or the order (at most one row each: the long tables' key is (run_id, key)).
 */
export class RunSql {
    readonly params: DuckDBValue[] = [];
    private readonly joins = new Map<string, { alias: string; sql: string }>();

    /** A placeholder bound to `v`. */
    bind(v: DuckDBValue): string {
        this.params.push(v);
        return `$${this.params.length}`;
    }

    /** `FROM …` with the joins the filter and order needed. */
    from(): string {
        return ['runs r', 'LEFT JOIN experiments e ON e.id = r.experiment_id', ...[...this.joins.values()].map(j => j.sql)].join('\n');
    }

    private join(kind: 'metric' | 'param' | 'tag', key: string): string {
        const id = `${kind}\u0000${key}`;
        let j = this.joins.get(id);
        if (!j) {
            const alias = `${kind[0]}${this.joins.size + 1}`;
            const table = kind === 'metric' ? 'run_metrics' : kind === 'param' ? 'run_params' : 'run_tags';
            j = { alias, sql: `LEFT JOIN ${table} ${alias} ON ${alias}.run_id = r.id AND ${alias}.key = ${this.bind(key)}` };
            this.joins.set(id, j);
        }
        return j.alias;
    }

    /** The SQL of a field; for params, `as` picks the numeric value or the text. */
    expr(field: Field, as: 'number' | 'text' = 'text'): string {
        switch (field.kind) {
            case 'metric': return `nullif(${this.join('metric', field.key)}.value, CAST('NaN' AS DOUBLE))`;
            case 'param': return `${this.join('param', field.key)}.${as === 'number' ? 'value' : 'text'}`;
            case 'tag': return `${this.join('tag', field.key)}.value`;
            case 'fingerprint': return field.key === 'exact' ? 'r.fingerprint_exact' : 'r.fingerprint_structural';
            case 'attribute': return ATTRIBUTES[field.key]!.sql;
        }
    }

    /** Whether the run has the key at all (params: a row exists). */
    private present(field: Field): string {
        if (field.kind === 'param') return `${this.join('param', field.key)}.key IS NOT NULL`;
        return `${this.expr(field)} IS NOT NULL`;
    }

    /** The WHERE condition of a filter ('TRUE' for none). Two-valued: a predicate on a missing key is false. */
    where(node: FilterNode | undefined): string {
        return node ? this.node(node) : 'TRUE';
    }

    private node(n: FilterNode): string {
        switch (n.type) {
            case 'or': case 'and': return `(${n.operands.map(o => this.node(o)).join(n.type === 'or' ? ' OR ' : ' AND ')})`;
            case 'not': return `(NOT ${this.node(n.operand)})`;
            case 'null': return n.negated ? `(${this.present(n.field)})` : `(NOT ${this.present(n.field)})`;
            case 'compare': return `coalesce(${this.compare(n.field, n.op, n.value)}, false)`;
            case 'in': {
                const { lhs, values } = this.inList(n.field, n.values);
                return `coalesce(${lhs} ${n.negated ? 'NOT IN' : 'IN'} (${values.join(', ')}), false)`;
            }
            case 'like': {
                const lhs = this.expr(n.field, 'text');
                const pattern = n.field.kind === 'fingerprint' && !n.caseInsensitive ? n.pattern.value.toLowerCase() : n.pattern.value;
                return `coalesce(${lhs} ${n.negated ? 'NOT ' : ''}${n.caseInsensitive ? 'ILIKE' : 'LIKE'} ${this.bind(pattern)} ESCAPE '\\', false)`;
            }
        }
    }

    private literal(field: Field, v: Literal): { lhs: string; rhs: string } {
        switch (v.type) {
            case 'number': return { lhs: this.expr(field, 'number'), rhs: this.bind(v.value) };
            case 'boolean':
                if (field.type === 'param') return { lhs: `lower(${this.expr(field, 'text')})`, rhs: this.bind(String(v.value)) };
                return { lhs: this.expr(field), rhs: this.bind(v.value) };
            case 'string': {
                if (field.type === 'timestamp') return { lhs: this.expr(field), rhs: this.timestamp(parseIsoDate(v.value)!.ms) };
                const value = field.kind === 'fingerprint' ? v.value.toLowerCase() : v.value;
                return { lhs: this.expr(field, 'text'), rhs: this.bind(value) };
            }
            case 'date': return { lhs: this.expr(field), rhs: this.timestamp(v.ms) };
        }
    }

    private timestamp(ms: number): string {
        return `CAST(${this.bind(new Date(ms).toISOString().replace('Z', ''))} AS TIMESTAMP)`;
    }

    private compare(field: Field, op: CompareOp, v: Literal): string {
        const day = field.type === 'timestamp' ? dayOf(v) : undefined;
        if (day !== undefined) {
            // A date alone is the whole UTC day [d, d + 1 day).
            const col = this.expr(field);
            const start = (): string => this.timestamp(day);
            const end = (): string => this.timestamp(day + DAY_MS);
            switch (op) {
                case '=': return `(${col} >= ${start()} AND ${col} < ${end()})`;
                case '!=': return `(${col} < ${start()} OR ${col} >= ${end()})`;
                case '<': return `${col} < ${start()}`;
                case '<=': return `${col} < ${end()}`;
                case '>': return `${col} >= ${end()}`;
                case '>=': return `${col} >= ${start()}`;
            }
        }
        const { lhs, rhs } = this.literal(field, v);
        return `${lhs} ${op} ${rhs}`;
    }

    private inList(field: Field, values: readonly Literal[]): { lhs: string; values: string[] } {
        const first = this.literal(field, values[0]!);
        return { lhs: first.lhs, values: [first.rhs, ...values.slice(1).map(v => this.literal(field, v).rhs)] };
    }

    /** `ORDER BY` terms (without the keyword); missing values sort last either way. */
    order(terms: readonly OrderTerm[]): string[] {
        return terms.flatMap(t => {
            const dir = t.descending ? 'DESC' : 'ASC';
            if (t.field.kind === 'param') return [`${this.expr(t.field, 'number')} ${dir} NULLS LAST`, `${this.expr(t.field, 'text')} ${dir} NULLS LAST`];
            return [`${this.expr(t.field)} ${dir} NULLS LAST`];
        });
    }
}

function dayOf(v: Literal): number | undefined {
    if (v.type === 'date') return v.dateOnly ? v.ms : undefined;
    if (v.type === 'string') {
        const d = parseIsoDate(v.value);
        return d?.dateOnly ? d.ms : undefined;
    }
    return undefined;
}
