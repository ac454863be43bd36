"""Source profiles: declarative knowledge of how a publisher lays out a page.

A profile is a TOML file in ``pressrun/profiles/`` (see ``avim-blog.toml``
for the annotated syntax).  This module only loads and checks them; the
rules are applied by :mod:`pressrun.sources.ingest`.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from ..engine.dependencies import package_file, package_listing, read_bytes
from ..errors import ConfigError

ACTIONS = {"meta", "drop", "drop-rest", "abstract", "caption", "note", "byline", "bio", "body", "quote"}
FORMS = {"para", "emphasis", "strong", "heading", "bullet-list", "rule", "quote", "other"}
REGIONS = {"head", "body", "any"}


@dataclass(frozen=True)
class Rule:
    name: str
    action: str
    region: str = "any"
    pattern: re.Pattern | None = None
    forms: frozenset[str] = frozenset()
    after: str | None = None
    before: str | None = None
    max: int | None = 1
    lang: str | None = None
    role: str | None = None
    reason: str | None = None
    strip_prefix: str = ""
    join_next: re.Pattern | None = None
    then: tuple[re.Pattern, ...] = ()
    search: tuple[tuple[str, re.Pattern], ...] = ()


@dataclass(frozen=True)
class Profile:
    name: str
    description: str
    language: str | None
    detect: tuple[re.Pattern, ...]
    id_template: str
    rules: tuple[Rule, ...]
    metadata: dict = field(default_factory=dict)
    note_marker: str | None = None

    def matches(self, text: str) -> bool:
        return bool(self.detect) and all(p.search(text) for p in self.detect)


def load_profile(path: Path | str, text: str | None = None) -> Profile:
    source = text if text is not None else Path(path).read_text(encoding="utf-8")
    try:
        data = tomllib.loads(source)
        head = data["profile"]
        return Profile(
            name=head["name"],
            description=head.get("description", ""),
            language=head.get("language"),
            detect=tuple(re.compile(p) for p in head.get("detect", [])),
            id_template=head.get("id", "{title}"),
            rules=tuple(_rule(entry) for entry in data.get("rule", [])),
            metadata=dict(data.get("metadata", {})),
            note_marker=head.get("note_marker"),
        )
    except (tomllib.TOMLDecodeError, KeyError, re.error, ValueError) as exc:
        raise ConfigError(f"invalid source profile: {exc}", path) from exc


def _rule(entry: dict) -> Rule:
    action = entry.get("action", "meta")
    region = entry.get("region", "any")
    forms = entry.get("form", [])
    forms = frozenset([forms] if isinstance(forms, str) else forms)
    if action not in ACTIONS or region not in REGIONS or not forms <= FORMS:
        raise ValueError(f"rule {entry.get('name')!r}: unknown action, region or form")
    return Rule(
        name=entry["name"],
        action=action,
        region=region,
        pattern=re.compile(entry["pattern"]) if "pattern" in entry else None,
        forms=forms,
        after=entry.get("after"),
        before=entry.get("before"),
        max=entry.get("max", 1) or None,
        lang=entry.get("lang"),
        role=entry.get("role"),
        reason=entry.get("reason"),
        strip_prefix=entry.get("strip_prefix", ""),
        join_next=re.compile(entry["join_next"]) if "join_next" in entry else None,
        then=tuple(re.compile(p) for p in entry.get("then", [])),
        search=tuple((k, re.compile(v)) for k, v in sorted(entry.get("search", {}).items())),
    )


def builtin_profiles() -> list[Profile]:
    """The profiles shipped with pressrun, the generic fallback last."""
    profiles = [load_profile(str(path), read_bytes(path).decode("utf-8"))
                for path in package_listing("profiles", "*.toml")]
    return sorted(profiles, key=lambda p: p.name == "generic")


def choose_profile(text: str, profiles: list[Profile]) -> Profile:
    for profile in profiles:
        if profile.matches(text):
            return profile
    return next(p for p in profiles if p.name == "generic")


def load_rules_table(name: str) -> dict:
    """A declarative table from ``pressrun/rules/`` (typography, names …)."""
    return tomllib.loads(read_bytes(package_file(f"rules/{name}")).decode("utf-8"))
