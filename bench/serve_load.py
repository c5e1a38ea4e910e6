"""Load on ``autograder serve``: 50 concurrent clients upload 200 Week 1 notebooks while the
service grades them on ``--jobs 2``; prints the p50/p95 latency of page loads and status
polls made while grading runs (target: p95 under 200 ms), and whether every upload got
exactly one result.

    .venv/bin/python bench/serve_load.py [--clients 50] [--uploads 200] [--jobs 2]

The class hands in the bundled Week 1 examples, each made new for this run (a comment with
a run id in its first exercise cell), so the service grades each distinct notebook once and
gives its twins the same result, as it would for a class with many identical submissions.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from serve_server import WEEK1, Server  # noqa: E402

from autograder.serve import auth  # noqa: E402
from autograder.serve.store import DONE, Store  # noqa: E402

POLL = 2.0  # seconds between a page's looks at its submissions (as static/app.js)
RELOADS = 0.25  # besides, a student reloads the page now and then
EXAMPLES = ("correct", "integer_arrays", "raises_exception", "unscaled_prices",
            "untouched_release", "wrong_architecture")


def variants(run_id: str, distinct: int) -> list[bytes]:
    """The first ``distinct`` examples, each with this run's id in a comment of its first
    graded cell."""
    made = []
    for name in EXAMPLES[:distinct]:
        nb = json.loads((WEEK1 / f"{name}.ipynb").read_text(encoding="utf-8"))
        for cell in nb["cells"]:
            source = "".join(cell["source"])
            if cell["cell_type"] == "code" and "GRADED" in source:
                cell["source"] = source + f"\n# run {run_id}\n"
                break
        made.append(json.dumps(nb).encode())
    return made


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0-100) of values, in milliseconds."""
    ordered = sorted(values)
    return 1000 * ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


async def client(url: str, token: str, uploads: list[bytes], pages: list[float],
                 polls: list[float], posts: list[float], ids: list[str]) -> None:
    """One student: upload, then follow the submissions as the page does, until done."""
    headers = {"authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=url, headers=headers, timeout=60) as c:
        mine = []
        for data in uploads:
            start = time.perf_counter()
            answer = await c.post("/api/submissions", data={"assignment": "week1"},
                                  files={"notebook": ("week1.ipynb", data)})
            posts.append(time.perf_counter() - start)
            answer.raise_for_status()
            mine.append(answer.json()["id"])
        ids.extend(mine)
        waiting = set(mine)
        while waiting:  # as the student's page does: its history every 2 s, then a reload
            await asyncio.sleep(POLL)
            start = time.perf_counter()
            views = (await c.get("/api/submissions")).json()
            polls.append(time.perf_counter() - start)
            done = {v["id"] for v in views if v["status"] == "done"} & waiting
            waiting -= done
            if done or random.random() < RELOADS:
                start = time.perf_counter()
                (await c.get("/me", headers={"accept": "text/html"})).raise_for_status()
                pages.append(time.perf_counter() - start)


async def load(url: str, tokens: list[str], uploads: int, notebooks: list[bytes]
               ) -> dict[str, list[Any]]:
    """Every client at once; the latencies measured."""
    pages: list[float] = []
    polls: list[float] = []
    posts: list[float] = []
    ids: list[str] = []
    per_client = [[notebooks[(i + k) % len(notebooks)]
                   for k in range(uploads // len(tokens) + (i < uploads % len(tokens)))]
                  for i in range(len(tokens))]
    await asyncio.gather(*(client(url, t, u, pages, polls, posts, ids)
                           for t, u in zip(tokens, per_client, strict=True)))
    return {"pages": pages, "polls": polls, "posts": posts, "ids": ids}


def main() -> int:
    """Run the benchmark and print (and save) its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--uploads", type=int, default=200)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--distinct", type=int, default=len(EXAMPLES), choices=range(1, 7),
                        help="how many different notebooks the class hands in (default: 6)")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" /
                        "serve_load.json")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="serve-load-") as tmp:
        data = Path(tmp) / "data"
        store = Store(data)
        tokens = [auth.add_person(store, f"student{i:02d}") for i in range(args.clients)]
        server = Server(data, "--jobs", str(args.jobs), "--uploads-per-minute", "1000",
                        ).start()
        started = time.monotonic()
        try:
            found = asyncio.run(load(server.url, tokens, args.uploads,
                                     variants(secrets.token_hex(4), args.distinct)))
        finally:
            server.stop()
        wall = time.monotonic() - started
        jobs = store.jobs()
        graded = [j for j in jobs if j.status == DONE and j.result]
        once = (len(jobs) == args.uploads and len(graded) == len(jobs)
                and sorted(found["ids"]) == sorted(j.id for j in jobs)
                and all(j.attempts == 1 for j in jobs))
        fresh = sum(not json.loads(j.result or "{}").get("cached") for j in graded)
    figures = {
        "clients": args.clients, "uploads": args.uploads, "jobs": args.jobs,
        "distinct": args.distinct,
        "seconds": round(wall, 1), "graded_fresh": fresh,
        "page_loads": len(found["pages"]),
        "page_p50_ms": round(percentile(found["pages"], 50), 1),
        "page_p95_ms": round(percentile(found["pages"], 95), 1),
        "poll_p50_ms": round(percentile(found["polls"], 50), 1),
        "poll_p95_ms": round(percentile(found["polls"], 95), 1),
        "upload_p50_ms": round(percentile(found["posts"], 50), 1),
        "upload_p95_ms": round(percentile(found["posts"], 95), 1),
        "every_upload_one_result": once,
        "mean_page_ms": round(1000 * statistics.mean(found["pages"]), 1),
    }
    print(f"{args.uploads} uploads from {args.clients} clients, grading on --jobs {args.jobs}: "
          f"{wall:.0f} s, {fresh} notebooks graded afresh, the rest their twins' results")
    print(f"page loads during grading: {len(found['pages'])}, p50 {figures['page_p50_ms']} ms,"
          f" p95 {figures['page_p95_ms']} ms (target: p95 under 200 ms)")
    print(f"status polls: p50 {figures['poll_p50_ms']} ms, p95 {figures['poll_p95_ms']} ms; "
          f"uploads: p50 {figures['upload_p50_ms']} ms, p95 {figures['upload_p95_ms']} ms")
    print(f"every upload got exactly one result: {'yes' if once else 'NO'}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(figures, indent=1) + "\n", encoding="utf-8")
    return 0 if once else 1


if __name__ == "__main__":
    sys.exit(main())
