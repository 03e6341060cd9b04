"""A replay chunk as it arrives at ``POST /api/v1/replay`` (docs/protocol.md, "Session
replay"), and the decoder that refuses a bad one whole.

The body is the envelope ``{"app", "sdk", "visitor", "session", "view", "seq",
"events"}`` as JSON, or that JSON gzip-compressed (the recorder compresses with the
browser's ``CompressionStream`` where it exists and sends ``text/plain`` either way, so
no CORS preflight: the server tells the two apart by gzip's magic bytes ``1f 8b``).
Inflating is bounded twice: the body before (``max_replay_chunk_bytes``, read by the
HTTP side) and the output (``max_replay_chunk_inflated``, here, by ``decompressobj``'s
``max_length``), so a zip bomb costs at most that much memory and is a 413.

rrweb's events are kept as they are: each must have an integer ``type``, a ``timestamp``
in ms and a ``data`` object; what ``data`` holds is rrweb's business (the player reads
it) and is not walked here.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from typing import Annotated, Any

import msgspec
from msgspec import Meta, Struct

from pageheat.collect.guard import visitor_share
from pageheat.collect.protocol import EARLIEST_MS, ID_PATTERN, SDK_PATTERN, BadBatch, _decode

#: gzip's magic bytes: a body that starts with them is inflated, any other is JSON.
GZIP_MAGIC = b"\x1f\x8b"

Ident = Annotated[str, Meta(min_length=1, max_length=64, pattern=ID_PATTERN)]
#: ms since the epoch, 2020 to 2100: rrweb stamps events with ``Date.now()``.
Millis = Annotated[int, Meta(ge=EARLIEST_MS, le=4_102_444_800_000)]


class ReplayEvent(Struct, forbid_unknown_fields=True):
    """One rrweb event (``eventWithTime``): its type (0 to 6 in rrweb 2, plugins add
    none here), when, and its data."""

    type: Annotated[int, Meta(ge=0, le=64)]
    timestamp: Millis
    #: Kept as the bytes that came (checked to be an object by ``decode_chunk``): building
    #: Python objects of a DOM the server never reads was most of a chunk's cost, CPU
    #: that event ingest shares (bench/replay_bench.py).
    data: msgspec.Raw


class ReplayChunk(Struct, forbid_unknown_fields=True):
    """The envelope. ``view`` is the tracker's page view id (the ``v`` of its events);
    ``seq`` counts the chunks of that view from 0, so (session, view, seq) names a chunk
    and a retry of it is stored once."""

    app: Ident
    visitor: Ident
    session: Ident
    view: Ident
    seq: Annotated[int, Meta(ge=0, le=1_000_000)]
    events: Annotated[list[ReplayEvent], Meta(min_length=1, max_length=100_000)]
    sdk: Annotated[str, Meta(pattern=SDK_PATTERN)] = "unknown"


_DECODER = msgspec.json.Decoder(ReplayChunk)


class ChunkTooLarge(ValueError):
    """The chunk inflates past the bound: a 413, however small it was as sent."""


@dataclass(frozen=True)
class Decoded:
    """A chunk that passed: the envelope, and its body gzip-compressed (as sent when it
    came compressed, else compressed here), which is what the store keeps."""

    chunk: Any
    gzipped: bytes
    inflated_bytes: int

    @property
    def app(self) -> str:
        """The app key (what the collector's checks look up, as for a batch)."""
        return self.chunk.app


def inflate(body: bytes, max_bytes: int) -> bytes:
    """The gzip member ``body`` inflated, at most ``max_bytes`` of it ever in memory;
    :class:`ChunkTooLarge` past that, :class:`BadBatch` for a broken or trailing stream."""
    d = zlib.decompressobj(wbits=31)  # gzip header and trailer, checked
    try:
        out = d.decompress(body, max_bytes + 1)
    except zlib.error as exc:
        raise BadBatch(f"malformed gzip body: {exc}") from None
    if len(out) > max_bytes or d.unconsumed_tail:
        raise ChunkTooLarge(f"replay chunk inflates to over {max_bytes} bytes")
    if not d.eof or d.unused_data:
        raise BadBatch("malformed gzip body: truncated, or data after its end")
    return out


def decode_chunk(body: bytes, max_inflated: int) -> Decoded:
    """Read and validate a chunk whole; :class:`BadBatch` naming the first bad field
    (``… - at `$.events[3].type```), :class:`ChunkTooLarge` past the inflated bound."""
    if body[:2] == GZIP_MAGIC:
        raw = inflate(body, max_inflated)
        gzipped = body
    else:
        if len(body) > max_inflated:
            raise ChunkTooLarge(f"replay chunk is over {max_inflated} bytes")
        raw = body
        gzipped = b""
    chunk = _decode(_DECODER, raw)
    for i, e in enumerate(chunk.events):
        if bytes(memoryview(e.data)[:1]) != b"{":
            raise BadBatch(f"Expected `object`, got `{_kind(e.data)}` - at `$.events[{i}].data`")
    if not gzipped:
        gzipped = _gzip(raw)
    return Decoded(chunk, gzipped, len(raw))


def _kind(raw: msgspec.Raw) -> str:
    """The JSON type of a raw value, in msgspec's words (for the 400's message)."""
    first = bytes(memoryview(raw)[:1])
    return {b"[": "array", b'"': "str", b"t": "bool", b"f": "bool", b"n": "null"}.get(
        first, "number"
    )


def _gzip(raw: bytes) -> bytes:
    """gzip at level 6, as the recorder's CompressionStream does: what arrives plain is
    kept in the same form as what arrives compressed."""
    c = zlib.compressobj(6, zlib.DEFLATED, 31)
    return c.compress(raw) + c.flush()


def events_of(gzipped: bytes) -> list[dict[str, Any]]:
    """The rrweb events of a stored chunk (already validated when it was kept)."""
    return msgspec.json.decode(zlib.decompress(gzipped, wbits=31))["events"]


def in_replay_sample(session: str, replay_sample: float) -> bool:
    """Whether a session is recorded: FNV-1a of its session id (over UTF-16 code units,
    as the tracker's ``fnv``), divided by 2³², is below the app's ``replay_sample``. The
    collector answers the tracker's batches with ``"replay": true`` by this, and refuses
    a chunk of a session outside it by the same, so a session is recorded whole or not at
    all. Independent of the visitor sample (that hashes the visitor id)."""
    return replay_sample >= 1 or visitor_share(session) < replay_sample


__all__ = [
    "GZIP_MAGIC",
    "ChunkTooLarge",
    "Decoded",
    "ReplayChunk",
    "ReplayEvent",
    "decode_chunk",
    "events_of",
    "in_replay_sample",
    "inflate",
]
