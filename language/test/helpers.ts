import { EmptyFileSystem, URI } from 'langium';
import type { Diagnostic } from 'vscode-languageserver-types';
import { createAlphaForgeServices, loadString, type AlphaForgeServices } from '../src/index.js';

let shared: AlphaForgeServices | undefined;

/** One set of services for a test file: parsing is fast, service creation is not. */
export function services(): AlphaForgeServices {
    shared ??= createAlphaForgeServices(EmptyFileSystem).AlphaForge;
    return shared;
}

export async function check(text: string, uri?: string): Promise<Diagnostic[]> {
    const { diagnostics } = await loadString(services(), text, uri ? URI.parse(uri) : undefined);
    return [...diagnostics];
}

export function codes(ds: readonly Diagnostic[], severities: readonly number[] = [1, 2]): string[] {
    return ds.filter(d => severities.includes(d.severity ?? 1)).map(d => String(d.code));
}

export const SMA_CROSS = `
/// Trend-following on two moving averages.
strategy SmaCross {
  tags: trend, crypto
  universe: binance:BTC/USDT, binance:ETH/USDT
  timeframe: 1h

  param fast: int = 10 in 5..50 step 5
  param slow: int = 50 in 20..200 step 10
  constraint fast < slow

  feature fastMa = sma(close, fast)
  feature slowMa = sma(close, slow)
  signal enter = crossover(fastMa, slowMa)
  signal leave = crossunder(fastMa, slowMa)

  rules {
    when enter => target 50% long
    when leave => flat
  }
  risk {
    stop_loss: 2 * atr(14)
    max_position: 50%
    max_drawdown: 20% => halt
  }
  execution {
    fill: next_open
    fees: 10 bps
    slippage: 5 bps
  }
}
`;
