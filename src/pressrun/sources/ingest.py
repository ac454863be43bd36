"""Ingest: a seed text → a :class:`~pressrun.document.model.Document` and an ingest report.

In: ``seeds/<name>.txt`` (Markdown-ish UTF-8 text extracted from a web page)
and, when present, its sidecar ``seeds/<name>.meta.toml``.
Out: the document model (metadata + body blocks, each with its seed line) and
an :class:`IngestReport` listing which rule consumed which lines, what was
dropped and why, conflicts and warnings.

pandoc (CommonMark reader with pandoc's extensions and ``sourcepos``) parses
the text; a source profile (:mod:`pressrun.sources.profiles`) decides which blocks are
page furniture and metadata; :mod:`pressrun.sources.body` maps the rest to the model.
The article's language is the sidecar's, else the profile's, else the one
lingua identifies; the report says where each metadata field came from.
"""

from __future__ import annotations

import codecs
import json
import logging
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pypandoc

from ..document.langs import (
    capitalize_word,
    identify_language,
    language_table,
    parse_date,
    slugify,
)
from ..document.model import (
    REPORTED_FIELDS,
    SOURCE_URL_SCHEMES,
    TEXT_FIELDS,
    Address,
    Block,
    Document,
    Figure,
    Inline,
    Metadata,
    Para,
    Person,
    Quote,
    Section,
    Sourced,
    Table,
    is_safe_url,
)
from ..engine.dependencies import read_bytes, uses_tool
from ..errors import ConfigError, InputError, Problem, ToolError
from . import inlines as il
from .body import BodyReader, nest_sections
from .profiles import Profile, Rule, builtin_profiles, choose_profile, load_rules_table
from .sidecar import Sidecar, read_sidecar

log = logging.getLogger("pressrun.sources.ingest")

PANDOC_READER = "commonmark_x-raw_html-raw_attribute+implicit_figures+sourcepos"
#: Profile fields whose value is a date (``stated_date``: a date the text states besides the publication date).
PROFILE_DATE_FIELDS = {"date", "stated_date", "access_date"}
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
    raw: dict | None = None

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
    fields: dict = field(default_factory=dict)
    language: dict = field(default_factory=dict)

    def warn(self, message: str, line: int | None = None, rule: str | None = None) -> None:
        self.problems.append(Problem("warning", message, self.seed, line, rule))

    def as_dict(self) -> dict:
        return {
            "seed": self.seed, "profile": self.profile, "doc_id": self.doc_id,
            "consumed": self.consumed, "dropped": self.dropped, "conflicts": self.conflicts,
            "sidecar": self.sidecar, "problems": [p.as_dict() for p in self.problems],
            "fields": self.fields, "language": self.language,
        }

    def to_json(self) -> str:
        return json.dumps(self.as_dict(), ensure_ascii=False, indent=2, sort_keys=True) + "\n"


# Reading -------------------------------------------------------------------

#: C0 controls other than tab, line feed, form feed and carriage return: no text file holds them.
_CONTROL = re.compile("[\x00-\x08\x0b\x0e-\x1f]")
#: Byte order mark, the codec that reads what follows it, and the encoding's name.
_BOMS = ((codecs.BOM_UTF8, "utf-8", "UTF-8"), (codecs.BOM_UTF16_LE, "utf-16-le", "UTF-16"),
         (codecs.BOM_UTF16_BE, "utf-16-be", "UTF-16"))


def _decode_marked(data: bytes, codec: str, name: str, path: Path) -> str:
    """The text after a byte order mark; a file whose bytes do not follow its mark is refused by line."""
    try:
        return data.decode(codec)
    except UnicodeDecodeError as exc:
        before = data[: exc.start].decode(codec, errors="replace")
        raise InputError(f"starts with a {name} byte order mark but is not {name} text; save the file as UTF-8",
                         path, before.count("\n") + 1) from None


