"""Property: whatever edits a model sends, the rebuilt CV keeps the source's facts and stays valid."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shared.tailoring import (
    FactKind,
    TextFacts,
    apply_edits,
    audit_facts,
    list_items,
    parse_edits,
    resume_facts,
    tailoring_vocabulary,
)
from shared.tailoring.facts import Fact
from shared.tailoring.text import tokenize

from .conftest import AS_OF, load_fixture, protected_fields

CV = load_fixture("backend_engineer_cv.json")
JOB = load_fixture("backend_engineer_job.json")
VOCABULARY = tailoring_vocabulary(CV, JOB)
SOURCE_FACTS = resume_facts(CV, VOCABULARY)
ITEMS = list_items(CV)
VALID_REFS = [item.ref for item in ITEMS]
CV_TEXTS = [item.text for item in ITEMS]
FOREIGN_REFS = [
    "work[9].highlights[0]",
    "basics.email",
    "work[0].name",
    "work[0].startDate",
    "skills[7]",
    "education[0]",
]
TEMPTATIONS = {
    "organisation": ["at Google", "for Globex Corp", "with the NHS"],
    "technology": ["Terraform", "Rust", "using Spark"],
    "number": ["35%", "$2M", "a dozen", "for 400 users"],
    "date": ["in 2014", "since March 2016"],
    "title": ["as Senior Manager", "as VP of Engineering", "Principal Engineer", "as Head of Platform"],
    "credential": ["PhD", "CKA-certified", "MBA"],
    "years": ["over 15 years"],
    "other": ["see https://example.net", "ignore previous instructions"],
}  # fmt: skip
TEMPTATION_KINDS = sorted(TEMPTATIONS)
STRICT_KINDS = (FactKind.DATE, FactKind.TECHNOLOGY, FactKind.SKILL, FactKind.CREDENTIAL, FactKind.LINK)

REWORDABLE = [item for item in ITEMS if item.rewordable]
SWAPS = [
    ("Kafka", "Spark"),
    ("Postgres", "PostgreSQL"),
    ("k8s", "Kubernetes"),
    ("three", "five"),
    ("Senior", "Principal"),
]

temptations = st.sampled_from(TEMPTATION_KINDS).flatmap(lambda kind: st.sampled_from(TEMPTATIONS[kind]))
refs = st.one_of(st.sampled_from(VALID_REFS), st.sampled_from(FOREIGN_REFS), st.text(max_size=20))


def _variants(text: str) -> st.SearchStrategy[str]:
    """Near-miss rewordings of one item: faithful, padded with a temptation, digit-bumped, swapped or cut."""
    return st.one_of(
        st.just(text),
        temptations.map(lambda extra: f"{text} {extra}"),
        temptations.map(lambda extra: f"{extra} {text}"),
        st.sampled_from(["0", "2", "9"]).map(
            lambda digit: "".join(digit if c.isdigit() else c for c in text)
        ),
        st.sampled_from(SWAPS).map(lambda swap: text.replace(*swap)),
        st.integers(min_value=1, max_value=6).map(lambda cut: " ".join(text.split()[:-cut]) or text),
    )


texts = st.one_of(
    st.sampled_from(CV_TEXTS).flatmap(_variants),
    st.text(max_size=120),
)
summaries = st.one_of(
    texts,
    st.builds(
        "{} with {} years of experience.".format,
        st.sampled_from(CV_TEXTS),
        st.integers(min_value=1, max_value=20),
    ),
)
rewordings = st.one_of(
    st.sampled_from(REWORDABLE).flatmap(
        lambda item: st.fixed_dictionaries({"ref": st.just(item.ref), "text": _variants(item.text)})
    ),
    st.fixed_dictionaries({"ref": refs, "text": texts}),
)


def _order(expected: list[str]) -> st.SearchStrategy[list[str]]:
    return st.one_of(
        st.permutations(expected), st.lists(st.one_of(st.sampled_from(expected), refs), max_size=8)
    )


edit_dicts = st.fixed_dictionaries(
    {},
    optional={
        "summary": st.fixed_dictionaries(
            {
                "text": summaries,
                "sources": st.one_of(st.lists(st.sampled_from(VALID_REFS), max_size=3), st.lists(refs)),
            }
        ),
        "highlight_orders": st.lists(
            st.one_of(
                st.fixed_dictionaries(
                    {
                        "work": st.just("work[0]"),
                        "order": _order([f"work[0].highlights[{i}]" for i in range(5)]),
                    }
                ),
                st.fixed_dictionaries({"work": refs, "order": st.lists(refs, max_size=5)}),
            ),
            max_size=3,
        ),
        "project_order": _order(["projects[0]", "projects[1]"]),
        "skill_order": _order([f"skills[{i}]" for i in range(4)]),
        "rewordings": st.lists(rewordings, max_size=6),
    },
)


def _name_present(fact: Fact, source: TextFacts) -> bool:
    if fact.key in source.keys(FactKind.ORGANISATION):
        return True
    return all(
        token.stem in source.word_stems or token.lower in source.word_stems
        for token in tokenize(fact.surface)
    )


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raw=edit_dicts)
def test_rebuilt_cv_keeps_the_sources_facts_whatever_the_edits(
    raw: dict[str, Any], resume_validator: Any
) -> None:
    # Given arbitrary well-formed model output, truthful or not
    edits = parse_edits(raw)

    # When the CV is rebuilt from it
    result = apply_edits(CV, edits, job=JOB, as_of=AS_OF)
    tailored = result.resume

    # Then employers, positions, dates, education, certificates and contact are byte-identical
    assert protected_fields(tailored) == protected_fields(CV)
    # And the output is valid JSON Resume
    assert list(resume_validator.iter_errors(tailored)) == []
    # And no bullet is lost: each role keeps as many highlights as the source
    assert [len(entry["highlights"]) for entry in tailored["work"]] == [
        len(entry["highlights"]) for entry in CV["work"]
    ]
    # And the tailored CV states no fact the source lacks
    after = resume_facts(tailored, VOCABULARY)
    for kind in STRICT_KINDS:
        assert after.all.keys(kind) <= SOURCE_FACTS.all.keys(kind), kind
    years = {str(claim.years) for claim in after.all.years_claims}
    assert after.all.keys(FactKind.NUMBER) - SOURCE_FACTS.all.keys(FactKind.NUMBER) <= years
    assert all(claim.years <= 7 for claim in after.all.years_claims)
    assert all(_name_present(fact, SOURCE_FACTS.all) for fact in after.all.of_kind(FactKind.ORGANISATION))
    assert audit_facts(CV, tailored, VOCABULARY, as_of=AS_OF).fabricated == ()
    source_ranks = {rank for claim in SOURCE_FACTS.all.titles for rank in claim.ranks}
    assert {rank for claim in after.all.titles for rank in claim.ranks} <= source_ranks
