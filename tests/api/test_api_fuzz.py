"""Property-based fuzzing of the service's own OpenAPI with schemathesis, authenticated: no 5xx on
any operation, every response matches its documented schema and status codes, and every error is
Atlas's envelope.

The default run is short (ATLAS_FUZZ_EXAMPLES, 15 per operation); `make fuzz` runs a longer pass.
Half of the generated flow_uuids are swapped for a real flow of the caller, so the fuzzer gets past
"no such flow" into the code that records batches, lists callbacks and erases flows.
"""

from __future__ import annotations

import itertools
import os
import socket
from collections import Counter
from typing import Any

import pytest
import schemathesis
from api_harness import run_api
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)


def documented_operations() -> list[tuple[str, str, GenerationMode]]:
    """(method, path, mode) for every operation in the app's OpenAPI document: valid inputs for all,
    invalid ones too where the operation takes any input at all."""
    import tempfile

    from atlasflow.api.app import create_app
    from atlasflow.config import Settings

    with tempfile.TemporaryDirectory() as tmp:
        paths = create_app(Settings(data_dir=tmp)).openapi()["paths"]
    out = []
    for path, item in paths.items():
        for method, op in item.items():
            out.append((method.upper(), path, GenerationMode.POSITIVE))
            if op.get("parameters") or op.get("requestBody"):
                out.append((method.upper(), path, GenerationMode.NEGATIVE))
    return sorted(out)


EXAMPLES = int(os.environ.get("ATLAS_FUZZ_EXAMPLES", "15"))
INIT = {
    "product_type": "PROD_CDL",
    "application_id": "APP-FUZZ",
    "auth_url": "http://127.0.0.9:9/auth",
    "callback_url": "http://127.0.0.9:9/cb",
}


@pytest.fixture(scope="module")
def no_dns():
    """Generated host names must not wait on a resolver: every name is unknown, at once."""
    real = socket.getaddrinfo

    def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(host, str) and host not in ("127.0.0.1", "localhost", "testserver"):
            try:
                socket.inet_pton(socket.AF_INET6 if ":" in host else socket.AF_INET, host)
            except OSError:
                raise socket.gaierror(socket.EAI_NONAME, "Name or service not known") from None
        return real(host, port, *args, **kwargs)

    socket.getaddrinfo = getaddrinfo
    yield
    socket.getaddrinfo = real


@pytest.fixture(scope="module")
def fuzz_api(tmp_path_factory, no_dns):
    gen = run_api(
        tmp_path_factory.mktemp("fuzz"), workers=False, max_open_flows_per_client=0, max_files_per_flow=0
    )
    api = next(gen)
    creds = api.new_client("fuzzer")
    headers = api.headers(creds)
    flows = [api.client.post("/v3/verification/flow/init", json=INIT, headers=headers).json()["flow_uuid"]]
    api.fuzz = {"headers": headers, "flows": flows, "creds": creds}
    yield api
    gen.close()


@pytest.fixture(scope="module")
def api_schema(fuzz_api):
    return schemathesis.openapi.from_asgi("/openapi.json", fuzz_api.client.app)


_turn = itertools.count()
# Operations are listed at collection time from the app's routes, so each gets its own test id.
_OPERATIONS = documented_operations()


def _printable(value: str) -> str:
    # The wire models require printable text, which the OpenAPI document cannot say as a pattern.
    return "".join(ch for ch in value if ch.isprintable())[:128] or "X"


def _use_real_flow(case: Any, flow_uuid: str) -> None:
    """Every other case: a real flow of the caller, a known product and reachable-looking URLs, so
    generated requests get past the first check into the code that records work."""
    if next(_turn) % 2:
        return
    if isinstance(case.query, dict) and "flow_uuid" in case.query:
        case.query["flow_uuid"] = flow_uuid
    body = case.body
    if not isinstance(body, dict):
        return
    if "flow_uuid" in body:
        body["flow_uuid"] = flow_uuid
    if "product_type" in body:
        body["product_type"] = "PROD_CDL"
    if isinstance(body.get("application_id"), str):
        body["application_id"] = _printable(body["application_id"])
    for name in ("auth_url", "callback_url"):
        if name in body:
            body[name] = f"http://127.0.0.9:9/{name}"
    files = body.get("file_urls")
    if isinstance(files, list):
        kept = [f for f in files if isinstance(f, dict)][:25]
        for i, item in enumerate(kept):
            item["file_url"] = f"http://127.0.0.9:9/file-{i}"
            item["document_id"] = f"{i}-{_printable(str(item.get('document_id', '')))}"[:128]
        body["file_urls"] = kept


def _error_envelope(ctx: Any, response: Any, case: Any) -> bool | None:
    """Every 4xx/5xx body is {"error_code": "<status>", "error_message": "<Category>: <detail>"}."""
    if response.status_code < 400:
        return None
    body = response.json()
    assert isinstance(body, dict) and set(body) == {"error_code", "error_message"}, body
    assert body["error_code"] == str(response.status_code), body
    category, sep, detail = body["error_message"].partition(": ")
    assert sep and category and detail, body
    assert "Traceback" not in body["error_message"]
    return True


@pytest.mark.parametrize(
    ("method", "path", "mode"), _OPERATIONS, ids=[f"{m} {p} {mode}" for m, p, mode in _OPERATIONS]
)
def test_no_operation_answers_5xx_or_breaks_its_documented_contract(method, path, mode, api_schema, fuzz_api):
    operation = api_schema[path][method]

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        derandomize=os.environ.get("ATLAS_FUZZ_RANDOM") != "1",
        database=None,
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def fuzz(case):
        call_and_check(case, fuzz_api)

    statuses: list[int] = []
    fuzz_api.fuzz["statuses"] = statuses
    fuzz()
    assert statuses  # the operation really was exercised (one case only for parameterless ones)
    print(f"fuzz {method} {path} {mode}: {len(statuses)} calls, statuses {dict(Counter(statuses))}")


def call_and_check(case, fuzz_api):
    _use_real_flow(case, fuzz_api.fuzz["flows"][0])
    headers = dict(fuzz_api.fuzz["headers"])
    if case.path == "/v3/verification/authtoken" and not (case.headers or {}).get("Client-Id"):
        creds = fuzz_api.fuzz["creds"]
        headers |= {"Client-Id": creds.client_id, "Client-Secret": creds.client_secret}
    # Erasing the shared flow would leave the rest of the run with nothing to find: give the
    # fuzzer its own flow to erase instead.
    shared = fuzz_api.fuzz["flows"][0]
    if (
        case.method.upper() == "DELETE"
        and isinstance(case.query, dict)
        and case.query.get("flow_uuid") == shared
    ):
        own = fuzz_api.client.post("/v3/verification/flow/init", json=INIT, headers=headers)
        case.query["flow_uuid"] = own.json()["flow_uuid"]
    response = case.call_and_validate(
        headers=headers,
        checks=[
            not_a_server_error,
            status_code_conformance,
            content_type_conformance,
            response_schema_conformance,
            _error_envelope,
        ],
    )
    fuzz_api.fuzz["statuses"].append(response.status_code)
    if os.environ.get("ATLAS_FUZZ_DEBUG") and response.status_code == 400:
        print("400", case.path, response.text[:150])
