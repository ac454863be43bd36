"""Ingest: a seed text → a :class:`~pressrun.model.Document` and an ingest report.

In: ``seeds/<name>.txt`` (Markdown-ish UTF-8 text extracted from a web page)
and, when present, its sidecar ``seeds/<name>.meta.toml``.
Out: the document model (metadata + body blocks, each with its seed line) and
an :class:`IngestReport` listing which rule consumed which lines, what was
dropped and why, conflicts and warnings.

pandoc (CommonMark reader with ``sourcepos``) parses the text; a source
profile (:mod:`pressrun.profiles`) decides which blocks are page furniture.
"""

from __future__ import annotations

import codecs
import json
import logging
import re
import tomllib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pypandoc

from . import inlines as il
from .errors import ConfigError, InputError, Problem, ToolError
from .langs import capitalize_word, parse_date, slugify
from .model import (Address, BulletList, Document, Figure, Heading, Inline, Metadata, Para, Person, Quote,
                    Sourced)
from .profiles import Profile, Rule, builtin_profiles, choose_profile, load_rules_table

log = logging.getLogger("pressrun.ingest")

PANDOC_READER = "commonmark_x-raw_html-raw_attribute+sourcepos"
DATE_FIELDS = {"date", "stated_date", "access_date"}
#: Named groups that cut a block into parts instead of naming a field.
STRUCTURAL_GROUPS = {"quote", "attribution"}


@dataclass
class SourceBlock:
    """One top-level block of the seed as pandoc parsed it, with its lines."""

    form: str
    start: int
    end: int
    node: dict
    inlines: list[Inline]

    @property
    def text(self) -> str:
        return il.plain_text(self.inlines).strip()


@dataclass
class IngestReport:
    seed: str
    profile: str = ""
    doc_id: str = ""
    consumed: list[dict] = field(default_factory=list)
    dropped: list[dict] = field(default_factory=list)
    conflicts: list[dict] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    sidecar: dict = field(default_factory=dict)

    def warn(self, message: str, line: int | None = None, rule: str | None = None) -> None:
        self.problems.append(Problem("warning", message, self.seed, line, rule))

    def as_dict(self) -> dict:
        return {
            "seed": self.seed, "profile": self.profile, "doc_id": self.doc_id,
            "consumed": self.consumed, "dropped": self.dropped, "conflicts": self.conflicts,
            "sidecar": self.sidecar, "problems": [p.as_dict() for p in self.problems],
        }

    def to_json(self) -> str:
        return json.dumps(self.as_dict(), ensure_ascii=False, indent=2, sort_keys=True) + "\n"


# Reading -------------------------------------------------------------------

_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


def read_seed(path: Path, max_bytes: int, report: IngestReport) -> str:
    """The seed's text with LF line ends; InputError when it cannot be a seed."""
    data = path.read_bytes()
    if len(data) > max_bytes:
        raise InputError(f"seed is {len(data):,} bytes, over the {max_bytes:,}-byte limit "
                         "(set [tool.pressrun] max_seed_bytes to raise it)", path)
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            text = data.decode(encoding)
            report.warn(f"decoded as {encoding.upper()} (byte order mark found); please save seeds as UTF-8")
            break
    else:
        if b"\x00" in data:
            raise InputError("binary data (NUL byte), not a text file", path, data[: data.index(b"\x00")].count(b"\n") + 1)
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            raise InputError(f"not valid UTF-8 (byte 0x{data[exc.start]:02x}); save the file as UTF-8", path, line) from None
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        report.warn("CRLF line ends converted to LF")
    if not text.strip():
        raise InputError("empty seed: no text to ingest", path)
    return text


def parse_blocks(text: str) -> list[SourceBlock]:
    """Top-level blocks of ``text`` with their 1-based line spans (pandoc)."""
    try:
        ast = json.loads(pypandoc.convert_text(text, "json", format=PANDOC_READER, extra_args=["--sandbox"]))
    except (RuntimeError, OSError) as exc:
        raise ToolError(f"pandoc could not read the seed: {exc}") from exc
    blocks = [_source_block(node) for node in ast["blocks"]]
    lines = text.split("\n")
    for block, following in zip(blocks, blocks[1:] + [None]):
        block.end = min(block.end, len(lines) if following is None else following.start - 1)
        while block.end > block.start and not lines[block.end - 1].strip():
            block.end -= 1
    return blocks


