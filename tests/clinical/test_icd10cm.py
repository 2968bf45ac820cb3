"""ICD-10-CM codes per condition: the knowledge file's checks and the pick by region and side."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stepcare.clinical import differential, icd10cm, knowledge
from stepcare.clinical.catalog import knowledge_summary
from stepcare.clinical.knowledge import KnowledgeError
from stepcare.clinical.vocab import DIAGNOSIS_CODES, REGIONS


def _codes(pick: icd10cm.CodePick) -> list[str]:
    return [c.code for c in pick.codes]


# ------------------------------------------------------------------------------ the shipped file


def test_every_condition_in_conditions_yaml_has_an_icd10cm_code() -> None:
    for condition in differential.knowledge().conditions:
        assert icd10cm.codes_for(condition.id), condition.id


def test_every_code_has_the_icd10cm_shape_a_description_and_the_cms_citation() -> None:
    for entry in icd10cm.knowledge().conditions:
        assert "ICD10CM" in entry.citation, entry.id
        for code in entry.codes:
            assert re.fullmatch(icd10cm.CODE_PATTERN, code.code), (entry.id, code.code)
            assert code.description.strip(), (entry.id, code.code)


def test_header_codes_that_payers_reject_are_not_listed() -> None:
    """Non-billable headers named in clinical-facts 6.8 and 5.2 (M54.5, M51.36, M47.81, M79.1, R10.2)."""
    listed = {c.code for entry in icd10cm.knowledge().conditions for c in entry.codes}
    assert not listed & {"M54.5", "M51.36", "M51.37", "M47.81", "M79.1", "R10.2", "M48.06", "G90.52"}


def test_the_cms_source_is_registered_and_the_knowledge_summary_lists_the_codes() -> None:
    assert "ICD-10-CM" in knowledge.sources()["ICD10CM"].title
    summary = knowledge_summary()
    by_code = {c["code"]: c for c in summary["conditions"]}
    assert set(by_code) == set(DIAGNOSIS_CODES)
    knee = {c["code"]: c for c in by_code["knee-osteoarthritis"]["icd10cm"]}
    assert knee["M17.11"]["side"] == "right" and knee["M17.11"]["evidence"] == "verified"
    assert knee["M17.9"]["evidence"] == "mapping"
    assert [c["code"] for c in by_code["fibromyalgia"]["icd10cm"]] == ["M79.7"]


# ------------------------------------------------------------------------------ a broken file


@pytest.fixture
def kdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A copy of the knowledge base the test may change; the caches are cleared around it."""
    for f in knowledge.knowledge_files():
        shutil.copy(f, tmp_path / f.name)
    monkeypatch.setattr(knowledge, "KNOWLEDGE_DIR", tmp_path)

    def clear() -> None:
        for fn in (knowledge._raw, knowledge.sources, knowledge.knowledge_version, icd10cm.knowledge,
                   icd10cm._index):  # fmt: skip
            fn.cache_clear()

    clear()
    yield tmp_path
    monkeypatch.undo()
    clear()


def _edit(kdir: Path, old: str, new: str) -> None:
    path = kdir / "icd10cm.yaml"
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def test_a_code_that_breaks_the_icd10cm_pattern_fails_naming_file_and_entry(kdir: Path) -> None:
    _edit(kdir, "{code: M47.816,", "{code: M47816,")
    with pytest.raises(KnowledgeError) as exc:
        icd10cm.knowledge()
    text = str(exc.value)
    assert "knowledge/icd10cm.yaml is invalid" in text
    assert "conditions[2].codes[0].code (entry 'lumbar-facet-pain')" in text
    assert "should match pattern" in text


def test_a_code_in_u_which_icd10cm_reserves_fails(kdir: Path) -> None:
    _edit(kdir, "{code: M79.7,", "{code: U07.1,")
    with pytest.raises(KnowledgeError, match=r"codes\[0\]\.code \(entry 'fibromyalgia'\)"):
        icd10cm.knowledge()


def test_an_empty_description_fails_naming_the_entry(kdir: Path) -> None:
    _edit(kdir, 'description: "Fibromyalgia"', 'description: ""')
    with pytest.raises(KnowledgeError, match=r"codes\[0\]\.description \(entry 'fibromyalgia'\)"):
        icd10cm.knowledge()


