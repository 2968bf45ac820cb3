"""Loads the clinical knowledge base: YAML files beside this module, validated when loaded.

Every rule, table and threshold lives in `knowledge/*.yaml`; each entry names its source by key and the
keys resolve in the source registry (any file's top-level `sources:` block). A broken file fails loudly
naming file and entry, and `knowledge_version()` changes whenever any file's content changes.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, Literal, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

__all__ = [
    "KNOWLEDGE_DIR",
    "Entry",
    "KnowledgeError",
    "KnowledgeFile",
    "Source",
    "cite",
    "knowledge_files",
    "knowledge_version",
    "load",
    "sources",
]

KNOWLEDGE_DIR = Path(__file__).with_name("knowledge")

# libyaml's safe loader parses the knowledge base ~7x faster than the pure-Python one (start-up time).
_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

Evidence = Literal["verified", "secondary", "unverified", "mapping"]


class KnowledgeError(RuntimeError):
    """A knowledge file is missing, malformed or cites an unknown source."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Source(_Strict):
    """A guideline, policy or paper that rules cite."""

    title: str = Field(min_length=3)
    short: str | None = None
    url: str | None = None
    evidence: Evidence = "verified"

    @property
    def label(self) -> str:
        return self.short or self.title


class Entry(_Strict):
    """Base for knowledge entries: an id, the source keys that back it, how well it was verified."""

    id: str = Field(min_length=1)
    citation: tuple[str, ...] = Field(min_length=1)
    evidence: Evidence = "verified"
    note: str | None = None

    @field_validator("citation", mode="before")
    @classmethod
    def _split(cls, value: Any) -> Any:
        if isinstance(value, str):
            return tuple(part.strip() for part in value.split(",") if part.strip())
        return value


class KnowledgeFile(_Strict):
    """Base for a whole file: its own `sources:` block and free-form `about` text."""

    about: str = ""
    sources: dict[str, Source] = Field(default_factory=dict)


F = TypeVar("F", bound=KnowledgeFile)


def knowledge_files() -> list[Path]:
    return sorted(KNOWLEDGE_DIR.glob("*.yaml"))


@functools.cache
def _raw(name: str) -> Any:
    path = KNOWLEDGE_DIR / name
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise KnowledgeError(f"knowledge/{name}: cannot read ({exc.strerror})") from None
    try:
        return yaml.load(text, Loader=_LOADER)  # noqa: S506 (a safe loader: libyaml's when available)
    except yaml.YAMLError as exc:
        raise KnowledgeError(f"knowledge/{name}: not valid YAML: {exc}") from None


def _where(data: Any, loc: Sequence[int | str]) -> str:
    """A readable location: the path, with the id of the entry it falls in when there is one."""
    path = ""
    node = data
    entry_id = None
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            node = None
        if isinstance(node, Mapping) and "id" in node:
            entry_id = node["id"]
    return f"{path} (entry {entry_id!r})" if entry_id is not None else path


@functools.cache
def sources() -> dict[str, Source]:
    """Every source key in the knowledge base; a key defined twice is an error."""
    found: dict[str, Source] = {}
    origin: dict[str, str] = {}
    for path in knowledge_files():
        data = _raw(path.name)
        block = data.get("sources") if isinstance(data, Mapping) else None
        if not block:
            continue
        for key, value in block.items():
            if key in found:
                raise KnowledgeError(
                    f"knowledge/{path.name}: source {key!r} already defined in {origin[key]}"
                )
            try:
                found[key] = Source.model_validate(value)
            except ValidationError as exc:
                raise KnowledgeError(
                    f"knowledge/{path.name}: sources.{key}: {exc.errors()[0]['msg']}"
                ) from None
            origin[key] = path.name
    return found


def _citations(node: Any) -> Iterable[tuple[Any, tuple[str, ...]]]:
    if isinstance(node, Entry):
        yield node, node.citation
    if isinstance(node, BaseModel):
        for name in type(node).model_fields:
            yield from _citations(getattr(node, name))
    elif isinstance(node, Mapping):
        for value in node.values():
            yield from _citations(value)
    elif isinstance(node, list | tuple):
        for value in node:
            yield from _citations(value)


def load(name: str, schema: type[F]) -> F:
    """Validate `knowledge/<name>` against `schema`; errors name the file, the path and the entry id."""
    data = _raw(name)
    try:
        model = schema.model_validate(data)
    except ValidationError as exc:
        lines = [f"{_where(data, e['loc'])}: {e['msg']}" for e in exc.errors(include_url=False)[:10]]
        raise KnowledgeError(f"knowledge/{name} is invalid:\n  " + "\n  ".join(lines)) from None
    known = sources()
    for entry, keys in _citations(model):
        for key in keys:
            if key not in known:
                raise KnowledgeError(
                    f"knowledge/{name}: entry {getattr(entry, 'id', '?')!r} cites unknown source {key!r}"
                )
    return model


_cited: dict[tuple[str, ...], str] = {}
_cited_from: list[dict[str, Source]] = []


def cite(keys: Iterable[str]) -> str:
    """The human-readable citation for source keys, e.g. 'NICE NG59 (2016, updated 2020)'.

    Remembered per key sequence (a handful of combinations come from the knowledge base) for as long as
    the source registry stays the same one.
    """
    known = sources()
    if not _cited_from or _cited_from[0] is not known:
        _cited.clear()
        _cited_from[:] = [known]
    key = keys if isinstance(keys, tuple) else tuple(keys)
    found = _cited.get(key)
    if found is None:
        found = "; ".join(known[k].label for k in key)
        if len(_cited) >= 4096:
            _cited.clear()
        _cited[key] = found
    return found


@functools.cache
def knowledge_version() -> str:
    """`<series>+<hash>`: the series from manifest.yaml, the hash over every knowledge file's bytes."""
    digest = hashlib.sha256()
    for path in knowledge_files():
        digest.update(path.name.encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
    manifest = _raw("manifest.yaml")
    series = manifest.get("series", "0") if isinstance(manifest, Mapping) else "0"
    return f"{series}+{digest.hexdigest()[:10]}"
