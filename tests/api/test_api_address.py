"""The address-match API is mounted on the service and checks credentials against our clients."""

from __future__ import annotations

import pytest

from atlasflow.storage import repository as repo
from atlasflow.storage.tables import ClientStatus

pytest.importorskip("atlasflow.similarity.address_api")

PATH = "/v1/address/match/batch"
BODY = {
    "application_id": "APP-ADDR",
    "source_address": "D. No. 14-4-16, Anam Vari Street, Kapu Street, Abbai Reddy Complex, NELLORE. 524001",
    "target_addresses": [{"address": "D. No. 14-4-16, Anam Vari Street, Kapu Street, 524001", "index": 0}],
}


def test_address_match_accepts_a_clients_credentials_and_refuses_others(api_only):
    creds = api_only.new_client()
    good = {"client_id": creds.client_id, "client_secret": creds.client_secret}
    r = api_only.client.post(PATH, json=BODY, headers=good)
    assert r.status_code == 200, r.text
    match = r.json()["match_data"][0]
    assert match["index"] == 0 and 0 <= match["similarity_score"] <= 100
    r = api_only.client.post(PATH, json=BODY, headers={**good, "client_secret": "cs_wrong"})
    assert r.status_code == 401 and r.json()["error_code"] == "401"
    with api_only.services.db.write() as conn:
        repo.set_client_status(
            conn, client_id=creds.client_id, status=ClientStatus.DISABLED, now=repo.utcnow()
        )
    assert api_only.client.post(PATH, json=BODY, headers=good).status_code == 401
