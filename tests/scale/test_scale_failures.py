"""Failures in the scale-out topology: a worker killed mid-document, Redis and PostgreSQL
restarted mid-run, and a flow's last two documents finishing together on two workers."""

from __future__ import annotations

import collections
import json
import os
import subprocess
import threading
import time
import uuid
from pathlib import Path

import pytest
from atlas_testkit import FileServer, Receiver, wait_until
from scale_harness import Cluster, Lender, invoice

pytestmark = pytest.mark.scale

_SERVICES = Path(__file__).resolve().parents[2] / ".ci" / "services.sh"


def services(command: str) -> None:
    subprocess.run(["bash", str(_SERVICES), command], check=True, timeout=60)


def _webhook_ids(receiver: Receiver) -> dict[str, list[str]]:
    seen: dict[str, list[str]] = collections.defaultdict(list)
    with receiver.lock:
        for call in receiver.callbacks:
            seen[call.json["flow_uuid"]].append(call.headers["webhook-id"])
    return seen


def _lender(cluster: Cluster) -> Lender:
    return Lender(cluster, json.loads(cluster.cli("client", "create", "--name", "scale", "--json")))


def _all_final_once(lender: Lender, receiver: Receiver, flows: list[str], *, timeout: float = 180) -> None:
    for flow in flows:
        assert lender.wait_final(flow, timeout=timeout)["master_status"] == "SUCCESS"
    wait_until(lambda: len(_webhook_ids(receiver)) == len(flows), timeout=60, what="one callback per flow")
    seen = _webhook_ids(receiver)
    assert set(seen) == set(flows)
    assert all(len(ids) == 1 for ids in seen.values()), seen


def test_kill_9_of_a_worker_mid_document(cluster: Cluster, files: FileServer, receiver: Receiver) -> None:
    cluster.start_api()
    cluster.start_worker("w1")
    cluster.start_worker("w2")
    cluster.start_beat()
    lender = _lender(cluster)
    flows = []
    for i in range(4):
        flow = lender.init_flow(receiver, f"LOAN-K{i}")
        lender.multiupload(
            flow, {f"d{i}-{j}": files.add(f"/k{i}-{j}.json", invoice("K", sleep=1.5)) for j in range(2)}
        )
        flows.append(flow)
    # Find a pool process in the middle of a document (its pid is in the lease owner) and kill it.
    rows = wait_until(
        lambda: cluster.query("SELECT lease_owner FROM documents WHERE state = 'PROCESSING'"),
        timeout=60,
        what="a document in PROCESSING",
    )
    pid = int(rows[0][0].split(":")[2])
    os.kill(pid, 9)
    _all_final_once(lender, receiver, flows)
    # The killed document was read again (by a fresh process), and nothing was left behind.
    assert not cluster.query("SELECT file_uuid FROM documents WHERE state <> 'DONE'")
    assert cluster.query("SELECT count(*) FROM documents WHERE attempts > 1")[0][0] >= 1
    assert cluster.query("SELECT count(*) FROM deliveries")[0][0] == len(flows)


def test_redis_restarted_mid_run(cluster: Cluster, files: FileServer, receiver: Receiver) -> None:
    cluster.start_api()
    cluster.start_worker("w1")
    cluster.start_worker("w2")
    cluster.start_beat()
    lender = _lender(cluster)
    flows = []
    for i in range(6):
        flow = lender.init_flow(receiver, f"LOAN-R{i}")
        lender.multiupload(
            flow, {f"r{i}-{j}": files.add(f"/r{i}-{j}.json", invoice("R", sleep=0.4)) for j in range(3)}
        )
        flows.append(flow)
    time.sleep(1.0)  # let some work start: the restart must hit a run in progress
    services("stop-redis")  # every queued message is gone
    # Work recorded while the broker is down is still accepted: the database is the truth.
    late = lender.init_flow(receiver, "LOAN-R-LATE")
    lender.multiupload(late, {"late": files.add("/late.json", invoice("L"))})
    flows.append(late)
    time.sleep(1.5)
    services("start-redis")
    _all_final_once(lender, receiver, flows)


