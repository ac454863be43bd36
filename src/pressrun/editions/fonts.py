"""Fonts: where the typeface of every edition comes from.

Noto Serif (Latin, Cyrillic and the Azerbaijani letters) as variable fonts
from the ``fontpkg-noto-serif`` wheel: the PDF embeds them through
WeasyPrint, the EPUB carries subsets of them, and no system font is used.
"""

from __future__ import annotations

from pathlib import Path

import fontpkg_noto_serif

from ..engine.dependencies import listing, note

FONT_FAMILY = "Noto Serif"


def font_folder() -> Path:
    return Path(fontpkg_noto_serif.__file__).parent / "files"


def font_files() -> list[Path]:
    """The font files, each recorded as an input of the running step."""
    return [note(path) for path in listing(font_folder(), "*.ttf")]
