"""Body content: pandoc AST blocks (with ``sourcepos``) → document model blocks.

In: the pandoc AST of the blocks no profile rule claimed, still wrapped in
pandoc's ``sourcepos`` Divs and Spans, and the seed's lines.
Out: :mod:`pressrun.document.model` blocks (paragraphs, nested lists, tables, figures,
definition lists, line blocks, code, rules, quotes, headings), each with the
seed line it starts on, and report entries for everything that could not be
kept as it was (raw markup, images outside the project, unsafe links).

Every block and inline type of pandoc's Markdown model has a mapping here;
a type without one is kept as its plain text and reported, never dropped.
The nesting of headings into sections is done afterwards by
:func:`nest_sections` over the whole body.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable
from urllib.parse import urlparse

from ..document.langs import slugify
from ..document.model import (
    Block,
    BulletList,
    CodeBlock,
    DefinitionList,
    Figure,
    Heading,
    Inline,
    LineBlock,
    OrderedList,
    Para,
    Quote,
    Rule,
    Section,
    Table,
    TableCell,
    is_safe_url,
)
from . import inlines as il

#: pandoc's list number styles → DocBook ``orderedlist/@numeration``.
NUMERATION = {"Decimal": "arabic", "DefaultStyle": "arabic", "Example": "arabic", "LowerAlpha": "loweralpha",
              "UpperAlpha": "upperalpha", "LowerRoman": "lowerroman", "UpperRoman": "upperroman"}
ALIGNMENT = {"AlignLeft": "left", "AlignRight": "right", "AlignCenter": "center", "AlignDefault": None}
#: A paragraph right after a table that starts like this is its caption (pandoc Markdown syntax).
TABLE_CAPTION = re.compile(r"^(?:Table)?:\s+")
LINE_BLOCK_LINE = re.compile(r"^\s*\|(?: |$)")


#: Where a node's attributes are in its content, for the node types that have them.
_ATTR_AT = {"Div": 0, "Span": 0, "CodeBlock": 0, "Table": 0, "Figure": 0, "Header": 1}


def line_of(node) -> int | None:
    """The first seed line recorded in ``node`` (a sourcepos ``data-pos``), if any."""
    if isinstance(node, dict):
        attr = _ATTR_AT.get(node.get("t"))
        if attr is not None:
            for key, value in node["c"][attr][2]:
                if key == "data-pos":
                    found = re.search(r"@?(\d+):\d+-", value)
                    if found:
                        return int(found.group(1))
        return line_of(node.get("c"))
    if isinstance(node, list):
        for item in node:
            found = line_of(item)
            if found:
                return found
    return None


def is_wrapper(node: dict) -> bool:
    return node.get("t") in ("Div", "Span") and ["wrapper", "1"] in node["c"][0][2]


@dataclass
class BodyReader:
    """Converts pandoc blocks to model blocks for one seed.

    ``clean`` turns raw inlines into safe, typographically clean inlines and
    reports what it defused; ``drop`` records text that could not be kept in
    the master; ``warn`` records a warning.
    """

    lines: list[str]
    seed_dir: Path | None
    clean: Callable[[list[Inline], int], list[Inline]]
    drop: Callable[[int, str, str, str], None]
    warn: Callable[[str, int | None], None]
    lang: str | None = None

    # blocks ---------------------------------------------------------------
    def blocks(self, nodes: list[dict], line: int | None) -> list[Block]:
        result: list[Block] = []
        flat = list(self._flatten(nodes, line))
        index = 0
        while index < len(flat):
            node, at = flat[index]
            converted = self.block(node, at)
            if isinstance(converted, Table) and index + 1 < len(flat):
                caption = self.table_caption(*flat[index + 1])
                if caption is not None:
                    converted.caption = caption
                    index += 1
            if converted is not None:
                result.extend(converted if isinstance(converted, list) else [converted])
            index += 1
        return result

    def _flatten(self, nodes: list[dict], line: int | None):
        """The blocks of ``nodes`` with wrapper Divs removed, each with its line."""
        for node in nodes:
            if is_wrapper(node):
                yield from self._flatten(node["c"][1], line_of(node) or line)
            else:
                yield node, line_of(node) or line

    def block(self, node: dict, line: int | None):
        kind = node["t"]
        handler = getattr(self, f"_block_{kind}", None)
        if handler is None:
            self.warn(f"{kind} block has no mapping; kept as plain text", line)
            return Para(self.inlines(_text_inlines(node), line), line, lang=self.lang)
        return handler(node, line)

    def _block_Para(self, node, line):
        if self._is_line_block(node, line):
            return self._line_block(node, line)
        return Para(self.inlines(node["c"], line), line, lang=self.lang)

    _block_Plain = _block_Para

    def _block_Header(self, node, line):
        return Heading(node["c"][0], self.inlines(node["c"][2], line), line)

    def _block_BulletList(self, node, line):
        return BulletList([self.blocks(item, line_of(item) or line) for item in node["c"]], line)

    def _block_OrderedList(self, node, line):
        start, style, _delimiter = node["c"][0]
        items = [self.blocks(item, line_of(item) or line) for item in node["c"][1]]
        return OrderedList(items, start, NUMERATION.get(style["t"], "arabic"), line)

    def _block_DefinitionList(self, node, line):
        items = []
        for term, definitions in node["c"]:
            at = line_of(term) or line
            items.append((Para(self.inlines(term, at), at, lang=self.lang),
                          [self.blocks(d, line_of(d) or at) for d in definitions]))
        return DefinitionList(items, line)

    def _block_BlockQuote(self, node, line):
        return Quote(self.blocks(node["c"], line), None, line)

    def _block_CodeBlock(self, node, line):
        classes = node["c"][0][1]
        return CodeBlock(node["c"][1], classes[0] if classes else None, line)

    def _block_RawBlock(self, node, line):
        self.warn(f"raw {node['c'][0]['c'] if isinstance(node['c'][0], dict) else node['c'][0]} markup kept as "
                  "text: seeds may not carry markup", line)
        return Para([{"t": "Str", "c": node["c"][1].strip()}], line, lang=self.lang)

    def _block_HorizontalRule(self, node, line):
        return Rule(line)

    def _block_Null(self, node, line):
        return None

    def _block_LineBlock(self, node, line):
        return LineBlock([self.inlines(each, line) for each in node["c"]], line)

    def _block_Div(self, node, line):
        attrs = dict(node["c"][0][2])
        outer, self.lang = self.lang, attrs.get("lang", self.lang)
        try:
            inner = self.blocks(node["c"][1], line)
        finally:
            self.lang = outer
        ident, classes = node["c"][0][0], node["c"][0][1]
        if ident or classes:
            self.warn(f"div attributes {' '.join(['#' + ident] if ident else []) + ' '.join('.' + c for c in classes)}"
                      " have no meaning in a master; content kept", line)
        return inner

    def _block_Figure(self, node, line):
        _attr, caption, content = node["c"]
        caption_blocks = [b for b in caption[1]]
        caption_inlines = _text_inlines({"t": "Div", "c": [None, caption_blocks]}) if caption_blocks else []
        images = [n for n in _walk(content) if isinstance(n, dict) and n.get("t") == "Image"]
        figure = Figure(Para(self.inlines(caption_inlines, line), line, lang=self.lang) if caption_inlines else None,
                        line)
        if images:
            self._picture(figure, images[0], line)
        return figure

    def _block_Table(self, node, line):
        _attr, caption, colspecs, head, bodies, foot = node["c"]
        aligns = [ALIGNMENT.get(spec[0]["t"]) for spec in colspecs]
        head_rows = [self._row(row, line) for row in head[1]]
        body_rows = [self._row(row, line) for body in bodies for row in body[2] + body[3]]
        body_rows += [self._row(row, line) for row in foot[1]]
        caption_inlines = _text_inlines({"t": "Div", "c": [None, caption[1]]}) if caption[1] else []
        caption_para = Para(self.inlines(caption_inlines, line), line, lang=self.lang) if caption_inlines else None
        return Table(aligns, head_rows, body_rows, caption_para, line)

    def _row(self, row, line) -> list[TableCell]:
        cells = []
        for cell in row[1]:
            at = line_of(cell) or line
            cells.append(TableCell(self.blocks(cell[4], at), at))
        return cells

    def table_caption(self, node: dict, line: int | None) -> Para | None:
        """The caption of the table just before ``node``, when ``node`` is ``: caption`` or ``Table: caption``."""
        node = node["c"][1][0] if is_wrapper(node) and len(node["c"][1]) == 1 else node
        if node["t"] not in ("Para", "Plain"):
            return None
        text = il.plain_text(il.unwrap(node["c"]))
        found = TABLE_CAPTION.match(text)
        if not found:
            return None
        inlines = il.slice_inlines(il.unwrap(node["c"]), found.end())
        return Para(self.inlines(inlines, line), line, lang=self.lang)

    # line blocks ----------------------------------------------------------
    def _is_line_block(self, node: dict, line: int | None) -> bool:
        if not line or node["t"] != "Para":
            return False
        count = sum(1 for n in il.unwrap(node["c"]) if n["t"] in ("SoftBreak", "LineBreak")) + 1
        source = self.lines[line - 1: line - 1 + count]
        return len(source) == count and all(LINE_BLOCK_LINE.match(text) for text in source)

    def _line_block(self, node: dict, line: int) -> LineBlock:
        content = il.unwrap(node["c"])
        rows: list[list[Inline]] = [[]]
        for inline in content:
            if inline["t"] in ("SoftBreak", "LineBreak"):
                rows.append([])
            else:
                rows[-1].append(inline)
        result = []
        for number, row in enumerate(rows):
            text = il.plain_text(row)
            cut = LINE_BLOCK_LINE.match(text)
            result.append(self.inlines(il.slice_inlines(row, cut.end() if cut else 0), line + number))
        return LineBlock(result, line)

    # inlines --------------------------------------------------------------
    def inlines(self, raw: list[Inline], line: int | None) -> list[Inline]:
        """Unwrapped, cleaned inlines; notes converted, links and images checked."""
        prepared = self._prepare(il.unwrap(raw), line)
        return self.clean(prepared, line or 0)

    def _prepare(self, inlines: list[Inline], line: int | None) -> list[Inline]:
        result = []
        for node in inlines:
            kind = node["t"]
            if kind == "Note":
                at = line_of(node) or line
                result.append({"t": "Note", "c": self.blocks(node["c"], at)})
                continue
            if kind == "Link" and not is_safe_url(node["c"][2][0]):
                self.drop(line or 0, node["c"][2][0], "unsafe-link",
                          "link target that is not http(s) or mailto; the link text is kept")
                result.extend(self._prepare(node["c"][1], line))
                continue
            if kind == "Image":
                self.drop(line or 0, " ".join(part for part in node["c"][2] if part), "inline-image",
                          "picture inside a paragraph; never fetched, only its alt text is kept in the text")
                result.extend(self._prepare(node["c"][1], line))
                continue
            if kind == "Span":
                classes = node["c"][0][1]
                mapped = next((c for c in ("smallcaps", "underline") if c in classes), None)
                if mapped:
                    result.append({"t": "SmallCaps" if mapped == "smallcaps" else "Underline",
                                   "c": self._prepare(node["c"][1], line)})
                    continue
            kids = il.children(node)
            if kids is not None:
                node = il.with_children(node, self._prepare(kids, line))
            result.append(node)
        return result

    # pictures -------------------------------------------------------------
    def _picture(self, figure: Figure, image: dict, line: int | None) -> None:
        """Keep the alt text and title; keep the file only when it lies in the seed's folder."""
        alt = il.unwrap(image["c"][1])
        source, title = image["c"][2]
        figure.alt = self.clean(alt, line or 0) if alt else []
        if title:
            figure.image_title = title
        local = self._local_image(source)
        if local is None:
            self.drop(line or 0, source, "image-source",
                      "picture that is remote, outside the seed's folder or missing; never fetched, "
                      "only its alt text is kept")
        else:
            figure.image = local

    def _local_image(self, source: str) -> str | None:
        parsed = urlparse(source)
        if parsed.scheme or parsed.netloc or source.startswith("/") or self.seed_dir is None:
            return None
        root = self.seed_dir.resolve()
        target = (root / source).resolve()
        if not target.is_relative_to(root) or not target.is_file():
            return None
        return target.relative_to(root).as_posix()


