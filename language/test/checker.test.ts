/**
 * Focused tests of the checker: types, units, arity, look-backs (computed by hand in comments),
 * lookahead chains, cycles, dead code, rules that never fire, params, overfitting, leverage,
 * and the side of a target against the sign of its size.
 */
import { describe, expect, it } from 'vitest';
import type { Diagnostic } from 'vscode-languageserver-types';
import { isStrategy, type Model } from '../src/index.js';
import { loadString } from '../src/workspace/load.js';
import { services } from './helpers.js';

const S = (body: string, header = 'universe: binance:BTC/USDT\n  timeframe: 1h') => `strategy S {\n  ${header}\n${body}\n}\n`;
const RULE = (cond: string) => `rules {\n  when ${cond} => target 100% long\n}`;

async function run(text: string): Promise<{ ds: Diagnostic[]; warmup: number; maxWarmup: number }> {
    const { document, diagnostics } = await loadString(services(), text);
    const s = (document.parseResult.value as Model).elements.find(isStrategy)!;
    const a = services().alphaforge.Analyzer.analyze(s);
    return { ds: [...diagnostics], warmup: a.warmup.bars, maxWarmup: a.warmup.maxBars };
}
const codes = (ds: Diagnostic[]) => ds.filter(d => d.severity === 1 || d.severity === 2).map(d => String(d.code));
const msg = (ds: Diagnostic[], code: string) => ds.filter(d => d.code === code).map(d => d.message).join('\n');

describe('types and units', () => {
    it('adding a percentage to a price is AF202 and suggests scaling', async () => {
        const { ds } = await run(S(RULE('close > sma(close, 20) + 2%')));
        expect(codes(ds)).toEqual(['AF202']);
        expect(msg(ds, 'AF202')).toContain('sma(close, 20) * (1 + 2%)');
    });
    it('comparing volume with price is AF202', async () => {
        expect(codes((await run(S(RULE('volume > close')))).ds)).toEqual(['AF202']);
    });
    it('crossover of a price and an RSI (dimensionless) is AF202 naming both arguments', async () => {
        const { ds } = await run(S(RULE('crossover(close, rsi(close, 14))')));
        expect(codes(ds)).toEqual(['AF202']);
        expect(msg(ds, 'AF202')).toMatch(/'b' of crossover\(\) is in ratio but 'a' is in price/);
    });
    it('price / price is dimensionless and compares with a percentage', async () => {
        expect(codes((await run(S(RULE('close / close[1] - 1 > 2%')))).ds)).toEqual([]);
    });
    it('a number as a condition and arithmetic on conditions are AF201', async () => {
        expect(codes((await run(S(RULE('sma(close, 20)')))).ds)).toEqual(['AF201']);
        expect(codes((await run(S(RULE('(close > open) + 1 > 0')))).ds)).toContain('AF201');
    });
    it('arity and named arguments: AF203 and AF204 with suggestions', async () => {
        expect(codes((await run(S(RULE('close > sma(close)')))).ds)).toEqual(['AF203']);
        const { ds } = await run(S(RULE('close > sma(close, lenght=20)')));
        expect(codes(ds).sort()).toEqual(['AF203', 'AF204']);
        expect(msg(ds, 'AF204')).toContain("did you mean 'length'");
    });
    it('a series where a window length must be constant is AF205; a param is fine', async () => {
        expect(codes((await run(S(RULE('close > sma(close, volume)')))).ds)).toEqual(['AF205']);
        expect(codes((await run(S('  param n: int = 20 in 10..30 step 10\n' + RULE('close > sma(close, n)')))).ds)).toEqual([]);
    });
    it('a window length below 1 is AF206, also when a param range reaches 0', async () => {
        expect(codes((await run(S(RULE('close > sma(close, 0)')))).ds)).toEqual(['AF206']);
        expect(codes((await run(S('  param n: int = 5 in 0..10 step 5\n' + RULE('close > sma(close, n)')))).ds)).toEqual(['AF206']);
    });
    it('unknown outputs are AF207; outputs work through a feature', async () => {
        expect(codes((await run(S(RULE('close > bollinger(close).top')))).ds)).toEqual(['AF207']);
        expect(codes((await run(S('  feature bb = bollinger(close, 20, 2)\n' + RULE('close > bb.upper')))).ds)).toEqual([]);
    });
});

