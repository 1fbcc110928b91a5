"""Tokens and clients: issuing, refreshing once, expiry, forgery, revocation, rotation, isolation."""

from __future__ import annotations

import base64
from datetime import timedelta

import jwt
import pytest

from atlasflow.auth.keys import KEY_FILE_NAME, remove_key, rotate_key_file
from atlasflow.auth.tokens import issue_access_token
from atlasflow.storage import repository as repo
from atlasflow.storage.tables import ClientStatus

AUTH = "/v3/verification/authtoken"
REFRESH = "/v3/verification/refresh-token"
FLOWS = "/v3/verification/flows"


def message(r) -> str:
    return r.json()["error_message"]


def test_authtoken_issues_a_jwt_with_kid_and_a_refresh_token(api_only):
    creds = api_only.new_client()
    r = api_only.client.post(
        AUTH, headers={"Client-Id": creds.client_id, "Client-Secret": creds.client_secret}
    )
    assert r.status_code == 201
    body = r.json()
    assert set(body) == {"access_token", "expires_in", "refresh_token"} and body["expires_in"] == 3600
    header = jwt.get_unverified_header(body["access_token"])
    assert header["alg"] == "HS256" and header["kid"]
    assert api_only.client.get(FLOWS, headers={"Token": body["access_token"]}).status_code == 200
    assert (
        api_only.client.get(FLOWS, headers={"Authorization": f"Bearer {body['access_token']}"}).status_code
        == 200
    )


def test_authtoken_accepts_http_basic_too(api_only):
    creds = api_only.new_client()
    basic = base64.b64encode(f"{creds.client_id}:{creds.client_secret}".encode()).decode()
    assert api_only.client.post(AUTH, headers={"Authorization": f"Basic {basic}"}).status_code == 201


def test_wrong_or_missing_credentials(api_only):
    creds = api_only.new_client()
    r = api_only.client.post(AUTH, headers={"Client-Id": creds.client_id, "Client-Secret": "cs_wrong"})
    assert r.status_code == 401 and message(r) == "Unauthorized: Invalid client credentials"
    r = api_only.client.post(AUTH, headers={"Client-Id": "cli_nobody", "Client-Secret": creds.client_secret})
    assert r.status_code == 401
    r = api_only.client.post(AUTH, headers={"Client-Id": creds.client_id})
    assert (
        r.status_code == 400
        and message(r) == "Bad Request: Missing or empty required parameters: ['Client-Secret']"
    )


def test_refresh_token_works_once(api_only):
    creds = api_only.new_client()
    first = api_only.client.post(
        AUTH, headers={"Client-Id": creds.client_id, "Client-Secret": creds.client_secret}
    ).json()
    r = api_only.client.post(REFRESH, json={"refresh_token": first["refresh_token"]})
    assert r.status_code == 201
    second = r.json()
    assert second["refresh_token"] != first["refresh_token"]
    assert api_only.client.get(FLOWS, headers={"Token": second["access_token"]}).status_code == 200
    again = api_only.client.post(REFRESH, json={"refresh_token": first["refresh_token"]})
    assert again.status_code == 401 and "already used" in message(again)
    assert api_only.client.post(REFRESH, json={"refresh_token": "rt_forged"}).status_code == 401


@pytest.mark.parametrize(
    ("token", "reason"),
    [
        ("", "Token header is missing"),
        ("not-a-jwt", "malformed"),
        (
            jwt.encode(
                {"sub": "cli_x", "exp": 4102444800, "iat": 1, "iss": "atlasflow"},
                "another-key" * 4,
                algorithm="HS256",
                headers={"kid": "k1"},
            ),
            "not signed by this service",
        ),
        (
            jwt.encode({"sub": "cli_x", "exp": 4102444800}, None, algorithm="none"),
            "not signed by this service",
        ),
    ],
)
def test_missing_malformed_and_forged_tokens_are_401(api_only, token, reason):
    r = api_only.client.get(FLOWS, headers={"Token": token} if token else {})
    assert r.status_code == 401 and reason in message(r)


