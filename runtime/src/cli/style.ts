/**
 * Colour in the CLI's output (picocolors): on only when stdout is a terminal, never with NO_COLOR
 * set (https://no-color.org), forced with FORCE_COLOR; never in --json output (commands print JSON
 * without styling). Decided once per process; `visibleLength` is what tables measure.
 */
import picocolors from 'picocolors';

/** Should output be coloured? `env` and `tty` are parameters so that tests can ask. */
export function colourWanted(env: NodeJS.ProcessEnv = process.env, tty = process.stdout.isTTY === true): boolean {
    if ('NO_COLOR' in env && env['NO_COLOR'] !== '') return false;
    if ('FORCE_COLOR' in env && env['FORCE_COLOR'] !== '0') return true;
    return tty && env['TERM'] !== 'dumb';
}

export const style = picocolors.createColors(colourWanted());

// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;]*m/g;

/** Characters a terminal shows (colour codes take no room). */
export const visibleLength = (s: string): number => s.replace(ANSI, '').length;
