"""Bounds on time and memory, so a pathological input fails instead of hanging the build."""

from __future__ import annotations

import os
import resource
import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from publisher.errors import BuildError

# A 300-page book renders in well under a minute here; CI may raise these through the
# environment, never by editing content.
SECONDS = float(os.environ.get("PUBLISHER_TIME_LIMIT", "300"))
MEMORY = int(float(os.environ.get("PUBLISHER_MEMORY_LIMIT_MB", "3072")) * 2**20)


class _Expired(BaseException):
    """Raised by the alarm; a BaseException so WeasyPrint's `except Exception` cannot eat it."""


def _address_space() -> int | None:
    """Bytes of address space the process maps now (Linux), or None if unknown."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


@contextmanager
def bounded(what: str, seconds: float | None = None, memory: int | None = None) -> Iterator[None]:
    """Run the body with a wall-clock alarm and an address-space cap; raise BuildError on either.

    `memory` is the extra address space allowed beyond what the process already maps. The
    alarm needs the main thread (signals); elsewhere only the memory cap applies.
    """
    seconds = SECONDS if seconds is None else seconds
    memory = MEMORY if memory is None else memory
    use_alarm = threading.current_thread() is threading.main_thread() and seconds > 0
    old_handler = old_timer = None
    started = time.monotonic()
    if use_alarm:
        def expire(signum: int, frame: object) -> None:
            raise _Expired

        old_handler = signal.signal(signal.SIGALRM, expire)
        old_timer = signal.setitimer(signal.ITIMER_REAL, seconds)
    old_limit = resource.getrlimit(resource.RLIMIT_AS)
    mapped = _address_space()
    if memory > 0 and mapped is not None:
        cap = mapped + memory
        if old_limit[1] != resource.RLIM_INFINITY:
            cap = min(cap, old_limit[1])
        if old_limit[0] == resource.RLIM_INFINITY or cap < old_limit[0]:
            resource.setrlimit(resource.RLIMIT_AS, (cap, old_limit[1]))
    try:
        yield
    except _Expired:
        raise BuildError(f"{what} took longer than {seconds:g} s and was stopped; a layout or "
                         "content that makes rendering explode? (limit: "
                         "PUBLISHER_TIME_LIMIT)") from None
    except MemoryError:
        raise BuildError(f"{what} needed more than {memory / 2**20:,.0f} MB of memory and was "
                         "stopped (limit: PUBLISHER_MEMORY_LIMIT_MB)") from None
    finally:
        if use_alarm:
            signal.setitimer(signal.ITIMER_REAL, 0)
        resource.setrlimit(resource.RLIMIT_AS, old_limit)
        if use_alarm:
            signal.signal(signal.SIGALRM, old_handler)
            if old_timer and old_timer[0] > 0:
                # An outer bound is still running: give it back what remains of its time.
                left = old_timer[0] - (time.monotonic() - started)
                signal.setitimer(signal.ITIMER_REAL, max(left, 0.001), old_timer[1])
