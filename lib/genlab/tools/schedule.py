"""Which notebook runs when: side by side, after the notebooks whose runs it reuses, and around failures.

A notebook that fails does not stop the others: those that do not depend on it still start, and
those that reuse one of its runs (directly or through another notebook) are not run and are
listed as such. ``make figures`` then exits non-zero.
"""
from __future__ import annotations

import heapq
from concurrent.futures import FIRST_COMPLETED, Future, wait
from dataclasses import dataclass, field

from genlab.tools import manifest


@dataclass
class Outcome:
    seconds: dict = field(default_factory=dict)  # name -> seconds, for the notebooks that finished
    failed: dict = field(default_factory=dict)  # name -> what went wrong
    blocked: dict = field(default_factory=dict)  # name -> the failed notebooks it waits for


def dependencies() -> dict[str, tuple[str, ...]]:
    """Notebooks that must finish before a notebook starts: those training the runs it reuses (the registry)."""
    from genlab.recipes.registry import notebook_dependencies

    return notebook_dependencies()


def priorities(names) -> dict[str, float]:
    """Expected seconds of a notebook plus the longest chain of notebooks waiting for it."""
    after = dependencies()

    def chain(name):
        waiting = [n for n in names if name in after.get(n, ())]
        return manifest.CPU_SECONDS.get(name, 0.0) + max((chain(n) for n in waiting), default=0.0)

    return {name: chain(name) for name in names}


def next_ready(pending: list[str], finished: set[str], names) -> str | None:
    """The pending notebook with the longest chain whose prerequisites (if selected) have finished."""
    after = dependencies()
    for name in pending:
        if all(dep in finished or dep not in names for dep in after.get(name, ())):
            return name
    return None


def longest_chain_first(pending: list[str], names) -> list[str]:
    """``pending`` by :func:`priorities`, highest first."""
    priority = priorities(names)
    return sorted(pending, key=lambda n: -priority[n])


def expected_wall_seconds(order: list[str], names, jobs: int) -> float:
    """Wall seconds for :func:`run_all` to run ``order`` with ``jobs`` kernels, by the manifest's expected times."""
    pending, finished = list(order), {n for n in names if n not in order}
    clock, running = 0.0, []  # heap of (end time, name)
    while pending or running:
        while len(running) < jobs and (name := next_ready(pending, finished, names)):
            pending.remove(name)
            heapq.heappush(running, (clock + manifest.CPU_SECONDS.get(name, 0.0), name))
        if not running:
            return float("inf")
        clock, name = heapq.heappop(running)
        finished.add(name)
    return clock


def planned_order(pending: list[str], names, jobs: int) -> list[str]:
    """``pending`` longest chain first, then improved by swapping pairs while that shortens the expected wall time.

    Longest chain first can leave two long notebooks for the end on one kernel while the other idles."""
    order = longest_chain_first(pending, names)
    best, improved = expected_wall_seconds(order, names, jobs), True
    while improved:
        improved = False
        for i in range(len(order)):
            for j in range(i + 1, len(order)):
                trial = order[:i] + [order[j]] + order[i + 1:j] + [order[i]] + order[j + 1:]
                if (seconds := expected_wall_seconds(trial, names, jobs)) < best:
                    order, best, improved = trial, seconds, True
    return order


def _blocked_by(name: str, outcome: Outcome, names) -> list[str]:
    after = dependencies()
    return [dep for dep in after.get(name, ()) if dep in names and (dep in outcome.failed or dep in outcome.blocked)]


def _done_now(run_one, name) -> Future:
    """Run ``name`` in this process and return its result as a finished future."""
    future = Future()
    try:
        future.set_result(run_one(name))
    except Exception as error:  # the notebook's failure, reported by the caller
        future.set_exception(error)
    return future


def run_all(pending: list[str], names, jobs: int, run_one, on_start, on_end, pool=None) -> Outcome:
    """Run the ``pending`` notebooks (``names`` are all selected), ``jobs`` at a time in ``pool``.

    ``run_one(name)`` returns the seconds taken or raises; ``on_start(name)`` and
    ``on_end(name, seconds or None, error or None)`` report. Without a pool they run here, one
    at a time.
    """
    outcome, pending, running = Outcome(), list(pending), {}
    finished = {n for n in names if n not in pending}
    while pending or running:
        for name in list(pending):
            if blockers := _blocked_by(name, outcome, names):
                pending.remove(name)
                outcome.blocked[name] = blockers
        while len(running) < jobs and (name := next_ready(pending, finished, names)):
            pending.remove(name)
            on_start(name)
            running[pool.submit(run_one, name) if pool else _done_now(run_one, name)] = name
        if not running:
            outcome.blocked.update({name: ["an unfinished prerequisite"] for name in pending})
            break
        done, _ = wait(running, return_when=FIRST_COMPLETED)
        for future in done:
            name = running.pop(future)
            try:
                outcome.seconds[name] = future.result()
            except Exception as error:
                outcome.failed[name] = str(error)
                on_end(name, None, error)
                continue
            finished.add(name)
            on_end(name, outcome.seconds[name], None)
    return outcome
