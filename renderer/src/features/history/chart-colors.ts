/**
 * Colours for the charts, resolved from the theme's CSS variables at draw time (they are
 * `light-dark()` values, which only an element's computed style resolves), so a theme switch
 * needs only a redraw. Account colours: a fixed palette readable on both backgrounds.
 */
const probe = (): HTMLSpanElement => {
  let el = document.getElementById('rotary-colour-probe') as HTMLSpanElement | null;
  if (!el) {
    el = document.createElement('span');
    el.id = 'rotary-colour-probe';
    el.setAttribute('aria-hidden', 'true');
    el.style.display = 'none';
    document.body.appendChild(el);
  }
  return el;
};

/** The resolved colour of a theme variable (`--accent`, `--fg-muted`…), as `rgb(…)`. */
export function themeColour(variable: string): string {
  const el = probe();
  el.style.color = `var(${variable})`;
  return getComputedStyle(el).color;
}

/** Tableau 10: distinct, mid-tone, readable on light and dark. */
export const ACCOUNT_COLOURS = ['#4c78a8', '#f58518', '#54a24b', '#e45756', '#72b7b2', '#b279a2', '#eeca3b', '#9d755d', '#ff9da6', '#bab0ac'];

export const accountColour = (index: number): string => ACCOUNT_COLOURS[index % ACCOUNT_COLOURS.length]!;

/** `#4c78a8` at `alpha` as rgba(). */
export function withAlpha(hex: string, alpha: number): string {
  const n = Number.parseInt(hex.slice(1), 16);
  return `rgba(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255}, ${alpha})`;
}