def read_seed(path: Path, max_bytes: int, report: IngestReport) -> str:
    """The seed's text with LF line ends; InputError when it cannot be a seed."""
    data = read_bytes(path)
    if len(data) > max_bytes:
        raise InputError(f"seed is {len(data):,} bytes, over the {max_bytes:,}-byte limit "
                         "(set [tool.pressrun] max_seed_bytes to raise it)", path)
    for bom, codec, name in _BOMS:
        if data.startswith(bom):
            text = _decode_marked(data[len(bom):], codec, name, path)
            report.warn(f"decoded as {name} (byte order mark found); please save seeds as UTF-8")
            break
    else:
        if b"\x00" in data:
            raise InputError("binary data (NUL byte), not a text file", path, data[: data.index(b"\x00")].count(b"\n") + 1)
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            raise InputError(f"not valid UTF-8 (byte 0x{data[exc.start]:02x}); save the file as UTF-8", path, line) from None
    control = _CONTROL.search(text)
    if control:
        raise InputError(f"binary data (control character U+{ord(control.group()):04X}), not a text file", path,
                         text.count("\n", 0, control.start()) + 1)
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        report.warn("CRLF line ends converted to LF")
    if not text.strip():
        raise InputError("empty seed: no text to ingest", path)
    return text


def parse_blocks(text: str) -> list[SourceBlock]:
    """Top-level blocks of ``text`` with their 1-based line spans (pandoc)."""
    prepared, moved = inline_notes_as_references(text)
    try:
        uses_tool("pandoc")
        ast = json.loads(pypandoc.convert_text(prepared, "json", format=PANDOC_READER, extra_args=["--sandbox"]))
    except (RuntimeError, OSError) as exc:
        raise ToolError(f"pandoc could not read the seed: {exc}") from exc
    if moved:
        _move_positions(ast["blocks"], moved)
    blocks = [_source_block(node) for node in ast["blocks"]]
    lines = text.split("\n")
    for block, following in zip(blocks, blocks[1:] + [None]):
        block.end = min(block.end, len(lines) if following is None else following.start - 1)
        while block.end > block.start and not lines[block.end - 1].strip():
            block.end -= 1
    return blocks


# Footnotes ------------------------------------------------------------------

INLINE_NOTE_LABEL = "pressrun-inline-{}"
FOOTNOTE_REF = re.compile(r"\[\^([^\]\s]+)\](?!:)")
FOOTNOTE_DEF = re.compile(r"^ {0,3}\[\^([^\]\s]+)\]:")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_CODE_SPAN = re.compile(r"(`+)(?:.|\n)*?\1")


def _code_ranges(text: str) -> list[tuple[int, int]]:
    """Character ranges of fenced code blocks and code spans (where ``^[`` is literal)."""
    ranges, offset, fence_start = [], 0, None
    for line in text.split("\n"):
        if _FENCE.match(line):
            if fence_start is None:
                fence_start = offset
            else:
                ranges.append((fence_start, offset + len(line)))
                fence_start = None
        offset += len(line) + 1
    ranges += [m.span() for m in _CODE_SPAN.finditer(text)]
    return ranges


def inline_notes_as_references(text: str) -> tuple[str, dict[int, int]]:
    """pandoc's inline notes ``^[…]`` rewritten as reference notes.

    pandoc's CommonMark reader (the one that reports source lines) has no
    inline notes; each becomes ``[^pressrun-inline-N]`` with its definition
    appended after the text.  The line count of the text is unchanged; the
    returned map gives, for each appended definition line, the seed line of
    its note.
    """
    code = _code_ranges(text)
    pieces, definitions, position, number = [], [], 0, 0
    search = 0
    while True:
        at = text.find("^[", search)
        if at < 0:
            break
        close = _closing_bracket(text, at + 1)
        if close is None or any(lo <= at < hi for lo, hi in code) or (at and text[at - 1] == "\\"):
            search = at + 2
            continue
        number += 1
        body = text[at + 2:close]
        label = INLINE_NOTE_LABEL.format(number)
        pieces.append(text[position:at] + f"[^{label}]" + "\n" * body.count("\n"))
        definitions.append((label, " ".join(body.split()), text.count("\n", 0, at) + 1))
        position = search = close + 1
    if not definitions:
        return text, {}
    result = "".join(pieces) + text[position:]
    moved = {}
    for label, body, line in definitions:
        result += f"\n\n[^{label}]: {body}"
        moved[result.count("\n") + 1] = line
    return result + "\n", moved


