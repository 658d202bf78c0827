/** Shared test corpus: the example strategies and seeded random mutations of them. */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { mulberry32 } from '../src/util/prng.js';
import { SMA_CROSS } from './helpers.js';

export { mulberry32 };

const TOKENS = [
    '{', '}', '(', ')', '[', ']', ',', ':', '.', '..', '=', '==', '=>', '<', '>', '+', '-', '*', '/', '%', 'bps', 'bars',
    'strategy', 'feature', 'signal', 'param', 'rules', 'when', 'target', 'flat', 'risk', 'execution', 'portfolio', 'def', 'import',
    'if', 'then', 'else', 'and', 'or', 'not', 'in', 'step', 'long', 'short', 'units', 'limit', 'at', 'expire', 'extern',
    'sma', 'close', 'rsi(close, 14)', 'x[-1]', '0', '-1', '1e309', '99999999999999999999', '1d', '0m', '"str', '"', '///', '//', '/*', '*/',
    'resample(close, 1d, offset=0)', 'macd(close).nope', 'this_close', 'a.close', '\u0000', '\t', '\n', 'é', '𝔸',
];

/** The example strategies (and, with `includeBad`, the deliberately broken ones of fixtures/bad). */
export function exampleSources(includeBad = false): { name: string; text: string }[] {
    const out = [{ name: 'inline:sma-cross', text: SMA_CROSS }];
    const root = join(__dirname, '..', '..', 'examples');
    const walk = (dir: string): void => {
        for (const f of readdirSync(dir)) {
            const p = join(dir, f);
            if (statSync(p).isDirectory()) walk(p);
            else if (f.endsWith('.af')) out.push({ name: p, text: readFileSync(p, 'utf8') });
        }
    };
    walk(root);
    if (includeBad) walk(join(__dirname, 'fixtures', 'bad'));
    return out;
}

export function mutate(text: string, rnd: () => number): string {
    const pos = () => Math.floor(rnd() * (text.length + 1));
    const ops = 1 + Math.floor(rnd() * 3);
    for (let k = 0; k < ops; k++) {
        const op = Math.floor(rnd() * 7);
        const i = pos();
        switch (op) {
            case 0: text = text.slice(0, i) + text.slice(i + 1 + Math.floor(rnd() * 12)); break; // delete a run
            case 1: text = text.slice(0, i) + ' ' + TOKENS[Math.floor(rnd() * TOKENS.length)] + ' ' + text.slice(i); break; // insert a token
            case 2: { // duplicate a line
                const lines = text.split('\n');
                const l = Math.floor(rnd() * lines.length);
                lines.splice(l, 0, lines[l]!);
                text = lines.join('\n');
                break;
            }
            case 3: { // swap two lines
                const lines = text.split('\n');
                const a = Math.floor(rnd() * lines.length), b = Math.floor(rnd() * lines.length);
                [lines[a], lines[b]] = [lines[b]!, lines[a]!];
                text = lines.join('\n');
                break;
            }
            case 4: text = text.slice(0, i) + String.fromCharCode(32 + Math.floor(rnd() * 95)) + text.slice(i + 1); break; // replace a char
            case 5: text = text.slice(0, i); break; // truncate
            default: { // replace an identifier-ish word with another word from the text
                const words = text.match(/[A-Za-z_]\w*/g) ?? [];
                if (words.length) {
                    const w = words[Math.floor(rnd() * words.length)]!;
                    text = text.replace(w, words[Math.floor(rnd() * words.length)]!);
                }
            }
        }
    }
    return text;
}

