"""The independent fabrication audit flags what the CV does not state, by rules that are not the guard's."""

from __future__ import annotations

import ast
import copy
import dataclasses
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

import evaluation.audit_words as words_module
import evaluation.independent_audit as independent_module
import evaluation.skeleton as skeleton_module
from evaluation.audit_words import sentences, stem
from evaluation.checks import fabrication_audit
from evaluation.independent_audit import IndependentAudit, NewWord, independent_audit
from evaluation.report import DEFAULT_AS_OF, Evaluation, check_targets, format_table, to_json, totals
from evaluation.runs import run_offline

from .conftest import corpus_pair

BACKEND = "01-backend-software-engineer"
LOGISTICS = "08-career-changer-army-to-logistics"
SPARSE = "11-sparse-retail"
INFRASTRUCTURE = "12-very-long-infrastructure"


def _source(pair: str = BACKEND) -> dict[str, Any]:
    return copy.deepcopy(corpus_pair(pair).resume)


def _audit(tailored: dict[str, Any], pair: str = BACKEND) -> IndependentAudit:
    return independent_audit(corpus_pair(pair).resume, tailored)


@pytest.mark.parametrize(
    "module", [independent_module, words_module, skeleton_module], ids=lambda m: m.__name__
)
def test_the_audit_imports_only_the_standard_library_and_its_own_modules(module: ModuleType) -> None:
    # Given the source of one module of the independent audit
    tree = ast.parse(Path(str(module.__file__)).read_text(encoding="utf-8"))

    # When every module it imports is read from its import statements
    imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    imported |= {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}

    # Then none is the guard's package (or any other of the project's), and the rest is the standard library
    own = {"evaluation.audit_words", "evaluation.skeleton"}
    assert imported
    assert not {
        name for name in imported - own if name.split(".")[0] in {"shared", "evaluation", "worker", "api"}
    }
    assert {name.split(".")[0] for name in imported - own} <= {*sys.stdlib_module_names, "__future__"}


def test_a_truthful_copy_flags_nothing() -> None:
    # Given a "tailored" CV identical to its source
    tailored = _source()

    # When the independent audit runs
    audit = _audit(tailored)

    # Then it suspects nothing
    assert audit == IndependentAudit((), (), (), (), ())
    assert audit.fabricated == 0


def test_a_truthful_tailoring_flags_nothing() -> None:
    # Given reordered skills and highlights, an inflected rewording, and a summary whose every sentence
    # comes from one entry (the headline, one role, the degree)
    tailored = _source()
    tailored["skills"].reverse()
    tailored["work"][1]["highlights"].reverse()
    tailored["work"][0]["highlights"][3] = (
        "Designing the Postgres partitioning scheme for 1.2 billion shipment events, reduced p95 query "
        "latency by 63%"
    )
    tailored["basics"]["summary"] = (
        "Backend engineer with seven years of experience building Python services. "
        "Split a Django monolith into 6 services at Tallgrass Freight Systems; "
        "Qualifications: Bachelor of Science in Computer Science."
    )

    # When the independent audit runs
    audit = _audit(tailored)

    # Then it suspects nothing
    assert audit.findings() == []


def test_an_invented_word_in_a_highlight_is_flagged() -> None:
    # Given a highlight that adds a technology the CV never names
    tailored = _source()
    tailored["work"][0]["highlights"][1] = (
        "Led a team of 4 engineers through the upgrade to Python 3.11 on Kubernetes with no customer-facing "
        "downtime"
    )

    # When the independent audit runs
    audit = _audit(tailored)

    # Then the word is a suspected fabrication where it was written, and the highlight lacks it in its entry
    assert audit.new_words == (NewWord("work[0].highlights[1]", "kubernetes"),)
    assert [(claim.path, claim.missing) for claim in audit.unbacked_claims] == [
        ("work[0].highlights[1]", ("kubernetes",))
    ]
    assert audit.new_numbers == audit.protected_changes == ()