describe('look-back and warm-up', () => {
    it('sma(close, 20) needs 19 prior bars; crossover adds 1; an index adds n', async () => {
        expect((await run(S(RULE('close > sma(close, 20)')))).warmup).toBe(19);
        expect((await run(S(RULE('crossover(close, sma(close, 20))')))).warmup).toBe(20);
        expect((await run(S(RULE('close > sma(close, 20)[5]')))).warmup).toBe(24);
    });
    it('macd(12, 26, 9).signal: 25 for the slow EMA + 8 for the signal EMA = 33', async () => {
        expect((await run(S(RULE('macd(close).line > macd(close).signal')))).warmup).toBe(33);
    });
    it('rsi(14) needs 14 changes; atr(14) in a risk setting counts too', async () => {
        expect((await run(S(RULE('rsi(close, 14) < 30')))).warmup).toBe(14);
        expect((await run(S(RULE('close > open') + '\nrisk {\n  stop_loss: 2 * atr(30)\n}'))).warmup).toBe(30);
    });
    it('resample(close, 1d) on 1h bars: (0 + offset 1 + 1) days × 24 = 48', async () => {
        expect((await run(S('  feature d = resample(close, 1d)\n' + RULE('close > d')))).warmup).toBe(48);
    });
    it('the maximum over the param ranges is reported too', async () => {
        const r = await run(S('  param n: int = 20 in 10..100 step 10\n' + RULE('close > sma(close, n)')));
        expect([r.warmup, r.maxWarmup]).toEqual([19, 99]);
        expect(msg(r.ds, 'AF501')).toContain('up to 99 bars');
    });
});

describe('lookahead', () => {
    it('AF101: a negative index reads the future', async () => {
        const { ds } = await run(S(RULE('close[-1] > close')));
        expect(codes(ds)).toEqual(['AF101']);
        expect(msg(ds, 'AF101')).toContain('1 bar into the future');
    });
    it('AF102: filling at this close with a signal from that close, with the chain of nodes', async () => {
        const text = S('  feature fastMa = sma(close, 10)\n  signal up = crossover(fastMa, sma(close, 50))\n' + RULE('up') + '\nexecution {\n  fill: this_close\n}');
        const { ds } = await run(text);
        expect(codes(ds)).toEqual(['AF102']);
        const m = msg(ds, 'AF102');
        for (const step of ['signal up', 'crossover(fastMa, sma(close, 50))', 'feature fastMa', 'sma(close, 10)', 'close (bar t']) expect(m).toContain(step);
        expect(ds.find(d => d.code === 'AF102')!.relatedInformation?.length).toBeGreaterThan(1);
    });
    it('AF102 goes away when every input is lagged by a bar', async () => {
        const text = S(RULE('close[1] > sma(close, 50)[1]') + '\nexecution {\n  fill: this_close\n}');
        expect(codes((await run(text)).ds)).toEqual([]);
    });
    it('AF102 does not fire for the open, which is known when the bar opens', async () => {
        const text = S(RULE('open > open[1]') + '\nexecution {\n  fill: this_close\n}');
        expect(codes((await run(text)).ds)).toEqual([]);
    });
    it('AF103: resample with offset 0 peeks at the forming coarse bar', async () => {
        expect(codes((await run(S('  feature d = resample(close, 1d, offset=0)\n' + RULE('close > d')))).ds)).toEqual(['AF103']);
    });
});

describe('structure and dead code', () => {
    it('AF005: a cycle through two features names the cycle', async () => {
        const { ds } = await run(S('  feature a = b + 1\n  feature b = a * 2\n' + RULE('close > a')));
        expect(codes(ds)).toContain('AF005');
        expect(msg(ds, 'AF005')).toMatch(/a → b → a|b → a → b/);
    });
    it('AF301/AF302: unused, and "only used by" an unused feature', async () => {
        const { ds } = await run(S('  param n: int = 10 in 5..20 step 5\n  feature f = sma(close, n)\n  feature g = ema(f, 5)\n' + RULE('close > open')));
        expect(codes(ds).sort()).toEqual(['AF301', 'AF302', 'AF302']);
        expect(msg(ds, 'AF302')).toContain("Feature 'f' is only used by unused feature 'g'");
        expect(msg(ds, 'AF301')).toContain("only used by unused feature 'f'");
    });
    it('AF304: conditions that can never hold', async () => {
        expect(codes((await run(S(RULE('rsi(close, 14) > 100')))).ds)).toEqual(['AF304']);
        expect(codes((await run(S(RULE('close > 5 and close < 3')))).ds)).toEqual(['AF304']);
        expect(codes((await run(S(RULE('crossover(close, open) and crossunder(close, open)')))).ds)).toEqual(['AF304']);
        expect(codes((await run(S(RULE('rsi(close, 14) > 70')))).ds)).toEqual([]);
    });
});