def _source_block(wrapper: dict) -> SourceBlock:
    attrs = {}
    if wrapper["t"] == "Div":
        attrs = dict(wrapper["c"][0][2])
    elif wrapper["t"] == "Header":
        attrs = dict(wrapper["c"][1][2])
    start, end = _line_span(attrs.get("data-pos", ""))
    node = _unwrap_block(wrapper)
    form, inlines = _form(node)
    return SourceBlock(form, start, end, node, inlines)


def _line_span(pos: str) -> tuple[int, int]:
    found = re.search(r"(\d+):(\d+)-(\d+):(\d+)$", pos)
    if not found:
        return 0, 0
    start, _, end, end_col = map(int, found.groups())
    return start, end - 1 if end_col == 1 and end > start else end


def _unwrap_block(node: dict) -> dict:
    """Remove sourcepos wrapper Divs and Spans from a block, recursively."""
    if node["t"] == "Div" and ["wrapper", "1"] in node["c"][0][2]:
        inner = [_unwrap_block(child) for child in node["c"][1]]
        return inner[0] if len(inner) == 1 else {"t": "Div", "c": [["", [], []], inner]}
    kind = node["t"]
    if kind in ("Para", "Plain"):
        return {"t": kind, "c": il.unwrap(node["c"])}
    if kind == "Header":
        return {"t": kind, "c": [node["c"][0], ["", [], []], il.unwrap(node["c"][2])]}
    if kind == "BulletList":
        return {"t": kind, "c": [[_unwrap_block(b) for b in item] for item in node["c"]]}
    if kind == "OrderedList":
        return {"t": kind, "c": [node["c"][0], [[_unwrap_block(b) for b in item] for item in node["c"][1]]]}
    if kind in ("BlockQuote",):
        return {"t": kind, "c": [_unwrap_block(b) for b in node["c"]]}
    return node


def _form(node: dict) -> tuple[str, list[Inline]]:
    kind = node["t"]
    if kind in ("Para", "Plain"):
        content = il.strip(node["c"])
        if len(content) == 1 and content[0]["t"] in ("Emph", "Strong"):
            return ("emphasis" if content[0]["t"] == "Emph" else "strong"), content[0]["c"]
        return "para", content
    if kind == "Header":
        return "heading", node["c"][2]
    if kind == "HorizontalRule":
        return "rule", []
    if kind in ("BulletList", "OrderedList"):
        return "bullet-list", _block_text_inlines(node)
    if kind == "BlockQuote":
        return "quote", _block_text_inlines(node)
    return "other", _block_text_inlines(node)


def _block_text_inlines(node: dict) -> list[Inline]:
    """All inlines of a compound block, paragraphs separated by newlines."""
    found: list[Inline] = []

    def walk(value):
        if isinstance(value, dict) and value.get("t") in ("Para", "Plain", "Header"):
            if found:
                found.append({"t": "LineBreak"})
            found.extend(value["c"][2] if value["t"] == "Header" else value["c"])
        elif isinstance(value, dict):
            walk(value.get("c"))
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(node)
    return found


# Applying a profile ---------------------------------------------------------

