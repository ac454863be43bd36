"""The release site build/dist: both real seeds × en/ru/az built once, read back as consumers read it."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
import zipfile
from dataclasses import replace
from pathlib import Path
from urllib.parse import urljoin, urlparse

import bibtexparser
import feedparser
import jsonschema
import lxml.html
import pikepdf
import pytest
import referencing
import rispy
from conftest import AVIM_ID, TURAN_ID, make_project
from conftest import BASE_URL as BASE

from pressrun.editions import edition
from pressrun.engine import stages
from pressrun.config import base_url_setting, load_project
from pressrun.dist import feeds, pages, release, serve
from pressrun.errors import ConfigError, InputError

LANGS = ("en", "ru", "az")
TURAN_SOURCE = "http://www.turan.az/ext/news/2017/11/subsc/analytics/en/118563.htm"
SCHEMAS = Path(__file__).parent / "schemas" / "opds2"


def _page(root: Path, lang: str, doc_id: str):
    return lxml.html.parse(str(root / lang / doc_id / "index.html")).getroot()


def _info(project, doc_id, lang):
    return stages.edition_record(project, doc_id, lang)[1]


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("doc_id", [AVIM_ID, TURAN_ID])
def test_edition_page(release_site, doc_id, lang):
    project, root = release_site
    page = _page(root, lang, doc_id)
    info = _info(project, doc_id, lang)
    assert page.get("lang") == lang
    assert page.findtext("head/title") == info.title
    assert page.xpath("count(//h1)") == 1 and page.xpath("string(//main//h1)") == info.title
    assert page.xpath("//link[@rel='canonical']/@href") == [f"{BASE}{lang}/{doc_id}/"]
    alternates = {link.get("hreflang"): link.get("href") for link in page.xpath("//link[@rel='alternate']")}
    assert alternates == {**{other: f"{BASE}{other}/{doc_id}/" for other in LANGS}, "x-default": f"{BASE}en/{doc_id}/"}
    switcher = page.xpath("//header//nav//a")
    assert [(a.get("hreflang"), a.get("lang"), a.text) for a in switcher] == [
        ("en", "en", "English"), ("ru", "ru", "русский"), ("az", "az", "azərbaycan")]
    assert [a.get("aria-current") for a in switcher] == ["page" if other == lang else None for other in LANGS]
    for a in switcher:
        assert (root / lang / doc_id / a.get("href")).resolve().is_file()
    downloads = page.xpath("//section[@class='downloads']//a")
    assert [a.get("type") for a in downloads] == ["application/pdf", "application/epub+zip"]
    for a in downloads:
        assert (root / lang / doc_id / a.get("href")).is_file() and "(" in a.tail
    assert page.xpath("//section[@class='colophon']/h2") and page.xpath("//main[@id='text']")
    assert page.xpath("//a[@class='skip']/@href") == ["#text"]
    if doc_id == AVIM_ID:
        assert page.xpath("//section[@class='about-author']/h2")
        note = page.xpath("//a[@class='noteref']/@href")[0]
        assert page.xpath(f"//section[@class='notes']/ol/li[@id='{note[1:]}']")


def test_index_pages_root_sitemap_robots(release_site):
    project, root = release_site
    for lang in LANGS:
        index = lxml.html.parse(str(root / lang / "index.html")).getroot()
        assert index.get("lang") == lang
        titles = index.xpath("//ul[@class='editions']//h2/a")
        assert sorted(a.text for a in titles) == sorted(_info(project, d, lang).title for d in (AVIM_ID, TURAN_ID))
        for a in titles + index.xpath("//p[@class='formats']/a"):
            assert (root / lang / a.get("href")).is_file()
    home = lxml.html.parse(str(root / "index.html")).getroot()
    assert [(a.get("href"), a.get("hreflang")) for a in home.xpath("//main//a")] == [
        (f"{lang}/index.html", lang) for lang in LANGS]
    assert not home.xpath("//script")
    sitemap = lxml.etree.parse(str(root / "sitemap.xml"))
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml"}
    locations = sitemap.xpath("//s:loc/text()", namespaces=ns)
    assert f"{BASE}ru/{TURAN_ID}/" in locations and f"{BASE}" in locations
    assert sorted(sitemap.xpath(f"//s:url[s:loc='{BASE}az/{AVIM_ID}/']/x:link/@hreflang", namespaces=ns)) == sorted(LANGS)
    assert (root / "robots.txt").read_text() == f"User-agent: *\nAllow: /\nSitemap: {BASE}sitemap.xml\n"


def _meta(page, key):
    return page.xpath(f"//meta[@name='{key}' or @property='{key}']/@content")


def _json_ld(page):
    return json.loads(page.xpath("string(//script[@type='application/ld+json'])"))


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("doc_id", [AVIM_ID, TURAN_ID])
def test_metadata_views_agree_with_the_master(release_site, doc_id, lang):
    project, root = release_site
    info = _info(project, doc_id, lang)
    folder = root / lang / doc_id
    page = _page(root, lang, doc_id)
    ld = _json_ld(page)
    csl = json.loads((folder / f"{doc_id}.json").read_text(encoding="utf-8"))[0]
    bib = bibtexparser.parse_string((folder / f"{doc_id}.bib").read_text(encoding="utf-8")).entries[0]
    ris = rispy.loads((folder / f"{doc_id}.ris").read_text(encoding="utf-8"))[0]
    feed = feedparser.parse(str(root / "opds" / f"{lang}.xml"))
    entry = next(e for e in feed.entries if e.id == info.identifier)
    date = info.pubdate[:10]
    titles = [_meta(page, "citation_title")[0], _meta(page, "DC.title")[0], _meta(page, "og:title")[0], ld["name"],
              csl["title"], bib["title"], ris["title"], entry.title]
    assert titles == [info.title] * len(titles)
    authors = [_meta(page, "citation_author"), _meta(page, "DC.creator"), [a["name"] for a in ld["author"]],
               [a["literal"] for a in csl["author"]], [a.strip("{}") for a in bib["author"].split(" and ")],
               ris["authors"], [a.name for a in entry.authors]]
    assert authors == [info.authors] * len(authors)
    dates = [_meta(page, "citation_publication_date")[0].replace("/", "-"), _meta(page, "DC.date")[0],
             ld["datePublished"], "-".join(f"{p:02d}" for p in csl["issued"]["date-parts"][0]), bib["date"],
             ris["date"].replace("/", "-"), entry.published]
    assert dates == [date] * len(dates)
    languages = [_meta(page, "citation_language")[0], _meta(page, "DC.language")[0], ld["inLanguage"], csl["language"],
                 bib["language"], ris["language"], entry.dcterms_language]
    assert languages == [lang] * len(languages)
    publishers = [_meta(page, "citation_publisher")[0], _meta(page, "DC.publisher")[0], ld["publisher"]["name"],
                  csl["publisher"], bib["institution"], ris["publisher"], entry.dcterms_publisher]
    assert publishers == [info.publisher] * len(publishers)
    sources = [_meta(page, "DC.source")[0], ld["isBasedOn"], csl["URL"], bib["url"], ris["urls"][0], entry.dcterms_source]
    assert sources == [info.source_url] * len(sources)
    identifiers = [_meta(page, "DC.identifier")[0], ld["@id"], csl["note"], bib["note"], entry.id]
    assert identifiers == [info.identifier] * len(identifiers)
    assert _meta(page, "citation_pdf_url") == [f"{BASE}{lang}/{doc_id}/{doc_id}.pdf"]
    if info.translator:
        assert [ld["translator"][0]["name"], csl["translator"][0]["literal"], bib["translator"],
                _meta(page, "DC.contributor")[0]] == [info.translator] * 4
    if lang == "en":
        assert sorted(work["inLanguage"] for work in ld["workTranslation"]) == ["az", "ru"]
    else:
        assert ld["translationOfWork"]["@id"] == _info(project, doc_id, "en").identifier


def _opf(epub: Path):
    with zipfile.ZipFile(epub) as archive:
        name = next(n for n in archive.namelist() if n.endswith(".opf"))
        return lxml.etree.fromstring(archive.read(name))


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("doc_id", [AVIM_ID, TURAN_ID])
def test_page_metadata_agrees_with_the_epub_opf_and_the_pdf_xmp(release_site, doc_id, lang):
    _project, root = release_site
    folder = root / lang / doc_id
    page = _page(root, lang, doc_id)
    opf = _opf(folder / f"{doc_id}.epub")
    dc = {"dc": "http://purl.org/dc/elements/1.1/"}
    assert opf.xpath("//dc:title/text()", namespaces=dc) == _meta(page, "DC.title")
    assert opf.xpath("//dc:creator/text()", namespaces=dc) == _meta(page, "DC.creator")
    assert opf.xpath("//dc:language/text()", namespaces=dc) == _meta(page, "DC.language")
    assert opf.xpath("//dc:identifier/text()", namespaces=dc) == _meta(page, "DC.identifier")
    assert opf.xpath("//dc:source/text()", namespaces=dc) == _meta(page, "DC.source")
    assert opf.xpath("//dc:publisher/text()", namespaces=dc) == _meta(page, "DC.publisher")
    with pikepdf.open(folder / f"{doc_id}.pdf") as pdf:
        xmp = pdf.open_metadata()
        assert xmp["dc:title"] == _meta(page, "DC.title")[0]
        assert list(xmp["dc:creator"]) == _meta(page, "DC.creator")


def test_without_base_url_links_are_relative_and_no_canonical(release_site):
    project, _root = release_site
    files, problems = release.site_files(replace(project, base_url=""))
    assert problems == []
    page = lxml.html.fromstring(files[f"ru/{AVIM_ID}/index.html"])
    assert not page.xpath("//link[@rel='canonical']") and not _meta(page, "og:url")
    assert page.xpath("//link[@hreflang='x-default']/@href") == ["../../en/avim-blog-25/index.html"]
    assert _meta(page, "citation_pdf_url") == [f"{AVIM_ID}.pdf"]
    assert b"Sitemap:" not in files["robots.txt"]


def test_base_url_setting():
    assert base_url_setting("https://example.org/editions", Path("pyproject.toml")) == "https://example.org/editions/"
    assert base_url_setting("", Path("pyproject.toml")) == ""
    for bad in ("javascript:alert(1)//", "file:///etc/", "example.org", "https://exa mple.org/"):
        with pytest.raises(ConfigError, match="base_url"):
            base_url_setting(bad, Path("pyproject.toml"))


def test_serve_listens_on_loopback_only(release_site, tmp_path):
    _project, root = release_site
    server = serve.make_server(root, 0)
    try:
        assert server.server_address[0] == "127.0.0.1"
    finally:
        server.server_close()
    with pytest.raises(InputError, match="run `pressrun dist` first"):
        serve.make_server(tmp_path, 0)


def test_every_language_has_every_label():
    labels = pages.load_labels()
    for lang in LANGS:
        assert set(labels[lang]) == set(labels["en"]), lang


def test_turan_editions_cite_their_source(release_site):
    _project, root = release_site
    for lang in LANGS:
        page = _page(root, lang, TURAN_ID)
        assert _meta(page, "DC.source") == [TURAN_SOURCE]
        assert page.xpath("//p[@class='csl-citation']/a/@href") == [TURAN_SOURCE]
        assert page.xpath("//section[@class='colophon']//a/@href") == [TURAN_SOURCE]


def test_citation_is_rendered_in_the_page_language(release_site):
    project, root = release_site
    cited = {lang: _page(root, lang, TURAN_ID).xpath("string(//p[@class='csl-citation'])") for lang in LANGS}
    for lang in LANGS:
        info = _info(project, TURAN_ID, lang)
        assert info.title in cited[lang]
        assert f"{info.authors[0]}. 2017" in cited[lang]  # the author as the edition names it
    assert "Аналитическая служба «Туран»" in cited["ru"]
    assert not any("Translated by" in text or "Переведено" in text for text in cited.values())  # no credit given
    assert _page(root, "ru", TURAN_ID).xpath("//p[@class='csl-citation']/i/text()") == [
        _info(project, TURAN_ID, "ru").title]


def _opds2_validator():
    def load(path: Path):
        text = path.read_text(encoding="utf-8").replace("(?<", "(?P<")
        return referencing.Resource.from_contents(json.loads(text))
    resources = []
    for path in sorted(SCHEMAS.rglob("*.schema.json")):
        resource = load(path)
        resources.append((resource.id(), resource))
    registry = referencing.Registry().with_resources(resources)
    schema = json.loads((SCHEMAS / "opds" / "feed.schema.json").read_text(encoding="utf-8"))
    return jsonschema.Draft7Validator(schema, registry=registry)


def test_opds2_feed_validates_against_the_official_schemas(release_site):
    _project, root = release_site
    feed = json.loads((root / "opds" / "catalog.json").read_text(encoding="utf-8"))
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in _opds2_validator().iter_errors(feed)]
    assert errors == []
    assert len(feed["publications"]) == 6
    broken = dict(feed, publications=[{"metadata": {"title": "no type"}, "links": []}])
    assert list(_opds2_validator().iter_errors(broken))


def test_opds1_feeds_parse_and_acquisition_links_resolve(release_site):
    _project, root = release_site
    navigation = feedparser.parse(str(root / "opds" / "root.xml"))
    assert not navigation.bozo
    assert [link.href for e in navigation.entries for link in e.links] == [f"{BASE}opds/{lang}.xml" for lang in LANGS]
    for lang in LANGS:
        feed = feedparser.parse(str(root / "opds" / f"{lang}.xml"))
        assert not feed.bozo and len(feed.entries) == 2
        for entry in feed.entries:
            acquisitions = [link for link in entry.links if link.rel == "http://opds-spec.org/acquisition/open-access"]
            assert sorted(link.type for link in acquisitions) == ["application/epub+zip", "application/pdf"]
            images = [link for link in entry.links if link.rel == "http://opds-spec.org/image"]
            assert len(images) == 1 and entry.get("summary", "") in (_info(_project, AVIM_ID, lang).description, "")
            for link in acquisitions + images:
                assert link.href.startswith(BASE)
                local = root / link.href[len(BASE):]
                assert local.is_file() and local.stat().st_size == int(link.get("length", local.stat().st_size))


def test_checksums_and_manifest(release_site):
    _project, root = release_site
    listed = {}
    for line in (root / "SHA256SUMS").read_text().splitlines():
        digest, name = line.split("  ", 1)
        listed[name] = digest
    files = {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}
    assert set(listed) == files - {"SHA256SUMS"}
    for name, digest in listed.items():
        assert hashlib.sha256((root / name).read_bytes()).hexdigest() == digest
    manifest = json.loads((root / "manifest.json").read_text(encoding="utf-8"))
    assert len(manifest["editions"]) == 6
    for listed_edition in manifest["editions"]:
        for item in listed_edition["formats"]:
            assert listed[item["path"]] == item["sha256"] and (root / item["path"]).stat().st_size == item["size"]


def test_every_url_is_inside_the_site_or_allowed(release_site):
    _project, root = release_site
    for page in root.rglob("*.html"):
        tree = lxml.html.parse(str(page)).getroot()
        allowed = set(tree.xpath("//meta[@name='DC.source']/@content")) | {
            "https://avim.org.tr/public/Blog/NATO-AZERBAIJAN-SUCCESSFUL-PARTNERSHIP-FOR-TURBULENT-TIMES"}
        for url in tree.xpath("//@href|//@src"):
            parsed = urlparse(url)
            if parsed.scheme:
                assert url.startswith(BASE) or url in allowed, (page, url)
            else:
                target = urljoin(page.relative_to(root).as_posix(), url.split("#")[0])
                assert not url.split("#")[0] or (root / target).exists(), (page, url)
        assert "javascript:" not in page.read_text(encoding="utf-8")


def test_second_run_is_a_no_op_and_rebuild_is_byte_identical(release_site, tmp_path):
    project, root = release_site
    before = {p.relative_to(root): p.read_bytes() for p in root.rglob("*") if p.is_file()}
    again = release.make_dist(project, jobs=2)
    assert {o.status for o in again} == {"skipped"}
    copy = tmp_path / "first"
    shutil.copytree(root, copy)
    assert release.write_dist(project, force=True).status == "built"
    after = {p.relative_to(root): p.read_bytes() for p in root.rglob("*") if p.is_file()}
    assert after == before


def test_editing_web_css_rebuilds_the_site(release_site):
    project, root = release_site
    css = project.styles_dir / "web.css"
    original = css.read_bytes()
    try:
        css.write_bytes(original + b"\n/* a local change */\n")
        assert release.write_dist(project).status == "built"
        assert (root / "static" / "web.css").read_bytes().endswith(b"/* a local change */\n")
    finally:
        css.write_bytes(original)
        release.write_dist(project)


def test_untrusted_seed_and_sidecar_stay_text(tmp_path):
    folder = make_project(tmp_path, seeds=[])
    seeds = folder / "seeds"
    (seeds / "hostile.txt").write_text(
        "A Hostile <b>Page</b>\n\nBy Some One\n\nMarch 3, 2021\n\n"
        "Text with <script>alert(1)</script> and [js](javascript:alert(1)) inline.\n", encoding="utf-8")
    (seeds / "hostile.meta.toml").write_text('language = "en"\n', encoding="utf-8")
    project = load_project(folder)
    outcomes = release.make_dist(project, jobs=2)
    assert outcomes[-1].status == "built", [str(o.error) for o in outcomes if o.error]
    root = release.dist_dir(project)
    for path in root.rglob("*"):
        if path.suffix in (".html", ".xml", ".json", ".bib", ".ris"):
            text = path.read_text(encoding="utf-8")
            if path.suffix in (".html", ".xml"):
                assert "<script>alert" not in text and "<b>Page" not in text, path
            if path.suffix == ".html":
                tree = lxml.html.parse(str(path)).getroot()
                assert not [url for url in tree.xpath("//@href|//@src|//meta/@content") if "javascript:" in url], path
                assert "javascript:" not in tree.xpath("string(//script[@type='application/ld+json'])")
            else:
                assert "javascript:" not in text, path
    page = next(root.glob("en/*/index.html"))
    tree = lxml.html.parse(str(page)).getroot()
    assert tree.xpath("//script[not(@type='application/ld+json')]") == []
    assert "<script>alert(1)</script>" in tree.xpath("string(//main)")
    assert "A Hostile <b>Page</b>" in tree.findtext("head/title")


def test_cli_dist_on_a_built_site_does_nothing(release_site):
    project, root = release_site
    before = (root / "SHA256SUMS").stat().st_mtime_ns
    result = subprocess.run([sys.executable, "-m", "pressrun", "dist"], cwd=project.root, capture_output=True,
                            text=True)
    assert result.returncode == 0, result.stderr
    assert "pressrun: 0 built" in result.stderr and "Traceback" not in result.stderr
    assert (root / "SHA256SUMS").stat().st_mtime_ns == before


def test_cli_rejects_a_bad_base_url(tmp_path):
    folder = make_project(tmp_path, seeds=[])
    pyproject = folder / "pyproject.toml"
    pyproject.write_text(pyproject.read_text(encoding="utf-8") + 'base_url = "javascript:alert(1)"\n', encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "pressrun", "dist"], cwd=folder, capture_output=True, text=True)
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert "base_url 'javascript:alert(1)' is not an http(s) address" in result.stderr


def test_an_edition_that_cannot_be_read_is_left_out_with_a_warning(release_site, tmp_path):
    project, _root = release_site
    copy = tmp_path / "copy"
    shutil.copytree(project.root, copy, ignore=shutil.ignore_patterns("dist"))
    (copy / "build" / "html" / "az" / f"{TURAN_ID}.json").write_text("{not json", encoding="utf-8")
    (copy / "build" / "epub" / "ru" / f"{AVIM_ID}.epub").unlink()
    files, problems = release.site_files(load_project(copy))
    assert sorted(str(problem) for problem in problems) == sorted([
        f"{AVIM_ID} [ru] left out: its PDF or EPUB was not built",
        f"{TURAN_ID} [az] left out: its metadata record cannot be read (JSONDecodeError); rebuild it with --force"])
    assert len([name for name in files if name.endswith("/index.html") and name.count("/") == 2]) == 4
    assert f"az/{AVIM_ID}/index.html" in files and f"az/{TURAN_ID}/index.html" not in files


def test_a_release_with_no_edition_still_has_dated_feeds(tmp_path):
    folder = make_project(tmp_path, seeds=[])
    (folder / "seeds" / "blank.txt").write_text("\n\n", encoding="utf-8")
    project = load_project(folder)
    outcomes = release.make_dist(project, jobs=1)
    assert outcomes[-1].status == "built"
    feed = feedparser.parse((release.dist_dir(project) / feeds.feed_path("en")).read_bytes())
    assert feed.entries == [] and feed.feed.updated.startswith(edition.edition_date(project.source_date_epoch))
