/**
 * Text tables for the terminal: a label/value list and a grid with a header, each column as wide
 * as its widest cell (so a long value never shifts the columns after it), numbers right-aligned.
 * Widths count what a terminal shows: colour codes (style.ts) take no room.
 */
import { visibleLength } from './style.js';

/** Two-column text tables for the terminal (label, value), aligned on the labels. */
export function printTable(rows: readonly (readonly [string, string])[]): string {
    const w = Math.max(...rows.map(r => visibleLength(r[0])));
    return rows.map(([k, v]) => `  ${pad(k, w, 'left')}  ${v}`).join('\n') + '\n';
}

export type Align = 'left' | 'right';

/** A grid: header row, then rows; `align[i]` per column (default: left). Two spaces between columns. */
export function printGrid(header: readonly string[], rows: readonly (readonly string[])[], align: readonly Align[] = []): string {
    const widths = header.map((h, i) => Math.max(visibleLength(h), ...rows.map(r => visibleLength(r[i] ?? ''))));
    const line = (cells: readonly string[]): string => `  ${cells.map((c, i) => pad(c, widths[i]!, align[i] ?? 'left')).join('  ')}`.trimEnd() + '\n';
    return line(header) + rows.map(line).join('');
}

function pad(s: string, width: number, align: Align): string {
    const fill = ' '.repeat(Math.max(0, width - visibleLength(s)));
    return align === 'right' ? fill + s : s + fill;
}
