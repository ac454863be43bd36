"""Writing outputs safely: atomic replacement, no rewrite when unchanged.

Every file pressrun produces is written to a temporary file in the same
folder and renamed over the target, so an interrupted build leaves the
previous output intact and two concurrent builds never interleave bytes.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

TEMPORARY_SUFFIX = ".tmp"


def write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=TEMPORARY_SUFFIX, dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp, 0o644)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def write_if_changed(path: Path, data: bytes) -> bool:
    """Write ``data`` atomically unless the file already holds it; True if written."""
    if path.is_file() and path.read_bytes() == data:
        return False
    write_atomic(path, data)
    return True


def remove_stale_temporaries(folder: Path) -> int:
    """Delete the half-written temporaries a killed process left under ``folder``; how many.

    Call it only while holding the build lock, when no writer can be running.
    """
    stale = [path for path in folder.rglob(f".*{TEMPORARY_SUFFIX}") if path.is_file()]
    for path in stale:
        path.unlink(missing_ok=True)
    return len(stale)
