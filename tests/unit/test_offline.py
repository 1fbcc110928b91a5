"""Nothing is downloaded at run time: models load and read with every network call refused."""

from __future__ import annotations

import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent(
    """
    import socket

    def refuse(*args, **kwargs):
        raise OSError("network access attempted")

    socket.socket.connect = refuse
    socket.socket.connect_ex = refuse
    socket.create_connection = refuse
    socket.getaddrinfo = refuse

    import numpy as np
    from PIL import Image, ImageDraw, ImageFont
    import matplotlib

    from atlasflow.pipeline.engine import warm_up
    from atlasflow.pipeline.ocr import get_engine

    warm_up()
    font = ImageFont.truetype(matplotlib.get_data_path() + "/fonts/ttf/DejaVuSans.ttf", 40)
    img = Image.new("RGB", (900, 200), "white")
    ImageDraw.Draw(img).text((20, 60), "OFFLINE 4332", font=font, fill="black")
    page = get_engine().read(np.array(img))
    print("|".join(line.text for line in page.lines))
    """
)


def test_engine_loads_and_reads_with_the_network_blocked() -> None:
    proc = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=180)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "network access attempted" not in proc.stderr
    assert "4332" in proc.stdout