describe('params', () => {
    it('range checks: default outside (AF401), off the grid (AF402, with neighbours), empty range (AF403)', async () => {
        expect(codes((await run(S('  param n: int = 60 in 10..50 step 10\n' + RULE('close > sma(close, n)')))).ds)).toEqual(['AF401']);
        const off = await run(S('  param n: int = 25 in 10..50 step 10\n' + RULE('close > sma(close, n)')));
        expect(codes(off.ds)).toEqual(['AF402']);
        expect(msg(off.ds, 'AF402')).toContain('Nearest grid values: 20 and 30');
        expect(codes((await run(S('  param n: int = 20 in 50..10 step 10\n' + RULE('close > sma(close, n)')))).ds)).toEqual(['AF403']);
    });
    it('AF404 by exact enumeration: no fast < slow with fast in 60..100 and slow in 20..50', async () => {
        const text = S('  param fast: int = 10 in 60..100 step 10\n  param slow: int = 50 in 20..50 step 10\n  constraint fast < slow\n' + RULE('crossover(sma(close, fast), sma(close, slow))'));
        expect(codes((await run(text)).ds)).toContain('AF404');
    });
    it('AF404 by intervals when the grid is too large to enumerate (1,000,001 × 1,000 combinations)', async () => {
        const text = S('  param a: int = 5 in 0..1000000\n  param b: int = 2000 in 2000..2999\n  constraint a > b + 1000000\n' + RULE('close > sma(close, b)'));
        const { ds } = await run(text);
        expect(codes(ds)).toContain('AF404');
        expect(msg(ds, 'AF404')).toContain('can never hold');
    });
});

describe('overfitting and leverage', () => {
    it('AF502 with six free params', async () => {
        const text = S('  param a: int = 10 in 5..50 step 5\n  param b: int = 50 in 20..200 step 10\n  param c: int = 14 in 2..30 step 2\n  param d: float = 2 in 1..4 step 0.5\n  param e: int = 20 in 5..60 step 5\n  param f: float = 30 in 10..40 step 5\n'
            + RULE('crossover(sma(close, a), sma(close, b)) and rsi(close, c) > f and close > bollinger(close, e, d).mid'));
        // 1,675,800 combinations: also over the grid-sweep limit (AF406).
        expect(codes((await run(text)).ds)).toEqual(['AF406', 'AF502']);
    });
    it('AF502 from the data length: the 174-point grid needs 2·ln(174) ≈ 10.3 years; 2 years of hourly bars are too few', async () => {
        const analyzer = services().alphaforge.Analyzer;
        analyzer.options.dataBars = 2 * 365 * 24;
        try {
            const { ds } = await run(S('  param fast: int = 10 in 5..50 step 5\n  param slow: int = 50 in 20..200 step 10\n  constraint fast < slow\n' + RULE('crossover(sma(close, fast), sma(close, slow))')));
            expect(codes(ds)).toEqual(['AF502']);
            expect(msg(ds, 'AF502')).toMatch(/2\.0 years.*2·ln\(N\) = 10\.3 years/);
        } finally {
            delete analyzer.options.dataBars;
        }
    });
    it('AF601: a target above the leverage limit; a target without an asset counts once per asset', async () => {
        expect(codes((await run(S('rules {\n  when close > open => target 150% long\n}'))).ds)).toEqual(['AF601']);
        expect(codes((await run(S('rules {\n  when close > open => target 150% long\n}\nrisk {\n  leverage: 2\n}'))).ds)).toEqual([]);
        const multi = await run(S('rules {\n  when close > open => target 60% long\n}', 'universe: nyse:KO, nyse:PEP\n  timeframe: 1d'));
        expect(codes(multi.ds)).toEqual(['AF601']);
        expect(msg(multi.ds, 'AF601')).toContain('120%');
    });
});

