"""Bounded load on loopback against the embedded runtime; writes bench/reports/load.md.

    make bench-load            (or: .venv/bin/python bench/load.py --flows 200 --doc-seconds 1.0)

A fixed workload that stops by itself: `atlas serve --workers 2` (SQLite, blob folder) with the
engine in bench/load_engine.py (the product's real decode stage, then a CPU busy loop standing in
for OCR, ATLAS_LOAD_DOC_SECONDS per page); a local file server; a lender-side callback receiver.
FLOWS flows of 3 documents each start at once from a fixed pool of lender clients (one thread per
flow): flow/init, multiupload of 3 URLs, then a status poll every second until the flow is final.
Every 10th flow carries a decompression bomb and every 10th (offset) a 50-page PDF as its third
document, to show the engine's caps hold under load. While the workers are saturated, a burst of
AUTH_BURST authtoken calls goes in from 50 threads.

Reported: errors (any non-2xx or transport error), flows lost (not final by the deadline),
callbacks per result id, p50/p95/p99/max latency of status and multiupload while the document
queue was non-empty, the authtoken burst, and peak RSS (VmHWM) of the API process and each worker.
"""

from __future__ import annotations

import argparse
import io
import os
import platform
import struct
import sys
import tempfile
import threading
import time
import zlib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "api"))
sys.path.insert(0, str(ROOT / "tests" / "e2e"))

from atlas_testkit import FileServer, Receiver  # noqa: E402
from e2e_harness import AtlasServer  # noqa: E402

V3 = "/v3/verification"
CLIENTS = 20
AUTH_THREADS = 50


# ------------------------------------------------------------------------------------ documents


def page_jpeg(seed: int) -> bytes:
    from PIL import Image, ImageDraw

    im = Image.new("RGB", (1240, 1754), "white")  # A4 at 150 dpi, like a scanned invoice page
    draw = ImageDraw.Draw(im)
    for i in range(40):
        y = 80 + i * 40
        draw.text((80, y), f"SPECIMEN line {seed}-{i} " + "x" * (20 + (i * seed) % 40), fill="black")
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=85)
    return buf.getvalue()