class _Builder:
    """Applies one profile's rules to the blocks of one seed."""

    def __init__(self, profile: Profile, report: IngestReport, lines: list[str]):
        self.profile = profile
        self.lines = lines
        self.report = report
        self.meta = Metadata(language=profile.language)
        self.body: list = []
        self.fired: Counter[str] = Counter()
        self.quotes = load_rules_table("typography.toml")[profile.language]["quotes"]
        self.honorifics = sorted(load_rules_table("names.toml")["honorifics"], key=len, reverse=True)
        self.pending_note: Para | None = None

    def run(self, blocks: list[SourceBlock]) -> None:
        region, previous = "head", None
        index = 0
        while index < len(blocks):
            block = blocks[index]
            hit = self._find_rule(block, region, previous)
            if hit is None and region == "head":
                region = "body"
                hit = self._find_rule(block, region, previous)
            if hit is not None and hit[0].join_next is not None:
                while index + 1 < len(blocks) and hit[0].join_next.search(self._source(blocks[index + 1])):
                    index += 1
                    block = self._join(block, blocks[index])
                hit = self._match(hit[0], block) or hit
            if hit is None:
                self._keep(block)
                previous = None
            else:
                self._apply(hit[0], hit[1], block)
                previous = hit[0].name
            index += 1
        if self.pending_note is not None:
            self.report.warn("author note has no marker to attach to; kept as a paragraph", self.pending_note.line)
            self.body.append(self.pending_note)

    def _source(self, block: SourceBlock) -> str:
        return " ".join(line.strip() for line in self.lines[block.start - 1:block.end])

    def _join(self, first: SourceBlock, second: SourceBlock) -> SourceBlock:
        """Re-read the source lines of both blocks as one paragraph.

        A page extraction may split a paragraph mid-sentence so that the
        second half looks like other markup (``02. Accessed`` reads as an
        ordered list); reading the joined source restores the paragraph.
        """
        text = self._source(first) + " " + self._source(second)
        joined = parse_blocks(text)[0]
        return SourceBlock("para", first.start, second.end, joined.node, joined.inlines)

    def _find_rule(self, block: SourceBlock, region: str, previous: str | None):
        for rule in self.profile.rules:
            if rule.region not in (region, "any"):
                continue
            if rule.max is not None and self.fired[rule.name] >= rule.max:
                continue
            if rule.after is not None and rule.after != previous:
                continue
            hit = self._match(rule, block)
            if hit is not None:
                return hit
        return None

    def _match(self, rule: Rule, block: SourceBlock):
        if block.form not in (rule.forms or {"para"}):
            return None
        if rule.pattern is None:
            found = None
        else:
            found = rule.pattern.fullmatch(block.text)
            if found is None:
                return None
        fields = {k: v for k, v in (found.groupdict() if found else {}).items()
                  if v is not None and k not in STRUCTURAL_GROUPS}
        for name, pattern in rule.search:
            hit = pattern.search(block.text)
            if hit:
                fields[name] = hit.group(1) if pattern.groups else hit.group(0)
        for name in DATE_FIELDS & fields.keys():
            if parse_date(fields[name]) is None:
                return None
        return rule, (found, fields)

    # Actions --------------------------------------------------------------
    def _apply(self, rule: Rule, hit, block: SourceBlock) -> None:
        found, fields = hit
        self.fired[rule.name] += 1
        self._record(rule, block, fields)
        for name, value in fields.items():
            in_pattern = found is not None and name in found.groupdict()
            line = block.start + (block.text[: found.start(name)].count("\n") if in_pattern else 0)
            self._set_field(name, value.strip(), line, rule.lang, rule)
        inlines = self._clean(il.slice_inlines(block.inlines, len(rule.strip_prefix)), block.start)
        para = Para(inlines, block.start, rule.role, rule.lang)
        if rule.action == "drop":
            self.report.dropped.append({"lines": [block.start, block.end], "text": block.text,
                                        "rule": rule.name, "reason": rule.reason or "page furniture"})
        elif rule.action == "abstract":
            self.meta.abstract = para
        elif rule.action == "caption":
            self.body.append(Figure(para, block.start))
        elif rule.action == "byline":
            para.role = "byline"
            self.body.append(para)
        elif rule.action == "note":
            self._attach_note(para)
        elif rule.action == "bio":
            self._attach_bio(para)
        elif rule.action == "body":
            self.body.append(para)
        elif rule.action == "quote":
            self.body.append(self._quote(found, block))

    def _record(self, rule: Rule, block: SourceBlock, fields: dict) -> None:
        if rule.action != "drop":
            self.report.consumed.append({"lines": [block.start, block.end], "rule": rule.name, "text": block.text,
                                         "action": rule.action, "fields": dict(sorted(fields.items()))})

    def _keep(self, block: SourceBlock) -> None:
        """A block no rule claimed: body content."""
        node = block.node
        if node["t"] == "HorizontalRule":
            self.report.dropped.append({"lines": [block.start, block.end], "text": "---",
                                        "rule": "body-rule", "reason": "thematic break"})
        elif node["t"] == "Header":
            self.body.append(Heading(node["c"][0], self._clean(node["c"][2], block.start), block.start))
        elif node["t"] in ("BulletList", "OrderedList"):
            items = node["c"] if node["t"] == "BulletList" else node["c"][1]
            starts = self._item_lines(block) + [block.start] * len(items)
            self.body.append(BulletList([[self._para(b, line) for b in item] for item, line in zip(items, starts)],
                                        block.start))
        elif node["t"] == "BlockQuote":
            self.body.append(Quote([self._para(b, block.start) for b in node["c"]], None, block.start))
        elif node["t"] in ("Para", "Plain"):
            self.body.append(Para(self._clean(node["c"], block.start), block.start))
        else:
            self.report.warn(f"{node['t']} block kept as plain text", block.start)
            self.body.append(Para(self._clean(block.inlines, block.start), block.start))

    def _item_lines(self, block: SourceBlock) -> list[int]:
        """The seed lines where the items of a list block begin."""
        marker = re.compile(r"^\s{0,3}(?:[*+-]|\d{1,9}[.)])\s")
        return [n for n in range(block.start, block.end + 1) if marker.match(self.lines[n - 1])]

    def _para(self, node: dict, line: int) -> Para:
        return Para(self._clean(_block_text_inlines(node), line), line)

    def _clean(self, inlines: list[Inline], line: int) -> list[Inline]:
        safe, defused = il.defuse(inlines)
        for what in defused:
            self.report.warn(f"{what} kept as text: seeds may not carry markup or resources", line)
        return il.strip(il.smarten_quotes(safe, self.quotes))

    def _quote(self, found: re.Match, block: SourceBlock) -> Quote:
        inlines = self._clean(block.inlines, block.start)
        quote = il.strip(il.slice_inlines(inlines, found.start("quote"), found.end("quote")))
        said_by = il.strip(il.slice_inlines(inlines, found.start("attribution"), found.end("attribution")))
        return Quote([Para(quote, block.start)], Para(said_by, block.start), block.start)

    def _attach_note(self, note: Para) -> None:
        marker = self.profile.note_marker
        for para in reversed(self.body):
            if isinstance(para, Para) and marker and marker in il.plain_text(para.inlines):
                text = il.plain_text(para.inlines)
                at = text.index(marker)
                note_inline = {"t": "Note", "c": [note]}
                para.inlines = il.normalize(il.slice_inlines(para.inlines, 0, at) + [note_inline]
                                            + il.slice_inlines(para.inlines, at + len(marker)))
                self.report.consumed.append({"lines": [para.line, para.line], "rule": "note-marker",
                                             "text": marker, "action": "note", "fields": {}})
                return
        self.pending_note = note

    def _attach_bio(self, bio: Para) -> None:
        if not self.meta.authors:
            self.report.warn("author bio found but no author; kept as a paragraph", bio.line)
            self.body.append(bio)
            return
        self.meta.authors[0].blurb = bio

    # Fields ---------------------------------------------------------------
    def _set_field(self, name: str, value: str, line: int, lang: str | None, rule: Rule) -> None:
        value = re.sub(r"\s*\n\s*", " ", value)
        sourced = Sourced(value, line, lang)
        meta, address = self.meta, self.meta.address
        if name in ("date", "stated_date"):
            sourced.value = parse_date(value)
            if name == "date" and meta.pubdate is None:
                meta.pubdate = sourced
            else:
                meta.other_dates.append(sourced)
        elif name == "access_date":
            meta.access_date = Sourced(parse_date(value), line)
        elif name == "author":
            self._add_author(sourced, merge=rule.action == "byline")
        elif name == "author_org":
            meta.authors.append(Person(display=sourced, orgname=value))
        elif name == "author_role":
            if meta.authors:
                meta.authors[-1].jobtitle = sourced
            else:
                self.report.warn("byline role found before any author; ignored", line, rule.name)
        elif name.startswith("version_"):
            meta.versions.append(Sourced(value, line, name.removeprefix("version_")))
        elif name == "social":
            address.social.append(sourced)
        elif name in Address.__dataclass_fields__:
            setattr(address, name, sourced)
        elif name in ("series_number", "series", "category", "source_url", "title", "subtitle",
                      "copyright_years", "copyright_holder", "rights", "publisher"):
            setattr(meta, name, sourced)
        else:
            raise ConfigError(f"profile {self.profile.name}: rule {rule.name} sets unknown field {name!r}")

    def _add_author(self, display: Sourced, merge: bool) -> None:
        person = parse_name(display, self.honorifics, self.profile.language)
        for known in self.meta.authors:
            if known.surname and person.surname and known.surname == person.surname:
                known.honorific = known.honorific or person.honorific
                return
        if not merge or not self.meta.authors:
            self.meta.authors.append(person)


