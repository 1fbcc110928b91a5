"""Throughput of the two runtimes on this machine; writes bench/reports/throughput.md.

    make bench-throughput        (starts PostgreSQL, Redis and moto's S3 on loopback, then runs this)

The same workload for every setup: 60 synthetic documents (SPECIMEN renders, real OCR engine) in
20 flows of 3, uploaded in one burst through /upload, then polled until every flow is final.
Setups: the embedded runtime (`atlas serve --workers 2`, SQLite + blob folder), and the Celery
runtime (`atlas serve --no-workers` + `atlas beat` + 1 or 2 `atlas worker --concurrency 1`
processes over PostgreSQL, Redis and S3). Reported: documents/s over the whole burst, flow
latency p50/p90 (upload answered -> status final), the 2-worker/1-worker ratio (target >= 1.8
on 2 cores) and Celery's overhead against the embedded runtime with the same 2 document
processes (target <= 10 %).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
import zlib
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "api"))
sys.path.insert(0, str(ROOT / "tests" / "scale"))
sys.path.insert(0, str(ROOT / "tests" / "e2e"))

from atlas_testkit import Receiver, wait_until  # noqa: E402
from e2e_harness import AtlasServer  # noqa: E402
from scale_harness import Cluster, Lender  # noqa: E402

REAL_ENGINE = "atlasflow.pipeline.engine:process_document"


@dataclass(frozen=True)
class Run:
    name: str
    documents: int
    seconds: float
    latencies: list[float]

    @property
    def docs_per_s(self) -> float:
        return self.documents / self.seconds

    def pct(self, q: float) -> float:
        xs = sorted(self.latencies)
        return xs[min(len(xs) - 1, round(q * (len(xs) - 1)))]


def workload(out: Path, n_docs: int) -> list[tuple[str, bytes]]:
    from atlasflow.synth.dataset import generate_dataset

    cases = generate_dataset(out, seed=29, per_type=12, split="dev", degraded_share=0.0, distractors=0)
    docs = [(Path(c.path).name, Path(c.path).read_bytes()) for c in cases]
    # Interleave types so every flow mixes documents of different cost.
    docs.sort(key=lambda d: (zlib.crc32(d[0].encode()) % 7, d[0]))
    return docs[:n_docs]


def burst(lender: Lender, receiver: Receiver, docs: list[tuple[str, bytes]], per_flow: int, tag: str) -> Run:
    flows: list[tuple[str, float]] = []
    started = time.monotonic()
    for i in range(0, len(docs), per_flow):
        flow = lender.init_flow(receiver, f"BENCH-{tag}-{i}")
        chunk = docs[i : i + per_flow]
        upload(lender, flow, chunk)
        flows.append((flow, time.monotonic()))
    done: dict[str, float] = {}

    def all_final() -> bool:
        for flow, _ in flows:
            if flow in done:
                continue
            r = lender.status(flow)
            if r.status_code == 200 and r.json()["master_status"] in ("SUCCESS", "FAILED"):
                done[flow] = time.monotonic()
        return len(done) == len(flows)

    wait_until(all_final, timeout=900, interval=0.1, what=f"{tag} flows to finish")
    end = max(done.values())
    return Run(tag, len(docs), end - started, [done[f] - t for f, t in flows])


def upload(lender: Lender, flow: str, chunk: list[tuple[str, bytes]]) -> None:
    r = lender.call(
        "POST",
        "/v3/verification/upload",
        data={"flow_uuid": flow, "document_ids": json.dumps([f"d{j}" for j in range(len(chunk))])},
        files=[("files", (name, body, "application/octet-stream")) for name, body in chunk],
    )
    assert r.status_code == 201, r.text


def warm(lender: Lender, receiver: Receiver, docs: list[tuple[str, bytes]]) -> None:
    """One small flow first: every worker process has loaded its models before the clock starts."""
    flow = lender.init_flow(receiver, "BENCH-WARM")
    upload(lender, flow, docs[:4])
    lender.wait_final(flow, timeout=300)


def run_embedded(tmp: Path, receiver: Receiver, docs: list[tuple[str, bytes]], per_flow: int) -> Run:
    server = AtlasServer(
        tmp / "embedded" / "data", workers=2, env={"ATLAS_ENGINE": REAL_ENGINE, "ATLAS_LOG_LEVEL": "WARNING"}
    )
    for key in ("ATLAS_DATABASE_URL", "ATLAS_BROKER_URL", "ATLAS_BLOB_URL"):
        server.env.pop(key, None)
    server.start()
    try:
        creds = server.new_client("bench")
        lender = Lender(server, creds)  # type: ignore[arg-type]  # same base_url contract
        warm(lender, receiver, docs)
        return burst(lender, receiver, docs, per_flow, "embedded, 2 processes")
    finally:
        server.stop()


def run_celery(
    tmp: Path, receiver: Receiver, docs: list[tuple[str, bytes]], per_flow: int, workers: int
) -> Run:
    cluster = Cluster(tmp / f"celery{workers}", ATLAS_ENGINE=REAL_ENGINE, ATLAS_LOG_LEVEL="WARNING")
    try:
        cluster.start_api()
        for i in range(workers):
            cluster.start_worker(f"w{i}", concurrency=1)
        cluster.start_beat()
        lender = Lender(cluster, json.loads(cluster.cli("client", "create", "--name", "bench", "--json")))
        warm(lender, receiver, docs)
        return burst(
            lender, receiver, docs, per_flow, f"Celery, {workers} worker process{'es' if workers > 1 else ''}"
        )
    finally:
        cluster.stop()


def report(runs: list[Run], path: Path) -> str:
    emb, c1, c2 = runs
    ratio = c2.docs_per_s / c1.docs_per_s
    overhead = (emb.docs_per_s - c2.docs_per_s) / emb.docs_per_s * 100
    lines = [
        "# Throughput: embedded runtime vs Celery",
        "",
        f"Machine: {os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()}. "
        f"Workload: {emb.documents} synthetic documents (real OCR engine) in flows of 3, uploaded in one "
        "burst; latency = upload answered -> status final. Generated by `make bench-throughput` "
        "(bench/throughput.py).",
        "",
        "| setup | documents/s | burst time (s) | flow latency p50 (s) | p90 (s) |",
        "|---|---:|---:|---:|---:|",
    ]
    for r in runs:
        lines.append(
            f"| {r.name} | {r.docs_per_s:.2f} | {r.seconds:.1f} | {r.pct(0.5):.1f} | {r.pct(0.9):.1f} |"
        )
    lines += [
        "",
        f"- Celery 2 workers / 1 worker: **{ratio:.2f}x** (target >= 1.8 on 2 cores; "
        f"{'met' if ratio >= 1.8 else 'NOT met'}).",
        f"- Celery overhead against the embedded runtime, both with 2 document processes: "
        f"**{overhead:.1f} %** fewer documents/s (target <= 10 %; {'met' if overhead <= 10 else 'NOT met'}).",
        f"- Sizing: about **{c1.docs_per_s:.2f} documents/s per worker core** (one `--concurrency 1` "
        "process per core; OCR is CPU-bound, so add cores or machines, not concurrency per core).",
        "",
        "Both Celery runs include the API process, beat, PostgreSQL, Redis and the S3 server on the "
        "same 2 cores as the workers; the embedded run has only the API beside its workers.",
        "",
    ]
    text = "\n".join(lines)
    path.write_text(text)
    return text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=60)
    parser.add_argument("--per-flow", type=int, default=3)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "reports" / "throughput.md")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="atlas-bench-") as tmp_name:
        tmp = Path(tmp_name)
        docs = workload(tmp / "docs", args.documents)
        receiver = Receiver().start()
        try:
            runs = [
                run_embedded(tmp, receiver, docs, args.per_flow),
                run_celery(tmp, receiver, docs, args.per_flow, 1),
                run_celery(tmp, receiver, docs, args.per_flow, 2),
            ]
        finally:
            receiver.stop()
    print(report(runs, args.out))


if __name__ == "__main__":
    main()
