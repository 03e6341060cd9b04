/** The server's settings for the tracker's thresholds, written in front of this script
 * when pageheat serves it (`pageheatConfig`, short keys: web/pages.py); each reader
 * falls back to the documented default (docs/design.md) when the script came from elsewhere. A module of
 * its own, so the lazily loaded snapshot code does not carry it. */
export const cfg: Record<string, number> = (self as any).pageheatConfig || {};
