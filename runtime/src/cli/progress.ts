/**
 * A one-line progress bar on stderr (only when stderr is a terminal or AF_PROGRESS=1; otherwise a
 * line every 10%). `end()` finishes the line however far the bar got (a remote run reports
 * progress in steps and may finish without a last report), so no stale line is left behind.
 */
export interface ProgressBar {
    (done: number, total: number): void;
    end(): void;
}

export function progressBar(label: string, write: (s: string) => void = s => { process.stderr.write(s); }): ProgressBar {
    const tty = process.stderr.isTTY || process.env['AF_PROGRESS'] === '1';
    const t0 = performance.now();
    let lastDecile = -1;
    let open = false;
    const bar = ((done: number, total: number) => {
        const f = total > 0 ? done / total : 1;
        const elapsed = (performance.now() - t0) / 1000;
        const rate = elapsed > 0 ? done / elapsed : 0;
        const eta = rate > 0 ? (total - done) / rate : 0;
        const text = `${label} [${'#'.repeat(Math.round(f * 30)).padEnd(30)}] ${(f * 100).toFixed(0).padStart(3)}% ${done}/${total} · ${rate.toFixed(1)}/s · eta ${eta.toFixed(0)}s`;
        if (tty) {
            write(`\r${text}${done === total ? '\n' : ''}`);
            open = done !== total;
        } else if (Math.floor(f * 10) > lastDecile) {
            lastDecile = Math.floor(f * 10);
            write(`${text}\n`);
        }
    }) as ProgressBar;
    bar.end = () => {
        // Clear the unfinished line (erase to its end) rather than leave it under the output.
        if (open) write('\r\x1b[2K');
        open = false;
    };
    return bar;
}
