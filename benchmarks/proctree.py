"""Run a child process and measure it together with every process it starts.

The build forks worker processes that typeset parts of the book while the parent waits, so
the child's own figures are not the build's:

CPU time. `os.wait4(pid)` returns the rusage of the child *including* every descendant the
child itself waited for (the kernel adds a process's usage to its parent's "children" total
when the parent reaps it, and that total is part of what the grandparent's wait4 reports).
Checked on this machine (Linux 6.18, Python 3.11): a child that forks a grandchild burning
1.0 s of CPU and joins it, then burns 0.3 s itself, is reported by wait4 as 1.39 s CPU; the
same child exiting without joining the grandchild is reported as 0.06 s, the grandchild's
second lost. The build's worker pool joins its workers (parts._Pool.close, and
multiprocessing's exit handler for daemonic ones), so wait4's figure includes them; the test
`test_wait4_counts_a_joined_grandchild` keeps this checked.

Memory. `ru_maxrss` from wait4 is the largest peak of any single process in the tree, not
their sum, and the build's parent and its workers are alive at the same time. So a thread
samples the tree every `interval` seconds while the child runs: it finds the descendants by
scanning /proc/*/stat for parent ids (this kernel has no /proc/PID/task/TID/children) and
adds up their VmRSS. RSS counts pages shared by forked processes once per process, so the sum
overstates what the tree really occupies; the sampler also sums PSS (proportional set size,
/proc/PID/smaps_rollup: a shared page is split between its sharers), which does not, but
reading it costs more, so only every tenth sample (every 0.5 s) reads it. A peak between two
samples can be missed, and a process is seen from the first rescan (every 0.2 s) after it
starts: the build's workers live for seconds and its peaks last far longer than 50 ms. The
sampler's own CPU time is recorded (`sampler_busy`) to show it stays small.
"""

from __future__ import annotations

import os
import subprocess
import threading
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any


def _ppid(pid: str) -> int | None:
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            stat = handle.read()
    except OSError:
        return None
    # The command name (field 2) may hold spaces and parentheses: parse after the last ')'.
    fields = stat[stat.rfind(b")") + 2:].split()
    return int(fields[1]) if len(fields) > 1 else None


def tree(root: int) -> list[int]:
    """`root` and its living descendants, found through /proc."""
    children: dict[int, list[int]] = {}
    for name in os.listdir("/proc"):
        if name.isdigit() and (parent := _ppid(name)) is not None:
            children.setdefault(parent, []).append(int(name))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, ()))
    return found


def _kib(path: str, field: bytes) -> int:
    """A `Field:   123 kB` line of a /proc file, in KiB (0 once the process is gone)."""
    try:
        with open(path, "rb") as handle:
            for line in handle:
                if line.startswith(field):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0


def machine_busy() -> float:
    """CPU seconds all processes on the machine have used since boot (/proc/stat's first
    line: user, nice, system, irq, softirq; idle, iowait and steal left out)."""
    try:
        with open("/proc/stat", encoding="ascii") as handle:
            fields = [int(x) for x in handle.readline().split()[1:8]]
    except (OSError, ValueError):
        return 0.0
    user, nice, system, _idle, _iowait, irq, softirq = fields
    return (user + nice + system + irq + softirq) / os.sysconf("SC_CLK_TCK")


def rss(pids: Sequence[int]) -> list[int]:
    """Each process's RSS in KiB now (0 for a process already gone)."""
    return [_kib(f"/proc/{pid}/status", b"VmRSS:") for pid in pids]


def pss(pids: Sequence[int]) -> int:
    """The summed PSS of `pids` in KiB now. smaps_rollup walks the page tables (~1.5 ms per
    500 MB), so the sampler reads it rarely."""
    return sum(_kib(f"/proc/{pid}/smaps_rollup", b"Pss:") for pid in pids)


class TreeSampler(threading.Thread):
    """Sample a process tree's summed RSS until stopped; keep the peaks.

    Every `rescan` samples the tree is looked up again (scanning /proc costs more than
    reading the memory), and every `pss_every` samples the summed PSS is read as well.
    """

    def __init__(self, root: int, interval: float = 0.05, rescan: int = 4,
                 pss_every: int = 10) -> None:
        super().__init__(daemon=True)
        self.root, self.interval, self.rescan, self.pss_every = root, interval, rescan, pss_every
        self.peak_rss_kib = self.peak_pss_kib = self.peak_processes = 0
        self.at_peak: list[int] = []  # each process's RSS (KiB) in the sample of the peak
        self.samples = 0
        self.busy = 0.0  # this thread's CPU time spent sampling, to show it stays small
        self._halt = threading.Event()

    def run(self) -> None:
        pids: list[int] = []
        while not self._halt.is_set():
            started = time.thread_time()
            if self.samples % self.rescan == 0:
                pids = tree(self.root)
            each = rss(pids)
            shared = pss(pids) if self.samples % self.pss_every == 0 else 0
            self.busy += time.thread_time() - started
            self.samples += 1
            if sum(each) > self.peak_rss_kib:
                self.peak_rss_kib, self.at_peak = sum(each), sorted(each, reverse=True)
            self.peak_pss_kib = max(self.peak_pss_kib, shared)
            self.peak_processes = max(self.peak_processes, len(pids))
            self._halt.wait(self.interval)

    def stop(self) -> None:
        self._halt.set()
        self.join()


def run_child(argv: Sequence[str], *, env: Mapping[str, str] | None = None,
              cwd: Path | None = None, log: Path | None = None,
              interval: float = 0.05) -> dict[str, Any]:
    """Run `argv` to completion; its wall time, its tree's CPU time and memory peaks.

    `cpu` (s) is wait4's user + system time of the child and the descendants it reaped;
    `peak_mb` the peak of the summed RSS of the tree, `peak_pss_mb` of the summed PSS;
    `largest_mb` wait4's ru_maxrss: the largest single process; `at_peak_mb` each process's
    RSS at the summed peak; `others_cpus` how many CPUs the rest of the machine kept busy
    meanwhile, on average (from /proc/stat: other jobs slow the wall time down). Output
    goes to `log`.
    """
    sink = open(log, "ab") if log else subprocess.DEVNULL  # noqa: SIM115 - closed below
    try:
        started, machine = time.perf_counter(), machine_busy()
        child = subprocess.Popen(list(argv), cwd=cwd, env=dict(env) if env is not None else None,
                                 stdout=sink, stderr=sink)
        sampler = TreeSampler(child.pid, interval)
        sampler.start()
        try:
            _, status, usage = os.wait4(child.pid, 0)
        finally:
            sampler.stop()
        wall = time.perf_counter() - started
        machine = machine_busy() - machine
        child.returncode = os.waitstatus_to_exitcode(status)
    finally:
        if log:
            sink.close()
    cpu = usage.ru_utime + usage.ru_stime
    return {"wall": wall, "cpu": cpu, "user": usage.ru_utime, "system": usage.ru_stime,
            "peak_mb": sampler.peak_rss_kib / 1024, "peak_pss_mb": sampler.peak_pss_kib / 1024,
            "largest_mb": usage.ru_maxrss / 1024,
            "at_peak_mb": [kib / 1024 for kib in sampler.at_peak],
            "processes": sampler.peak_processes, "samples": sampler.samples,
            "sampler_busy": sampler.busy,
            # Everything else the machine ran meanwhile, in CPUs kept busy on average.
            "others_cpus": max(machine - cpu - sampler.busy, 0.0) / wall if wall else 0.0,
            "returncode": child.returncode}