def parse_name(display: Sourced, honorifics: list[str], lang: str) -> Person:
    """``Dr. Jakub KOREJBA`` → honorific Dr., first name Jakub, surname Korejba."""
    text = display.value.strip()
    honorific = None
    for candidate in honorifics:
        if text.startswith(candidate + " "):
            honorific, text = candidate, text[len(candidate) + 1:]
            break
    words = text.split()
    words = [capitalize_word(w, lang) if w.isupper() and len(w) > 1 else w for w in words]
    if len(words) == 1:
        return Person(display, honorific, None, words[0])
    return Person(display, honorific, " ".join(words[:-1]), words[-1])


# Document id and sidecar -----------------------------------------------------

def document_id(profile: Profile, meta: Metadata) -> str:
    values = {
        "title": slugify(meta.title.value if meta.title else ""),
        "date": (meta.pubdate.value[:10] if meta.pubdate else "undated"),
        "series_number": meta.series_number.value if meta.series_number else "",
    }
    try:
        return slugify(profile.id_template.format(**values), max_length=80)
    except KeyError as exc:
        raise ConfigError(f"profile {profile.name}: id template uses unknown field {exc}") from exc


SIDECAR_SCALARS = {"title", "subtitle", "publisher", "series", "series_number", "category", "source_url",
                   "copyright_years", "copyright_holder", "rights"}