def test_a_new_digit_is_flagged() -> None:
    # Given a highlight whose team of 4 becomes a team of 12
    tailored = _source()
    tailored["work"][0]["highlights"][1] = tailored["work"][0]["highlights"][1].replace("of 4", "of 12")

    # When the independent audit runs
    audit = _audit(tailored)

    # Then 12 is a new number, though every word is the CV's
    assert audit.new_numbers == ("12",)
    assert audit.new_words == ()


def test_a_summary_sentence_joining_two_entries_is_flagged() -> None:
    # Given a summary that credits Tallgrass's Django split to Brightwater Billing, every word from the CV
    joined = _source()
    joined["basics"]["summary"] = "Split a Django monolith into 6 services at Brightwater Billing."
    # and the same sentence with the employer where the CV places that work
    kept = _source()
    kept["basics"]["summary"] = "Split a Django monolith into 6 services at Tallgrass Freight Systems."

    # When the independent audit checks each summary sentence against single entries
    joined_audit, kept_audit = _audit(joined), _audit(kept)

    # Then the joined sentence is flagged (no new word, no new number) and the faithful one is not
    assert joined_audit.new_words == ()
    assert joined_audit.new_numbers == ()
    assert [(claim.path, claim.closest) for claim in joined_audit.unbacked_claims] == [
        ("basics.summary sentence 1", "work[0]")
    ]
    assert "brightwater" in joined_audit.unbacked_claims[0].missing
    assert kept_audit.fabricated == 0


def test_a_highlight_borrowing_another_roles_fact_is_flagged() -> None:
    # Given a Tallgrass highlight that takes Brightwater's 250,000 claims a day
    tailored = _source()
    tailored["work"][0]["highlights"][0] = (
        "Maintained the claims-processing pipeline handling 250,000 claims a day"
    )

    # When the independent audit runs
    audit = _audit(tailored)

    # Then every word and number is the CV's, but not of that role
    assert audit.new_words == ()
    assert audit.new_numbers == ()
    assert [claim.path for claim in audit.unbacked_claims] == ["work[0].highlights[0]"]
    assert set(audit.unbacked_claims[0].missing) >= {"claims", "250000"}


def test_a_renamed_employer_breaks_the_skeleton() -> None:
    # Given an employer renamed to a better-known one
    tailored = _source()
    tailored["work"][0]["name"] = "Stripe"

    # When the independent audit runs
    audit = _audit(tailored)

    # Then the protected field and the new word are both named
    assert audit.protected_changes == ("work[0].name",)
    assert NewWord("work[0].name", "stripe") in audit.new_words


def test_an_expansion_beside_an_acronym_the_cv_has_is_allowed_and_nowhere_else() -> None:
    # Given LTL spelled out beside the acronym, a wrong expansion beside it, and the expansion on its own
    highlight = "work[0].highlights[0]"
    spelled, wrong, alone = _source(LOGISTICS), _source(LOGISTICS), _source(LOGISTICS)
    original = spelled["work"][0]["highlights"][0]
    spelled["work"][0]["highlights"][0] = original.replace("LTL", "less-than-truckload (LTL)")
    wrong["work"][0]["highlights"][0] = original.replace("LTL", "full-truckload (LTL)")
    alone["work"][0]["highlights"][0] = original.replace("LTL", "less-than-truckload")

    # When the independent audit runs on each
    audits = [_audit(tailored, LOGISTICS) for tailored in (spelled, wrong, alone)]

    # Then only the expansion whose initials spell LTL, written beside it, passes
    assert [sorted(finding.word for finding in audit.new_words) for audit in audits] == [
        [],
        ["full", "truckload"],
        ["less", "truckload"],
    ]
    assert {claim.path for audit in audits[1:] for claim in audit.unbacked_claims} == {highlight}


def test_former_needs_a_role_that_ended() -> None:
    # Given the sparse CV: a current cashier job and a barista job that ended
    ended, current = _source(SPARSE), _source(SPARSE)
    ended["basics"]["summary"] = "Former barista at Corner Cup Coffee."
    current["basics"]["summary"] = "Former cashier at Fairway Market."

    # When the independent audit runs on each
    ended_audit, current_audit = _audit(ended, SPARSE), _audit(current, SPARSE)

    # Then "former" is true of the ended role only
    assert ended_audit.fabricated == 0
    assert [claim.missing for claim in current_audit.unbacked_claims] == [("former",)]


