/**
 * Syntax errors that name the token and say the fix (`&&`, `||`, `!`, an order without a quantity),
 * and a half-typed member access (`a.`) that stays on its own line.
 */
import { EmptyFileSystem } from 'langium';
import { parseHelper } from 'langium/test';
import { describe, expect, it } from 'vitest';
import { createAlphaForgeServices } from '../src/index.js';
import * as ast from '../src/generated/ast.js';
import { check } from './helpers.js';

const services = createAlphaForgeServices(EmptyFileSystem).AlphaForge;
const parse = parseHelper<ast.Model>(services);

const withRules = (rules: string, members = ''): string => `strategy S {
  universe: binance:BTC/USDT as a
  timeframe: 1h
  signal up = close > sma(close, 20)
${members}  rules {
    ${rules}
  }
}
`;

function conditions(model: ast.Model): ast.Expression[] {
    const s = model.elements[0] as ast.Strategy;
    return s.members.filter(ast.isRulesBlock).flatMap(b => b.rules.map(r => r.condition!));
}

describe('C-style operators', () => {
    it.each([
        ['when up && close > open => target 100% long', '&&', 'and'],
        ['when up || close > open => target 100% long', '||', 'or'],
    ])('%s: names the operator and the keyword to write, and parses as that keyword', async (rule, op, keyword) => {
        const doc = await parse(withRules(rule));
        const { lexerErrors, parserErrors } = doc.parseResult;
        expect(lexerErrors.map(e => e.message)).toEqual([`Syntax error: '${op}' is not an operator of AlphaForge; write '${keyword}' (when up ${keyword} close > ma).`]);
        expect(parserErrors).toEqual([]);
        const [cond] = conditions(doc.parseResult.value);
        expect(ast.isBinaryExpr(cond) && cond.operator).toBe(keyword);
    });

    it("'!': says to write not, and the condition is a negation", async () => {
        const doc = await parse(withRules('when !up => flat\n    when up => target 100% long'));
        expect(doc.parseResult.lexerErrors.map(e => e.message)).toEqual(["Syntax error: '!' is not an operator of AlphaForge; write 'not' (when not up)."]);
        expect(doc.parseResult.parserErrors).toEqual([]);
        const [cond] = conditions(doc.parseResult.value);
        expect(ast.isUnaryExpr(cond) && cond.operator).toBe('not');
    });

    it('the diagnostic is AF001 on the operator, and nothing else in the file is reported', async () => {
        const ds = await check(withRules('when up && close > open => target 100% long'));
        expect(ds.filter(d => d.severity === 1 || d.severity === 2).map(d => [d.code, d.range.start.line, d.range.start.character, d.range.end.character])).toEqual([['AF001', 5, 12, 14]]);
    });

    it('!= is still the inequality', async () => {
        const doc = await parse(withRules('when close != open => target 100% long'));
        expect(doc.parseResult.lexerErrors).toEqual([]);
        expect(doc.parseResult.parserErrors).toEqual([]);
    });
});

describe('orders without a quantity', () => {
    it.each([
        ['when up => buy', 'buy', 'buy 10 units'],
        ['when up => sell', 'sell', 'sell 10 units'],
        ['when up => target', 'target', 'target 100% long'],
    ])('%s: says what must follow, on the keyword', async (rule, keyword, example) => {
        const doc = await parse(withRules(rule));
        const messages = doc.parseResult.parserErrors.map(e => e.message);
        expect(messages[0]).toContain(`Syntax error: \`${keyword}\` needs a`);
        expect(messages[0]).toContain(example);
        expect(messages[0]).toMatch(/found '}'\.$/);
        const ds = (await check(withRules(rule))).filter(d => d.code === 'AF001');
        expect(ds[0]!.range.start.line).toBe(5); // the rule's line, not the `}` after it
        expect(ds[0]!.message).toBe(messages[0]);
    });
});

describe('a half-typed member access', () => {
    const halfTyped = `strategy S {
  universe: binance:BTC/USDT as a
  timeframe: 1h
  feature probe = a.
  signal up = close > sma(close, 20)
  rules {
    when up => target 100% long
  }
}
`;

    it('is one syntax error on its own line; the declarations after it keep their meaning', async () => {
        const ds = await check(halfTyped);
        expect(ds.filter(d => d.severity === 1 || d.severity === 2).map(d => [d.code, d.range.start.line])).toEqual([['AF001', 3]]);
        expect(ds.map(d => d.message).join('\n')).not.toMatch(/end of the file|never trades/);
        expect(ds[0]!.message).toMatch(/'\.' needs a member name after it/);
        const s = (await parse(halfTyped)).parseResult.value.elements[0] as ast.Strategy;
        expect(s.members.filter(ast.isSignalDecl).map(x => x.name)).toEqual(['up']);
        expect(s.members.some(ast.isRulesBlock)).toBe(true);
    });

    it('also before a closing brace', async () => {
        const doc = await parse(halfTyped.replace('when up => target 100% long', 'when up => target 100% long\n    when close > a.\n  }').replace(/ {2}\}\n\}\n$/, '}\n'));
        expect(doc.parseResult.lexerErrors.map(e => [e.line, e.message])).toEqual([
            [4, "Syntax error: '.' needs a member name after it (a.close, macd(close).hist); the line ends first."],
            [8, "Syntax error: '.' needs a member name after it (a.close, macd(close).hist); the line ends first."],
        ]);
    });

    it('a member on the next line after a dot that ends a line is not a declaration: it stays a member', async () => {
        const doc = await parse(withRules('when close > b.\n      upper => target 100% long', '  feature b = bollinger(close, 20, 2)\n'));
        expect(doc.parseResult.lexerErrors).toEqual([]);
        expect(doc.parseResult.parserErrors).toEqual([]);
    });
});
