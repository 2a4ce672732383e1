"""CPU time and peak memory of server processes, read from ``/proc`` (Linux).

A server may fork workers, so every reading covers the process and all of its
descendants. CPU time is ``utime + stime`` of ``/proc/PID/stat`` (fields 14 and
15, see proc(5)); peak memory is ``VmHWM`` of ``/proc/PID/status``, the largest
resident set the process has had since it started.
"""

import os
from collections.abc import Iterable
from pathlib import Path

PROC = Path("/proc")
TICKS_PER_SECOND = os.sysconf("SC_CLK_TCK")


def _stat_fields(pid: int) -> list[str] | None:
    try:
        text = (PROC / str(pid) / "stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    # The command name (field 2) is in parentheses and may hold spaces.
    return text[text.rindex(")") + 2 :].split()


def process_tree(pid: int) -> list[int]:
    """``pid`` and all of its living descendants."""
    children: dict[int, list[int]] = {}
    for entry in PROC.iterdir():
        if not entry.name.isdigit():
            continue
        fields = _stat_fields(int(entry.name))
        if fields is not None:
            children.setdefault(int(fields[1]), []).append(int(entry.name))
    tree, pending = [], [pid]
    while pending:
        current = pending.pop()
        tree.append(current)
        pending.extend(children.get(current, []))
    return tree


def cpu_seconds(pids: Iterable[int]) -> float:
    """User and system CPU seconds used so far by the processes ``pids`` together."""
    ticks = 0
    for pid in pids:
        fields = _stat_fields(pid)
        if fields is not None:
            # After the name: state is index 0, so utime (14) and stime (15) are
            # at 11 and 12.
            ticks += int(fields[11]) + int(fields[12])
    return ticks / TICKS_PER_SECOND


def peak_rss_kib(pids: Iterable[int]) -> int:
    """The sum of ``VmHWM`` (KiB) over the processes ``pids``."""
    total = 0
    for pid in pids:
        try:
            status = (PROC / str(pid) / "status").read_text()
        except (FileNotFoundError, ProcessLookupError):
            continue
        for line in status.splitlines():
            if line.startswith("VmHWM:"):
                total += int(line.split()[1])
    return total
