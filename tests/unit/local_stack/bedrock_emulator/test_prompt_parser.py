"""Reading a build_prompt message back: every listed item at its reference, with its text, and the job."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from local_stack.bedrock_emulator import parse_prompt
from local_stack.bedrock_emulator.prompt_parser import parse_job_lines
from shared.tailoring import build_prompt, index_source
from shared.tailoring.text import normalise_whitespace

from .conftest import CORPUS_CASES, CorpusCase

AS_OF = date(2026, 1, 15)
# Fields the prompt shows, per section; everything else (contacts, project keywords, ...) stays behind.
SHOWN_FIELDS = {
    "work": ("position", "name", "startDate", "endDate", "summary", "highlights"),
    "volunteer": ("position", "organization", "startDate", "endDate", "summary", "highlights"),
    "projects": ("name", "description", "highlights"),
    "skills": ("name", "keywords"),
    "education": ("studyType", "area", "institution", "endDate"),
    "certificates": ("name", "issuer", "date"),
}


def _block(user: str, opening: str, closing: str) -> list[str]:
    lines = user.split("\n")
    start = lines.index(opening)
    return lines[start : lines.index(closing, start + 1) + 1]


def _shown(resume: dict[str, Any]) -> dict[str, Any]:
    shown: dict[str, Any] = {
        section: [{key: entry[key] for key in fields if key in entry} for entry in resume.get(section, [])]
        for section, fields in SHOWN_FIELDS.items()
        if resume.get(section)
    }
    basics = {key: resume["basics"][key] for key in ("label", "summary") if key in resume.get("basics", {})}
    return {"basics": basics, **shown} if basics else shown


@pytest.mark.parametrize("case", CORPUS_CASES, ids=lambda case: case.name)
def test_every_corpus_item_comes_back_at_its_reference_with_its_text(case: CorpusCase) -> None:
    # Given the prompt the worker builds for a corpus CV and job
    user = build_prompt(case.resume, case.job, as_of=AS_OF).user

    # When the emulator reads it back
    recovered = parse_prompt(user)

    # Then every referenced item is recovered with its text, and every orderable list with its refs
    assert recovered is not None
    source, parsed = index_source(case.resume), index_source(recovered.resume)
    assert {ref: item.text for ref, item in parsed.items.items()} == {
        ref: normalise_whitespace(item.text) for ref, item in source.items.items()
    }
    assert parsed.highlight_groups == source.highlight_groups
    assert parsed.project_refs == source.project_refs
    assert parsed.skill_refs == source.skill_refs
    assert parsed.context_refs <= source.context_refs
    unshown_sections = ("awards", "publications")
    assert all(ref.startswith(unshown_sections) for ref in source.context_refs - parsed.context_refs)


@pytest.mark.parametrize("case", CORPUS_CASES, ids=lambda case: case.name)
def test_every_field_the_prompt_shows_comes_back_exactly_for_the_corpus(case: CorpusCase) -> None:
    # Given a corpus prompt
    user = build_prompt(case.resume, case.job, as_of=AS_OF).user

    # When it is read back
    recovered = parse_prompt(user)

    # Then the shown fields (headers, dates, skills, education, certificates) equal the source's
    assert recovered is not None
    assert recovered.resume == _shown(case.resume)


@pytest.mark.parametrize("case", CORPUS_CASES, ids=lambda case: case.name)
def test_the_recovered_cv_and_job_render_the_same_prompt(case: CorpusCase) -> None:
    # Given a corpus prompt
    user = build_prompt(case.resume, case.job, as_of=AS_OF).user

    # When the recovered CV and job are rendered again
    recovered = parse_prompt(user)
    assert recovered is not None
    again = build_prompt(recovered.resume, recovered.job, as_of=AS_OF).user

    # Then the model would see the same CV block, the same experience line and the same job block
    assert _block(again, "<cv>", "</cv>") == _block(user, "<cv>", "</cv>")
    assert _block(again, "<job_posting>", "</job_posting>") == _block(user, "<job_posting>", "</job_posting>")
    experience = [line for line in user.split("\n") if line.startswith("Work experience")]
    assert experience == [line for line in again.split("\n") if line.startswith("Work experience")]


def test_a_structured_job_comes_back_with_its_labelled_fields() -> None:
    # Given a job block with head and tail lines around a two-line description
    lines = [
        "Title: Data Engineer",
        "Company: Acme",
        "Level: Senior",
        "Type: Full-time",
        "We move data.",
        "Skills: nice to have",
        "Responsibilities: Build pipelines; Run Airflow",
        "Qualifications: 5+ years of Python",
        "Skills: Data: Python, SQL; Cloud",
    ]

    # When it is parsed
    job = parse_job_lines(lines)

    # Then the labelled lines fill their fields and the rest is the description
    assert job == {
        "title": "Data Engineer",
        "company": "Acme",
        "experience": "Senior",
        "type": "Full-time",
        "description": "We move data.\nSkills: nice to have",
        "responsibilities": ["Build pipelines", "Run Airflow"],
        "qualifications": ["5+ years of Python"],
        "skills": [{"name": "Data", "keywords": ["Python", "SQL"]}, {"name": "Cloud"}],
    }


def test_a_defused_cv_delimiter_is_restored_and_the_block_still_ends_at_the_real_one() -> None:
    # Given a CV whose highlight tries to close the CV block
    resume = {"work": [{"name": "Acme", "highlights": ["Shipped </cv> and <cv> parsers", "Led 3 people"]}]}

    # When the prompt is built and read back
    recovered = parse_prompt(build_prompt(resume, {"description": "Parser role"}, as_of=AS_OF).user)

    # Then the highlight keeps its text and the next item is still inside the CV
    assert recovered is not None
    assert recovered.resume["work"][0]["highlights"] == ["Shipped </cv> and <cv> parsers", "Led 3 people"]


def test_missing_header_fields_leave_the_present_ones_in_the_likelier_fields() -> None:
    # Given entries with some header fields missing
    resume = {
        "work": [{"name": "Acme", "startDate": "2020-01"}, {"position": "Chef", "name": "Bistro"}],
        "education": [{"institution": "MIT", "endDate": "2019"}, {"studyType": "MBA", "institution": "LBS"}],
        "certificates": [{"name": "PMP"}],
    }

    # When the prompt is built and read back
    recovered = parse_prompt(build_prompt(resume, {"description": "Chef"}, as_of=AS_OF).user)

    # Then the employer, institution and certificate name are where the source had them
    assert recovered is not None
    assert recovered.resume["work"] == [
        {"name": "Acme", "startDate": "2020-01"},
        {"position": "Chef", "name": "Bistro"},
    ]
    assert recovered.resume["education"] == resume["education"]
    assert recovered.resume["certificates"] == [{"name": "PMP"}]


def test_text_that_is_not_a_tailoring_prompt_gives_nothing() -> None:
    # Given a user message without the CV and job blocks
    # When it is parsed
    # Then there is nothing to recover
    assert parse_prompt("Hello, please tailor my CV.") is None
    assert parse_prompt("<cv>\nskills[0]: Python\n</cv>") is None


# Text that stresses the separators and delimiters the prompt uses.
_PIECES = [
    " | ",
    ": ",
    ", ",
    "; ",
    "<cv>",
    "</cv>",
    "</job_posting>",
    "\u2039cv",
    "  ",
    "\n",
    "\t",
    "2021-04",
]
_WORDS = ["Led", "Postgres", "team", "of", "4", "Acme", "Python", "AWS", "café", "שלום", "x"]
texts = st.lists(st.sampled_from(_PIECES + _WORDS), min_size=1, max_size=8).map("".join)
dates = st.sampled_from(["2019", "2020-03", "2021-11-02", "2024-06"])


def _entry(fields: dict[str, st.SearchStrategy[Any]]) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries({}, optional=fields)


resumes = st.fixed_dictionaries(
    {},
    optional={
        "basics": _entry({"label": texts, "summary": texts}),
        "work": st.lists(
            _entry(
                {
                    "name": texts,
                    "position": texts,
                    "startDate": dates,
                    "endDate": dates,
                    "summary": texts,
                    "highlights": st.lists(texts, max_size=3),
                }
            ),
            max_size=3,
        ),
        "projects": st.lists(
            _entry({"name": texts, "description": texts, "highlights": st.lists(texts, max_size=2)}),
            max_size=2,
        ),
        "skills": st.lists(_entry({"name": texts, "keywords": st.lists(texts, max_size=3)}), max_size=3),
        "education": st.lists(
            _entry({"studyType": texts, "area": texts, "institution": texts, "endDate": dates}), max_size=2
        ),
        "certificates": st.lists(_entry({"name": texts, "issuer": texts, "date": dates}), max_size=2),
    },
)
jobs = st.fixed_dictionaries(
    {},
    optional={
        "title": texts,
        "company": texts,
        "description": texts,
        "responsibilities": st.lists(texts, max_size=3),
        "skills": st.lists(_entry({"name": texts, "keywords": st.lists(texts, max_size=2)}), max_size=2),
    },
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(resume=resumes, job=jobs)
@example(resume={}, job={"skills": [{"name": ";  | "}]})  # an empty part between job skills
@example(resume={"skills": [{"name": "x : y", "keywords": ["k"]}]}, job={})  # ": " inside a skill name
def test_reading_a_prompt_back_and_rendering_it_again_shows_the_model_the_same_text(
    resume: dict[str, Any], job: dict[str, Any]
) -> None:
    # Given any CV and job, with separators and delimiters inside their texts
    user = build_prompt(resume, job, as_of=AS_OF).user

    # When the prompt is read back and the result rendered again
    recovered = parse_prompt(user)
    assert recovered is not None
    again = build_prompt(recovered.resume, recovered.job, as_of=AS_OF).user

    # Then the CV and job blocks are identical, and every item is at its reference
    assert _block(again, "<cv>", "</cv>") == _block(user, "<cv>", "</cv>")
    assert _block(again, "<job_posting>", "</job_posting>") == _block(user, "<job_posting>", "</job_posting>")
    assert set(index_source(recovered.resume).items) == set(index_source(resume).items)
