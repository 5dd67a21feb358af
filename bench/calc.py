"""Benchmark: time of a full ``sign`` design (``calculate``) with automatic pole and anchor selection.

Run ``python bench/calc.py [REPETITIONS] [--runs N]``. Prints the machine (platform, CPU count,
Python), the load average before and after, and for each family the wall time (``perf_counter``)
and the CPU time of this thread (``thread_time``) per design: median and minimum over REPETITIONS
calls after a warm-up (the first call fills the per-family strength cache). Each call is timed on
its own, both clocks around the same ``calculate`` call; the payload copies are made beforehand.

Why both clocks: on a shared machine the wall time includes the time this process waits for a core,
the CPU time does not (it still includes cache and frequency effects of the neighbours, so it, too,
is lowest on a quiet machine). Judge by the CPU time, and by the minimum and the median over runs.
With ``--runs N`` the whole series is repeated N times and each run prints its own lines. The target
is under 1 ms median on one core. Not run as a test.
"""

from __future__ import annotations

import argparse
import copy
import os
import platform
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from domain.engineering import calculate  # noqa: E402
from domain.engineering.examples import SIGN_EXAMPLE  # noqa: E402

# The worked example with the grade left to the engine (its default for the family).
EXAMPLE = {**SIGN_EXAMPLE, "supports": {**SIGN_EXAMPLE["supports"], "grade": None}}

CASES = [
    ("pipe, direct burial", {}),
    ("round_hss, direct burial", {"family": "round_hss"}),
    ("square_hss, direct burial", {"family": "square_hss"}),
    ("round_hss, base plate, 2 poles", {"family": "round_hss", "mount": "base_plate", "count": 2}),
]


def _time(payload: dict, repetitions: int) -> tuple[list[float], list[float]]:
    """Wall and CPU seconds of each of ``repetitions`` calls."""
    calculate("sign", copy.deepcopy(payload))  # warm-up: fills the family strength cache
    payloads = [copy.deepcopy(payload) for _ in range(repetitions)]
    wall: list[float] = []
    cpu: list[float] = []
    perf, thread = time.perf_counter, time.thread_time
    for data in payloads:
        c0, w0 = thread(), perf()
        calculate("sign", data)
        w1, c1 = perf(), thread()
        wall.append(w1 - w0)
        cpu.append(c1 - c0)
    return wall, cpu


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("repetitions", nargs="?", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=1, help="repeat the whole series N times")
    args = parser.parse_args()
    print(
        f"machine: {platform.platform()} | {platform.processor() or platform.machine()} | "
        f"cpus={os.cpu_count()} | python {platform.python_version()}"
    )
    print(f"repetitions per case: {args.repetitions} (each call timed, after one warm-up call)")
    print(f"load average before: {_load()}")
    for run in range(1, args.runs + 1):
        if args.runs > 1:
            print(f"run {run}/{args.runs}")
        for name, supports in CASES:
            payload = copy.deepcopy(EXAMPLE)
            payload["supports"].update(supports)
            wall, cpu = _time(payload, args.repetitions)
            print(
                f"{name:32s} cpu median {statistics.median(cpu) * 1e3:.3f} ms  min {min(cpu) * 1e3:.3f} ms"
                f" | wall median {statistics.median(wall) * 1e3:.3f} ms  min {min(wall) * 1e3:.3f} ms"
            )
    print(f"load average after: {_load()}")


if __name__ == "__main__":
    main()
