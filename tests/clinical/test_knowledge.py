"""The knowledge loader: every file validates, every citation resolves, broken files fail loudly."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from stepcare.clinical import knowledge, load_knowledge
from stepcare.clinical.knowledge import Entry, KnowledgeError, KnowledgeFile


class _Rule(Entry):
    threshold: int


class _RulesFile(KnowledgeFile):
    rules: tuple[_Rule, ...]


def _clear() -> None:
    knowledge._raw.cache_clear()
    knowledge.sources.cache_clear()
    knowledge.knowledge_version.cache_clear()


@pytest.fixture
def kdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setattr(knowledge, "KNOWLEDGE_DIR", tmp_path)
    (tmp_path / "manifest.yaml").write_text('series: "9.9"\n')
    (tmp_path / "sources.yaml").write_text("sources:\n  SRC1: {title: A guideline, short: Guideline 1}\n")
    _clear()
    yield tmp_path
    _clear()


def test_every_shipped_file_loads_and_the_version_names_the_series() -> None:
    version = load_knowledge()
    assert version.startswith("2026.")
    assert "+" in version
    assert version == knowledge.knowledge_version()


def test_every_shipped_source_has_a_title() -> None:
    found = knowledge.sources()
    assert len(found) >= 60
    assert all(len(s.label) > 3 for s in found.values())


def test_a_valid_file_loads_and_cites(kdir: Path) -> None:
    (kdir / "rules.yaml").write_text("rules:\n  - {id: r1, citation: SRC1, threshold: 5}\n")
    model = knowledge.load("rules.yaml", _RulesFile)
    assert model.rules[0].threshold == 5
    assert knowledge.cite(model.rules[0].citation) == "Guideline 1"


def test_an_unknown_key_fails_naming_file_path_and_entry(kdir: Path) -> None:
    (kdir / "rules.yaml").write_text("rules:\n  - {id: r1, citation: SRC1, threshold: 5, treshold: 6}\n")
    with pytest.raises(KnowledgeError) as exc:
        knowledge.load("rules.yaml", _RulesFile)
    text = str(exc.value)
    assert "knowledge/rules.yaml" in text
    assert "rules[0].treshold" in text
    assert "'r1'" in text


def test_an_unknown_source_key_fails(kdir: Path) -> None:
    (kdir / "rules.yaml").write_text("rules:\n  - {id: r1, citation: NOPE, threshold: 5}\n")
    with pytest.raises(KnowledgeError, match="'r1' cites unknown source 'NOPE'"):
        knowledge.load("rules.yaml", _RulesFile)


def test_an_entry_without_citation_fails(kdir: Path) -> None:
    (kdir / "rules.yaml").write_text("rules:\n  - {id: r1, threshold: 5}\n")
    with pytest.raises(KnowledgeError, match=r"rules\[0\]\.citation"):
        knowledge.load("rules.yaml", _RulesFile)


def test_broken_yaml_fails_naming_the_file(kdir: Path) -> None:
    (kdir / "rules.yaml").write_text("rules: [unclosed\n")
    with pytest.raises(KnowledgeError, match=r"knowledge/rules\.yaml: not valid YAML"):
        knowledge.load("rules.yaml", _RulesFile)


def test_a_source_defined_twice_fails(kdir: Path) -> None:
    (kdir / "more.yaml").write_text("sources:\n  SRC1: {title: Again}\n")
    with pytest.raises(KnowledgeError, match="'SRC1' already defined"):
        knowledge.sources()


def test_version_changes_when_any_file_changes(kdir: Path) -> None:
    (kdir / "rules.yaml").write_text("rules:\n  - {id: r1, citation: SRC1, threshold: 5}\n")
    before = knowledge.knowledge_version()
    (kdir / "rules.yaml").write_text("rules:\n  - {id: r1, citation: SRC1, threshold: 6}\n")
    _clear()
    after = knowledge.knowledge_version()
    assert before != after
    assert before.startswith("9.9+")
    assert after.startswith("9.9+")
