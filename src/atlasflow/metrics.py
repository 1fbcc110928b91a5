"""Prometheus metrics: HTTP requests counted in the API process; everything the workers do is
computed from the database at scrape time, so it is correct however many processes did the work."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.registry import Collector

from atlasflow.storage import repository as repo
from atlasflow.storage.db import Database, DatabaseUnavailableError

STAGE_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0)


class DatabaseCollector(Collector):
    """Flows, documents, queue depth, deliveries and stage latencies, read from the database."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def collect(self) -> Iterator[Metric]:
        up = GaugeMetricFamily("atlas_database_up", "1 if the database answered the metrics query")
        try:
            with self._db.read() as conn:
                snap = repo.metrics_snapshot(conn, buckets=STAGE_BUCKETS)
        except DatabaseUnavailableError:
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up

        flows = GaugeMetricFamily("atlas_flows", "Flows by master_status", labels=["master_status"])
        for status, n in snap["flows"]:
            flows.add_metric([status], n)
        yield flows

        docs = CounterMetricFamily(
            "atlas_documents",
            "Processed documents by type and error_code",
            labels=["document_type", "error_code"],
        )
        for document_type, error_code, n in snap["documents"]:
            docs.add_metric([document_type or "", error_code or "none"], n)
        yield docs

        queue = GaugeMetricFamily("atlas_queue_depth", "Documents not yet done, by state", labels=["state"])
        for state, n in snap["queue"]:
            queue.add_metric([state], n)
        yield queue

        deliveries = GaugeMetricFamily("atlas_deliveries", "Callback deliveries by state", labels=["state"])
        for state, n in snap["deliveries"]:
            deliveries.add_metric([state], n)
        yield deliveries

        attempts = CounterMetricFamily(
            "atlas_delivery_attempts", "Callback delivery attempts by outcome", labels=["outcome"]
        )
        for outcome, n in snap["attempts"]:
            attempts.add_metric([outcome], n)
        yield attempts

        stages = HistogramMetricFamily(
            "atlas_stage_duration_seconds", "Pipeline stage latency per document", labels=["stage"]
        )
        for stage, row in snap["stages"].items():
            count, total_ms, *cumulative = row
            buckets = [(str(b), int(c or 0)) for b, c in zip(STAGE_BUCKETS, cumulative, strict=True)]
            buckets.append(("+Inf", int(count or 0)))
            stages.add_metric([stage], buckets, float(total_ms or 0.0) / 1000.0)
        yield stages


class Metrics:
    """One registry per app (tests build many apps in one process)."""

    def __init__(self, db: Database) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "atlas_http_requests",
            "HTTP requests by route and status",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "atlas_http_request_duration_seconds",
            "HTTP request latency by route",
            ["route"],
            registry=self.registry,
        )
        self.registry.register(DatabaseCollector(db))
        self._children: dict[tuple[str, str, int], tuple[Any, Any]] = {}

    def observe_request(self, *, method: str, route: str, status: int, seconds: float) -> None:
        key = (method, route, status)
        children = self._children.get(key)
        if children is None:  # `labels()` validates and locks; do it once per label set
            children = (self.requests.labels(method, route, str(status)), self.latency.labels(route))
            self._children[key] = children
        children[0].inc()
        children[1].observe(seconds)

    def render(self) -> tuple[bytes, str]:
        return generate_latest(self.registry), CONTENT_TYPE_LATEST
