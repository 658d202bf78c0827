/**
 * Theme colours for what CSS cannot colour (uPlot draws on a canvas). theme.css maps VS Code's
 * `--vscode-*` variables (with fallbacks for standalone pages) onto `--af-*` tokens; this reads
 * the tokens and tells when they change: VS Code swaps the body class (`vscode-light`,
 * `vscode-dark`, `vscode-high-contrast`, `vscode-high-contrast-light`) and rewrites the variables
 * on <html> when the user switches themes; a browser flips `prefers-color-scheme`.
 */

export function token(name: string, fallback = ''): string {
    return getComputedStyle(document.body).getPropertyValue(`--af-${name}`).trim() || fallback;
}

export type ThemeKind = 'light' | 'dark' | 'high-contrast' | 'high-contrast-light';

export function themeKind(): ThemeKind {
    const c = document.body.classList;
    if (c.contains('vscode-high-contrast-light')) return 'high-contrast-light';
    if (c.contains('vscode-high-contrast')) return 'high-contrast';
    if (c.contains('vscode-dark')) return 'dark';
    if (c.contains('vscode-light')) return 'light';
    return matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

/** Calls `fn` (debounced to one animation frame) whenever the theme may have changed. */
export function onThemeChange(fn: () => void): void {
    let pending = false;
    const fire = (): void => {
        if (pending) return;
        pending = true;
        requestAnimationFrame(() => {
            pending = false;
            fn();
        });
    };
    const mo = new MutationObserver(fire);
    mo.observe(document.body, { attributes: true, attributeFilter: ['class'] });
    mo.observe(document.documentElement, { attributes: true, attributeFilter: ['style', 'class'] });
    matchMedia('(prefers-color-scheme: dark)').addEventListener('change', fire);
}

/** `#rrggbb` or `rgb(…)` with an alpha, for fills under lines. */
export function withAlpha(color: string, alpha: number): string {
    const hex = /^#([0-9a-f]{3}|[0-9a-f]{6})([0-9a-f]{2})?$/i.exec(color.trim());
    if (hex) {
        let h = hex[1]!;
        if (h.length === 3) h = h.split('').map(c => c + c).join('');
        const n = parseInt(h, 16);
        return `rgba(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255}, ${alpha})`;
    }
    const rgb = /^rgba?\(([^)]+)\)$/i.exec(color.trim());
    if (rgb) {
        const [r, g, b] = rgb[1]!.split(/[\s,/]+/).filter(Boolean);
        return `rgba(${r}, ${g}, ${b}, ${alpha})`;
    }
    return color;
}
