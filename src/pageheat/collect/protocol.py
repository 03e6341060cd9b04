"""Wire protocol v1 of ``POST /api/v1/collect``: the types, their limits, and the decoder.

Field names are public (docs/design.md): other SDKs send them, so they are terse and stable.
The limits are settings, so the types are built by :func:`build_protocol` from the
resolved limits; msgspec then refuses a bad batch whole and names the field in its
message (``... - at `$.events[3].x```), which is what the 400 answer carries.

Checks that msgspec cannot express as a type (times relative to the server clock) are in
:func:`check_times`.
"""

import inspect
import json
import re
import time
from dataclasses import dataclass
from functools import lru_cache
from typing import Annotated, Any, ClassVar, Literal

import msgspec
from msgspec import Meta, Struct

SDK_PATTERN = r"^[\x20-\x7e]{1,64}$"
#: Ids are opaque, but never control characters (a NUL or a newline in an id is a forgery
#: or a bug, and ends up in logs and CSV exports).
ID_PATTERN = r"^[^\x00-\x1f\x7f]+$"
#: Keys of ``utm`` and ``tags``: a word starting with a letter, and never one of the names
#: that reach into a JavaScript object's prototype when a dashboard or export reads them.
KEY_PATTERN = r"^(?!(?:constructor|prototype)$)[A-Za-z][A-Za-z0-9_.-]*$"
#: Content types a batch may be sent as: text/plain (no CORS preflight) or JSON.
CONTENT_TYPES = ("text/plain", "application/json")
#: 2020-01-01T00:00:00Z in ms; events older than this are clock garbage.
EARLIEST_MS = 1_577_836_800_000
POINTERS = ("mouse", "touch", "pen")


@dataclass(frozen=True)
class Limits:
    max_events: int = 500
    max_coordinate: float = 1_000_000.0
    max_id: int = 64
    max_selector: int = 1024
    max_text: int = 256
    max_url: int = 2048
    max_future_s: int = 86_400
    max_tags: int = 20
    max_tag_key: int = 32
    max_tag_value: int = 128

    @classmethod
    def from_settings(cls, s: Any) -> "Limits":
        return cls(
            max_events=s.max_batch_events,
            max_coordinate=float(s.max_coordinate),
            max_id=s.max_id_length,
            max_selector=s.max_selector_length,
            max_text=s.max_text_length,
            max_url=s.max_url_length,
            max_future_s=s.max_future_s,
            max_tags=s.max_tags,
            max_tag_key=s.max_tag_key_length,
            max_tag_value=s.max_tag_value_length,
        )


@dataclass(frozen=True)
class Protocol:
    """The types of one set of limits, and a decoder for whole batches."""

    limits: Limits
    Batch: type
    decoder: msgspec.json.Decoder
    Snapshot: type
    snapshot_decoder: msgspec.json.Decoder

    def decode(self, body: bytes) -> Any:
        """Decode and validate a batch, raising :class:`BadBatch` naming the first bad field."""
        batch = _decode(self.decoder, body)
        check_times(batch, self.limits)
        if not _keys_unique_fast(body):
            check_unique_keys(body)
        return batch

    def decode_snapshot(self, body: bytes) -> Any:
        """Decode a snapshot upload's envelope; its ``dom`` is checked by the sanitiser."""
        return _decode(self.snapshot_decoder, body)

    def json_schema(self) -> dict[str, Any]:
        """The batch's JSON Schema, as ``docs/collect-v1.schema.json`` keeps it (``make
        schema`` writes it). Descriptions come from our docstrings, cleaned here rather than
        by msgspec, whose dedenting changed between releases (0.19 and 0.23 differ)."""
        return _clean_descriptions(msgspec.json.schema(self.Batch))


def _clean_descriptions(node: Any) -> Any:
    if isinstance(node, dict):
        return {
            k: inspect.cleandoc(v) if k == "description" and isinstance(v, str)
            else _clean_descriptions(v)
            for k, v in node.items()
        }  # fmt: skip
    if isinstance(node, list):
        return [_clean_descriptions(v) for v in node]
    return node