describe('target side against the sign of the size', () => {
    const T = (action: string, decls = '') => S(`${decls}rules {\n  when close > open => ${action}\n}`);
    const one = async (text: string) => { const { ds } = await run(text); return { codes: codes(ds), ds }; };

    it('AF603: `target -50% long` would go short; the message says so and how to fix it', async () => {
        const { codes: c, ds } = await one(T('target -50% long'));
        expect(c).toEqual(['AF603']);
        expect(ds.find(d => d.code === 'AF603')!.severity).toBe(1);
        expect(msg(ds, 'AF603')).toBe('`target -50% long` would go short 50%: `long` keeps the sign of the size as written. Write `target 50% short` to go short, or drop the minus to go long.');
    });
    it('AF603: `target -50% short` (minus a minus) would go long', async () => {
        const { codes: c, ds } = await one(T('target -50% short'));
        expect(c).toEqual(['AF603']);
        expect(msg(ds, 'AF603')).toMatch(/^`target -50% short` would go long 50%: `short` negates the size.*Drop the minus to go short \(`target 50% short`\), or write `target 50% long` to go long\.$/);
    });
    it('AF603 for quantities, for each target of a pair, and for a negated series of unknown sign', async () => {
        expect(msg((await run(T('target -10 units long'))).ds, 'AF603')).toContain('would go short 10 units');
        const pair = await one(S('rules {\n  when close > open => target a: -50% long, b: 50% long\n}', 'universe: nyse:KO as a, nyse:PEP as b\n  timeframe: 1d'));
        expect(pair.codes).toEqual(['AF603']);
        expect(msg(pair.ds, 'AF603')).toContain('`target a: -50% long` would go short 50%');
        const z = await one(T('target -z long', '  feature z = zscore(close, 20)\n'));
        expect(z.codes).toEqual(['AF603']);
        expect(msg(z.ds, 'AF603')).toMatch(/goes short whenever `z` is positive.*write `target -z` without a side/);
    });
    it('AF603 when the size is never positive: a constant expression or a param range below 0', async () => {
        expect(msg((await run(T('target 0 - 50% long'))).ds, 'AF603')).toContain('write `target 50% short` to go short');
        const p = await one(T('target w short', '  param w: float = -50% in -100%..-50% step 50%\n'));
        expect(p.codes).toEqual(['AF603']);
        expect(msg(p.ds, 'AF603')).toContain('`w` is never positive (it lies in [-100%, -50%])');
    });
    it('AF604 (a warning) when a param range lets the size be negative', async () => {
        const { codes: c, ds } = await one(T('target w long', '  param w: float = 50% in -50%..100% step 50%\n'));
        expect(c).toEqual(['AF604']);
        expect(ds.find(d => d.code === 'AF604')!.severity).toBe(2);
        expect(msg(ds, 'AF604')).toContain('`target w long` goes short when `w` is negative (it lies in [-50%, 100%])');
        expect(codes((await run(T('target (if close > open then -50% else 50%) short'))).ds)).toEqual(['AF604']);
    });
    it('no finding without a side, with a positive size, or when the sign is unknown and not negated', async () => {
        for (const [action, decls] of [
            ['target -50%'], ['target 50% short'], ['target 100% long'], ['target -(-50%) long'], ['target a: -50%, b: 50%'],
            ['target -w long', '  param w: float = -50% in -100%..-50% step 50%\n'],
            ['target max(w, 0) long', '  param w: float = 50% in -50%..100% step 50%\n'],
            ['target z long', '  feature z = zscore(close, 20)\n'],
            ['target w', '  param w: float = 50% in -50%..100% step 50%\n'],
        ] as [string, string?][]) {
            const header = action.includes('a:') ? 'universe: nyse:KO as a, nyse:PEP as b\n  timeframe: 1d' : undefined;
            expect(codes((await run(S(`${decls ?? ''}rules {\n  when close > open => ${action}\n}`, header))).ds), action).toEqual([]);
        }
    });
});