def _closing_bracket(text: str, opening: int) -> int | None:
    depth = 0
    for index in range(opening, len(text)):
        char = text[index]
        if char == "\\":
            continue
        if char == "[" and text[index - 1] != "\\":
            depth += 1
        elif char == "]" and text[index - 1] != "\\":
            depth -= 1
            if depth == 0:
                return index
        elif char == "\n" and text[index + 1:index + 2] == "\n":
            return None
    return None


def _move_positions(value, moved: dict[int, int]) -> None:
    """Point the source positions of appended note definitions back at their notes."""
    if isinstance(value, dict):
        if value.get("t") in ("Div", "Span", "Header"):
            attrs = value["c"][1 if value["t"] == "Header" else 0][2]
            for pair in attrs:
                if pair[0] == "data-pos":
                    pair[1] = re.sub(r"(\d+)(?=:\d+)", lambda m: str(moved.get(int(m.group(1)), m.group(1))), pair[1])
        _move_positions(value.get("c"), moved)
    elif isinstance(value, list):
        for item in value:
            _move_positions(item, moved)


def check_footnotes(text: str, report: IngestReport) -> None:
    """Report markers without a definition and definitions without a marker, with their lines.

    pandoc keeps a marker without definition as literal text (so its words
    stay in the master) but drops a definition nobody refers to: its text is
    listed among the report's dropped entries.
    """
    lines = text.split("\n")
    defined: dict[str, int] = {}
    used: dict[str, int] = {}
    for number, line in enumerate(lines, 1):
        found = FOOTNOTE_DEF.match(line)
        if found:
            defined.setdefault(found.group(1), number)
        for ref in FOOTNOTE_REF.finditer(line[found.end():] if found else line):
            used.setdefault(ref.group(1), number)
    for label, line in sorted(used.items(), key=lambda item: item[1]):
        if label not in defined:
            report.warn(f"footnote marker [^{label}] has no definition; kept as text", line, "footnotes")
    for label, line in sorted(defined.items(), key=lambda item: item[1]):
        if label not in used:
            end = _definition_end(lines, line)
            body = " ".join(" ".join(lines[line - 1:end]).split())
            report.warn(f"footnote definition [^{label}] has no marker in the text; listed as dropped", line,
                        "footnotes")
            report.dropped.append({"lines": [line, end], "text": body, "rule": "footnote-without-marker",
                                   "reason": "footnote definition that no marker refers to"})


def _definition_end(lines: list[str], start: int) -> int:
    end = start
    while end < len(lines) and (lines[end].strip() and not FOOTNOTE_DEF.match(lines[end])
                                or (not lines[end].strip() and end + 1 < len(lines)
                                    and lines[end + 1].startswith("    "))):
        end += 1
    while end > start and not lines[end - 1].strip():
        end -= 1
    return end