def test_an_unknown_citation_fails_naming_the_entry(kdir: Path) -> None:
    _edit(
        kdir, "  - id: fibromyalgia\n    citation: [ICD10CM, CF]", "  - id: fibromyalgia\n    citation: NOPE"
    )
    with pytest.raises(KnowledgeError, match="'fibromyalgia' cites unknown source 'NOPE'"):
        icd10cm.knowledge()


def test_a_condition_without_codes_fails(kdir: Path) -> None:
    _edit(kdir, "  - id: fibromyalgia\n", "  - id: fibromyalgia-typo\n")
    with pytest.raises(KnowledgeError, match="entry 'fibromyalgia-typo'"):
        icd10cm.knowledge()


def test_a_sided_code_without_regions_fails(kdir: Path) -> None:
    _edit(kdir, "side: right, regions: [knee]}", "side: right}")
    with pytest.raises(KnowledgeError, match=r"'knee-osteoarthritis'\): M17\.11 has a side"):
        icd10cm.knowledge()


def test_a_message_with_an_unknown_placeholder_fails(kdir: Path) -> None:
    _edit(kdir, "Record the side of the {where} pain.", "Record the side of the {place} pain.")
    with pytest.raises(KnowledgeError, match=r"messages\.side_unspecified: bad placeholder"):
        icd10cm.knowledge()


# ------------------------------------------------------------------------------ the pick


@pytest.mark.parametrize(
    ("sites", "expected"),
    [
        ([("knee", "right")], "M17.11"),
        ([("knee", "left")], "M17.12"),
        ([("knee", "bilateral")], "M17.0"),
        ([("knee", "left"), ("knee", "right")], "M17.0"),
        ([("knee", None)], "M17.9"),
        ([("knee", "midline")], "M17.9"),
    ],
)
def test_knee_osteoarthritis_is_coded_by_side(sites: list[tuple[str, str | None]], expected: str) -> None:
    pick = icd10cm.pick_codes("knee-osteoarthritis", sites)
    assert _codes(pick) == [expected]
    assert pick.alternatives == ()


def test_an_unspecified_side_says_what_to_record() -> None:
    pick = icd10cm.pick_codes("knee-osteoarthritis", [("knee", None)])
    [missing] = pick.missing
    assert missing.startswith("Knee osteoarthritis: the side is not recorded, so M17.9")
    assert "Record the side of the knee pain." in missing
    assert icd10cm.pick_codes("knee-osteoarthritis", [("knee", "right")]).missing == ()


def test_only_the_sites_in_the_conditions_region_set_the_side() -> None:
    pick = icd10cm.pick_codes("knee-osteoarthritis", [("low-back", "left"), ("knee", "right")])
    assert _codes(pick) == ["M17.11"]
    no_knee = icd10cm.pick_codes("knee-osteoarthritis", [("low-back", "left")])
    assert _codes(no_knee) == ["M17.9"] and no_knee.missing


@pytest.mark.parametrize(
    ("side", "expected"),
    [("right", "G90.521"), ("left", "G90.522"), ("bilateral", "G90.523"), (None, "G90.529")],
)
def test_crps_of_a_lower_limb_by_side_offers_the_type_ii_code_as_the_alternative(
    side: str | None, expected: str
) -> None:
    pick = icd10cm.pick_codes("crps", [("ankle-foot", side)])
    assert _codes(pick) == [expected]
    assert [c.code for c in pick.alternatives] == [{"G90.521": "G57.71", "G90.522": "G57.72",
                                                     "G90.523": "G57.73", "G90.529": "G57.70"}[expected]]  # fmt: skip


@pytest.mark.parametrize(
    "sites", [[("shoulder", "bilateral")], [("shoulder", "left"), ("shoulder", "right")]]
)
def test_bilateral_shoulder_pain_without_a_bilateral_code_gets_the_right_and_the_left_code(
    sites: list[tuple[str, str | None]],
) -> None:
    pick = icd10cm.pick_codes("shoulder-tendinopathy", sites)
    assert _codes(pick) == ["M75.41", "M75.42"]
    assert [c.code for c in pick.alternatives] == ["M75.81", "M75.82"]
    assert "I.B.13" in pick.citation


def test_a_sided_group_without_an_unspecified_side_code_fails(kdir: Path) -> None:
    _edit(kdir, "      - {code: M17.9,", "      - {code: M17.10,")
    _edit(kdir, "side: unspecified, regions: [knee]", "regions: [knee]")
    with pytest.raises(
        KnowledgeError, match="the sided codes for knee need a right, a left and an unspecified"
    ):
        icd10cm.knowledge()


