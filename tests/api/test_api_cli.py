"""The operator's commands: client create / list / disable, and `atlas verify` on local files."""

from __future__ import annotations

import json
import logging

import pytest
import structlog
import typer
from typer.testing import CliRunner

from atlasflow.api.commands import register

runner = CliRunner()


@pytest.fixture(autouse=True)
def keep_logging_config():
    """The commands configure logging for their process; give the rest of the test run its own back."""
    saved = structlog.get_config()
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    structlog.configure(**saved)
    root.handlers[:] = handlers
    root.setLevel(level)


def cli() -> typer.Typer:
    app = typer.Typer()
    register(app)
    return app


def run(args: list[str], env: dict[str, str]):
    result = runner.invoke(cli(), args, env=env)
    assert result.exit_code == 0, result.output
    return result


def test_client_create_list_disable(tmp_path):
    env = {"ATLAS_DATA_DIR": str(tmp_path / "data")}
    created = json.loads(run(["client", "create", "--name", "acme-finance", "--json"], env).stdout)
    assert created["client_id"].startswith("cli_")
    assert created["client_secret"] and created["webhook_secret"].startswith("whsec_")
    listed = json.loads(run(["client", "list", "--json"], env).stdout)
    assert [(c["client_id"], c["name"], c["status"]) for c in listed] == [
        (created["client_id"], "acme-finance", "ACTIVE")
    ]
    assert created["client_secret"] not in run(["client", "list"], env).stdout
    run(["client", "disable", created["client_id"]], env)
    assert json.loads(run(["client", "list", "--json"], env).stdout)[0]["status"] == "DISABLED"
    missing = runner.invoke(cli(), ["client", "disable", "cli_nobody"], env=env)
    assert missing.exit_code == 1


def test_verify_runs_a_whole_flow_on_local_files(tmp_path):
    invoice = tmp_path / "invoice.jpg"
    invoice.write_text(json.dumps({"type": "INVOICE", "fields": {"customer_name": "Pashangh Irani"}}))
    order = tmp_path / "order.jpg"
    order.write_text(json.dumps({"type": "DELIVERY_ORDER", "fields": {"customer_name": "Pashangh"}}))
    env = {"ATLAS_DATA_DIR": str(tmp_path / "data"), "ATLAS_ENGINE": "fake_engine:process_document"}
    data = json.loads(run(["verify", str(invoice), str(order), "--json"], env).stdout)
    assert [d["document_id"] for d in data["ocr_data"]] == ["invoice.jpg", "order.jpg"]
    assert data["ocr_data"][0]["data"]["customer_name"]["value"] == "Pashangh Irani"
    check = next(c for c in data["cross_checks"] if c["name"] == "CUSTOMER_NAME")
    assert (check["source_value"], check["target_value"]) == ("Pashangh", "Pashangh Irani")
    table = run(["verify", str(invoice), str(order)], env).stdout
    assert "CUSTOMER_NAME" in table and "INVOICE" in table