def test_postgres_restarted_mid_run(cluster: Cluster, files: FileServer, receiver: Receiver) -> None:
    cluster.start_api()
    cluster.start_worker("w1")
    cluster.start_worker("w2")
    cluster.start_beat()
    lender = _lender(cluster)
    flows = []
    for i in range(6):
        flow = lender.init_flow(receiver, f"LOAN-P{i}")
        lender.multiupload(
            flow, {f"p{i}-{j}": files.add(f"/p{i}-{j}.json", invoice("P", sleep=0.4)) for j in range(3)}
        )
        flows.append(flow)
    time.sleep(1.0)
    services("stop-postgres")
    try:
        # The API answers 503 while its database is away, on the hot status path and elsewhere.
        assert lender.status(flows[0]).status_code == 503
        r = lender.call("POST", "/v3/verification/flow/init", json={"product_type": "PROD_CDL"})
        assert r.status_code == 503, r.text
        time.sleep(2.0)
    finally:
        services("start-postgres")
    wait_until(lambda: lender.status(flows[0]).status_code == 200, timeout=30, what="the API to recover")
    _all_final_once(lender, receiver, flows)
    assert cluster.query("SELECT count(*) FROM documents WHERE state <> 'DONE'")[0][0] == 0


def test_last_two_documents_finish_together(cluster: Cluster, files: FileServer, receiver: Receiver) -> None:
    cluster.start_api()
    cluster.start_worker("w1")
    cluster.start_worker("w2")
    cluster.start_beat()
    lender = _lender(cluster)
    flows = []
    for i in range(5):
        flow = lender.init_flow(receiver, f"LOAN-T{i}")
        # Both documents of a flow end at the same instant, on the two workers.
        at = time.time() + 2.0
        lender.upload(flow, {f"a{i}": invoice("T", until=at), f"b{i}": invoice("T", until=at)})
        flows.append(flow)
        _all_final_once(lender, receiver, flows)
    calls = cluster.engine_calls()
    assert len({pid for pid, _ in calls}) == 2
    rows = cluster.query("SELECT flow_uuid, count(*) FROM deliveries GROUP BY flow_uuid")
    assert sorted(n for _, n in rows) == [1] * 5


def test_completion_is_guaranteed_by_the_database(cluster: Cluster) -> None:
    """Many processes' worth of finishers racing on one flow: exactly one completes it."""
    from atlasflow.config import Settings
    from atlasflow.runtime.flow import StageContext, finalize_flow
    from atlasflow.storage import repository as repo
    from atlasflow.storage.db import Database, migrate

    settings = Settings(database_url=cluster.database_url, data_dir=cluster.root / "data")
    db = Database(settings.resolved_database_url)
    migrate(db)
    ctx = StageContext.build(settings, db=db)
    now = repo.utcnow()
    with db.write() as conn:
        repo.insert_client(conn, client_id="c1", name="c", secret_hash="-", webhook_secret="-", now=now)
    wins = []
    for round_ in range(10):
        flow_uuid = f"00000000-0000-4000-8000-{round_:012d}"
        with db.write() as conn:
            repo.insert_flow(
                conn,
                flow_uuid=flow_uuid,
                client_id="c1",
                application_id="A",
                product_type="PROD_CDL",
                auth_url="",
                callback_url="",
                flow_params={},
                now=now,
            )
            docs = [repo.NewDocument(file_uuid=str(uuid.uuid4()), document_id=f"d{j}") for j in range(2)]
            repo.add_batch(
                conn, flow_uuid=flow_uuid, batch_id=f"B{round_}", source="urls", docs=docs, now=now
            )
            conn.exec_driver_sql(
                "UPDATE documents SET state = 'DONE', error_code = '', result = '{}' WHERE flow_uuid = %s",
                (flow_uuid,),
            )
        barrier = threading.Barrier(8)
        results: list[bool] = []

        def finisher(
            flow_uuid: str = flow_uuid, barrier: threading.Barrier = barrier, results: list[bool] = results
        ) -> None:
            barrier.wait()
            results.append(finalize_flow(ctx, flow_uuid=flow_uuid))

        threads = [threading.Thread(target=finisher) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wins.append(results.count(True))
        with db.read() as conn:
            assert (
                conn.exec_driver_sql(
                    "SELECT count(*) FROM deliveries WHERE flow_uuid = %s", (flow_uuid,)
                ).scalar_one()
                == 1
            )
    assert wins == [1] * 10
    # And the schema refuses a second delivery for the same result outright.
    with pytest.raises(Exception, match="uq_deliveries_flow_result"), db.write() as conn:
        repo.insert_delivery(
            conn,
            delivery_id="11111111-1111-4111-8111-111111111111",
            flow_uuid="00000000-0000-4000-8000-000000000000",
            result_seq=1,
            webhook_id="msg_x",
            body="{}",
            now=now,
        )
    db.dispose()