def apply_sidecar(path: Path, meta: Metadata, report: IngestReport) -> str | None:
    """Apply ``<seed>.meta.toml``; returns the document id it sets, if any."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"sidecar is not valid TOML: {exc}", path) from None
    report.sidecar = {k: v for k, v in sorted(data.items())}
    for key, value in data.items():
        if key in SIDECAR_SCALARS:
            setattr(meta, key, Sourced(str(value), None, data.get(f"{key}_lang")))
        elif key in ("date", "access_date"):
            iso = parse_date(str(value))
            if iso is None:
                raise InputError(f"{key} = {value!r} is not a date", path)
            if key == "date":
                meta.pubdate = Sourced(iso)
            else:
                meta.access_date = Sourced(iso)
        elif key == "authors":
            names = load_rules_table("names.toml")["honorifics"]
            meta.authors = [parse_name(Sourced(str(n)), names, meta.language) for n in value]
        elif key == "keywords":
            meta.keywords = [Sourced(str(k)) for k in value]
        elif key == "language":
            meta.language = str(value)
        elif key == "versions":
            meta.versions = [Sourced(str(v), None, str(v)) for v in value]
        elif key not in ("id",) and not key.endswith("_lang"):
            raise InputError(f"unknown metadata field {key!r}", path)
    return str(data["id"]) if "id" in data else None


# The stage ------------------------------------------------------------------

def ingest(seed: Path, *, max_bytes: int, sidecar: Path | None = None,
           profiles: list[Profile] | None = None) -> tuple[Document, IngestReport]:
    """Read one seed and return its document model and ingest report."""
    report = IngestReport(seed=seed.name)
    text = read_seed(seed, max_bytes, report)
    profile = choose_profile(text, profiles or builtin_profiles())
    report.profile = profile.name
    log.info("%s: profile %s", seed.name, profile.name)
    builder = _Builder(profile, report, text.split("\n"))
    builder.run(parse_blocks(text))
    meta = builder.meta
    for key, value in sorted(profile.metadata.items()):
        if getattr(meta, key, None) is None:
            setattr(meta, key, Sourced(str(value)))
    doc_id = None
    if sidecar is not None and sidecar.is_file():
        doc_id = apply_sidecar(sidecar, meta, report)
    if meta.title is None or not meta.title.value.strip():
        raise InputError("no recognizable title (add a title to a sidecar .meta.toml)", seed)
    _check_dates(meta, report)
    report.doc_id = doc_id or document_id(profile, meta)
    return Document(report.doc_id, seed.name, profile.name, meta, builder.body), report


def _check_dates(meta: Metadata, report: IngestReport) -> None:
    if meta.pubdate is None:
        report.warn("no publication date found")
        return
    for other in meta.other_dates:
        if other.value[:10] != meta.pubdate.value[:10]:
            report.conflicts.append({"field": "date", "publication": meta.pubdate.value,
                                     "publication_line": meta.pubdate.line,
                                     "other": other.value, "other_line": other.line})
            report.warn(f"conflicting dates: {other.value} (line {other.line}) and publication date "
                        f"{meta.pubdate.value} (line {meta.pubdate.line}); the dateline is kept as publication date",
                        other.line)