def test_a_hand_written_alias_counts_only_through_the_pairs_expectations() -> None:
    # Given a highlight aligning the CV's Postgres to the job's PostgreSQL
    pair = corpus_pair(BACKEND)
    tailored = _source()
    tailored["work"][0]["highlights"][3] = tailored["work"][0]["highlights"][3].replace(
        "Postgres", "PostgreSQL"
    )

    # When it is audited with and without the pair's hand-written aliases
    with_aliases = fabrication_audit(pair.resume, tailored, pair.expectations)
    without = independent_audit(pair.resume, tailored)

    # Then the alias passes only where the expectations name it
    assert with_aliases.fabricated == 0
    assert [finding.word for finding in without.new_words] == ["postgresql"]


def test_an_alias_counts_as_the_whole_phrase_only() -> None:
    # Given the infrastructure CV's GCP, which its expectations also spell "Google Cloud"
    pair = corpus_pair(INFRASTRUCTURE)
    spelled, partner = _source(INFRASTRUCTURE), _source(INFRASTRUCTURE)
    original = spelled["work"][3]["highlights"][2]
    spelled["work"][3]["highlights"][2] = original.replace("GCP", "Google Cloud")
    partner["work"][3]["highlights"][2] = original.replace("GCP", "GCP with Google")

    # When both are audited with the pair's aliases
    spelled_audit = fabrication_audit(pair.resume, spelled, pair.expectations)
    partner_audit = fabrication_audit(pair.resume, partner, pair.expectations)

    # Then the alias written whole passes, and one of its words on its own (an invented partner) does not
    assert spelled_audit.fabricated == 0
    assert [finding.word for finding in partner_audit.new_words] == ["google"]


def test_forbidden_terms_and_inflections_and_sentences() -> None:
    # Given the pair's missing keywords, and a highlight that adds one of them
    pair = corpus_pair(BACKEND)
    tailored = _source()
    tailored["work"][0]["highlights"][2] += " provisioned with Terraform"

    # When it is audited with the expectations
    audit = fabrication_audit(pair.resume, tailored, pair.expectations)

    # Then the forbidden term is named; and the text helpers split and stem as documented
    assert audit.forbidden_terms == ("Terraform",)
    assert stem("managed") == stem("managing") == stem("manage")
    assert stem("companies") == stem("company")
    assert stem("planned") == stem("plan")
    assert stem("restful") == stem("rest")
    assert sentences("Python 3.11 and $1.3M. Then this; and that!") == [
        "Python 3.11 and $1.3M.",
        "Then this;",
        "and that!",
    ]


def test_the_fabricated_figure_and_its_target_come_from_the_independent_audit() -> None:
    # Given a real offline run, and the same run with one finding of the independent audit alone
    run = run_offline(corpus_pair(SPARSE), DEFAULT_AS_OF, input_tokens=0)
    flagged = dataclasses.replace(
        run, independent=dataclasses.replace(run.independent, new_words=(NewWord("basics.summary", "x"),))
    )

    # When the runs are totalled, the targets checked and the report written
    clean_total, flagged_total = totals([run]), totals([flagged])
    evaluation = Evaluation(as_of=DEFAULT_AS_OF, runs=[flagged])

    # Then the finding is the fabricated figure, and misses the target, while the core's count is unchanged
    assert run.fabricated == clean_total.fabricated == 0
    assert flagged.fabricated == flagged_total.fabricated == 1
    assert flagged.core_fabricated == run.core_fabricated == 0
    assert [check.name for check in check_targets("offline", flagged_total) if not check.met] == [
        "fabricated facts"
    ]
    # and the report names the finding, in the table and in the JSON
    assert f"{SPARSE}: new word 'x' in basics.summary" in format_table(evaluation)
    assert to_json(evaluation)["runs"][0]["independent_audit"]["findings"] == [
        "new word 'x' in basics.summary"
    ]
