/** Small helpers shared by the tracker modules: trimming and clamping to the wire limits. */

/** Largest coordinate or size the collector accepts (CSS px). */
export const MAX_PX = 1e6;

/** `s` cut to at most `n` UTF-16 units, never ending in half a surrogate pair. */
export function cut(s: string, n: number): string {
  s = s.slice(0, n);
  return /[\ud800-\udbff]$/.test(s) ? s.slice(0, -1) : s;
}

/** `n` rounded and clamped to `lo`..MAX_PX (NaN becomes `lo`). */
export function px(n: number, lo = 0): number {
  return Math.min(MAX_PX, Math.max(lo, Math.round(n) || 0));
}

/** `n` clamped to 0..1 with four decimals (NaN becomes 0.5: the middle of an empty box). */
export function unit(n: number): number {
  return n >= 0 ? Math.min(1, Math.round(n * 1e4) / 1e4) : n < 0 ? 0 : 0.5;
}

export const now = (): number => Date.now();
