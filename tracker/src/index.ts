/**
 * pageheat.js — the pageheat browser tracker (wire protocol v1).
 *
 *   <script src="https://HOST/pageheat.js" data-app="APP_KEY" defer></script>
 *
 * Optional attributes: data-endpoint (collector base URL; default: the origin of this
 * script's src), data-sample (0..1, share of visitors tracked; default 1), data-view
 * (name of the first page view), data-respect-dnt (honour Do-Not-Track and Global
 * Privacy Control), data-flush-ms (batch interval; default 5000).
 * JS API: pageheat.startView(name), pageheat.tag(key, value), pageheat.optOut(),
 * pageheat.goal(name, value?), pageheat.identify(id, {name?}).
 *
 * WHAT IT COLLECTS — exactly this, nothing else:
 *
 * - Every batch: the app key, the SDK name and version, a random batch id, a random
 *   visitor id (localStorage `pageheat_vid`) and a random session id (localStorage
 *   `pageheat_sid`, renewed after 30 minutes without activity, or as the server's
 *   session_idle_min setting says).
 * - Every event: its kind, time (ms) and a random page view id.
 * - view: page URL (without the #fragment), path, title, referrer (for an SPA view: the
 *   previous URL), viewport width and height, document width and height, device pixel
 *   ratio, view name (if given), browser language, time zone, utm_source / utm_medium /
 *   utm_campaign / utm_term / utm_content from the URL, and the tags the site sets.
 * - click / tap: page x/y, viewport width and document size at that moment, a CSS
 *   selector of the clicked element (or of its interactive ancestor), the offset inside
 *   that element (0..1; its box, like the sizes and the fixed flag, read once the next
 *   frame is drawn), its tag name, its visible text (≤ 256 characters; empty for
 *   input, textarea, select, option, contenteditable and anything inside
 *   data-pageheat-mask or data-pageheat-block), the href of an enclosing link, whether
 *   it is interactive, the pointer type (mouse, touch, pen), whether it sits in a
 *   fixed or sticky box, and its frustration flags: rage (on the first click of a burst
 *   of ≥ 3 clicks within 1 s and 30 px of each other: the burst's click count), dead
 *   (nothing happened in the page within 1 s) and error (a JS error followed within 1 s).
 *   Clicks leave 1 s after the last click, or at once when the page is hidden.
 * - move (mouse pointers only): cursor positions in page px, at most one per 100 ms and
 *   each ≥ 20 px from the one before, with ms offsets; viewport width and document size.
 * - scroll: deepest bottom edge of the viewport reached (px; each scroll event keeps the
 *   deepest scroll position, so a glance of any length counts), document and viewport
 *   height, and the visible seconds each 5 % band of the document was in the viewport;
 *   at the end of the view and every 10 s while the viewport moves.
 * - error: JS errors and unhandled rejections: the message (≤ 256 characters), its
 *   hash and how often it occurred since the last batch (≤ 20 distinct messages a view).
 * - leave: visible time of the view (ms), deepest scroll reached (px), document height.
 * - identify, only when the site calls pageheat.identify(id, {name}): the user id the
 *   site gives (≤ 128 characters) and the display name if given (≤ 128), sent once per
 *   call and tied by the collector to the session id; nothing about who the visitor is
 *   is kept in the browser, so a new session is anonymous until the site calls it again.
 * - layout: once a view, 1 s after the page's load event (for a view started later, as
 *   SPA views are, 1 s after it starts), if the view is still current, or sooner if
 *   the page is hidden or left within that second (once loaded): document width and
 *   height, and a hash of the page's rendered structure: the tag names, and the ids
 *   that are not generated, of the first 3000 elements in the body that have a box
 *   (never their text or attributes), so that visitors who see the same page state send
 *   the same hash.
 * - snapshot, only when the collector's answer to a batch asks for the current view's
 *   state (`need_snapshot`), at most once a view, and only if the page still has the
 *   state hashed: the code that makes it (`pageheat-snapshot.js`) is loaded from the
 *   collector once a page, and posts to `/api/v1/snapshot` the app key, visitor id, page
 *   view id and layout hash, the page URL (without the #fragment), viewport width,
 *   document size and the document serialised by rrweb-snapshot (frames' contents
 *   excepted): elements, attributes and text, stylesheets inlined, and the loaded
 *   images the page may read (same origin or CORS) as data URLs no larger than shown.
 *   Left out: every input, textarea and select value (sent as ""), checkbox and radio
 *   states (the page's defaults instead), the content of data-pageheat-block elements
 *   (an empty box of their size instead), the text in data-pageheat-mask and
 *   contenteditable elements (each non-space character a `*`), scripts, comments,
 *   favicon links, head meta (description, keywords, social, robots, http-equiv,
 *   author, verification) and canvas pixels. Nothing is sent over 5 000 000 bytes.
 *
 * - session replay, only for the sessions the collector's answer says are recorded
 *   (the app has replay on and the session id's hash is in its replay sample): the
 *   recorder (`pageheat-replay.js`, rrweb) is loaded from the collector once a page and
 *   posts the page's DOM and its changes, scrolls, mouse positions and clicks to
 *   `/api/v1/replay`, every 10 s and at pagehide, with the visitor, session and page
 *   view ids. Left out: every input value ("" instead) and every input event, the
 *   content of data-pageheat-block elements, the text in data-pageheat-mask and
 *   contenteditable elements, canvas pixels, cross-origin frames, scripts and head meta
 *   (tracker/src/replay/entry.ts lists it).
 *
 * Never collected: keystrokes, input values, cookies, IP-derived
 * data in the browser, anything on pages where the visitor opted out (localStorage
 * `pageheat_optout`), sends Do-Not-Track / Global Privacy Control with
 * data-respect-dnt set, or falls outside the sample. Stored in the browser: the two ids
 * above, the opt-out flag, and up to 20 unsent batches for retry (`pageheat_q`); opting
 * out deletes the ids and the unsent batches.
 */
