"""Memory of CSV uploads against a real server (loopback only): N parallel uploads of ~10 MB each.

Each client uploads its own CSV (six columns of measurements at six significant digits, ~10 MB),
retrying after Retry-After while the server's two parse slots are busy. The server's resident
memory (psutil) is sampled every 20 ms from before the first upload to after the last; the
figures are the RSS before, the peak, and the peak's growth over the uploaded bytes. Bounded in
time (--max-seconds).
"""

from __future__ import annotations

import argparse
import sys
import threading
import time
from pathlib import Path

import httpx
import numpy as np
import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.utils import running_server

MB = 2**20


def csv(seed: int, target_bytes: int) -> bytes:
    rows = target_bytes // 54  # ~54 bytes per line of six values
    values = np.random.default_rng(seed).standard_normal((rows, 6)) * [1, 10, 100, 1e3, 1e4, 1e5]
    return ("a,b,c,d,e,y\n" + "\n".join(",".join(f"{v:.6g}" for v in row) for row in values) + "\n").encode()


def upload(url: str, content: bytes, name: str, deadline: float, outcome: list[str]) -> None:
    with httpx.Client(base_url=url, timeout=120) as client:
        while time.monotonic() < deadline:
            answer = client.post("/api/datasets", files={"file": (name, content, "text/csv")})
            if answer.status_code == 429:
                outcome.append("429")
                time.sleep(float(answer.headers.get("retry-after", "1")))
                continue
            outcome.append(str(answer.status_code))
            return


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--mb", type=float, default=10.0, help="size of each CSV")
    parser.add_argument("--max-seconds", type=float, default=180)
    args = parser.parse_args()
    files = [csv(seed, int(args.mb * 10**6)) for seed in range(args.clients)]
    env = {"OPTLAB_WARM_UP": "false", "OPTLAB_MAX_BODY_BYTES": str(64 * MB), "OPTLAB_MAX_UPLOAD_BYTES": str(32 * MB)}
    with running_server(env) as (url, process):
        server = psutil.Process(process.pid)
        time.sleep(1.0)
        before = server.memory_info().rss
        peak, sampling = before, True

        def sample() -> None:
            nonlocal peak
            while sampling:
                peak = max(peak, server.memory_info().rss)
                time.sleep(0.02)

        sampler = threading.Thread(target=sample)
        sampler.start()
        outcome: list[str] = []
        deadline = time.monotonic() + args.max_seconds
        began = time.perf_counter()
        clients = [
            threading.Thread(target=upload, args=(url, content, f"m{i}.csv", deadline, outcome))
            for i, content in enumerate(files)
        ]
        for client in clients:
            client.start()
        for client in clients:
            client.join()
        seconds = time.perf_counter() - began
        sampling = False
        sampler.join()
        after = server.memory_info().rss
    total = sum(len(f) for f in files)
    print(f"{args.clients} parallel uploads of {total / args.clients / MB:.1f} MB each in {seconds:.1f} s")
    print(f"answers: {', '.join(sorted(set(outcome)))} ({outcome.count('429')} × 429 while two parses ran)")
    print(f"server RSS: before {before / MB:.0f} MB, peak {peak / MB:.0f} MB, after {after / MB:.0f} MB")
    print(f"peak growth {(peak - before) / MB:.0f} MB = {(peak - before) / (total / args.clients):.1f}× one file")
    print(f"kept afterwards: {(after - before) / MB:.0f} MB for {total / MB:.0f} MB of CSV")
    return 0


if __name__ == "__main__":
    sys.exit(main())