def _walk(value):
    if isinstance(value, dict):
        yield value
        yield from _walk(value.get("c"))
    elif isinstance(value, list):
        for item in value:
            yield from _walk(item)


def _text_inlines(node: dict) -> list[Inline]:
    """All inlines of a compound block, paragraphs separated by line breaks."""
    found: list[Inline] = []
    for child in _walk(node):
        if child.get("t") in ("Para", "Plain", "Header"):
            if found:
                found.append({"t": "LineBreak"})
            found.extend(child["c"][2] if child["t"] == "Header" else child["c"])
    return found


# Sections -------------------------------------------------------------------

def nest_sections(body: list[Block]) -> list[Block]:
    """Top-level headings open sections that hold what follows, nested by level.

    A section's ``xml:id`` is ``sec-`` and the slug of its source heading
    (numbered when two headings have the same words): it is computed once,
    from the original text, so every translation keeps it.
    """
    result: list[Block] = []
    stack: list[Section] = []
    taken: set[str] = set()
    for block in body:
        if isinstance(block, Heading):
            section = Section(block.level, block.inlines, _section_id(block.inlines, taken), [], block.line)
            while stack and stack[-1].level >= block.level:
                stack.pop()
            (stack[-1].blocks if stack else result).append(section)
            stack.append(section)
        else:
            (stack[-1].blocks if stack else result).append(block)
    return result


def _section_id(title: list[Inline], taken: set[str]) -> str:
    base = "sec-" + (slugify(il.plain_text(title), max_length=50) or "section")
    ident, number = base, 2
    while ident in taken:
        ident, number = f"{base}-{number}", number + 1
    taken.add(ident)
    return ident
