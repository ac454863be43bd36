"""Helpers over pandoc AST inlines (the JSON form): text, slicing, cleaning.

Plain text offsets are counted over :func:`plain_text`, where ``Space`` and
``SoftBreak`` are one space and ``LineBreak`` is a newline, so that a regular
expression matched against the plain text can cut the inlines it came from.
"""

from __future__ import annotations

import copy

from ..document.model import Inline

#: Inline containers whose content is a plain list of inlines.
_SIMPLE_CONTAINERS = {"Emph", "Strong", "Underline", "Strikeout", "Superscript", "Subscript", "SmallCaps"}
_BREAKS = {"Space": " ", "SoftBreak": " ", "LineBreak": "\n"}


def children(node: Inline) -> list[Inline] | None:
    """The child inlines of a container node, or None for a leaf."""
    kind = node["t"]
    if kind in _SIMPLE_CONTAINERS:
        return node["c"]
    if kind in ("Link", "Span", "Image"):
        return node["c"][1]
    if kind in ("Quoted", "Cite"):
        return node["c"][1]
    return None


def with_children(node: Inline, kids: list[Inline]) -> Inline:
    clone = copy.deepcopy(node)
    kind = clone["t"]
    if kind in _SIMPLE_CONTAINERS:
        clone["c"] = kids
    else:
        clone["c"][1] = kids
    return clone


def plain_text(inlines: list[Inline]) -> str:
    return "".join(_leaf_text(node) if children(node) is None else plain_text(children(node)) for node in inlines)


def _leaf_text(node: Inline) -> str:
    kind = node["t"]
    if kind in _BREAKS:
        return _BREAKS[kind]
    if kind in ("Str", "Code", "Math", "RawInline"):
        return node["c"] if kind == "Str" else node["c"][1]
    return ""


def text_length(inlines: list[Inline]) -> int:
    return len(plain_text(inlines))


def slice_inlines(inlines: list[Inline], start: int, end: int | None = None) -> list[Inline]:
    """The inlines covering plain-text offsets ``start:end``, cutting Str nodes."""
    end = text_length(inlines) if end is None else end
    result: list[Inline] = []
    offset = 0
    for node in inlines:
        kids = children(node)
        length = text_length(kids) if kids is not None else len(_leaf_text(node))
        lo, hi = max(start - offset, 0), min(end - offset, length)
        if lo < hi or (length == 0 and start <= offset <= end):
            if kids is not None:
                result.append(with_children(node, slice_inlines(kids, lo, hi)))
            elif node["t"] == "Str":
                result.append({"t": "Str", "c": node["c"][lo:hi]})
            elif lo == 0 and hi == length:
                result.append(node)
            else:
                result.append({"t": "Str", "c": _leaf_text(node)[lo:hi]})
        offset += length
    return normalize(result)


def normalize(inlines: list[Inline]) -> list[Inline]:
    """Drop empty Str nodes and empty containers, merge adjacent Str nodes."""
    result: list[Inline] = []
    for node in inlines:
        kids = children(node)
        if kids is not None and node["t"] != "Link":
            kids = normalize(kids)
            if not kids:
                continue
            node = with_children(node, kids)
        if node["t"] == "Str" and not node["c"]:
            continue
        if node["t"] == "Str" and result and result[-1]["t"] == "Str":
            result[-1] = {"t": "Str", "c": result[-1]["c"] + node["c"]}
            continue
        result.append(node)
    return result


def strip(inlines: list[Inline]) -> list[Inline]:
    """Remove leading and trailing white space."""
    text = plain_text(inlines)
    start = len(text) - len(text.lstrip())
    end = len(text.rstrip())
    return slice_inlines(inlines, start, end)


def unwrap(node_list: list[Inline]) -> list[Inline]:
    """Remove pandoc's ``sourcepos`` wrapper spans, keeping their content."""
    result: list[Inline] = []
    for node in node_list:
        kids = children(node)
        if node["t"] == "Span" and ["wrapper", "1"] in node["c"][0][2]:
            result.extend(unwrap(kids))
        elif kids is not None:
            result.append(with_children(node, unwrap(kids)))
        else:
            result.append(node)
    return normalize(result)


def text_inline(text: str) -> list[Inline]:
    """Inlines for a plain string (spaces become ``Space``)."""
    result: list[Inline] = []
    for index, word in enumerate(text.split(" ")):
        if index:
            result.append({"t": "Space"})
        if word:
            result.append({"t": "Str", "c": word})
    return result


def smarten_quotes(inlines: list[Inline], quotes: dict[str, str]) -> list[Inline]:
    """Replace pandoc ``Quoted`` nodes by the language's quotation characters.

    ``quotes`` maps ``DoubleQuote``/``SingleQuote`` to an opening and closing
    pair, e.g. ``{"DoubleQuote": "“”"}``; the characters end up as text so
    that translators replace them with their own language's marks.
    """
    result: list[Inline] = []
    for node in inlines:
        if node["t"] == "Quoted":
            pair = quotes[node["c"][0]["t"]]
            result.append({"t": "Str", "c": pair[0]})
            result.extend(smarten_quotes(node["c"][1], quotes))
            result.append({"t": "Str", "c": pair[1]})
            continue
        kids = children(node)
        result.append(with_children(node, smarten_quotes(kids, quotes)) if kids is not None else node)
    return normalize(result)


def defuse(inlines: list[Inline]) -> tuple[list[Inline], list[str]]:
    """Turn raw markup and images into literal text; return what was defused.

    Seeds are untrusted: raw HTML must never reach an edition as markup, and
    an image reference must never make the pipeline read a file.
    """
    found: list[str] = []
    result: list[Inline] = []
    for node in inlines:
        kind = node["t"]
        if kind == "RawInline":
            found.append(f"raw {node['c'][0]} markup {node['c'][1]!r}")
            result.append({"t": "Str", "c": node["c"][1]})
        elif kind == "Image":
            found.append(f"image {node['c'][2][0]!r}")
            alt, more = defuse(node["c"][1])
            found.extend(more)
            result.extend(alt)
        else:
            kids = children(node)
            if kids is not None:
                clean, more = defuse(kids)
                found.extend(more)
                node = with_children(node, clean)
            result.append(node)
    return normalize(result), found
