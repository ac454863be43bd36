"""EPUB chapters as a browser engine renders them: headless Chromium computes the styles.

Each EPUB is unzipped and served over a local HTTP server (fonts need an http
origin); Chromium opens the chapter and the tests read computed styles, the
loaded font faces and rendered widths.
"""

from __future__ import annotations

import functools
import http.server
import shutil
import tempfile
import threading
import json
import zipfile
from pathlib import Path

import pytest

from pressrun.editions.typography import quotes_css
from pressrun.engine import build

from conftest import AVIM_ID, TURAN_ID, require

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
CHAPTER = "EPUB/text/ch001.xhtml"


@pytest.fixture(scope="module")
def browser():
    require(CHROMIUM.exists() and CHROMEDRIVER.exists(), "chromium and chromedriver (Debian chromium-driver)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    profile = tempfile.mkdtemp(prefix="pressrun-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", f"--user-data-dir={profile}",
                 "--window-size=800,1000"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    driver.set_script_timeout(20)
    yield driver
    driver.quit()
    shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture(scope="module")
def served(release_editions, tmp_path_factory):
    """Every EPUB unzipped under one folder served on localhost: a function (doc, lang) → chapter URL."""
    root = tmp_path_factory.mktemp("unzipped")
    for epub in (release_editions.build_dir / "epub").rglob("*.epub"):
        with zipfile.ZipFile(epub) as archive:
            archive.extractall(root / epub.parent.name / epub.stem)
    handler = functools.partial(QuietHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield lambda doc_id, lang: f"http://127.0.0.1:{server.server_port}/{lang}/{doc_id}/{CHAPTER}"
    server.shutdown()
    server.server_close()


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map, ".xhtml": "application/xhtml+xml",
                      ".ttf": "font/ttf", ".css": "text/css"}

    def log_message(self, *args):
        pass


def _open(browser, url: str):
    browser.get(url)
    browser.execute_async_script("document.fonts.ready.then(() => arguments[arguments.length - 1]())")
    return browser


def _style(browser, selector: str, prop: str) -> str:
    return browser.execute_script(
        "const e = document.querySelector(arguments[0]); return e && getComputedStyle(e).getPropertyValue(arguments[1]);",
        selector, prop)


def _px(value: str) -> float:
    assert value.endswith("px"), value
    return float(value[:-2])


@pytest.mark.parametrize("lang", ("en", "ru", "az"))
def test_body_paragraphs_are_indented_and_set_solid(browser, served, lang):
    page = _open(browser, served(AVIM_ID, lang))
    size = _px(_style(page, "div.body > p:nth-of-type(2)", "font-size"))
    assert _px(_style(page, "div.body > p:nth-of-type(2)", "text-indent")) == pytest.approx(1.2 * size, abs=0.5)
    assert _px(_style(page, "div.body > p:first-child", "text-indent")) == 0
    for side in ("margin-top", "margin-bottom"):
        assert _px(_style(page, "div.body > p:nth-of-type(2)", side)) == 0
    assert _style(page, "div.body > p:nth-of-type(2)", "text-align") == "justify"
    assert _px(_style(page, "div.citation p", "text-indent")) == 0
    assert _px(_style(page, "div.citation p", "margin-top")) > 0.8 * size


def test_note_markers_are_superscript(browser, served):
    page = _open(browser, served(AVIM_ID, "en"))
    assert _style(page, "a.footnote-ref", "vertical-align") == "super"
    marker = _px(_style(page, "a.footnote-ref", "font-size"))
    assert marker < 0.8 * _px(_style(page, "div.byline", "font-size"))
    marker_top = page.execute_script("return document.querySelector('a.footnote-ref').getBoundingClientRect().top")
    name_top = page.execute_script("return document.querySelector('div.byline span.author')"
                                   ".getBoundingClientRect().top")
    assert marker_top < name_top


def test_quotation_attribution_is_set_right(browser, served):
    page = _open(browser, served(TURAN_ID, "ru"))
    assert _style(page, "blockquote div.attribution p", "text-align") == "right"
    assert _px(_style(page, "blockquote p", "text-indent")) == 0


@pytest.mark.parametrize(("lang", "marks"), (("ru", "«"), ("en", "“")))
def test_quotation_marks_come_from_the_language_stylesheet(browser, served, lang, marks):
    page = _open(browser, served(AVIM_ID, lang))
    assert marks in _style(page, "div.body p", "quotes")
    assert "“" in _style(page, "[lang='en']", "quotes")
    rules = page.execute_script("return Array.from(document.styleSheets).filter(s => s.href)"
                                ".flatMap(s => Array.from(s.cssRules, r => r.selectorText || ''))")
    assert {":lang(en)", ":lang(ru)", ":lang(az)"} <= set(rules)


def _loaded_faces(page) -> list[tuple[str, str, str]]:
    faces = page.execute_script("return Array.from(document.fonts).filter(f => f.status === 'loaded')"
                                ".map(f => [f.family.replace(/\"/g, ''), f.style, f.weight])")
    return [tuple(face) for face in faces]


@pytest.mark.parametrize("lang", ("en", "ru", "az"))
def test_edition_fonts_are_loaded_and_bold_is_real(browser, served, lang):
    page = _open(browser, served(AVIM_ID, lang))
    faces = _loaded_faces(page)
    assert ("Noto Serif", "normal", "100 900") in faces
    assert ("Noto Serif", "italic", "100 900") in faces  # the abstract is italic
    assert page.execute_script("return document.fonts.check('700 16px \"Noto Serif\"')")
    widths = page.execute_script("""
        const measure = weight => { const s = document.createElement('span');
          s.style.cssText = `font-weight:${weight};font-size:20px;white-space:nowrap;font-synthesis:none`;
          s.textContent = arguments[0]; document.body.appendChild(s);
          const w = s.getBoundingClientRect().width; s.remove(); return w; };
        return [measure(400), measure(700)];""", "Partnership Партнёрство Tərəfdaşlıq")
    assert widths[1] > widths[0] * 1.04, widths
    assert _style(page, "h1", "font-weight") == "700"
    assert "Noto Serif" in _style(page, "h1", "font-family")


def test_packaged_stylesheets_are_the_epub_step_inputs(release_editions):
    """The EPUB carries the quotation marks of the typography table, then exactly the stylesheets its
    build step recorded as read, in cascade order."""
    step = build.Step("epub", AVIM_ID, "ru")
    state = json.loads(step.state_file(release_editions).read_text(encoding="utf-8"))
    recorded = sorted(Path(name).read_bytes() for name in state["inputs"] if name.endswith(".css") and "*" not in name)
    with zipfile.ZipFile(release_editions.epub_path(step.unit, step.lang)) as archive:
        packaged = [archive.read(f"EPUB/styles/stylesheet{n}.css") for n in range(1, len(recorded) + 2)]
        assert f"EPUB/styles/stylesheet{len(recorded) + 2}.css" not in archive.namelist()
    assert packaged[0] == quotes_css().encode()  # the marks of rules/typography.toml, before the project's sheets
    assert sorted(packaged[1:]) == recorded
    assert packaged[1:] == [sheet.read_bytes() for sheet in release_editions.stylesheets("epub")]
