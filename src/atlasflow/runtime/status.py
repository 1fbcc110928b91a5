"""The four SPEC §2 status fields and how a flow's documents roll up into them."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from atlasflow.storage.repository import DocumentTally


class UploadStatus(StrEnum):
    NOT_STARTED = "NOT_STARTED"
    IN_PROGRESS = "IN_PROGRESS"
    SUCCESS = "SUCCESS"
    FAILED = "FAILED"


class ProcessingStatus(StrEnum):
    NOT_STARTED = "NOT_STARTED"
    PENDING = "PENDING"
    IN_PROGRESS = "IN_PROGRESS"
    SUCCESS = "SUCCESS"
    FAILED = "FAILED"


class CrosscheckStatus(StrEnum):
    NOT_STARTED = "NOT_STARTED"
    PENDING = "PENDING"
    COMPLETED = "COMPLETED"


class MasterStatus(StrEnum):
    NOT_STARTED = "NOT_STARTED"
    IN_PROGRESS = "IN_PROGRESS"
    SUCCESS = "SUCCESS"
    FAILED = "FAILED"


@dataclass(frozen=True, slots=True)
class FlowStatus:
    upload: UploadStatus
    processing: ProcessingStatus
    crosscheck: CrosscheckStatus
    master: MasterStatus

    def to_wire(self) -> dict[str, str]:
        # `crossheck_status` is Atlas's spelling on the wire (SPEC §1); keep it.
        return {
            "upload_status": self.upload.value,
            "processing_status": self.processing.value,
            "crossheck_status": self.crosscheck.value,
            "master_status": self.master.value,
        }

    def columns(self) -> dict[str, str]:
        return {
            "upload_status": self.upload.value,
            "processing_status": self.processing.value,
            "crosscheck_status": self.crosscheck.value,
            "master_status": self.master.value,
        }

    @classmethod
    def from_columns(cls, *, upload: str, processing: str, crosscheck: str, master: str) -> FlowStatus:
        return cls(
            UploadStatus(upload),
            ProcessingStatus(processing),
            CrosscheckStatus(crosscheck),
            MasterStatus(master),
        )


NOT_STARTED = FlowStatus(
    UploadStatus.NOT_STARTED,
    ProcessingStatus.NOT_STARTED,
    CrosscheckStatus.NOT_STARTED,
    MasterStatus.NOT_STARTED,
)


def roll_up(tally: DocumentTally, *, complete: bool) -> FlowStatus:
    """SPEC §2: the flow's statuses from its documents' states.

    upload: IN_PROGRESS while any file waits to be fetched; FAILED only when none could be.
    processing: PENDING while fetched files wait for a worker and none has started; FAILED only
    when no document could be processed at all (every download or every engine run failed).
    """
    if tally.total == 0:
        return NOT_STARTED
    if tally.queued:
        upload = UploadStatus.IN_PROGRESS
    elif tally.download_failed == tally.total:
        upload = UploadStatus.FAILED
    else:
        upload = UploadStatus.SUCCESS
    if complete:
        ok = tally.processed > 0
        return FlowStatus(
            upload,
            ProcessingStatus.SUCCESS if ok else ProcessingStatus.FAILED,
            CrosscheckStatus.COMPLETED,
            MasterStatus.SUCCESS if ok else MasterStatus.FAILED,
        )
    worked_on = tally.processing + (tally.done - tally.download_failed)
    if worked_on:
        processing = ProcessingStatus.IN_PROGRESS
    elif tally.fetched:
        processing = ProcessingStatus.PENDING
    else:
        processing = ProcessingStatus.NOT_STARTED
    return FlowStatus(upload, processing, CrosscheckStatus.PENDING, MasterStatus.IN_PROGRESS)
