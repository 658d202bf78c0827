import { describe, expect, it } from 'vitest';
import { editDistance, suggest } from '../src/util/did-you-mean.js';

/** The textbook dynamic programme: the oracle the package is held to. */
function levenshtein(a: string, b: string): number {
    let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
        const cur = [i];
        for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
        prev = cur;
    }
    return prev[b.length]!;
}

describe('editDistance', () => {
    it.each([
        ['', '', 0], ['', 'abc', 3], ['kitten', 'sitting', 3], ['runs.lst', 'runs.list', 1], ['BTC/USDT', 'BTC/USD', 1],
        ['smaa', 'sma', 1], ['flaw', 'lawn', 2], ['ß', 'ss', 2], ['→x', 'x', 1],
    ])('%j → %j is %i', (a, b, d) => {
        expect(editDistance(a, b)).toBe(d);
        expect(editDistance(b, a)).toBe(d);
    });

    it('agrees with the textbook algorithm on random strings, short and longer than 32 characters', () => {
        let seed = 7;
        const rnd = (n: number): number => { seed = (seed * 1103515245 + 12345) % 2 ** 31; return seed % n; };
        const word = (): string => Array.from({ length: rnd(70) }, () => 'abcAB/._é'[rnd(9)]).join('');
        for (let i = 0; i < 300; i++) {
            const a = word(), b = word();
            expect(editDistance(a, b)).toBe(levenshtein(a, b));
        }
    });
});

describe('suggest', () => {
    it('offers the nearest candidate ignoring case, within a third of the length', () => {
        expect(suggest('clos', ['open', 'close', 'high'])).toBe('close');
        expect(suggest('clsoe', ['close'])).toBeUndefined(); // a transposition is two edits: over a third of five
        expect(suggest('CLOSE', ['close'])).toBe('close');
        expect(suggest('max_drawdwon', ['max_drawdown', 'max_position'])).toBe('max_drawdown');
        expect(suggest('xyz', ['close', 'open'])).toBeUndefined();
        expect(suggest('a', [])).toBeUndefined();
    });

    it('keeps the first of equally near candidates', () => {
        expect(suggest('cat', ['bat', 'hat'])).toBe('bat');
    });
});
