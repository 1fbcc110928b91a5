"""When to retry a failed callback: SPEC §5's schedule with jitter, honouring the receiver's Retry-After."""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Protocol

# Delays after failed attempts 1..7 (about 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h); the 8th failure gives up.
DEFAULT_SCHEDULE: tuple[float, ...] = (5, 300, 1800, 7200, 18000, 36000, 36000)
JITTER = 0.2
# A receiver may ask us to wait, but not to park a delivery for a week.
MAX_RETRY_AFTER = 24 * 3600.0


class UniformSource(Protocol):
    """Anything with random.uniform's signature: the random module, a seeded random.Random."""

    def uniform(self, a: float, b: float, /) -> float: ...


def parse_schedule(value: str | None) -> tuple[float, ...]:
    """Parse "0.2,0.5,1" (seconds, from the environment); empty or None means DEFAULT_SCHEDULE."""
    if value is None or not value.strip():
        return DEFAULT_SCHEDULE
    delays: list[float] = []
    for item in value.split(","):
        item = item.strip()
        try:
            delay = float(item)
        except ValueError as exc:
            raise ValueError(f"retry schedule entry {item!r} is not a number of seconds") from exc
        if not math.isfinite(delay) or delay < 0:
            raise ValueError(f"retry schedule entry {item!r} must be a finite number of seconds >= 0")
        delays.append(delay)
    return tuple(delays)


def parse_retry_after(value: str | None, *, now: datetime) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP date), or None if absent/garbled."""
    if value is None or not value.strip():
        return None
    value = value.strip()
    if value.isdigit():
        return min(float(value), MAX_RETRY_AFTER)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:  # HTTP dates are GMT by definition
        when = when.replace(tzinfo=UTC)
    return min(max((when - now).total_seconds(), 0.0), MAX_RETRY_AFTER)


def next_delay(
    *,
    attempt_number: int,
    schedule: Sequence[float],
    retry_after: float | None,
    rng: UniformSource = random,  # the module itself, or a seeded random.Random
) -> float | None:
    """Seconds to wait after failed attempt `attempt_number` (1-based), or None to give up.

    The schedule's delay gets ±20 % jitter so many failed deliveries do not retry in lockstep;
    a Retry-After longer than that is honoured as is.
    """
    if attempt_number < 1 or attempt_number > len(schedule):
        return None
    delay = schedule[attempt_number - 1] * rng.uniform(1 - JITTER, 1 + JITTER)
    if retry_after is not None and retry_after > delay:
        return min(retry_after, MAX_RETRY_AFTER)
    return delay
