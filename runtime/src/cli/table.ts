/** Two-column text tables for the terminal (label, value), aligned on the labels. */
export function printTable(rows: readonly (readonly [string, string])[]): string {
    const w = Math.max(...rows.map(r => r[0].length));
    return rows.map(([k, v]) => `  ${k.padEnd(w)}  ${v}`).join('\n') + '\n';
}
