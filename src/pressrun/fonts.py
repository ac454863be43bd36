"""Fonts: where the typeface of every edition comes from.

Noto Serif (Latin, Cyrillic and the Azerbaijani letters) as variable fonts
from the ``fontpkg-noto-serif`` wheel: the PDF embeds them through
WeasyPrint, the EPUB carries subsets of them, and no system font is used.
"""

from __future__ import annotations

from pathlib import Path

import fontpkg_noto_serif

FONT_FAMILY = "Noto Serif"


def font_folder() -> Path:
    return Path(fontpkg_noto_serif.__file__).parent / "files"


def font_files() -> list[Path]:
    return sorted(font_folder().glob("*.ttf"))
