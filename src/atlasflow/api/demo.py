"""`atlas demo`: a demo client, synthetic sample documents on a local file server that also plays
the lender (auth_url + callback_url), and a copy-paste curl walk-through. For trying it out only:
the loopback egress allowance it needs is set for the demo process and nowhere else."""

from __future__ import annotations

import json
import os
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from rich.console import Console

from atlasflow.auth.clients import register_client
from atlasflow.storage import repository as repo
from atlasflow.storage.db import Database

CLIENT_FILE = "demo_client.json"
SAMPLES_DIR = "demo_samples"
_TYPES = {".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png", ".pdf": "application/pdf"}


def ensure_demo_client(db: Database, data_dir: Path) -> dict[str, str]:
    """The demo client's credentials: created on first start, kept (0600) for later starts."""
    path = data_dir / CLIENT_FILE
    if path.exists():
        creds = json.loads(path.read_text())
        with db.read() as conn:
            if repo.get_client(conn, client_id=creds["client_id"]) is not None:
                return creds
    issued = register_client(db, name="demo")
    creds = {
        "client_id": issued.client_id,
        "client_secret": issued.client_secret,
        "webhook_secret": issued.webhook_secret,
    }
    data_dir.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        json.dump(creds, fh, indent=2)
    return creds


@dataclass(frozen=True, slots=True)
class Sample:
    name: str
    document_type: str


def ensure_samples(folder: Path) -> list[Sample]:
    """One synthetic (SPECIMEN) document per type plus one distractor, generated once."""
    index = folder / "index.json"
    if not index.exists():
        from atlasflow.synth.dataset import generate_dataset

        folder.mkdir(parents=True, exist_ok=True)
        cases = generate_dataset(
            folder, seed=2024, per_type=1, split="dev", degraded_share=0.0, distractors=1
        )
        samples = [{"name": Path(c.path).name, "document_type": str(c.document_type)} for c in cases]
        index.write_text(json.dumps(samples, indent=2))
    return [Sample(**s) for s in json.loads(index.read_text())]


class DemoSite:
    """Serves the samples and stands in for the lender: POST /auth gives a token, POST /callback
    prints what arrived."""

    def __init__(self, *, folder: Path, port: int, console: Console) -> None:
        site = self
        self.folder = folder
        self.console = console

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _send(self, status: int, body: bytes, content_type: str) -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self) -> None:  # noqa: N802
                name = self.path.split("?")[0].removeprefix("/samples/")
                path = (site.folder / name).resolve()
                if "/" in name or path.parent != site.folder.resolve() or not path.is_file():
                    self._send(404, b"not found", "text/plain")
                    return
                self._send(
                    200, path.read_bytes(), _TYPES.get(path.suffix.lower(), "application/octet-stream")
                )

            def do_POST(self) -> None:  # noqa: N802
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                if self.path == "/auth":
                    self._send(
                        200,
                        json.dumps({"access_token": "demo-token", "expires_in": 3600}).encode(),
                        "application/json",
                    )
                    return
                if self.path == "/callback":
                    try:
                        data = json.loads(body)
                        site.console.print(
                            f"[bold green]callback received[/] flow {data.get('flow_uuid')}: "
                            f"{len(data.get('ocr_data', []))} documents, {len(data.get('cross_checks', []))} cross-checks "
                            f"(webhook-id {self.headers.get('webhook-id')})"
                        )
                    except ValueError:
                        site.console.print("[red]callback with a body that is not JSON[/]")
                    self._send(200, b'{"ok": true}', "application/json")
                    return
                self._send(404, b"not found", "text/plain")

        self._httpd = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self._httpd.daemon_threads = True
        self.port = self._httpd.server_address[1]
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="demo-site", daemon=True)

    def start(self) -> DemoSite:
        self._thread.start()
        return self

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"


def walkthrough(*, api: str, site: DemoSite, creds: dict[str, str], samples: list[Sample]) -> str:
    file_urls = ",\n      ".join(
        f'{{"file_url": "{site.url("/samples/" + s.name)}", "document_id": "{i + 1}"}}'
        for i, s in enumerate(samples)
    )
    return f"""
atlasflow demo — API on {api}, sample documents and a stand-in lender on {site.url("/")}
OpenAPI docs: {api}/docs

## demo client (also in data/{CLIENT_FILE}):
  client_id      {creds["client_id"]}
  client_secret  {creds["client_secret"]}
  webhook_secret {creds["webhook_secret"]}

## 1. token
TOKEN=$(curl -s -X POST {api}/v3/verification/authtoken \\
  -H "Client-Id: {creds["client_id"]}" -H "Client-Secret: {creds["client_secret"]}" \\
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')

## 2. start a flow
FLOW=$(curl -s -X POST {api}/v3/verification/flow/init -H "Token: $TOKEN" -H "Content-Type: application/json" \\
  -d '{{"product_type": "PROD_CDL", "application_id": "DEMO-1", "auth_url": "{site.url("/auth")}",
       "callback_url": "{site.url("/callback")}", "flow_params": {{"source": "demo"}}}}' \\
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["flow_uuid"])')

## 3. upload the sample documents
curl -s -X POST {api}/v3/verification/multiupload -H "Token: $TOKEN" -H "Content-Type: application/json" \\
  -d '{{"flow_uuid": "'$FLOW'", "file_urls": [
      {file_urls}]}}'

## 4. poll, then read the results (the callback also arrives here in the console)
curl -s "{api}/v3/verification/status?flow_uuid=$FLOW" -H "Token: $TOKEN"
curl -s "{api}/v3/verification/extracts?flow_uuid=$FLOW" -H "Token: $TOKEN" | python3 -m json.tool
curl -s "{api}/v3/verification/callbacks?flow_uuid=$FLOW" -H "Token: $TOKEN" | python3 -m json.tool
"""