import { watchClicks } from "./click";
import { watchErrors } from "./errors";
import { watchFrustration } from "./frustration";
import { get, set, valid, visitorId } from "./ids";
import { watchLayout } from "./layout";
import { watchMoves } from "./move";
import { push, setup, stop } from "./transport";
import { cut, fnv, now } from "./util";
import { startView, tag, view, watch } from "./view";

export interface PageheatApi {
  /** End the current page view and start one with this explicit name (SPAs). */
  startView(name: string): void;
  /** Tag the current view (if not yet sent) and the next ones: env, version, service… */
  tag(key: string, value: string): void;
  /** Stop tracking this visitor in this browser, now and on later visits. */
  optOut(): void;
  /** A custom goal reached on this view (a session counts once), with an optional value. */
  goal(name: string, value?: number): void;
  /** Who the visitor is, as the site knows it: the site's user id (≤ 128 characters) and
   * an optional display name, for this session (the collector keeps it per session). */
  identify(id: string, traits?: { name?: string }): void;
}

declare global {
  interface Window {
    pageheat?: PageheatApi;
  }
}

const OPT_OUT = "pageheat_optout";
const script = (document.currentScript || document.querySelector("script[data-app]")) as HTMLScriptElement | null;
const data = script ? script.dataset : ({} as DOMStringMap);
const app = data.app || "";
const nav = navigator as Navigator & { globalPrivacyControl?: boolean };
let on =
  valid(app) &&
  !get(OPT_OUT) &&
  !(data.respectDnt != null && (nav.doNotTrack === "1" || nav.globalPrivacyControl === true));

/** Where the visitor falls in 0..1, fixed per visitor id (FNV-1a). */
const share = (id: string): number => fnv(id) / 4294967296;
/** A name or id as the collector takes it (≤ 128 characters). */
const c128 = (s: unknown): string => cut(String(s), 128);

if (on) {
  const visitor = visitorId();
  const sample = data.sample ? +data.sample : 1;
  on = share(visitor) < (sample >= 0 ? sample : 1);
  if (on) {
    const base = data.endpoint || (script && script.src ? new URL(script.src, location.href).origin : location.origin);
    setup(base.replace(/\/+$/, ""), app, visitor, +(data.flushMs || 0) || 5000);
    watch();
    watchClicks();
    watchFrustration();
    watchErrors();
    watchMoves();
    watchLayout();
    startView(data.view);
  }
}

window.pageheat = {
  startView: (name) => on && startView(name, true),
  tag: (key, value) => on && tag(key, value),
  optOut: () => {
    set(OPT_OUT, "1");
    set("pageheat_vid", null);
    set("pageheat_sid", null);
    on = false;
    stop();
  },
  goal: (name, value) => {
    // (a name with control characters is refused by the collector, with its batch)
    name = c128(name);
    view && name && push({ k: "goal", t: now(), v: view, name, value: Math.abs(value!) <= 1e12 ? +value! : null });
  },
  identify: (user, traits) => {
    // (an id or name with control characters is refused by the collector, with its batch)
    user = c128(user);
    view && user && push({ k: "identify", t: now(), v: view, user, name: (traits && traits.name && c128(traits.name)) || void 0 });
  },
};
