"""Bad input gets Atlas's error envelope with the right status and a message naming the problem."""

from __future__ import annotations

import json

import pytest

INIT = "/v3/verification/flow/init"
UPLOAD = "/v3/verification/multiupload"


def assert_envelope(response, status: int, *fragments: str) -> str:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error_code", "error_message"}, body
    assert body["error_code"] == str(status)
    for fragment in fragments:
        assert fragment in body["error_message"], body["error_message"]
    return body["error_message"]


@pytest.fixture
def lender(api_only):
    creds = api_only.new_client()
    return api_only, api_only.headers(creds)


def init_body(**overrides):
    body = {
        "product_type": "PROD_CDL",
        "application_id": "APP-1",
        "auth_url": "http://127.0.0.1:9/auth",
        "callback_url": "http://127.0.0.1:9/callback",
    }
    body.update(overrides)
    return {k: v for k, v in body.items() if v is not None}


@pytest.fixture
def flow(lender):
    api, headers = lender
    r = api.client.post(INIT, json=init_body(), headers=headers)
    assert r.status_code == 201
    return r.json()["flow_uuid"]


def test_body_that_is_not_json_is_400(lender):
    api, headers = lender
    r = api.client.post(
        INIT, content=b"{product_type: PROD_CDL", headers={**headers, "Content-Type": "application/json"}
    )
    assert_envelope(r, 400, "Bad Request: ", "not valid JSON")


def test_a_json_body_sent_with_a_form_content_type_is_still_read(lender):
    api, headers = lender
    r = api.client.post(
        INIT,
        content=json.dumps(init_body()),
        headers={**headers, "Content-Type": "application/x-www-form-urlencoded"},
    )
    assert r.status_code == 201, r.text
    r = api.client.post(
        INIT, content=b"product_type=PROD_CDL", headers={**headers, "Content-Type": "text/plain"}
    )
    assert_envelope(r, 400, "not valid JSON")


def test_json_that_is_not_an_object_is_400(lender):
    api, headers = lender
    assert_envelope(api.client.post(INIT, json=["PROD_CDL"], headers=headers), 400, "JSON object")


def test_missing_and_empty_fields_are_named(lender):
    api, headers = lender
    r = api.client.post(INIT, json=init_body(auth_url="", callback_url=None), headers=headers)
    message = assert_envelope(r, 400)
    assert message == "Bad Request: Missing or empty required parameters: ['auth_url', 'callback_url']"
    r = api.client.post(INIT, json={}, headers=headers)
    assert_envelope(r, 400, "['product_type', 'application_id', 'auth_url', 'callback_url']")
    r = api.client.post(INIT, content=b"", headers=headers)
    assert_envelope(r, 400, "Missing or empty required parameters", "product_type")


def test_missing_flow_uuid_query_is_named(lender):
    api, headers = lender
    for params in ({}, {"flow_uuid": ""}):
        r = api.client.get("/v3/verification/status", params=params, headers=headers)
        assert r.json()["error_message"] == "Bad Request: Missing or empty required parameters: ['flow_uuid']"
        assert r.status_code == 400


def test_wrong_types_are_400_naming_the_parameter(lender, flow):
    api, headers = lender
    r = api.client.post(INIT, json=init_body(application_id=12345), headers=headers)
    assert_envelope(r, 400, "application_id")
    r = api.client.post(INIT, json=init_body(flow_params=["not", "an", "object"]), headers=headers)
    assert_envelope(r, 400, "flow_params")
    r = api.client.post(UPLOAD, json={"flow_uuid": flow, "file_urls": "http://x/y.jpg"}, headers=headers)
    assert_envelope(r, 400, "file_urls")
    r = api.client.post(
        UPLOAD, json={"flow_uuid": flow, "file_urls": [{"file_url": 7, "document_id": "1"}]}, headers=headers
    )
    assert_envelope(r, 400, "file_urls[0].file_url")


def test_out_of_range_values_are_400(lender):
    api, headers = lender
    assert_envelope(
        api.client.post(INIT, json=init_body(application_id="x" * 129), headers=headers),
        400,
        "application_id",
    )
    big = {"blob": "x" * (17 * 1024)}
    assert_envelope(
        api.client.post(INIT, json=init_body(flow_params=big), headers=headers), 400, "flow_params", "16 KiB"
    )


def test_unknown_product_type_is_400_and_the_alias_is_accepted(lender):
    api, headers = lender
    assert_envelope(
        api.client.post(INIT, json=init_body(product_type="PROD_HL"), headers=headers), 400, "product_type"
    )
    assert api.client.post(INIT, json=init_body(product_type="POC_CDL"), headers=headers).status_code == 201