class BadBatch(ValueError):
    """A batch refused whole; the message names the field."""


def _decode(decoder: msgspec.json.Decoder, body: bytes) -> Any:
    """msgspec's decode, every way it can fail turned into :class:`BadBatch`.

    Besides validation and syntax errors, msgspec raises UnicodeDecodeError for a string
    that is not UTF-8 and RecursionError for JSON nested deeper than the interpreter's
    recursion limit (about 1 000 levels; only a snapshot's untyped ``dom`` can get there,
    a batch's types stop nesting at depth 5): both are the sender's fault, not a 500.
    """
    try:
        return decoder.decode(body)
    except msgspec.ValidationError as exc:
        raise BadBatch(_locate(str(exc))) from None
    except msgspec.DecodeError as exc:
        raise BadBatch(f"malformed JSON: {exc}") from None
    except UnicodeDecodeError:
        raise BadBatch("malformed JSON: the body is not UTF-8") from None
    except RecursionError:
        raise BadBatch("malformed JSON: nested too deeply") from None


_FIELD_ERROR = re.compile(
    r"^Object (?:contains unknown|missing required) field `([^`]*)`(?: - at `(\$[^`]*)`)?$"
)


def _locate(message: str) -> str:
    """msgspec's message, ending in the path of the field it is about.

    msgspec names an unknown or missing field in words and the path of the object that
    has it (none at the top); the answer's ``field`` should be the field's own path
    (``$.events[1].keys``), and a whole-body type error is about ``$``.
    """
    m = _FIELD_ERROR.match(message)
    if m:
        return f"{message.split(' - at ', 1)[0]} - at `{m.group(2) or '$'}.{m.group(1)}`"
    if " - at `" not in message and " in `$" not in message:
        return f"{message} - at `$`"
    return message