def _source_block(wrapper: dict) -> SourceBlock:
    attrs = {}
    if wrapper["t"] == "Div":
        attrs = dict(wrapper["c"][0][2])
    elif wrapper["t"] == "Header":
        attrs = dict(wrapper["c"][1][2])
    start, end = _line_span(attrs.get("data-pos", ""))
    node = _unwrap_block(wrapper)
    form, inlines = _form(node)
    return SourceBlock(form, start, end, node, inlines, wrapper)


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

    def __init__(self, profile: Profile, language: str, report: IngestReport, lines: list[str],
                 seed_dir: Path | None = None):
        self.profile = profile
        self.lines = lines
        self.report = report
        self.meta = Metadata(language=language)
        self.body: list = []
        self.fired: Counter[str] = Counter()
        self.quotes = _quotes(language)
        self.names = load_rules_table("names.toml")
        self.pending_note: Para | None = None
        self.sources: dict[str, dict] = {}
        self.reader = BodyReader(lines, seed_dir, self._clean, self._drop, self.report.warn)

    def run(self, blocks: list[SourceBlock]) -> None:
        region, previous = "head", None
        index = 0
        while index < len(blocks):
            block = blocks[index]
            following = blocks[index + 1:]
            hit = self._find_rule(block, region, previous, following)
            if hit is None and region == "head":
                region = "body"
                hit = self._find_rule(block, region, previous, following)
            if hit is not None and hit[0].join_next is not None:
                while index + 1 < len(blocks) and hit[0].join_next.search(self._source(blocks[index + 1])):
                    index += 1
                    block = self._join(block, blocks[index])
                hit = self._match(hit[0], block) or hit
            if hit is None:
                self._keep(block)
                previous = None
            elif hit[0].action == "drop-rest":
                self._drop_rest(hit[0], blocks[index:])
                break
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

    def _find_rule(self, block: SourceBlock, region: str, previous: str | None, following: list[SourceBlock]):
        for rule in self.profile.rules:
            if rule.then and (len(following) < len(rule.then)
                              or not all(p.fullmatch(b.text) for p, b in zip(rule.then, following))):
                continue
            if rule.region not in (region, "any"):
                continue
            if rule.max is not None and self.fired[rule.name] >= rule.max:
                continue
            if rule.after is not None and rule.after != previous and previous not in rule.after.split("|"):
                continue
            if rule.before is not None and self.fired[rule.before]:
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
        for name in PROFILE_DATE_FIELDS & fields.keys():
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
            self._source_of("abstract", block.start, rule)
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

    def _drop_rest(self, rule: Rule, blocks: list[SourceBlock]) -> None:
        """Everything from this block on belongs to another page element (the next story …)."""
        self.fired[rule.name] += 1
        for block in blocks:
            text = self._source(block) if block.form == "other" and not block.text else block.text
            self.report.dropped.append({"lines": [block.start, block.end], "text": text,
                                        "rule": rule.name, "reason": rule.reason or "after the end of the article"})

    def _record(self, rule: Rule, block: SourceBlock, fields: dict) -> None:
        if rule.action != "drop":
            self.report.consumed.append({"lines": [block.start, block.end], "rule": rule.name, "text": block.text,
                                         "action": rule.action, "fields": dict(sorted(fields.items()))})

    def _keep(self, block: SourceBlock) -> None:
        """A block no rule claimed: body content, whatever pandoc construct it is."""
        last = self.body[-1] if self.body else None
        if isinstance(last, Table) and last.caption is None:
            last.caption = self.reader.table_caption(block.raw or block.node, block.start)
            if last.caption is not None:
                self.report.consumed.append({"lines": [block.start, block.end], "rule": "table-caption",
                                             "text": block.text, "action": "caption", "fields": {}})
                return
        self.body.extend(self.reader.blocks([block.raw or block.node], block.start))

    def _drop(self, line: int, text: str, rule: str, reason: str) -> None:
        self.report.dropped.append({"lines": [line, line], "text": text, "rule": rule, "reason": reason})
        self.report.warn(f"{reason}: {text}", line, rule)

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
    def _source_of(self, name: str, line: int | None, rule: Rule) -> None:
        self.sources.setdefault(name, {"line": line, "rule": rule.name})

    def _set_field(self, name: str, value: str, line: int, lang: str | None, rule: Rule) -> None:
        value = re.sub(r"\s*\n\s*", " ", value)
        sourced = Sourced(value, line, lang)
        meta, address = self.meta, self.meta.address
        if name in ("date", "stated_date"):
            sourced.value = parse_date(value)
            if name == "date" and meta.pubdate is None:
                meta.pubdate = sourced
                self._source_of("date", line, rule)
            else:
                meta.other_dates.append(sourced)
        elif name == "access_date":
            meta.access_date = Sourced(parse_date(value), line)
            self._source_of(name, line, rule)
        elif name == "author":
            for each in split_authors(value, self.names["conjunctions"]):
                self._add_author(Sourced(each, line, lang), merge=rule.action == "byline")
            self._source_of("authors", line, rule)
        elif name == "author_org":
            meta.authors.append(Person(display=sourced, orgname=value))
            self._source_of("authors", line, rule)
        elif name in ("author_role", "author_affiliation"):
            if meta.authors:
                for person in meta.authors:
                    setattr(person, "jobtitle" if name == "author_role" else "affiliation", sourced)
            else:
                self.report.warn(f"byline {name.removeprefix('author_')} found before any author; ignored",
                                 line, rule.name)
        elif name.startswith("version_"):
            meta.versions.append(Sourced(value, line, name.removeprefix("version_")))
        elif name == "social":
            address.social.append(sourced)
        elif name in Address.__dataclass_fields__:
            setattr(address, name, sourced)
        elif name == "source_url" and not is_safe_url(value, SOURCE_URL_SCHEMES):
            self.report.warn(f"source address {value!r} is not an http(s) address; not used", line, rule.name)
        elif name in TEXT_FIELDS:
            setattr(meta, name, sourced)
            self._source_of(name, line, rule)
        else:
            raise ConfigError(f"profile {self.profile.name}: rule {rule.name} sets unknown field {name!r}")

    def _add_author(self, display: Sourced, merge: bool) -> None:
        person = parse_name(display, self.names["honorifics"], self.meta.language)
        for known in self.meta.authors:
            if known.surname and person.surname and known.surname == person.surname:
                known.honorific = known.honorific or person.honorific
                return
        if not merge or not self.meta.authors:
            self.meta.authors.append(person)