def test_crps_of_an_arm_and_a_leg_gets_one_code_per_limb() -> None:
    pick = icd10cm.pick_codes("crps", [("wrist-hand", "left"), ("knee", "right"), ("shoulder", "left")])
    assert _codes(pick) == ["G90.512", "G90.521"]
    assert pick.missing == ()


def test_crps_without_a_site_is_unspecified_and_says_to_record_the_site() -> None:
    pick = icd10cm.pick_codes("crps", [])
    assert _codes(pick) == ["G90.50"]
    [missing] = pick.missing
    assert "no painful site is recorded" in missing and "Record the site and side" in missing


def test_a_disc_herniation_on_imaging_puts_the_disc_disorder_code_first() -> None:
    plain = icd10cm.pick_codes("lumbar-radiculopathy", [("low-back", "left")])
    assert _codes(plain) == ["M54.16"]
    assert [c.code for c in plain.alternatives] == ["M54.17", "M51.16", "M51.17"]
    disc = icd10cm.pick_codes("lumbar-radiculopathy", [("low-back", "left")], findings={"disc-herniation"})
    assert _codes(disc) == ["M51.16"]
    assert [c.code for c in disc.alternatives] == ["M51.17", "M54.16", "M54.17"]


def test_spine_codes_do_not_depend_on_the_side() -> None:
    for side in ("left", "right", "bilateral", None):
        assert _codes(icd10cm.pick_codes("lumbar-facet-pain", [("low-back", side)])) == ["M47.816"]
    assert _codes(icd10cm.pick_codes("lumbar-facet-pain")) == ["M47.816"]


def test_myofascial_pain_is_coded_by_site() -> None:
    assert _codes(icd10cm.pick_codes("myofascial-pain", [("neck", "left")])) == ["M79.12"]
    assert _codes(icd10cm.pick_codes("myofascial-pain", [("neck", None), ("low-back", None)])) == [
        "M79.12",
        "M79.18",
    ]
    assert _codes(icd10cm.pick_codes("myofascial-pain", [])) == ["M79.10"]


def test_facial_postherpetic_neuralgia_is_the_trigeminal_code() -> None:
    assert _codes(icd10cm.pick_codes("postherpetic-neuralgia", [("face", "left")])) == ["B02.22"]
    assert _codes(icd10cm.pick_codes("postherpetic-neuralgia", [("chest-wall", "left")])) == ["B02.29"]


def test_the_pick_cites_the_cms_code_set() -> None:
    assert "ICD-10-CM" in icd10cm.pick_codes("fibromyalgia").citation


def test_an_unknown_condition_is_an_error() -> None:
    with pytest.raises(ValueError, match="unknown condition code 'sciatica'"):
        icd10cm.pick_codes("sciatica")
    with pytest.raises(ValueError, match="unknown condition code 'sciatica'"):
        icd10cm.codes_for("sciatica")


_SIDES = st.sampled_from(["left", "right", "bilateral", "midline", None])
_SITES = st.lists(st.tuples(st.sampled_from(sorted(REGIONS)), _SIDES), max_size=5)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(DIAGNOSIS_CODES), _SITES, st.sets(st.sampled_from(["disc-herniation", "normal"])))
def test_every_pick_has_a_listed_code_and_the_sides_of_its_sites(
    condition: str, sites: list[tuple[str, str | None]], findings: set[str]
) -> None:
    pick = icd10cm.pick_codes(condition, sites, findings=findings)
    listed = icd10cm.codes_for(condition)
    assert pick.codes, "every condition can always be coded"
    assert all(c in listed for c in (*pick.codes, *pick.alternatives))
    assert not set(pick.codes) & set(pick.alternatives)
    for code in pick.codes:
        if code.side is None:
            continue
        sides = {s for r, s in sites if r in code.regions and s in ("left", "right", "bilateral")}
        if "bilateral" in sides or {"left", "right"} <= sides:
            group = [c for c in listed if c.regions == code.regions]
            if any(c.side == "bilateral" for c in group):
                assert code.side == "bilateral"
            else:  # no bilateral code: one code per side
                assert {c.side for c in pick.codes if c.regions == code.regions} == {"right", "left"}
        elif sides:
            assert {code.side} == sides
        else:
            assert code.side == "unspecified"
            assert any(code.code in m and "side is not recorded" in m for m in pick.missing)
    for message in pick.missing:
        assert any(c.code in message for c in pick.codes if c.side == "unspecified" or c.unspecified_site)
