"""Catalogs: masters → POT templates → PO catalogs per language, and back.

In: ``build/master/<doc-id>.xml``.
Out: ``translations/<doc-id>.pot`` (every segment, :func:`extract`) and
``translations/<lang>/LC_MESSAGES/<doc-id>.po`` (:func:`update`), built with
Babel's catalog model and written with its PO writer, without line wrapping
so that one message is one line in a diff.

Update follows gettext's ``msgmerge --previous``: an unchanged message keeps
its translation; a changed one becomes fuzzy with the previous msgid; a
removed one becomes obsolete (``#~``) and is kept.  The similarity search is
pressrun's own (word-level, no difflib autojunk), because Babel's
``Catalog.update`` can miss small edits in long paragraphs
(python-babel/babel#969).  A translator's msgstr is never dropped.

:func:`read_catalog` reads a PO file strictly: any syntax error, a charset
other than UTF-8, a duplicate msgid or a truncated entry is an
:class:`~pressrun.errors.InputError` naming the file and line.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from difflib import SequenceMatcher
from pathlib import Path

from babel import Locale
from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import PoFileError, PoFileParser, escape, unescape, write_po
from lxml import etree

from .. import __version__
from ..config import DEFAULT_LANGUAGES, source_date_epoch
from ..document.its import Segment, segments
from ..document.model import XPATH_NS
from ..engine.dependencies import read_bytes
from ..engine.outputs import write_if_changed
from ..errors import InputError

FUZZY_CUTOFF = 0.6
PO_WIDTH = 0  # no wrapping: one message, one line
#: Last-Translator of a catalog nobody has translated yet; editions print no credit for it.
UNASSIGNED_TRANSLATOR = "not yet assigned"
#: Last-Translator values that name nobody (pressrun's and gettext's placeholders).
PLACEHOLDER_TRANSLATORS = {"", UNASSIGNED_TRANSLATOR, "FULL NAME <EMAIL@ADDRESS>"}
#: The header listing a translation's translators ("Name <mail>, Name"); Babel does not keep it.
TRANSLATORS_HEADER = "X-Translators"
#: The ``#.`` comment that records where the translation memory took a translation from; kept on update.
MEMORY_COMMENT = "TM: "


# Extract ---------------------------------------------------------------------

def source_date(tree: etree._ElementTree) -> datetime:
    """SOURCE_DATE_EPOCH when set, else the master's publication date."""
    epoch = source_date_epoch()
    if epoch is not None:
        return datetime.fromtimestamp(epoch, tz=timezone.utc)
    pubdate = tree.xpath("string(/db:article/db:info/db:pubdate)", namespaces=XPATH_NS)[:10]
    try:
        return datetime.fromisoformat(pubdate).replace(tzinfo=timezone.utc)
    except ValueError:
        return datetime(1970, 1, 1, tzinfo=timezone.utc)


def seed_name(tree: etree._ElementTree) -> str:
    remap = tree.getroot().get("remap", "")
    return "seeds/" + remap.removeprefix("seed:") if remap.startswith("seed:") else "seeds/?"


def _description(segment: Segment, document_lang: str) -> str:
    if segment.lang and segment.lang != document_lang:
        name = Locale.parse(segment.lang).get_display_name("en")
        return f"{segment.description}; written in {name} ({segment.lang}), not in the article's language"
    return segment.description


def extract(tree: etree._ElementTree, doc_id: str) -> Catalog:
    """The template catalog of one master: one message per segment."""
    document_lang = tree.getroot().get("{http://www.w3.org/XML/1998/namespace}lang", "en")
    title = tree.xpath("string(/db:article/db:info/db:title)", namespaces=XPATH_NS)
    catalog = _new_catalog(None, doc_id, source_date(tree), title)
    where = seed_name(tree)
    for segment in segments(tree):
        comment = _description(segment, document_lang)
        if segment.msgid in catalog:
            message = catalog[segment.msgid]
            message.locations.append((where, segment.line))
            if comment not in message.auto_comments:
                message.auto_comments.append(comment)
            continue
        catalog.add(segment.msgid, "", [(where, segment.line)], auto_comments=[comment])
        catalog[segment.msgid].flags.discard("python-format")
    return catalog