def test_a_token_signed_with_our_key_id_but_another_secret_is_401(api_only):
    ring = api_only.services.keys.ring()
    forged = jwt.encode(
        {"sub": "cli_x", "exp": 4102444800, "iat": 1, "iss": "atlasflow"},
        "x" * 40,
        algorithm="HS256",
        headers={"kid": ring.active_kid},
    )
    r = api_only.client.get(FLOWS, headers={"Token": forged})
    assert r.status_code == 401 and "not signed by this service" in message(r)


def test_an_expired_token_is_401(api_only):
    creds = api_only.new_client()
    old = issue_access_token(
        ring=api_only.services.keys.ring(),
        client_id=creds.client_id,
        ttl=60,
        now=repo.utcnow() - timedelta(hours=2),
    )
    r = api_only.client.get(FLOWS, headers={"Token": old})
    assert r.status_code == 401 and "expired" in message(r)


def test_disabling_a_client_stops_its_tokens_at_once(api_only):
    creds = api_only.new_client()
    headers = api_only.headers(creds)
    assert api_only.client.get(FLOWS, headers=headers).status_code == 200
    with api_only.services.db.write() as conn:
        repo.set_client_status(
            conn, client_id=creds.client_id, status=ClientStatus.DISABLED, now=repo.utcnow()
        )
    r = api_only.client.get(FLOWS, headers=headers)
    assert r.status_code == 401 and "revoked" in message(r)
    assert (
        api_only.client.post(
            AUTH, headers={"Client-Id": creds.client_id, "Client-Secret": creds.client_secret}
        ).status_code
        == 401
    )


def test_key_rotation_keeps_old_tokens_until_the_old_key_is_removed(api_only):
    creds = api_only.new_client()
    old_headers = api_only.headers(creds)
    key_file = api_only.settings.data_dir / KEY_FILE_NAME
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"
    old_kid = api_only.services.keys.ring().active_kid
    new_kid = rotate_key_file(key_file)
    api_only.services.keys._checked = 0.0  # skip the once-a-second re-read delay
    new_headers = api_only.headers(creds)
    assert jwt.get_unverified_header(new_headers["Token"])["kid"] == new_kid
    assert api_only.client.get(FLOWS, headers=old_headers).status_code == 200
    remove_key(key_file, old_kid)
    api_only.services.keys._checked = 0.0
    assert api_only.client.get(FLOWS, headers=old_headers).status_code == 401
    assert api_only.client.get(FLOWS, headers=new_headers).status_code == 200


def test_two_clients_cannot_see_each_others_flows(api_only):
    alice, bob = api_only.new_client("alice"), api_only.new_client("bob")
    ha, hb = api_only.headers(alice), api_only.headers(bob)
    init = {
        "product_type": "PROD_CDL",
        "application_id": "SHARED-APP",
        "auth_url": "http://127.0.0.1:9/a",
        "callback_url": "http://127.0.0.1:9/c",
    }
    flow_a = api_only.client.post("/v3/verification/flow/init", json=init, headers=ha).json()["flow_uuid"]
    for path in ("/v3/verification/status", "/v3/verification/extracts", "/v3/verification/callbacks"):
        r = api_only.client.get(path, params={"flow_uuid": flow_a}, headers=hb)
        assert r.status_code == 409, path
        assert api_only.client.get(path, params={"flow_uuid": flow_a}, headers=ha).status_code == 200
    r = api_only.client.post(
        "/v3/verification/multiupload",
        json={"flow_uuid": flow_a, "file_urls": [{"file_url": "http://127.0.0.1:9/x", "document_id": "1"}]},
        headers=hb,
    )
    assert r.status_code == 409
    assert (
        api_only.client.post(
            "/v3/verification/callbacks/redeliver", json={"flow_uuid": flow_a}, headers=hb
        ).status_code
        == 409
    )
    assert api_only.client.get(FLOWS, params={"application_id": "SHARED-APP"}, headers=hb).json() == {
        "flows": []
    }
    listed = api_only.client.get(FLOWS, params={"application_id": "SHARED-APP"}, headers=ha).json()["flows"]
    assert [f["flow_uuid"] for f in listed] == [flow_a]
    assert listed[0]["master_status"] == "NOT_STARTED"