def _quotes(language: str) -> dict:
    table = load_rules_table("typography.toml")
    return table.get(language, table["en"])["quotes"]


def split_authors(text: str, conjunctions: list[str]) -> list[str]:
    """``A, B and C`` → ``[A, B, C]`` (conjunctions of every language in ``rules/names.toml``)."""
    words = "|".join(re.escape(c) for c in conjunctions)
    parts = re.split(rf"\s*,\s*(?:(?:{words})\s+)?|\s+(?:{words})\s+", text.strip())
    return [part.strip() for part in parts if part.strip()]


def parse_name(display: Sourced, honorifics: list[str], lang: str) -> Person:
    """``Dr. Jakub KOREJBA`` → honorific Dr., first name Jakub, surname Korejba (nameparser).

    Honorifics come from ``rules/names.toml``; a name written in capitals
    is capitalized with the article language's case rules (Turkic ``İ``/``ı``).
    """
    text = display.value.strip()
    honorific = None
    for candidate in sorted(honorifics, key=len, reverse=True):
        if text.startswith(candidate + " "):
            honorific, text = candidate, text[len(candidate) + 1:]
            break
    from nameparser import (
        HumanName,  # imported on first use: it takes half a second to load
    )
    words = [capitalize_word(w, lang) if w.isupper() and len(w) > 1 else w for w in text.split()]
    if len(words) == 1:
        return Person(display, honorific, None, words[0])
    name = HumanName(" ".join(words))
    honorific = honorific or name.title or None
    first = name.first or None
    surname = " ".join(p for p in (name.last, name.suffix) if p) or None
    if surname is None:
        return Person(display, honorific, " ".join(words[:-1]), words[-1])
    return Person(display, honorific, first, surname, othername=name.middle or None)


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


def apply_sidecar(sidecar: Sidecar, meta: Metadata, report: IngestReport) -> str | None:
    """Apply the sidecar's checked fields (they win over the text); returns the document id it sets, if any."""
    report.sidecar = {key: sidecar.fields[key] for key in sorted(sidecar.fields)}
    for key, value in sidecar.fields.items():
        if key in TEXT_FIELDS:
            setattr(meta, key, Sourced(value, None, sidecar.get(f"{key}_lang")))
        elif key == "date":
            meta.pubdate = Sourced(value)
        elif key == "access_date":
            meta.access_date = Sourced(value)
        elif key == "authors":
            honorifics = load_rules_table("names.toml")["honorifics"]
            meta.authors = [parse_name(Sourced(name), honorifics, meta.language) for name in value]
        elif key == "keywords":
            meta.keywords = [Sourced(keyword) for keyword in value]
        elif key == "versions":
            meta.versions = [Sourced(version, None, version) for version in value]
    return sidecar.get("id")


