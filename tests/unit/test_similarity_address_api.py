"""The Address Match API on the wire, with a fake credential check."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from atlasflow.similarity.address_api import get_credential_verifier, router

FULL = "D. No. 14-4-16, Anam Vari Street, Kapu Street, Abbai Reddy Complex, NELLORE. 524001"
SHORT = "D. No. 14-4-16, Anam Vari Street, Kapu Street, 524001"
HEADERS = {"client_id": "lender-1", "client_secret": "s3cret"}


@pytest.fixture
def client() -> Iterator[TestClient]:
    app = FastAPI()
    app.include_router(router)
    app.dependency_overrides[get_credential_verifier] = lambda: (
        lambda client_id, client_secret: (client_id, client_secret) == ("lender-1", "s3cret")
    )
    with TestClient(app) as test_client:
        yield test_client


def _body(*targets: object) -> dict[str, object]:
    return {"application_id": "APP-1", "source_address": FULL, "target_addresses": list(targets)}


def test_each_target_is_scored_in_input_order(client: TestClient) -> None:
    response = client.post(
        "/v1/address/match/batch",
        headers=HEADERS,
        json=_body(
            {"address": SHORT, "index": 7},
            {"address": FULL, "index": 3},
            {"address": "Flat 1002, Falcon Tower, Linking Road, Bandra West, Mumbai 400050", "index": 1},
        ),
    )
    assert response.status_code == 200
    data = response.json()["match_data"]
    assert [d["index"] for d in data] == [7, 3, 1]
    assert all(d["source_address"] == FULL and d["error_code"] == "" for d in data)
    assert data[0]["target_address"] == SHORT
    assert 50 <= data[0]["similarity_score"] <= 75  # SPEC: a building and the city left out
    assert data[0]["same_person_score"] >= 90  # ... but the same door number, street and PIN
    assert data[1]["similarity_score"] == 100 and data[1]["same_person_score"] == 100
    assert data[2]["similarity_score"] < 50 and data[2]["same_person_score"] < 50


def test_a_target_without_an_address_fails_inline(client: TestClient) -> None:
    response = client.post(
        "/v1/address/match/batch",
        headers=HEADERS,
        json=_body(
            {"address": "", "index": 0}, {"index": 1}, "not an object", {"address": SHORT, "index": 3}
        ),
    )
    assert response.status_code == 200
    data = response.json()["match_data"]
    assert [d["error_code"] for d in data] == ["INVALID_ADDRESS"] * 3 + [""]
    assert [d["similarity_score"] for d in data[:3]] == [None, None, None]
    assert [d["index"] for d in data] == [0, 1, 2, 3]
    assert data[3]["similarity_score"] is not None


def test_credentials_are_checked_by_the_injected_verifier(client: TestClient) -> None:
    body = _body({"address": SHORT, "index": 0})
    wrong = client.post("/v1/address/match/batch", headers={**HEADERS, "client_secret": "nope"}, json=body)
    assert wrong.status_code == 401
    assert wrong.json() == {"error_code": "401", "error_message": "Unauthorized: Invalid client credentials"}
    missing = client.post("/v1/address/match/batch", headers={"client_id": "lender-1"}, json=body)
    assert missing.status_code == 400
    assert (
        missing.json()["error_message"]
        == "Bad Request: Missing or empty required parameters: ['client_secret']"
    )


def test_without_an_override_every_request_is_refused() -> None:
    app = FastAPI()
    app.include_router(router)
    with TestClient(app) as bare:
        response = bare.post(
            "/v1/address/match/batch", headers=HEADERS, json=_body({"address": SHORT, "index": 0})
        )
    assert response.status_code == 401


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"application_id": "A", "target_addresses": [{"address": SHORT, "index": 0}]}, "['source_address']"),
        (
            {"application_id": "A", "source_address": "  ", "target_addresses": []},
            "['source_address', 'target_addresses']",
        ),
    ],
)
def test_a_missing_source_address_is_a_400(client: TestClient, body: dict[str, object], message: str) -> None:
    response = client.post("/v1/address/match/batch", headers=HEADERS, json=body)
    assert response.status_code == 400
    assert response.json() == {
        "error_code": "400",
        "error_message": f"Bad Request: Missing or empty required parameters: {message}",
    }


def test_a_body_that_is_not_json_is_a_400(client: TestClient) -> None:
    response = client.post(
        "/v1/address/match/batch", headers={**HEADERS, "content-type": "application/json"}, content=b"{nope"
    )
    assert response.status_code == 400
    assert response.json()["error_code"] == "400"
