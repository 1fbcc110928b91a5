"""OCR engines behind one protocol. RapidOCR (PP-OCRv6 ONNX models shipped in its wheel) is the default.

Engines are built once per process (see `get_engine`) and never download anything: RapidOCR
verifies the models it ships by hash, and asking it for a model it does not ship fails on the
first call, so `warm_up` runs one image at start-up.
"""

from __future__ import annotations

import logging
import re
import threading
import unicodedata
from typing import Protocol

import numpy as np

from atlasflow.domain.types import OcrLine, OcrPage


class OcrEngine(Protocol):
    name: str

    def read(self, image: np.ndarray, *, page: int = 1) -> OcrPage:
        """Read an RGB uint8 image; boxes relative to the image (0-1)."""
        ...


# The recogniser also knows Chinese: QR codes and Devanagari come out as CJK characters.
_CJK = re.compile(r"[\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff]+")


def clean_ocr_text(text: str) -> str:
    """Full-width forms to ASCII, no CJK noise, single spaces."""
    text = _CJK.sub(" ", unicodedata.normalize("NFKC", text))
    text = " ".join(text.split())
    return text if any(c.isalnum() for c in text) else ""


def _quiet_rapidocr() -> None:
    for name in ("RapidOCR", "rapidocr"):
        logging.getLogger(name).setLevel(logging.ERROR)


class RapidOcrEngine:
    """RapidOCR 3.x with the 180° line classifier off (it flips upright lines on small fonts)."""

    name = "rapidocr"

    def __init__(self, *, threads: int = 1) -> None:
        from rapidocr import RapidOCR

        _quiet_rapidocr()
        params = {
            "Global.use_cls": False,
            "Global.log_level": "error",
            "EngineConfig.onnxruntime.intra_op_num_threads": threads,
            "EngineConfig.onnxruntime.inter_op_num_threads": 1,
        }
        try:
            self._ocr = RapidOCR(params=params)
        except Exception:  # older configs without log_level
            params.pop("Global.log_level")
            self._ocr = RapidOCR(params=params)
        _quiet_rapidocr()
        self._lock = threading.Lock()

    def read(self, image: np.ndarray, *, page: int = 1) -> OcrPage:
        h, w = image.shape[:2]
        with self._lock:  # onnxruntime sessions are thread-safe, RapidOCR's pre/post state is not
            out = self._ocr(image)
        lines: list[OcrLine] = []
        if out.txts:
            for text, score, box in zip(out.txts, out.scores, out.boxes, strict=False):
                pts = np.asarray(box, dtype=float)
                x0, y0 = float(pts[:, 0].min()) / w, float(pts[:, 1].min()) / h
                x1, y1 = float(pts[:, 0].max()) / w, float(pts[:, 1].max()) / h
                text = clean_ocr_text(str(text))
                if not text:
                    continue
                lines.append(
                    OcrLine(
                        text=text,
                        score=float(score),
                        box=(max(0.0, x0), max(0.0, y0), min(1.0, x1), min(1.0, y1)),
                        page=page,
                    )
                )
        lines.sort(key=lambda ln: (round(ln.cy, 3), ln.box[0]))
        return OcrPage(number=page, width=w, height=h, lines=tuple(lines))

    def warm_up(self) -> None:
        img = np.full((64, 256, 3), 255, dtype=np.uint8)
        img[20:44, 20:236] = 0
        self.read(img)


class TesseractEngine:
    """Tesseract through its CLI (Debian `tesseract-ocr`); optional, selected by configuration."""

    name = "tesseract"

    def __init__(self, *, languages: str = "eng") -> None:
        import shutil

        if shutil.which("tesseract") is None:
            from atlasflow.errors import AtlasError

            raise AtlasError("tesseract is not installed (Debian package tesseract-ocr)")
        self._languages = languages

    def read(self, image: np.ndarray, *, page: int = 1) -> OcrPage:
        import csv
        import io
        import os
        import subprocess

        import cv2

        h, w = image.shape[:2]
        ok, png = cv2.imencode(".png", cv2.cvtColor(image, cv2.COLOR_RGB2BGR))
        env = dict(os.environ, OMP_THREAD_LIMIT="1")  # 5x slower on 2 cores without it
        proc = subprocess.run(
            ["tesseract", "stdin", "stdout", "-l", self._languages, "tsv"],
            input=png.tobytes(),
            capture_output=True,
            env=env,
            timeout=60,
            check=False,
        )
        rows = csv.DictReader(io.StringIO(proc.stdout.decode("utf-8", "replace")), delimiter="\t")
        groups: dict[tuple[str, str, str], list[dict[str, str]]] = {}
        for row in rows:
            if row.get("text", "").strip() and float(row.get("conf", "-1")) >= 0:
                groups.setdefault((row["block_num"], row["par_num"], row["line_num"]), []).append(row)
        lines = []
        for words in groups.values():
            x0 = min(int(r["left"]) for r in words)
            y0 = min(int(r["top"]) for r in words)
            x1 = max(int(r["left"]) + int(r["width"]) for r in words)
            y1 = max(int(r["top"]) + int(r["height"]) for r in words)
            score = sum(float(r["conf"]) for r in words) / len(words) / 100
            text = " ".join(r["text"].strip() for r in words)
            lines.append(OcrLine(text, score, (x0 / w, y0 / h, x1 / w, y1 / h), page))
        lines.sort(key=lambda ln: (round(ln.cy, 3), ln.box[0]))
        return OcrPage(number=page, width=w, height=h, lines=tuple(lines))

    def warm_up(self) -> None:
        pass


_ENGINES: dict[str, OcrEngine] = {}
_ENGINES_LOCK = threading.Lock()


def get_engine(name: str = "rapidocr") -> OcrEngine:
    """The process-wide engine of that name, built on first use."""
    with _ENGINES_LOCK:
        engine = _ENGINES.get(name)
        if engine is None:
            if name == "rapidocr":
                engine = RapidOcrEngine()
            elif name == "tesseract":
                engine = TesseractEngine()
            else:
                from atlasflow.errors import AtlasError

                raise AtlasError(f"unknown OCR engine {name!r} (rapidocr, tesseract)")
            engine.warm_up()  # type: ignore[attr-defined]
            _ENGINES[name] = engine
        return engine
