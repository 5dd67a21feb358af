"""Benchmark: median time to render a typical calculation report (PDF bytes, nothing stored).

Run ``python bench/report.py [REPETITIONS]``. Prints the machine (platform, CPU count, Python,
reportlab), the load average from ``uptime`` before and after, and per design the page count,
size and median / p90 / max wall time of ``render_calc_report``, timed with ``time.perf_counter``
after one warm-up render (which registers the fonts). The inputs are real revisions designed by
the engine (tests/reports.py). The CPU time of the rendering thread is printed beside the wall
time: on a busy machine the wall time mostly measures the wait for a core, the CPU time what one
report costs. Target: a typical report under 300 ms. Not run as a test.
"""

from __future__ import annotations

import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import reportlab  # noqa: E402

from domain.reports import render_calc_report  # noqa: E402
from tests.reports import SINGLE_POLE, TWO_POLE_BASE_PLATE, report_input  # noqa: E402


def uptime() -> str:
    try:
        return subprocess.run(["uptime"], capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "load average: " + ", ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> None:
    repetitions = int(sys.argv[1]) if len(sys.argv) > 1 else 30
    print(
        f"machine: {platform.platform()} | {platform.processor() or platform.machine()} | "
        f"cpus={os.cpu_count()} | python {platform.python_version()} | reportlab {reportlab.Version}"
    )
    print(f"before: {uptime()}")
    print(f"repetitions per case: {repetitions} (perf_counter, after one warm-up render)")
    for name, design in (
        ("single pole, direct burial (typical)", SINGLE_POLE),
        ("two poles on base plates", TWO_POLE_BASE_PLATE),
    ):
        report = report_input(design)
        pdf = render_calc_report(report)
        pages = pdf.count(b"/Type /Page\n")
        samples, cpu = [], []
        for _ in range(repetitions):
            start, start_cpu = time.perf_counter(), time.thread_time()
            render_calc_report(report)
            samples.append(time.perf_counter() - start)
            cpu.append(time.thread_time() - start_cpu)
        median = statistics.median(samples) * 1e3
        p90 = statistics.quantiles(samples, n=10)[-1] * 1e3
        print(
            f"{name:38s} {pages:2d} pages {len(pdf) / 1024:5.0f} KiB   median {median:6.1f} ms   "
            f"p90 {p90:6.1f} ms   max {max(samples) * 1e3:6.1f} ms   "
            f"cpu median {statistics.median(cpu) * 1e3:6.1f} ms"
        )
    print(f"after:  {uptime()}")


if __name__ == "__main__":
    main()
