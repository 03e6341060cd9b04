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

/** `n` clamped to 0..1 with four decimals (NaN or infinite, from a box with no size,
 * becomes 0.5: its middle). */
export function unit(n: number): number {
  return isFinite(n) ? Math.max(0, Math.min(1, Math.round(n * 1e4) / 1e4)) : 0.5;
}

export const now = (): number => Date.now();

/** FNV-1a hash of `s` (unsigned 32 bits). */
export function fnv(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}

/** Listen on window to each of the space-separated `types`; `early`: in the capture
 * phase (before the page's own handlers), passive. */
export function on(types: string, f: (e: any) => void, early?: 1): void {
  for (const t of types.split(" ")) addEventListener(t, f, early && { capture: true, passive: true });
}