def _new_catalog(lang: str | None, doc_id: str, created: datetime, title: str) -> Catalog:
    language = f" {Locale.parse(lang).get_display_name('en')}" if lang else ""
    return Catalog(
        locale=lang, domain=doc_id, project="pressrun", version=doc_id,
        header_comment=(f"#{language} translation of “{title}” ({doc_id}).\n"
                        "# Edit the msgstr lines only; keep the inline tags of each msgid.\n#"),
        creation_date=created, revision_date=created, fuzzy=False,
        last_translator=UNASSIGNED_TRANSLATOR,
        language_team=f"{Locale.parse(lang).get_display_name('en')} translators" if lang else "",
        msgid_bugs_address="editors of this project (see README)",
    )


def write_catalog(path: Path, catalog: Catalog) -> bool:
    """Write a PO/POT file; not rewritten when only its creation date would change."""
    data = catalog_bytes(catalog)
    template = catalog.locale is None
    if path.is_file() and _without_dates(path.read_bytes(), template) == _without_dates(data, template):
        return False
    return write_if_changed(path, data)


def catalog_bytes(catalog: Catalog) -> bytes:
    """The PO text of ``catalog``, with ``#| msgid`` lines written as gettext does.

    Babel wraps previous msgids like free comments, splitting the quoted
    string across ``#|`` lines; pressrun writes each on one line instead.
    """
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=PO_WIDTH, include_previous=False, sort_output=False)
    text = buffer.getvalue().decode("utf-8")
    for message in catalog:
        if message.id and message.previous_id:
            line = f"msgid {escape(message.id)}\n"
            text = text.replace("\n" + line, f"\n#| msgid {escape(message.previous_id[0])}\n{line}", 1)
    listed = listed_translators(catalog)
    if listed:
        text = re.sub(r'("Language-Team: [^"]*"\n)', lambda m: f'{m.group(1)}"{TRANSLATORS_HEADER}: {escape(listed)[1:-1]}\\n"\n',
                      text, count=1)
    return _fix_generator(text.encode("utf-8"))


def listed_translators(catalog: Catalog) -> str:
    """The catalog's ``X-Translators`` header value ("" when it has none)."""
    return getattr(catalog, "translators", "")


def translator_names(catalog: Catalog | None) -> list[str]:
    """The people a catalog credits: its ``X-Translators`` list, else its ``Last-Translator``.

    E-mail addresses are removed; placeholders (pressrun's "not yet assigned",
    gettext's "FULL NAME <EMAIL@ADDRESS>", an empty header) name nobody.
    """
    if catalog is None:
        return []
    listed = listed_translators(catalog)
    entries = listed.split(",") if listed else [catalog.last_translator or ""]
    names = [entry.split("<")[0].strip() for entry in entries if entry.strip() not in PLACEHOLDER_TRANSLATORS]
    return [name for name in names if name]


def _fix_generator(data: bytes) -> bytes:
    return re.sub(rb'"Generated-By: [^"]*\\n"', f'"Generated-By: pressrun {__version__}\\\\n"'.encode(), data)


def _without_dates(data: bytes, template: bool) -> bytes:
    """The catalog without the header dates that only record when it was made."""
    fields = rb"POT-Creation-Date|PO-Revision-Date" if template else rb"POT-Creation-Date"
    return re.sub(rb'"(?:' + fields + rb'): [^"]*"', b"", data)


# Update -------------------------------------------------------------------------

def update(template: Catalog, old: Catalog | None, lang: str, doc_id: str, title: str) -> Catalog:
    """The catalog for ``lang`` from ``template``, keeping everything ``old`` holds."""
    new = _new_catalog(lang, doc_id, template.creation_date, title)
    if old is not None:
        new.header_comment = old.header_comment
        new.revision_date = old.revision_date
        new.last_translator = old.last_translator
        new.language_team = old.language_team
        new.mime_headers = [(name, value) for name, value in old.mime_headers if name == "Plural-Forms"]
        new.translators = listed_translators(old)
    previous = {_key(m): m for m in (old or []) if m.id}
    obsolete = {_key(m): m for m in (old.obsolete.values() if old is not None else [])}
    wanted = [m for m in template if m.id]
    used: set = {_key(m) for m in wanted if _key(m) in previous}
    for message in wanted:
        found = previous.get(_key(message)) or obsolete.pop(_key(message), None)
        if found is not None:
            _add(new, message, found.string, found.flags, found.user_comments,
                 previous_id=found.previous_id if found.fuzzy else (),
                 kept_comments=[c for c in found.auto_comments if c.startswith(MEMORY_COMMENT)])
            continue
        match = _closest(message, [m for k, m in previous.items() if k not in used and m.string])
        if match is None:
            match = _closest(message, [m for m in obsolete.values() if m.string])
            if match is not None:
                obsolete.pop(_key(match))
        if match is not None:
            used.add(_key(match))
            _add(new, message, match.string, set(match.flags) | {"fuzzy"}, match.user_comments,
                 previous_id=match.id)
        else:
            _add(new, message, "", set(), [])
    for key, message in [*previous.items(), *obsolete.items()]:
        if key not in used and new.get(*key) is None and message.string:
            new.obsolete[new._key_for(*key)] = _copy(message)
    return new


