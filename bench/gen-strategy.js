// Generates a valid strategy of about `lines` lines for benchmarks. Every declaration is used
// downstream, so nothing is dead.
//
// density 'typical' mirrors the style of examples/ (doc comments, one declaration per line,
// blank lines between groups): about 6–7 tokens per line, denser than the examples' ~4.
// density 'dense' packs long expressions on every line (~16 tokens per line), a stress case.
export function generateStrategy(lines, { name = 'Big', density = 'typical' } = {}) {
    const out = [`/// Generated strategy of ~${lines} lines (${density}) for benchmarks.`, `strategy ${name} {`, '  universe: binance:BTC/USDT', '  timeframe: 1h', '', '  param base: int = 10 in 5..50 step 5', ''];
    const perBlock = density === 'dense' ? 8 : 8;
    const blocks = Math.max(1, Math.floor((lines - 20) / perBlock));
    const rules = [];
    for (let i = 0; i < blocks; i++) {
        if (density === 'dense') {
            const prev = i === 0 ? 'close' : `f${i - 1}`;
            out.push(
                `  /// Block ${i}.`,
                `  feature f${i} = ema(${prev}, base + ${i % 7}) * 0.5 + sma(close, ${5 + (i % 20)}) * 0.5`,
                `  feature g${i} = if f${i} > close[1] then f${i} - stdev(close, 10) else f${i} + stdev(close, 10)`,
                `  feature h${i} = max(g${i}, lowest(low, ${3 + (i % 5)}))`,
                `  signal s${i} = crossover(h${i}, sma(close, ${10 + (i % 30)})) and rsi(close, 14) < ${60 + (i % 30)}`,
                `  signal t${i} = s${i} or close > highest(high, 24)[1]`,
                `  signal u${i} = t${i} and not (close < lowest(low, 24)[1])`,
                '',
            );
            rules.push(`    when u${i} => target ${(i % 9) + 1}% long`);
        } else {
            out.push(
                `  /// Trend filter ${i}.`,
                `  feature fast${i} = ema(close, base + ${i % 7})`,
                `  feature slow${i} = sma(close, ${40 + (i % 30)})`,
                `  feature band${i} = stdev(close, 20)`,
                `  signal up${i} = crossover(fast${i}, slow${i})`,
                `  signal strong${i} = up${i} and close > slow${i} + band${i}`,
                '',
            );
            rules.push(`    when strong${i} => target 1% long`);
        }
    }
    out.push('  rules {', ...rules, '    when close < lowest(low, 48)[1] => flat', '  }', '');
    out.push('  risk {', '    stop_loss: 2 * atr(14)', '    max_drawdown: 25% => halt', '  }', '');
    out.push('  execution {', '    fees: 10 bps', '    slippage: 5 bps', '  }', '}');
    return out.join('\n') + '\n';
}
