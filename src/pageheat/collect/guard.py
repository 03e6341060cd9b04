"""What keeps the collector standing when the internet leans on it: rate limits and the
bot filter.

Both act before anything is written. A rate limit answers 429 with the seconds until a
request would pass (``Retry-After``), so a well-behaved sender (the tracker keeps its
batches and retries with backoff) loses nothing; a bot's batch is answered 202 and
dropped, as Plausible does, so that a crawler has no reason to retry and the dashboard
shows people.

The limits are token buckets in this process's memory: with several collector processes
behind a balancer each enforces its own share (set the rates per process).
"""

from __future__ import annotations

import math
import re
import threading
import time
from collections import OrderedDict
from functools import lru_cache


class TokenBuckets:
    """One token bucket per key: ``rate`` tokens a second, at most ``burst`` saved up.

    ``take(key, n)`` spends ``n`` tokens and returns 0.0, or spends nothing and returns
    the seconds until ``n`` tokens are there. Buckets are kept for the ``max_keys`` keys
    seen latest, so a flood of forged addresses costs bounded memory; a forgotten key
    starts full again, which only ever errs towards letting a sender through.
    """

    def __init__(self, rate: float, burst: float, max_keys: int = 100_000):
        self.rate = float(rate)
        self.burst = float(burst)
        self.max_keys = max_keys
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()
        self._lock = threading.Lock()

    @property
    def enabled(self) -> bool:
        return self.rate > 0

    def take(self, key: str, n: float = 1.0, now: float | None = None) -> float:
        if not self.enabled:
            return 0.0
        now = time.monotonic() if now is None else now
        # a request larger than the whole bucket can pass only from a full bucket
        need = min(float(n), self.burst)
        with self._lock:
            tokens, last = self._buckets.pop(key, (self.burst, now))
            tokens = min(self.burst, tokens + (now - last) * self.rate)
            if tokens >= need:
                wait = 0.0
                tokens -= need
            else:
                wait = (need - tokens) / self.rate
            self._buckets[key] = (tokens, now)
            if len(self._buckets) > self.max_keys:
                self._buckets.popitem(last=False)
        return wait

    def wait(self, key: str, now: float | None = None) -> float:
        """Seconds until ``take(key)`` would pass, spending nothing (a login checks this
        first and spends only on a failure, so that only wrong guesses are counted)."""
        if not self.enabled:
            return 0.0
        now = time.monotonic() if now is None else now
        with self._lock:
            tokens, last = self._buckets.get(key, (self.burst, now))
        tokens = min(self.burst, tokens + (now - last) * self.rate)
        return 0.0 if tokens >= 1 else (1 - tokens) / self.rate

    def __len__(self) -> int:
        return len(self._buckets)


def retry_after(wait_s: float) -> str:
    """``Retry-After`` in whole seconds, at least 1 (HTTP has no fractions)."""
    return str(max(1, math.ceil(wait_s)))


# Names that only automated clients put in their User-Agent. ua-parser knows the big
# crawlers ("Spider" device); these catch the rest: headless and scripted browsers (our
# own screenshots and tests among them), preview fetchers, and HTTP libraries, which no
# person browses with. "Cubot" is a phone brand, not a bot.
_AUTOMATED = re.compile(
    r"""(?<!cu)bot\b|bot/|crawl|spider|slurp|scrap(?:er|y)|archiver|
        headless|phantomjs|puppeteer|playwright|selenium|webdriver|
        lighthouse|pagespeed|prerender|gtmetrix|pingdom|
        facebookexternalhit|embedly|preview|
        ^curl/|^wget/|^python-|^python/|httpx|aiohttp|^go-http-client|^java/|okhttp|
        libwww|^node-fetch|^axios/|^undici|^got |httpclient|^ruby|^php/|^perl|^postman|
        ^insomnia|^apache-httpclient|^reqwest|^deno/|^bun/""",
    re.IGNORECASE | re.VERBOSE,
)


@lru_cache(maxsize=4096)
def is_automated(user_agent: str) -> bool:
    """Whether a User-Agent is a bot, crawler, headless browser or HTTP library.

    No User-Agent at all counts as automated: every browser sends one. Cached like
    ``classify_agent``: visitors send few distinct User-Agents, and the pattern cost
    a collect request more than its own parse (docs/performance.md).
    """
    ua = user_agent.strip()
    return not ua or bool(_AUTOMATED.search(ua[:1024]))


def visitor_share(visitor: str) -> float:
    """Where a visitor id falls in [0, 1): FNV-1a over its UTF-16 code units, exactly as
    the tracker computes it (tracker/src/util.ts ``fnv``), so both agree on who is in a
    sample."""
    h = 2166136261
    data = visitor.encode("utf-16-le")
    for i in range(0, len(data), 2):
        h = ((h ^ (data[i] | data[i + 1] << 8)) * 16777619) & 0xFFFFFFFF
    return h / 4294967296


def declined(sample_rate: float, respect_dnt: bool, headers, visitor: str) -> str | None:
    """Why an app's policy keeps this batch out, or None: the browser asks not to be
    tracked (``DNT: 1`` or ``Sec-GPC: 1``) and the app honours it, or the visitor is
    outside the app's sample. The tracker checks both before sending; this is the lock
    that holds for old script tags and hand-made requests."""
    if respect_dnt and (headers.get("dnt") == "1" or headers.get("sec-gpc") == "1"):
        return "dnt"
    if sample_rate < 1 and visitor_share(visitor) >= sample_rate:
        return "sampled_out"
    return None


__all__ = ["TokenBuckets", "declined", "is_automated", "retry_after", "visitor_share"]