def _key(message: Message) -> tuple[str, str | None]:
    return message.id, message.context


def _add(catalog: Catalog, template: Message, string, flags, user_comments, previous_id=(),
         kept_comments=()) -> None:
    added = catalog.add(template.id, string, template.locations, flags=[f for f in flags if f != "python-format"],
                        auto_comments=[*template.auto_comments, *kept_comments], user_comments=user_comments,
                        previous_id=previous_id, context=template.context)
    if not previous_id:
        added.previous_id = []
    added.flags.discard("python-format")


def _copy(message: Message) -> Message:
    return Message(message.id, message.string, message.locations, message.flags, message.auto_comments,
                   message.user_comments, message.previous_id, context=message.context)


def _closest(message: Message, candidates: list[Message]) -> Message | None:
    """The most similar candidate of the same context at word level, if similar enough."""
    words = message.id.split()
    best, best_ratio = None, FUZZY_CUTOFF
    for candidate in candidates:
        if candidate.context != message.context:
            continue
        other = candidate.id.split()
        matcher = SequenceMatcher(None, words, other, autojunk=False)
        if matcher.real_quick_ratio() < best_ratio or matcher.quick_ratio() < best_ratio:
            continue
        ratio = matcher.ratio()
        if ratio >= best_ratio:
            best, best_ratio = candidate, ratio
    return best


def language_template(template: Catalog, master: etree._ElementTree, lang: str) -> Catalog:
    """The template for one language: segments already in ``lang`` pass through untranslated."""
    in_lang = {s.msgid for s in segments(master) if s.lang == lang}
    clone = Catalog(domain=template.domain, creation_date=template.creation_date, fuzzy=False)
    for message in template:
        if message.id and message.id not in in_lang:
            clone.add(message.id, "", message.locations, auto_comments=message.auto_comments,
                      context=message.context)
    return clone


# Reading ------------------------------------------------------------------------------

_PO_LINE = re.compile(r'^(?:(?:msgctxt|msgid|msgid_plural|msgstr(?:\[\d+\])?)\s+)?"(?:[^"\\]|\\.)*"$')


class _StrictParser(PoFileParser):
    """Babel's PO parser, refusing duplicates and reading ``#|`` previous msgids.

    Babel's own parser keeps ``#| msgid`` lines as translator comments, which
    would lose the previous text of a fuzzy message on the next update.
    """

    def __init__(self, catalog: Catalog):
        super().__init__(catalog, abort_invalid=True)

    def _reset_message_state(self) -> None:
        super()._reset_message_state()
        self.previous: list[str] = []

    def _process_comment(self, line) -> None:
        if not line.startswith("#|"):
            super()._process_comment(line)
            return
        if self.messages:
            self._finish_current_message()
        rest = line[2:].strip()
        if rest.startswith("msgid "):
            self.previous = [unescape(rest[6:].strip())]
        elif rest.startswith('"') and self.previous:
            self.previous.append(unescape(rest))

    def _add_message(self) -> None:
        msgid = self.messages[0].denormalize() if self.messages else ""
        key = self.catalog._key_for(msgid, self.context.denormalize() if self.context else None)
        if msgid and not self.obsolete and key in self.catalog._messages:
            raise PoFileError(f"duplicate msgid {msgid[:60]!r}", self.catalog, "", self.offset)
        previous, obsolete = "".join(self.previous), self.obsolete
        super()._add_message()
        if previous:
            target = self.catalog.obsolete.get(key) if obsolete else self.catalog.get(msgid)
            if target is not None:
                target.previous_id = [previous]