@pytest.mark.parametrize(
    "url",
    [
        "http://169.254.169.254/latest/meta-data",
        "http://10.1.2.3/callback",
        "http://[fd00:ec2::254]/x",
        "http://0x7f000001/",
    ],
)
def test_callback_url_the_egress_policy_refuses_is_422(tmp_path, url):
    from api_harness import run_api

    gen = run_api(tmp_path, workers=False, egress_allow="")
    api = next(gen)
    try:
        headers = api.headers(api.new_client())
        r = api.client.post(
            INIT, json=init_body(callback_url=url, auth_url="http://93.184.215.14/auth"), headers=headers
        )
        assert_envelope(r, 422, "Unprocessable Entity: callback_url is not allowed")
    finally:
        gen.close()


def test_malformed_callback_url_is_400(lender):
    api, headers = lender
    assert_envelope(
        api.client.post(INIT, json=init_body(callback_url="not a url"), headers=headers), 400, "callback_url"
    )
    assert_envelope(
        api.client.post(INIT, json=init_body(auth_url="ftp://x/y"), headers=headers), 400, "auth_url", "ftp"
    )


def test_more_than_25_files_is_400(lender, flow):
    api, headers = lender
    urls = [{"file_url": f"http://127.0.0.1:9/{i}.jpg", "document_id": str(i)} for i in range(26)]
    assert_envelope(
        api.client.post(UPLOAD, json={"flow_uuid": flow, "file_urls": urls}, headers=headers), 400, "26", "25"
    )


def test_duplicate_document_id_in_a_call_or_in_the_flow_is_400(lender, flow):
    api, headers = lender
    urls = [
        {"file_url": "http://127.0.0.1:9/a.jpg", "document_id": "7"},
        {"file_url": "http://127.0.0.1:9/b.jpg", "document_id": "7"},
    ]
    assert_envelope(
        api.client.post(UPLOAD, json={"flow_uuid": flow, "file_urls": urls}, headers=headers),
        400,
        "Duplicate",
        "'7'",
    )
    assert (
        api.client.post(UPLOAD, json={"flow_uuid": flow, "file_urls": urls[:1]}, headers=headers).status_code
        == 201
    )
    r = api.client.post(UPLOAD, json={"flow_uuid": flow, "file_urls": urls[1:]}, headers=headers)
    assert_envelope(r, 400, "already used", "'7'")


@pytest.mark.parametrize(
    "url", ["file:///etc/passwd", "ftp://files.example.com/a.jpg", "gopher://127.0.0.1:70/_x", "not-a-url"]
)
def test_non_http_file_urls_are_400_at_multiupload(lender, flow, url):
    api, headers = lender
    r = api.client.post(
        UPLOAD,
        json={"flow_uuid": flow, "file_urls": [{"file_url": url, "document_id": "1"}]},
        headers=headers,
    )
    assert_envelope(r, 400, "file_url", "'1'")


def test_a_5_mb_body_is_413_before_parsing(lender, flow):
    api, headers = lender
    body = json.dumps({"flow_uuid": flow, "file_urls": [], "pad": "x" * (5 * 1024 * 1024)})
    r = api.client.post(UPLOAD, content=body, headers={**headers, "Content-Type": "application/json"})
    assert_envelope(r, 413, "Payload Too Large", "1 MiB")


def test_a_chunked_body_over_the_limit_is_413(lender, flow):
    api, headers = lender

    def chunks():
        for _ in range(40):
            yield b"x" * 65536

    r = api.client.post(UPLOAD, content=chunks(), headers={**headers, "Content-Type": "application/json"})
    assert_envelope(r, 413)


def test_unknown_flow_is_409(lender):
    api, headers = lender
    for path in ("/v3/verification/status", "/v3/verification/extracts", "/v3/verification/callbacks"):
        r = api.client.get(
            path, params={"flow_uuid": "0b5e1f39-5d5a-4c1e-9a57-5e1d2b1c0a11"}, headers=headers
        )
        assert_envelope(r, 409, "Conflict")
    r = api.client.post(
        UPLOAD,
        json={"flow_uuid": "nope", "file_urls": [{"file_url": "http://127.0.0.1:9/a", "document_id": "1"}]},
        headers=headers,
    )
    assert_envelope(r, 409)


def test_unknown_route_and_wrong_method_use_the_envelope(lender):
    api, headers = lender
    assert_envelope(api.client.get("/v3/verification/nothing-here", headers=headers), 404, "Not Found")
    assert_envelope(api.client.get(INIT, headers=headers), 405, "Method Not Allowed")
    assert_envelope(api.client.delete("/v3/verification/status", headers=headers), 405)
