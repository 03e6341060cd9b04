/**
 * pageheat-snapshot.js — loaded by pageheat.js only when the collector asks for a
 * picture of a page state it has none of (`need_snapshot`), from the tracker's own
 * endpoint. It serialises the document with `rrweb-snapshot` and posts it once to
 * `POST /api/v1/snapshot` (docs/protocol.md) as `{app, visitor, v, h, url, vw, dw, dh,
 * dom}`; a body over 5 000 000 bytes is not sent.
 *
 * What leaves the page, and what does not:
 * - markup and inlined stylesheets, with same-origin (or CORS-enabled) images that have
 *   loaded as data URLs (WebP, at most the size they are shown at, where supported);
 * - never: input, textarea and select values (every one of them ""), checkbox and radio
 *   states (the page's defaults instead of the visitor's), scripts (elements and
 *   contents), comments, favicons and head meta, canvas pixels; elements under
 *   `data-pageheat-block` become empty boxes of their size; text under
 *   `data-pageheat-mask` and in contenteditable elements is replaced by `*`.
 */
import { Mirror, snapshot, visitSnapshot } from "rrweb-snapshot";
import { cut, px } from "../util";

const MAX_BYTES = 5_000_000;
const BLOCK = "[data-pageheat-block]";
/** Buttons whose value is their label (page markup, not the visitor's input). */
const LABELS = /^(submit|button|reset|image)$/;

type Attributes = Record<string, string | number | boolean | undefined>;
/** What this file reads of rrweb's serialised nodes (its types package is not shipped). */
type Serialised = { tagName?: string; attributes?: Attributes; childNodes?: Serialised[] };

let canvas: HTMLCanvasElement | undefined;

/** `img` as a data URL in `a.rr_dataURL`, drawn no larger than shown. rrweb's own
 * `inlineImages` is not used: for a cross-origin image it sets `crossOrigin` on the
 * page's own <img>, which reloads it and breaks it when the server sends no CORS
 * headers (rrweb-io/rrweb#1243). A cross-origin image taints the canvas and is skipped. */
function inline(img: HTMLImageElement, a: Attributes): void {
  const w = img.naturalWidth;
  const h = img.naturalHeight;
  if (!img.complete || !w || !h) return;
  const scale = Math.min(1, Math.max(img.width / w, img.height / h) || 1);
  canvas ||= document.createElement("canvas");
  canvas.width = Math.max(1, Math.round(w * scale));
  canvas.height = Math.max(1, Math.round(h * scale));
  try {
    canvas.getContext("2d")!.drawImage(img, 0, 0, canvas.width, canvas.height);
    a.rr_dataURL = canvas.toDataURL("image/webp", 0.8);
  } catch {}
}

/** What rrweb's masking leaves of the visitor's input, removed: values of inputs whose
 * type it does not mask (hidden, file…) and the live state of checkboxes and radios. */
function unfill(el: HTMLInputElement, a: Attributes): void {
  if (LABELS.test(el.type)) return;
  if ("value" in a) a.value = "";
  if (el.defaultChecked) a.checked = true;
  else delete a.checked;
}

function take(base: string, app: string, visitor: string, v: string, h: string): void {
  const mirror = new Mirror();
  const dom = snapshot(document, {
    mirror,
    maskAllInputs: true,
    maskInputFn: () => "",
    blockSelector: BLOCK,
    maskTextSelector: "[data-pageheat-mask],[contenteditable]:not([contenteditable=false])",
    inlineStylesheet: true,
    inlineImages: false, // see inline()
    recordCanvas: false,
    slimDOM: "all", // scripts, comments, favicons, head meta and whitespace
    onSerialize: (n) => {
      const a = (mirror.getMeta(n) as Serialised | null)?.attributes;
      // A blocked element is an empty box: nothing is added to it.
      if (!a || (n as Element).matches(BLOCK)) return;
      if (n.nodeName === "IMG") inline(n as HTMLImageElement, a);
      else if (/^(INPUT|TEXTAREA|SELECT)$/.test(n.nodeName)) unfill(n as HTMLInputElement, a);
    },
  });
  if (!dom) return;
  // slimDOM drops `<link rel="shortcut icon">` only: the other favicon links go here.
  visitSnapshot(dom, (n: Serialised) => {
    if (n.childNodes) n.childNodes = n.childNodes.filter((c) => !(c.tagName === "link" && /icon/i.test(String(c.attributes!.rel))));
  });
  const de = document.documentElement;
  const body = JSON.stringify({
    app,
    visitor,
    v,
    h,
    url: cut(location.href.split("#")[0], 2048),
    vw: px(innerWidth, 1),
    dw: px(de.scrollWidth, 1),
    dh: px(de.scrollHeight, 1),
    dom,
  });
  if (new Blob([body]).size > MAX_BYTES) return;
  // No keepalive: browsers cap keepalive bodies at 64 KB, and a snapshot is larger.
  fetch(base + "/api/v1/snapshot", { method: "POST", body, credentials: "omit" }).catch(() => {});
}

/** Called by pageheat.js (layout.ts) with its endpoint, ids and the view's layout hash.
 * Never throws: an exception here would reach the page's error handlers (and the
 * tracker's own `error` events). */
(self as any).pageheatSnapshot = (base: string, app: string, visitor: string, v: string, h: string) => {
  try {
    take(base, app, visitor, v, h);
  } catch {}
};
