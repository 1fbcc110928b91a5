"""Scale-out runtime end to end: API, Celery workers on Redis, PostgreSQL and S3 (moto)."""

from __future__ import annotations

import collections
import json

import pytest
from atlas_testkit import FileServer, Receiver, wait_until
from scale_harness import Cluster, Lender, invoice

pytestmark = pytest.mark.scale


def _callbacks_by_flow(receiver: Receiver) -> dict[str, list[str]]:
    seen: dict[str, list[str]] = collections.defaultdict(list)
    with receiver.lock:
        for call in receiver.callbacks:
            seen[call.json["flow_uuid"]].append(call.headers["webhook-id"])
    return seen


def test_twenty_flows_across_two_worker_processes(
    cluster: Cluster, files: FileServer, receiver: Receiver
) -> None:
    cluster.start_api()
    cluster.start_worker("w1")
    cluster.start_worker("w2")
    cluster.start_beat()
    lender = Lender(cluster, json.loads(cluster.cli("client", "create", "--name", "scale", "--json")))
    flows = []
    for i in range(20):
        flow = lender.init_flow(receiver, f"LOAN-{i}")
        urls = {
            f"inv-{i}-{j}": files.add(f"/f{i}-{j}.json", invoice(f"Customer {i}", sleep=0.1))
            for j in range(3)
        }
        lender.multiupload(flow, urls)
        flows.append(flow)
    for flow in flows:
        assert lender.wait_final(flow, timeout=180)["master_status"] == "SUCCESS"
    # One callback per flow, each its own webhook-id.
    wait_until(lambda: len(_callbacks_by_flow(receiver)) == 20, timeout=60, what="20 callbacks")
    seen = _callbacks_by_flow(receiver)
    assert all(len(ids) == 1 for ids in seen.values()), seen
    # Both worker processes read documents; every document was read exactly once.
    calls = cluster.engine_calls()
    assert len(calls) == 60, calls
    assert len({pid for pid, _ in calls}) == 2
    # The bytes went through S3, not a local folder.
    objects = cluster.s3().list_objects_v2(Bucket=cluster.bucket, Prefix="docs/").get("KeyCount", 0)
    assert objects == 60
    assert not (cluster.root / "data" / "blobs").exists()