def read_catalog(path: Path, lang: str | None = None) -> Catalog:
    data = read_bytes(path)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"not valid UTF-8 (byte 0x{data[exc.start]:02x})", path, data[: exc.start].count(b"\n") + 1)
    lines = text.split("\n")
    for number, line in enumerate(lines, 1):
        stripped = line.strip()
        body = stripped[2:].strip() if stripped.startswith("#~") else stripped
        if body and not body.startswith("#") and not _PO_LINE.match(body):
            raise InputError(f"syntax error: {stripped[:60]!r}", path, number)
    charset = re.search(r'"Content-Type: [^"]*charset=([^"\\]+)', text)
    if charset and charset.group(1).strip().lower() not in ("utf-8", "utf8"):
        line = text[: charset.start()].count("\n") + 1
        raise InputError(f"charset {charset.group(1).strip()} in the header; pressrun catalogs are UTF-8", path, line)
    catalog = Catalog(locale=lang, domain=path.stem)
    try:
        _StrictParser(catalog).parse(lines)
    except PoFileError as exc:
        raise InputError(str(exc), path, exc.lineno + 1) from None
    listed = re.search(r'^"' + TRANSLATORS_HEADER + r': ((?:[^"\\]|\\[^n])*)\\n"$', text, re.MULTILINE)
    catalog.translators = unescape(f'"{listed.group(1)}"').strip() if listed else ""
    return catalog


# The stage ---------------------------------------------------------------------------

@dataclass
class CatalogStats:
    doc_id: str
    lang: str
    messages: int = 0
    translated: int = 0
    fuzzy: int = 0
    untranslated: int = 0
    words: int = 0
    words_translated: int = 0
    words_fuzzy: int = 0
    words_untranslated: int = 0

    @property
    def percent(self) -> float:
        return 100.0 * self.translated / self.messages if self.messages else 100.0

    def as_dict(self) -> dict:
        return {**self.__dict__, "percent": round(self.percent, 1)}


def word_count(msgid: str) -> int:
    return len(re.sub(r"<[^>]*>", " ", msgid).split())


def stats(catalog: Catalog, doc_id: str, lang: str) -> CatalogStats:
    result = CatalogStats(doc_id, lang)
    for message in catalog:
        if not message.id:
            continue
        words = word_count(message.id)
        result.messages += 1
        result.words += words
        if message.string and not message.fuzzy:
            result.translated += 1
            result.words_translated += words
        elif message.string:
            result.fuzzy += 1
            result.words_fuzzy += words
        else:
            result.untranslated += 1
            result.words_untranslated += words
    return result


# Edition strings ------------------------------------------------------------------

STRINGS_SOURCES = ("editions/edition.py",)
LANGUAGE_LABELS = "language-labels.toml"  # in pressrun/rules/


def extract_code_strings(languages: tuple[str, ...] = DEFAULT_LANGUAGES) -> Catalog:
    """The ``pressrun`` domain template: every ``_("…")`` in the edition code (Babel extraction)
    and, for each of ``languages``, one message per label use that names a language
    (``rules/language-labels.toml``, the use as msgctxt).

    References name the source file without a line number, so that editing
    pressrun's code never rewrites the translators' catalogs.
    """
    from importlib import resources

    from babel.messages.extract import extract_from_file
    package = resources.files("pressrun")
    catalog = _new_catalog(None, "pressrun", datetime(2026, 1, 1, tzinfo=timezone.utc), "pressrun edition strings")
    for name in STRINGS_SOURCES:
        path = str(package / name)
        for _lineno, message, comments, _context in extract_from_file("python", path, keywords={"_": None}):
            if message not in catalog:
                catalog.add(message, "", [(f"src/pressrun/{name}", None)],
                            auto_comments=comments or ["words an edition adds; keep {placeholders} as they are"])
                catalog[message].flags.discard("python-format")
    for context, use in language_label_uses().items():
        for lang in languages:
            msgid = language_label_msgid(context, lang)
            if catalog.get(msgid, context) is None:
                added = catalog.add(msgid, "", [(f"src/pressrun/rules/{LANGUAGE_LABELS}", None)], auto_comments=[use["comment"]],
                                    context=context)
                added.flags.discard("python-format")
    return catalog


def language_label_uses() -> dict[str, dict]:
    """Each use of a language name in a label: msgctxt → its English msgid template and comment."""
    from ..sources.profiles import load_rules_table
    return load_rules_table(LANGUAGE_LABELS)["uses"]


def language_label_msgid(context: str, lang: str) -> str:
    """The English msgid of one label use naming language ``lang``."""
    english = Locale.parse(lang).get_display_name("en")
    return language_label_uses()[context]["msgid"].replace("{language}", english)
