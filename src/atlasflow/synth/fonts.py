"""Font discovery for the synthetic renderers: whatever .ttf files this machine has, grouped by family.

matplotlib's bundled fonts (DejaVu, STIX) are always present, so generation never depends on
system fonts; system fonts, when installed, only widen the variety.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from pathlib import Path

import matplotlib
from fontTools.ttLib import TTFont
from PIL import ImageFont

from atlasflow.synth.errors import SynthError

RUPEE = "\u20b9"
SYSTEM_FONT_DIRS = (Path("/usr/share/fonts"), Path("/usr/local/share/fonts"))
# Characters every usable text font must carry (labels, IDs, punctuation of addresses).
_REQUIRED = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/-:,.#()@&%+"
# Families that are symbol, math or fallback fonts, or too thin to survive a phone photo.
_EXCLUDED = (
    "math",
    "symbol",
    "emoji",
    "last resort",
    "lastresort",
    "dingbat",
    "icon",
    "stixsize",
    "stixnonuni",
    "cmex",
    "cmsy",
    "cmmi",
    "cmtt",
    "cmb10",
    "cmss",
    "cmti",
    "cmr",
    "extralight",
    "thin",
    "hairline",
    "display",
)
_SERIF_HINTS = (
    "serif",
    "stix",
    "times",
    "georgia",
    "garamond",
    "tinos",
    "roman",
    "cambria",
    "bookman",
    "palatino",
)


class FontRole(StrEnum):
    SANS = "sans"
    SERIF = "serif"
    MONO = "mono"


@dataclass(frozen=True, slots=True)
class FontFace:
    """One font file: its family, style and whether it can draw the rupee sign."""

    path: str
    family: str
    bold: bool
    italic: bool
    role: FontRole
    has_rupee: bool


@dataclass(frozen=True, slots=True)
class FontFamily:
    """Regular/bold/italic faces of one family; missing styles fall back to regular."""

    name: str
    role: FontRole
    regular: FontFace
    bold: FontFace
    italic: FontFace

    def face(self, *, bold: bool = False, italic: bool = False) -> FontFace:
        if bold:
            return self.bold
        return self.italic if italic else self.regular

    def font(self, size: int, *, bold: bool = False, italic: bool = False) -> ImageFont.FreeTypeFont:
        return load_font(self.face(bold=bold, italic=italic).path, size)

    def rupee(self, *, bold: bool = False) -> str:
        """The currency mark to print with this family: the rupee sign only when it has the glyph."""
        return RUPEE if self.face(bold=bold).has_rupee else "Rs."


def _font_dirs() -> list[Path]:
    # matplotlib's copy first so the same family resolves to the same file on every machine.
    dirs = [Path(matplotlib.get_data_path()) / "fonts" / "ttf"]
    dirs.extend(d for d in SYSTEM_FONT_DIRS if d.is_dir())
    return dirs


def _inspect(path: Path) -> FontFace | None:
    try:
        font = TTFont(str(path), lazy=True, fontNumber=0)
        cmap = font.getBestCmap() or {}
        names = font["name"]
        family = names.getBestFamilyName() or path.stem
        sub = (names.getBestSubFamilyName() or "").lower()
        fixed = bool(font["post"].isFixedPitch)
        weight = font["OS/2"].usWeightClass if "OS/2" in font else 400
    except Exception:  # an unreadable or exotic font file is simply not offered
        return None
    label = f"{family} {sub} {path.stem}".lower()
    if any(word in label for word in _EXCLUDED) or not all(ord(c) in cmap for c in _REQUIRED):
        return None
    if "condensed" in sub:
        family = f"{family} Condensed"
    if fixed or "mono" in family.lower():
        role = FontRole.MONO
    elif any(h in family.lower() for h in _SERIF_HINTS) and "sans" not in family.lower():
        role = FontRole.SERIF
    else:
        role = FontRole.SANS
    return FontFace(
        path=str(path),
        family=family,
        bold=weight >= 600 or "bold" in sub,
        italic="italic" in sub or "oblique" in sub,
        role=role,
        has_rupee=ord(RUPEE) in cmap,
    )


@cache
def font_families() -> tuple[FontFamily, ...]:
    """Every usable family on this machine, sorted by name for determinism."""
    faces: dict[tuple[str, bool, bool], FontFace] = {}
    for directory in _font_dirs():
        for path in sorted(directory.rglob("*.ttf")):
            face = _inspect(path)
            if face is not None:
                faces.setdefault((face.family, face.bold, face.italic), face)
    families = []
    for name in sorted({key[0] for key in faces}):
        regular = faces.get((name, False, False))
        if regular is None:
            continue
        bold = faces.get((name, True, False), regular)
        italic = faces.get((name, False, True), regular)
        families.append(FontFamily(name, regular.role, regular, bold, italic))
    if not families:
        raise SynthError("no usable .ttf font found (matplotlib's fonts are missing)")
    return tuple(families)


def pick_family(rng: random.Random, role: FontRole | None = None) -> FontFamily:
    """A family for one document; `role` restricts to sans/serif/mono when that role exists."""
    families = font_families()
    if role is not None:
        matching = [f for f in families if f.role is role]
        families = tuple(matching) or families
    return rng.choice(families)


@cache
def load_font(path: str, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(path, size)
