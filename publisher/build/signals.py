"""SIGINT, SIGTERM and SIGHUP stop a command cleanly: workers ended, outputs untouched."""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from publisher.errors import Interrupted

STOPPING = (signal.SIGTERM, signal.SIGHUP)


class _Stop(KeyboardInterrupt):
    """Raised in the main thread by SIGTERM or SIGHUP, so they unwind like Ctrl-C does."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def _raise(signum: int, _frame: object) -> None:
    raise _Stop(signum)


@contextmanager
def stopped_cleanly(what: str) -> Iterator[None]:
    """Run `what` so that SIGINT, SIGTERM or SIGHUP unwind it (every `with` closes: the
    worker pool kills its processes, temporary files go) and end in Interrupted, whose exit
    code is 128 + the signal's number (130, 143, 129), as a shell reports it."""
    main = threading.current_thread() is threading.main_thread()
    previous = {s: signal.signal(s, _raise) for s in STOPPING} if main else {}
    try:
        yield
    except KeyboardInterrupt as exc:
        signum = exc.signum if isinstance(exc, _Stop) else signal.SIGINT
        name = signal.Signals(signum).name
        raise Interrupted(signum, f"{what} stopped by {name}; the previous output is "
                          "unchanged") from None
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
