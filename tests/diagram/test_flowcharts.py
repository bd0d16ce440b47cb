"""The chapter's four decision trees (docs/flowcharts/), folded from the
rules: the committed files are those the rules give now, and the trees say
what the chapter says."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from diagram import flowcharts

DOCS = Path(__file__).resolve().parents[2] / "docs"


def text(key: str) -> str:
    return "\n".join(flowcharts.text_lines(flowcharts.tree_of(key)))


def test_the_committed_flowcharts_are_fresh():
    stale = flowcharts.stale(DOCS / "flowcharts")
    assert not stale, f"régénérer avec make flowcharts : {stale}"


def test_a_stale_file_is_found(tmp_path):
    directory = tmp_path / "flowcharts"
    shutil.copytree(DOCS / "flowcharts", directory)
    shutil.copy(DOCS / "flowcharts.md", tmp_path / "flowcharts.md")
    assert flowcharts.main([str(directory), "--check"]) == 0
    page = tmp_path / "flowcharts.md"
    page.write_text(page.read_text(encoding="utf-8").replace("§ 2.2", "§ 2.3", 1), encoding="utf-8")
    svg = directory / "acetabulum.svg"
    svg.write_text(
        svg.read_text(encoding="utf-8").replace("Lésion acétabulaire", "Lésion du bassin", 1), encoding="utf-8"
    )
    assert set(flowcharts.stale(directory)) == {page, svg}
    assert flowcharts.main([str(directory), "--check"]) == 1
    (directory / "refractory_pain.dot").unlink()
    assert directory / "refractory_pain.dot" in flowcharts.stale(directory)


def test_the_page_embeds_the_four_trees_with_their_sections():
    page = (DOCS / "flowcharts.md").read_text(encoding="utf-8")
    for key, section in (
        ("impending_fracture", "2.1"),
        ("pathological_fracture", "2.2"),
        ("refractory_pain", "2.3"),
        ("acetabulum", "2.4"),
    ):
        assert f"(flowcharts/{key}.svg)" in page
        assert (DOCS / "flowcharts" / f"{key}.svg").exists()
        assert f"— § {section}" in page


def test_the_fracture_tree_follows_sections_1_and_2_2():
    tree = text("pathological_fracture")
    # 1: under 6 weeks, no benefit; 2.2: the only contra-indication, the general condition.
    assert "Espérance de vie (§ 1) : Moins de 6 semaines\n  - → Chirurgie non indiquée (§ 1)" in tree
    assert "Intervention et anesthésie possibles (§ 2.2) : Non\n    - → Chirurgie non indiquée (§ 2.2)" in tree
    # 4.1: the small bones, plate or radiotherapy alone: to discuss.
    assert "plaque ou radiothérapie seule" in tree
    assert "Chirurgie indiquée (§ 2.2)" in tree


def test_the_preventive_tree_has_the_mirels_threshold():
    tree = text("impending_fracture")
    # 2.1: « indiqué pour un score égal ou supérieur à 9 »
    assert (
        "Score de Mirels (§ 2.1) : Score de 9 à 12\n"
        "      - Os atteint (§ 4.1) : Fémur, humérus, tibia\n"
        "        - → Chirurgie indiquée (§ 2.1)"
    ) in tree
    # Under 8, mild or moderate pain: no preventive surgery.
    assert "Douleur (Mirels) (§ 2.1) : Légère, modérée\n          - → Chirurgie non indiquée (§ 2.1)" in tree


def test_the_acetabular_tree_puts_surgery_after_the_percutaneous_treatment():
    tree = text("acetabulum")
    # 2.4: surgery only after the percutaneous treatment failed, in a patient fit for it;
    # 4.2: THA with an acetabular reinforcement over 6 months.
    assert (
        "Échec d'un traitement percutané (§ 2.4) : Oui\n"
        "          - → Chirurgie à discuter en RCP (§ 2.4) ; Échec des traitements percutanés ; "
        "En première intention : PTH avec renfort acétabulaire"
    ) in tree
    # 2.4: stable, no risk, no failure: medical treatment or radiotherapy.
    assert "En première intention : traitement médical ou radiothérapie" in tree


@pytest.mark.parametrize("key", [tree.key for tree in flowcharts.TREES])
def test_every_box_of_a_tree_has_a_section(key):
    source = flowcharts.dot_source(key)
    labels = [line for line in source.splitlines() if 'class="tree-' in line]
    assert labels and all("§" in line for line in labels)