def check_unique_keys(body: bytes) -> None:
    """Refuse a batch with a key given twice in one object.

    msgspec keeps the last of duplicate keys; a proxy, a log pipeline or another JSON
    parser may keep the first, so ``{"app": "a", "app": "b"}`` would mean two things.
    Run only on batches that passed validation (their depth and size are bounded), so
    the second parse costs a valid sender, never an attacker, about a millisecond.
    """

    def pairs_hook(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        out = dict(pairs)
        if len(out) != len(pairs):
            seen: set[str] = set()
            dup = next(k for k, _ in pairs if k in seen or seen.add(k))  # type: ignore[func-returns-value]
            raise BadBatch(f"key {dup!r} is given twice in one object")
        return out

    json.loads(body, object_pairs_hook=pairs_hook)


#: JSON's whitespace, taken out before counting (a key may be spaced before its colon).
_WHITESPACE = b" \t\r\n"
_untyped = msgspec.json.Decoder()


def _keys_unique_fast(body: bytes) -> bool:
    """True when a *validated* batch certainly has no key twice in one object; False
    means "not sure", and :func:`check_unique_keys` decides (and names the key).

    The exact check parses the body again in Python's json module with a hook per
    object, which cost more than everything else a batch needs (docs/performance.md).
    This one counts: with JSON's whitespace taken out, every key puts one ``":`` in
    the body, and the only other ``":`` are inside strings (an escaped quote) or open a
    string that starts with a colon, so the body holds at least as many ``":`` as keys.
    The objects of a valid batch are the batch, its events and their ``utm`` and
    ``tags``; msgspec's untyped decode keeps the last of duplicate keys, so its key count
    is the keys minus the duplicates. The two counts are equal only if there are no
    duplicates (and no extra ``":``).
    """
    top = _untyped.decode(body)
    keys = len(top)
    for ev in top["events"]:
        keys += len(ev) + len(ev.get("utm") or ()) + len(ev.get("tags") or ())
    return body.translate(None, _WHITESPACE).count(b'":') == keys


@lru_cache(maxsize=8)
def build_protocol(limits: Limits = Limits()) -> Protocol:
    """Build the v1 types for ``limits`` (cached: limits are fixed for a process)."""
    C = Annotated[float, Meta(ge=0, le=limits.max_coordinate)]
    W = Annotated[float, Meta(gt=0, le=limits.max_coordinate)]
    Unit = Annotated[float, Meta(ge=0, le=1)]
    Ident = Annotated[str, Meta(min_length=1, max_length=limits.max_id, pattern=ID_PATTERN)]
    Url = Annotated[str, Meta(max_length=limits.max_url)]
    Sel = Annotated[str, Meta(max_length=limits.max_selector)]
    Text = Annotated[str, Meta(max_length=limits.max_text)]
    Short = Annotated[str, Meta(max_length=128)]
    Ms = Annotated[int, Meta(ge=EARLIEST_MS, le=10**13 * 2)]
    Pointer = Literal["mouse", "touch", "pen"]
    Dict = Annotated[
        dict[Annotated[str, Meta(min_length=1, max_length=64, pattern=KEY_PATTERN)], Short],
        Meta(max_length=16),
    ]
    # Every tag is kept and is a filter (``tag.KEY=VALUE``), so its bounds are settings.
    Tags = Annotated[
        dict[
            Annotated[str, Meta(min_length=1, max_length=limits.max_tag_key, pattern=KEY_PATTERN)],
            Annotated[str, Meta(max_length=limits.max_tag_value)],
        ],
        Meta(max_length=limits.max_tags),
    ]

    class Event(Struct, tag_field="k", forbid_unknown_fields=True):
        t: Ms
        v: Ident

    class View(Event, tag="view"):
        k: ClassVar[str] = "view"  # the wire tag, readable on decoded events
        url: Url
        path: Url
        vw: W
        vh: W
        dw: W
        dh: W
        title: Text = ""
        referrer: Url = ""
        dpr: Annotated[float, Meta(gt=0, le=16)] = 1.0
        name: Annotated[str, Meta(min_length=1, max_length=256)] | None = None
        lang: Short = ""
        tz: Short = ""
        utm: Dict = {}
        tags: Tags = {}

    class Click(Event, tag="click"):
        k: ClassVar[str] = "click"
        x: C
        y: C
        vw: W
        dw: W
        dh: W
        sel: Sel
        rx: Unit
        ry: Unit
        tag: Annotated[str, Meta(min_length=1, max_length=64)]
        text: Text = ""
        href: Url | None = None
        interactive: bool = False
        pointer: Pointer = "mouse"
        fixed: bool = False
        rage: Annotated[int, Meta(ge=0, le=10_000)] = 0
        dead: bool = False
        error: bool = False

    class Leave(Event, tag="leave"):
        k: ClassVar[str] = "leave"
        vis: Annotated[int, Meta(ge=0, le=86_400_000)]
        depth: C
        dh: W

    class Move(Event, tag="move"):
        """Cursor positions: ``p`` holds [x, y, ms after ``t``] triples (≤ 10 Hz, desktop)."""

        k: ClassVar[str] = "move"
        vw: W
        dw: W
        dh: W
        p: Annotated[
            list[tuple[C, C, Annotated[int, Meta(ge=0, le=3_600_000)]]],
            Meta(min_length=1, max_length=200),
        ]

    class Scroll(Event, tag="scroll"):
        """How far a view was scrolled and how long each 5 % band of the page was seen.

        Sent again as the visitor scrolls on; the latest of a view is the one that counts.
        """

        k: ClassVar[str] = "scroll"
        depth: C  # deepest bottom edge of the viewport, page px
        dh: W
        vh: W
        bands: Annotated[
            list[Annotated[float, Meta(ge=0, le=86_400)]], Meta(min_length=20, max_length=20)
        ]

    class Error(Event, tag="error"):
        """JavaScript errors and unhandled rejections of one message since the last send."""

        k: ClassVar[str] = "error"
        msg: Text
        hash: Annotated[str, Meta(min_length=1, max_length=64)]
        n: Annotated[int, Meta(ge=1, le=100_000)] = 1

    class Layout(Event, tag="layout"):
        """The page state a view settled in: a hash of its rendered structure.

        Two visitors who see the same state send the same ``h``; the collector answers
        whether it has a snapshot of that state (``need_snapshot``).
        """

        k: ClassVar[str] = "layout"
        h: Annotated[str, Meta(min_length=1, max_length=64)]
        dw: W
        dh: W

    class Goal(Event, tag="goal"):
        """A custom goal the page reached (``pageheat.goal(name, value?)``): ``name`` is
        what an app's goal of the kind ``{"name", "event"}`` matches; ``value`` an optional
        amount (an order's total). A goal counts once per session whatever is sent."""

        k: ClassVar[str] = "goal"
        name: Annotated[str, Meta(min_length=1, max_length=128, pattern=ID_PATTERN)]
        value: Annotated[float, Meta(ge=-1e12, le=1e12)] | None = None

    class Identify(Event, tag="identify"):
        """Who the visitor is, as the site says (``pageheat.identify(id, {name})``): the
        site's own user id and an optional display name, kept for the session. Sent only
        when the site calls it; nothing identifies a visitor otherwise."""

        k: ClassVar[str] = "identify"
        user: Annotated[str, Meta(min_length=1, max_length=128, pattern=ID_PATTERN)]
        name: Annotated[str, Meta(min_length=1, max_length=128, pattern=ID_PATTERN)] | None = None

    Events = Annotated[
        list[View | Click | Leave | Move | Scroll | Error | Layout | Goal | Identify],
        Meta(min_length=1, max_length=limits.max_events),
    ]

    class Batch(Struct, forbid_unknown_fields=True):
        app: Ident
        visitor: Ident
        session: Ident
        events: Events
        sdk: Annotated[str, Meta(pattern=SDK_PATTERN)] = "unknown"
        batch: Ident | None = None

    class Snapshot(Struct, forbid_unknown_fields=True):
        """Body of ``POST /api/v1/snapshot``: one page state, serialised by rrweb-snapshot.

        ``dom`` is taken as untyped JSON here; :mod:`pageheat.snapshots.sanitize` walks it,
        refuses a malformed tree naming the node, and keeps only markup and styles.
        """

        app: Ident
        visitor: Ident
        v: Ident
        h: Annotated[str, Meta(min_length=1, max_length=64)]
        url: Url
        vw: W
        dw: W
        dh: W
        dom: dict[str, Any]
        sdk: Annotated[str, Meta(pattern=SDK_PATTERN)] = "unknown"

    for cls in (View, Click, Leave, Move, Scroll, Error, Layout, Goal, Identify, Batch, Snapshot):
        cls.__qualname__ = cls.__name__
    return Protocol(
        limits, Batch, msgspec.json.Decoder(Batch), Snapshot, msgspec.json.Decoder(Snapshot)
    )


def check_times(batch: Any, limits: Limits, now_ms: int | None = None) -> None:
    """Refuse events dated more than ``max_future_s`` ahead of the server clock."""
    now_ms = int(time.time() * 1000) if now_ms is None else now_ms
    latest = now_ms + limits.max_future_s * 1000
    for i, event in enumerate(batch.events):
        if event.t > latest:
            raise BadBatch(
                f"Expected a time at most {limits.max_future_s} s ahead of the server clock,"
                f" got {event.t} - at `$.events[{i}].t`"
            )


__all__ = [
    "CONTENT_TYPES",
    "POINTERS",
    "BadBatch",
    "Limits",
    "Protocol",
    "build_protocol",
    "check_times",
    "check_unique_keys",
]