def png_bomb(side: int = 30000) -> bytes:
    """A 1-bit PNG declaring side x side pixels (900 megapixels), ~100 KiB on the wire."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    row = b"\x00" * (1 + side // 8)
    z = zlib.compressobj(9)
    parts = [z.compress(row) for _ in range(side)] + [z.flush()]
    ihdr = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", b"".join(parts)) + chunk(b"IEND", b"")


def many_page_pdf(pages: int = 50) -> bytes:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument.new()
    for _ in range(pages):
        pdf.new_page(595, 842)
    buf = io.BytesIO()
    pdf.save(buf)
    return buf.getvalue()


# ------------------------------------------------------------------------------------ measurement


@dataclass
class Tally:
    lock: threading.Lock = field(default_factory=threading.Lock)
    status_ms: list[tuple[float, float]] = field(default_factory=list)  # (at, ms)
    upload_ms: list[tuple[float, float]] = field(default_factory=list)
    auth_ms: list[float] = field(default_factory=list)
    errors: Counter = field(default_factory=Counter)
    final: dict[str, tuple[float, dict]] = field(default_factory=dict)
    uploaded_at: dict[str, float] = field(default_factory=dict)

    def error(self, what: str) -> None:
        with self.lock:
            self.errors[what] += 1


def pct(xs: list[float], q: float) -> float:
    if not xs:
        return float("nan")
    s = sorted(xs)
    return s[min(len(s) - 1, round(q * (len(s) - 1)))]


def peak_rss_mib(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def descendants(root: int) -> list[tuple[int, str]]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        children.setdefault(ppid, []).append(int(entry.name))
    out, todo = [], list(children.get(root, []))
    while todo:
        pid = todo.pop()
        try:
            cmd = (Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()).strip()
        except OSError:
            continue
        out.append((pid, cmd))
        todo.extend(children.get(pid, []))
    return out


# ------------------------------------------------------------------------------------ the workload


def register_clients(data_dir: Path) -> list[dict]:
    """Lender clients straight in the server's database (what `atlas client create` does, minus
    a process start per client)."""
    from atlasflow.auth.clients import register_client
    from atlasflow.config import Settings
    from atlasflow.storage.db import Database

    db = Database(Settings(data_dir=data_dir).resolved_database_url)
    out = []
    for c in range(CLIENTS):
        issued = register_client(db, name=f"load-{c}")
        out.append({"client_id": issued.client_id, "client_secret": issued.client_secret})
    return out


def run_flow(
    i: int,
    http: httpx.Client,
    token: str,
    files: FileServer,
    receiver: Receiver,
    docs,
    tally: Tally,
    deadline: float,
) -> None:
    headers = {"Token": token}
    try:
        r = http.post(
            f"{V3}/flow/init",
            json={
                "product_type": "PROD_CDL",
                "application_id": f"LOAD-{i}",
                "auth_url": receiver.auth_url,
                "callback_url": receiver.callback_url,
            },
            headers=headers,
        )
        if r.status_code != 201:
            tally.error(f"flow/init {r.status_code}")
            return
        flow_uuid = r.json()["flow_uuid"]
        file_urls = [
            {"file_url": files.url(f"/d/{name}?f={i}"), "document_id": f"doc-{k}"}
            for k, name in enumerate(docs)
        ]
        started = time.perf_counter()
        r = http.post(
            f"{V3}/multiupload", json={"flow_uuid": flow_uuid, "file_urls": file_urls}, headers=headers
        )
        ms = (time.perf_counter() - started) * 1000
        with tally.lock:
            tally.upload_ms.append((time.monotonic(), ms))
            tally.uploaded_at[flow_uuid] = time.monotonic()
        if r.status_code != 201:
            tally.error(f"multiupload {r.status_code}")
            return
        while time.monotonic() < deadline:
            time.sleep(1.0)  # the lender's poll interval, not a wait for our own work
            started = time.perf_counter()
            try:
                r = http.get(f"{V3}/status", params={"flow_uuid": flow_uuid}, headers=headers)
            except httpx.HTTPError as exc:
                tally.error(f"status {type(exc).__name__}")
                continue
            ms = (time.perf_counter() - started) * 1000
            with tally.lock:
                tally.status_ms.append((time.monotonic(), ms))
            if r.status_code != 200:
                tally.error(f"status {r.status_code}")
                continue
            body = r.json()
            if body["master_status"] in ("SUCCESS", "FAILED"):
                with tally.lock:
                    tally.final[flow_uuid] = (time.monotonic(), body)
                return
    except httpx.HTTPError as exc:
        tally.error(f"transport {type(exc).__name__}")


def auth_burst(base_url: str, creds: list[dict], n: int, tally: Tally) -> float:
    per_thread = n // AUTH_THREADS

    def worker(t: int) -> None:
        with httpx.Client(base_url=base_url, timeout=30) as http:
            for k in range(per_thread):
                c = creds[(t * per_thread + k) % len(creds)]
                started = time.perf_counter()
                try:
                    r = http.post(
                        f"{V3}/authtoken",
                        headers={"Client-Id": c["client_id"], "Client-Secret": c["client_secret"]},
                    )
                except httpx.HTTPError as exc:
                    tally.error(f"authtoken {type(exc).__name__}")
                    continue
                with tally.lock:
                    tally.auth_ms.append((time.perf_counter() - started) * 1000)
                if r.status_code != 201:
                    tally.error(f"authtoken {r.status_code}")

    started = time.monotonic()
    threads = [threading.Thread(target=worker, args=(t,)) for t in range(AUTH_THREADS)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    return time.monotonic() - started


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--flows", type=int, default=200)
    ap.add_argument("--auth-burst", type=int, default=1000)
    ap.add_argument("--doc-seconds", type=float, default=1.0)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument(
        "--ramp", type=float, default=20.0, help="seconds over which the flows start (0: all at once)"
    )
    ap.add_argument(
        "--deadline", type=float, default=900.0, help="seconds before unfinished flows count as lost"
    )
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "reports" / "load.md")
    args = ap.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="atlas-load-"))
    files, receiver = FileServer().start(), Receiver().start()
    files.add("/d/page-a.jpg", page_jpeg(1))
    files.add("/d/page-b.jpg", page_jpeg(2))
    files.add("/d/page-c.jpg", page_jpeg(3))
    files.add("/d/bomb.png", png_bomb())
    files.add("/d/pages.pdf", many_page_pdf())
    env = {
        "ATLAS_ENGINE": "load_engine:process_document",
        "PYTHONPATH": os.pathsep.join([str(ROOT / "bench"), os.environ.get("PYTHONPATH", "")]),
        "ATLAS_LOAD_DOC_SECONDS": str(args.doc_seconds),
        "ATLAS_CALLBACK_SCHEDULE": "5,30,60",
        "ATLAS_POLL_INTERVAL": "0.5",
        "ATLAS_SWEEP_INTERVAL": "5",
        "ATLAS_LOG_LEVEL": "WARNING",
    }
    server = AtlasServer(tmp / "data", workers=args.workers, env=env).start()
    tally = Tally()
    try:
        creds = register_clients(tmp / "data")
        clients = []
        for c in creds:
            http = httpx.Client(base_url=server.base_url, timeout=30, limits=httpx.Limits(max_connections=64))
            r = http.post(
                f"{V3}/authtoken", headers={"Client-Id": c["client_id"], "Client-Secret": c["client_secret"]}
            )
            r.raise_for_status()
            clients.append((http, r.json()["access_token"]))
        plans = []
        for i in range(args.flows):
            third = "bomb.png" if i % 10 == 3 else "pages.pdf" if i % 10 == 7 else "page-c.jpg"
            plans.append((i, ["page-a.jpg", "page-b.jpg", third]))
        started = time.monotonic()
        deadline = started + args.deadline
        threads = [
            threading.Thread(
                target=run_flow,
                args=(i, *clients[i % CLIENTS], files, receiver, docs, tally, deadline),
                daemon=True,
            )
            for i, docs in plans
        ]
        for k, th in enumerate(threads):
            # Flows arrive over --ramp seconds (a lender's applications do not all land in the same
            # millisecond); every one is still in flight at once, the queue saturated after the first.
            if args.ramp > 0:
                time.sleep(max(0.0, started + args.ramp * k / len(threads) - time.monotonic()))
            th.start()
        # The burst goes in once every flow is recorded and the workers have a long queue ahead.
        while (
            len(tally.uploaded_at) + sum(tally.errors.values()) < args.flows and time.monotonic() < deadline
        ):
            time.sleep(0.2)
        burst_at = time.monotonic()
        burst_seconds = auth_burst(server.base_url, creds, args.auth_burst, tally)
        for th in threads:
            th.join(max(0.0, deadline - time.monotonic()) + 5)
        all_final_at = max((t for t, _ in tally.final.values()), default=time.monotonic())
        # Callbacks: wait (bounded) for one per final flow.
        wait_end = time.monotonic() + 60
        while time.monotonic() < wait_end and len(receiver.callbacks) < len(tally.final):
            time.sleep(0.5)
        time.sleep(3)  # a duplicate delivery, if any, would arrive now; counted below
        api_pid = server.process.pid
        procs = [(api_pid, "atlas serve (API + supervisor)")] + [
            (pid, "worker process (multiprocessing spawn)" if "spawn_main" in cmd else cmd[:60])
            for pid, cmd in descendants(api_pid)
            if "resource_tracker" not in cmd
        ]
        memory = [(pid, cmd, peak_rss_mib(pid)) for pid, cmd in procs]
        extracts = {}
        # Engine caps: read back the third document of the bomb and PDF flows.
        caps = Counter()
        for http, token in clients:
            r = http.get(f"{V3}/flows", params={"limit": 500}, headers={"Token": token})
            for f in r.json()["flows"]:
                x = http.get(
                    f"{V3}/extracts", params={"flow_uuid": f["flow_uuid"]}, headers={"Token": token}
                ).json()
                extracts[f["flow_uuid"]] = x
                for d in x["ocr_data"]:
                    caps[(d["error_code"], d["error_reason"][:60])] += 1
    finally:
        server.stop()
        files.stop()
        receiver.stop()

    per_webhook = Counter(c.headers.get("webhook-id") for c in receiver.callbacks)
    per_flow = Counter(c.json.get("flow_uuid") for c in receiver.callbacks)
    saturated = (min(tally.uploaded_at.values(), default=0), all_final_at)
    status_sat = [ms for at, ms in tally.status_ms if saturated[0] <= at <= saturated[1]]
    upload_sat = [ms for _, ms in tally.upload_ms]
    lost = args.flows - len(tally.final)
    docs_total = sum(len(x["ocr_data"]) for x in extracts.values())
    wall = all_final_at - started

    def row(name: str, xs: list[float]) -> str:
        return f"| {name} | {len(xs)} | {pct(xs, 0.5):.1f} | {pct(xs, 0.95):.1f} | {pct(xs, 0.99):.1f} | {max(xs, default=float('nan')):.1f} |"

    lines = [
        "# Load: 200 concurrent flows on the embedded runtime",
        "",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores (shared), Python {platform.python_version()}. "
        f"`python bench/load.py --flows {args.flows} --doc-seconds {args.doc_seconds} --workers {args.workers} --ramp {args.ramp:g}`.",
        "",
        f"Engine: **fake engine with realistic per-document time** (bench/load_engine.py): the product's real "
        f"decode stage (type sniffing, decompression-bomb and page-count caps), then a {args.doc_seconds:.1f} s "
        f"(wall clock) CPU busy loop per page standing in for OCR. The real engine would need ~{args.flows * 3 * 1.5 / args.workers / 60:.0f} "
        "min of OCR on this shared 2-core machine for this workload, too long to run alongside others' work.",
        "",
        f"Workload: {args.flows} flows x 3 documents from {CLIENTS} lender clients, one thread per flow, "
        f"started over {args.ramp:g} s "
        "(init, multiupload by URL from a loopback file server, status poll every 1 s until final); every "
        "10th flow's third document is a 900-megapixel PNG bomb, every 10th (offset) a 50-page PDF. "
        f"{args.auth_burst} authtoken calls from {AUTH_THREADS} threads while the workers were saturated. "
        f"Callbacks go to a loopback receiver (auth_url + signed POST).",
        "",
        "## Results",
        "",
        "| figure | target | measured |",
        "|---|---|---|",
        f"| errors (non-2xx or transport) | 0 | {sum(tally.errors.values())} {dict(tally.errors) if tally.errors else ''} |",
        f"| flows lost (not final in {args.deadline:.0f} s) | 0 | {lost} |",
        f"| flows final SUCCESS / FAILED | | {sum(1 for _, b in tally.final.values() if b['master_status'] == 'SUCCESS')} / {sum(1 for _, b in tally.final.values() if b['master_status'] == 'FAILED')} |",
        f"| callbacks: result ids delivered | {len(tally.final)} | {len(per_webhook)} |",
        f"| callbacks: result ids delivered more than once | 0 | {sum(1 for n in per_webhook.values() if n > 1)} |",
        f"| callbacks: flows with no callback | 0 | {sum(1 for f in tally.final if per_flow.get(f, 0) == 0)} |",
        f"| status p99 while workers saturated (ms) | < 250 | {pct(status_sat, 0.99):.1f} |",
        f"| multiupload p99 while workers saturated (ms) | < 250 | {pct(upload_sat, 0.99):.1f} |",
        f"| documents processed | {args.flows * 3} | {docs_total} |",
        f"| wall time, first upload to last flow final (s) | | {wall:.0f} |",
        f"| authtoken burst: calls / seconds / errors | {args.auth_burst} / - / 0 | {len(tally.auth_ms)} / {burst_seconds:.1f} / {sum(v for k, v in tally.errors.items() if k.startswith('authtoken'))} |",
        "",
        "## Latency (ms, measured at the client, loopback)",
        "",
        "| call | n | p50 | p95 | p99 | max |",
        "|---|---|---|---|---|---|",
        row("status (while saturated)", status_sat),
        row("multiupload", upload_sat),
        row("authtoken (burst)", tally.auth_ms),
        "",
        "## Engine caps under load (per document, all flows)",
        "",
        "| error_code | reason | documents |",
        "|---|---|---|",
        *[f"| {code or '(none)'} | {reason or '-'} | {n} |" for (code, reason), n in sorted(caps.items())],
        "",
        "## Peak memory (VmHWM)",
        "",
        "| process | peak RSS (MiB) |",
        "|---|---|",
        *[f"| {cmd} (pid {pid}) | {mib:.0f} |" for pid, cmd, mib in memory],
        "",
        f"The workers are one I/O worker (downloads, callbacks, sweep; it never imports the decode "
        f"stage, so it is the smallest) and {args.workers} document workers.",
        "",
        "Notes: latencies include the load generator's own scheduling (200 client threads in one Python "
        "process on the same 2 cores as the server and workers). The status figure covers every poll "
        f"between the first upload and the last flow's completion; the auth burst started {burst_at - started:.0f} s "
        "after the flows did.",
    ]
    args.out.write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
