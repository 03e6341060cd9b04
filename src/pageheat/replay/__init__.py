"""Session replay: the rrweb chunks a recording browser sends, checked and kept.

``protocol`` reads a chunk (gzip or JSON, bounded before and after inflating, validated
whole), ``base`` is the :class:`ReplayStore` protocol every replay store offers (one
contract suite, tests/replay/test_store_contract.py), ``sqlite`` the embedded default
(``replays.sqlite`` in the data directory) and ``writer`` the replay chunks' own queue and
thread, so that recording never slows event ingest. The HTTP side is ``web/replay.py``.
"""

from pageheat.replay.base import Chunk, ReplayStore
from pageheat.replay.protocol import ChunkTooLarge, decode_chunk, in_replay_sample
from pageheat.replay.sqlite import SQLiteReplays, open_replays

__all__ = [
    "Chunk",
    "ChunkTooLarge",
    "ReplayStore",
    "SQLiteReplays",
    "decode_chunk",
    "in_replay_sample",
    "open_replays",
]
