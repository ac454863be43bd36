"""Library metadata: what calibre reads in an edition, against the edition's metadata record.

In: a built PDF or EPUB and its :class:`~pressrun.editions.edition.EditionInfo`
(``build/html/<lang>/<doc-id>.json``).  Out: the fields calibre reports that
differ from the record, as ``field: calibre reads …, the edition says …``.

calibre's ``ebook-meta`` (Debian ``calibre``, run with ``QT_QPA_PLATFORM=offscreen``)
reads title, authors, publisher, languages, publication date, series and,
for a PDF, the identifier.  calibre files an EPUB's ``urn:uuid`` identifier as
the book's uuid, which ``ebook-meta`` does not print: that field is read
through calibre's own metadata reader (``calibre-debug``), for all EPUBs in
one run.  The release gate (:mod:`pressrun.engine.check`) and the tests use
these functions.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

from ..editions.edition import EditionInfo
from ..errors import ToolError
from . import inspection

#: calibre names languages by their ISO 639-2/T (639-3) code.
ISO_639_2 = {"az": "aze", "de": "deu", "en": "eng", "es": "spa", "fr": "fra", "hy": "hye", "it": "ita",
             "ka": "kat", "kk": "kaz", "ky": "kir", "pl": "pol", "pt": "por", "ru": "rus", "tk": "tuk",
             "tr": "tur", "uk": "ukr", "uz": "uzb"}
#: Seconds calibre may take to read one file.
TIMEOUT = 120
FIELDS = ("Title", "Author(s)", "Publisher", "Languages", "Published", "Series", "Identifiers")
_UUID_SCRIPT = """\
import json, sys
from calibre.ebooks.metadata.meta import get_metadata
uuids = []
for path in sys.argv[1:]:
    with open(path, 'rb') as stream:
        uuids.append(get_metadata(stream, 'epub').uuid)
print(json.dumps(uuids))
"""


def _env() -> dict[str, str]:
    return {**os.environ, "QT_QPA_PLATFORM": "offscreen"}


def ebook_meta(path: Path) -> dict[str, str]:
    """``ebook-meta``'s report on one file as {field: value}."""
    try:
        result = subprocess.run([inspection.command("ebook-meta"), str(path)], capture_output=True, text=True,
                                env=_env(), timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        raise ToolError(f"ebook-meta did not finish in {TIMEOUT} s", path) from None
    if result.returncode or "Traceback" in result.stderr:  # calibre reports some failures with exit status 0
        raise ToolError(f"ebook-meta could not read the file: {inspection.last_line(result.stderr)}", path)
    fields = {}
    for line in result.stdout.splitlines():
        name, colon, value = line.partition(":")
        if colon and re.fullmatch(r"[A-Z][\w ()]*", name.strip()):
            fields[name.strip()] = value.strip()
    return fields


def epub_uuids(paths: list[Path]) -> list[str]:
    """The uuid calibre files each EPUB under."""
    if not paths:
        return []
    command = [inspection.command("calibre-debug"), "-c", _UUID_SCRIPT, *map(str, paths)]
    try:
        result = subprocess.run(command, capture_output=True, text=True, env=_env(), timeout=TIMEOUT * len(paths))
    except subprocess.TimeoutExpired:
        raise ToolError("calibre-debug did not finish reading the EPUBs' identifiers") from None
    if result.returncode:
        raise ToolError(f"calibre-debug could not read the EPUBs' identifiers: {inspection.last_line(result.stderr)}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def read(path: Path, uuid: str | None = None) -> dict[str, str]:
    """The fields of :data:`FIELDS` as calibre reads them; an EPUB's identifier is ``uuid`` (:func:`epub_uuids`)."""
    report = ebook_meta(path)
    fields = {name: report.get(name, "") for name in FIELDS}
    fields["Author(s)"] = re.sub(r" \[[^\]]*\]$", "", fields["Author(s)"])  # the sort name calibre adds
    fields["Published"] = fields["Published"][:10]
    if uuid is not None:
        fields["Identifiers"] = f"uuid:{uuid}"
    return fields


def expected(info: EditionInfo) -> dict[str, str]:
    """The fields calibre should read in either file of the edition ``info`` describes."""
    series = f"{info.series} #{info.series_number}" if info.series and info.series_number else info.series
    return {"Title": info.metadata_title, "Author(s)": " & ".join(creator.name for creator in info.creators),
            "Publisher": info.publisher, "Languages": ISO_639_2.get(info.lang, info.lang),
            "Published": info.pubdate[:10], "Series": series,
            "Identifiers": "uuid:" + info.identifier.removeprefix("urn:uuid:")}


def mismatches(read_fields: dict[str, str], info: EditionInfo) -> list[str]:
    """Each field calibre reads differently from the edition's record."""
    wanted = expected(info)
    return [f"{name}: calibre reads {read_fields.get(name, '')!r}, the edition says {wanted[name]!r}"
            for name in FIELDS if read_fields.get(name, "") != wanted[name]]