# Languages --------------------------------------------------------------------

def article_language(text: str, profile: Profile, sidecar: Sidecar) -> dict:
    """The article's language: the sidecar's, else the profile's, else identified by lingua."""
    if sidecar.get("language"):
        return {"code": sidecar.get("language"), "source": "sidecar"}
    if profile.language:
        return {"code": profile.language, "source": f"profile {profile.name}"}
    code, confidence = identify_language(text)
    if code is None:
        return {"code": "en", "source": "default (no text to identify)"}
    return {"code": code, "source": "identified (lingua)", "confidence": round(confidence, 3)}


def mark_segment_languages(meta: Metadata, body: list[Block], report: IngestReport) -> None:
    """Mark titles, captions and quotations written in another language than the article."""
    table = language_table()

    def other_language(text: str) -> str | None:
        if len(text.split()) < table["segment_min_words"]:
            return None
        code, confidence = identify_language(text)
        if code and code != meta.language and confidence >= table["segment_min_confidence"]:
            return code
        return None

    for value in (meta.title, meta.subtitle):
        if value is not None and value.lang is None:
            value.lang = other_language(value.value)
    for para in _segment_paras(body):
        if para.lang is None:
            para.lang = other_language(il.plain_text(para.inlines))
            if para.lang:
                report.warn(f"written in {para.lang}, not in the article's language {meta.language}", para.line,
                            "language")


def _segment_paras(blocks: list[Block]):
    """Captions and quotation paragraphs, the segments most often quoted from another language."""
    for block in blocks:
        if isinstance(block, Figure) and block.caption is not None:
            yield block.caption
        elif isinstance(block, Quote):
            yield from (p for p in block.paras if isinstance(p, Para))
        elif isinstance(block, Section):
            yield from _segment_paras(block.blocks)


# The stage ------------------------------------------------------------------

def ingest(seed: Path, *, max_bytes: int, sidecar: Path | None = None,
           profiles: list[Profile] | None = None) -> tuple[Document, IngestReport]:
    """Read one seed and return its document model and ingest report."""
    report = IngestReport(seed=seed.name)
    text = read_seed(seed, max_bytes, report)
    fields = read_sidecar(sidecar)
    profile = choose_profile(text, profiles or builtin_profiles())
    report.profile = profile.name
    report.language = article_language(text, profile, fields)
    log.info("%s: profile %s, language %s", seed.name, profile.name, report.language["code"])
    builder = _Builder(profile, report.language["code"], report, text.split("\n"), seed.parent)
    check_footnotes(text, report)
    builder.run(parse_blocks(text))
    meta = builder.meta
    sources = builder.sources
    for key, value in sorted(profile.metadata.items()):
        if getattr(meta, key, None) is None:
            setattr(meta, key, Sourced(str(value)))
            sources[key] = {"source": f"profile {profile.name}"}
    doc_id = None
    if fields:
        doc_id = apply_sidecar(fields, meta, report)
        for key in fields.fields:
            sources[{"authors": "authors", "date": "date"}.get(key, key)] = {"source": "sidecar"}
    if meta.title is None or not meta.title.value.strip():
        raise InputError("no recognizable title (add a title to a sidecar .meta.toml)", seed)
    body = nest_sections(builder.body)
    mark_segment_languages(meta, body, report)
    _check_dates(meta, report)
    report.fields = {name: sources.get(name, "not found") for name in REPORTED_FIELDS}
    report.doc_id = doc_id or document_id(profile, meta)
    return Document(report.doc_id, seed.name, profile.name, meta, body), report


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
