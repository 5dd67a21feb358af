"""Benchmark: median time of a full ``sign`` design with automatic pole selection.

Run ``python bench/calc.py [REPETITIONS]``. Prints the machine (platform, CPU count, Python) and the
median / p90 wall time per design for each family, timed with ``time.perf_counter`` over many
repetitions after a warm-up (the first call fills the per-family strength cache). The target is
under 1 ms on one core. Not run as a test.
"""

from __future__ import annotations

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


def _time(payload: dict, repetitions: int) -> list[float]:
    calculate("sign", copy.deepcopy(payload))  # warm-up: fills the family strength cache
    samples = []
    for _ in range(repetitions):
        data = copy.deepcopy(payload)
        start = time.perf_counter()
        calculate("sign", data)
        samples.append(time.perf_counter() - start)
    return samples


def main() -> None:
    repetitions = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    print(
        f"machine: {platform.platform()} | {platform.processor() or platform.machine()} | "
        f"cpus={os.cpu_count()} | python {platform.python_version()}"
    )
    print(f"repetitions per case: {repetitions} (perf_counter, after one warm-up call)")
    cases = [
        ("pipe, direct burial", {}),
        ("round_hss, direct burial", {"family": "round_hss"}),
        ("square_hss, direct burial", {"family": "square_hss"}),
        ("round_hss, base plate, 2 poles", {"family": "round_hss", "mount": "base_plate", "count": 2}),
    ]
    for name, supports in cases:
        payload = copy.deepcopy(EXAMPLE)
        payload["supports"].update(supports)
        samples = _time(payload, repetitions)
        median = statistics.median(samples) * 1e3
        p90 = statistics.quantiles(samples, n=10)[-1] * 1e3
        print(f"{name:34s} median {median:.3f} ms   p90 {p90:.3f} ms")


if __name__ == "__main__":
    main()
