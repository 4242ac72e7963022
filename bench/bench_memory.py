"""Memory: 1,000 training jobs back to back against a real server (loopback only), with the server's RSS.

Each job is the book's experiment made small (airfoil, batch 10, 2 epochs, AdaGrad and RMSProp): it is
submitted, followed on its event stream to its ``end``, and stored in the run history. The server's
resident memory is read (psutil) after every job and printed every 100 jobs and at the end.

The server keeps the newest ``max_kept_jobs`` (200) finished jobs in memory with their events, so RSS
may rise over the first 200 jobs by design; after that it must stay flat. The verdict compares the
first 200 jobs with the last 200, and the RSS at job 200 with the RSS at the end. Bounded in jobs
(--jobs) and time (--max-seconds).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import httpx
import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.utils import running_server

JOB = {
    "dataset": "airfoil",
    "batch_size": 10,
    "epochs": 2,
    "device": "cpu",
    "runs": [{"optimizer": "adagrad"}, {"optimizer": "rmsprop"}],
}
WINDOW = 200  # jobs compared at each end; also the server's default max_kept_jobs
MB = 2**20


def one_job(client: httpx.Client) -> None:
    created = client.post("/api/jobs", json=JOB)
    created.raise_for_status()
    events = client.get(created.json()["events"])  # the stream ends after the job's end event
    events.raise_for_status()
    if "event: end" not in events.text or '"status":"done"' not in events.text.replace(" ", ""):
        raise RuntimeError(f"job {created.json()['id']} did not end done")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=1000)
    parser.add_argument("--max-seconds", type=float, default=240.0)
    args = parser.parse_args()
    jobs = max(2 * WINDOW, min(args.jobs, 10_000))

    with running_server() as (url, process), httpx.Client(base_url=url, timeout=60) as client:
        server = psutil.Process(process.pid)
        start_rss = server.memory_info().rss
        print(
            f"server pid {process.pid}, RSS at start {start_rss / MB:.1f} MB; {jobs} jobs: {JOB['dataset']}, "
            f"batch {JOB['batch_size']}, {JOB['epochs']} epochs, 2 runs each"
        )
        rss: list[int] = []
        began = time.perf_counter()
        for k in range(1, jobs + 1):
            one_job(client)
            rss.append(server.memory_info().rss)
            if k % 100 == 0:
                elapsed = time.perf_counter() - began
                rate = k / elapsed
                print(f"  after {k:5d} jobs: RSS {rss[-1] / MB:7.1f} MB   ({elapsed:5.1f} s, {rate:5.1f} jobs/s)")
            if time.perf_counter() - began > args.max_seconds:
                print(f"  stopped at the time limit ({args.max_seconds:.0f} s) after {k} jobs")
                break
        elapsed = time.perf_counter() - began
        stats = client.get("/api/debug/stats").json()
        stored = client.get("/api/runs", params={"kind": "training", "limit": 1}).json()["total"]

    done = len(rss)
    print(f"{done} jobs in {elapsed:.1f} s ({done / elapsed:.1f} jobs/s, {1000 * elapsed / done:.1f} ms per job)")
    print(
        f"stored in the run history: {stored}; kept in memory: {stats['jobs']['jobs']}; "
        f"subscribers left: {stats['jobs']['subscribers']}; threads: {stats['threads']['total']}"
    )
    if done < 2 * WINDOW:
        print("too few jobs for a verdict")
        return 0
    first, last = rss[:WINDOW], rss[-WINDOW:]
    at_window, at_end = rss[WINDOW - 1], rss[-1]
    growth = at_end - at_window
    per_job = growth / (done - WINDOW)
    print(f"RSS, jobs 1-{WINDOW}: mean {statistics.mean(first) / MB:.1f} MB, max {max(first) / MB:.1f} MB")
    print(
        f"RSS, jobs {done - WINDOW + 1}-{done}: mean {statistics.mean(last) / MB:.1f} MB, max {max(last) / MB:.1f} MB"
    )
    print(
        f"RSS at job {WINDOW}: {at_window / MB:.1f} MB; at job {done}: {at_end / MB:.1f} MB; "
        f"change {growth / MB:+.1f} MB ({100 * growth / at_window:+.1f}%, {per_job / 1024:+.2f} KB per job)"
    )
    bounded = growth < 0.10 * at_window and statistics.mean(last) < 1.10 * statistics.mean(first) + 20 * MB
    print("verdict:", "bounded" if bounded else "GROWING")
    return 0  # a figure, not a test (make bench runs every script)


if __name__ == "__main__":
    raise SystemExit(main())
