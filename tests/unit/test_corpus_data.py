"""The evaluation corpus in ``eval/corpus/`` is valid, honest and covers the fields it promises.

Each pair folder holds a CV (``resume.json``), a job (``job.json``, sometimes also ``job.txt``) and
hand-written ``expectations.json``. These tests keep the data truthful: every keyword the expectations call
evidenced is really in the CV, every keyword called missing is really absent, and the documents pass the
schemas the API enforces.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from jsonschema import Draft7Validator

from shared.resume.validation import validated_job, validated_resume

REPO_ROOT = Path(__file__).resolve().parents[2]
CORPUS_DIR = REPO_ROOT / "eval" / "corpus"
SCHEMA_DIR = REPO_ROOT / "src" / "shared" / "resume" / "schema"

PAIR_DIRS = sorted(
    path for path in CORPUS_DIR.iterdir() if path.is_dir() and re.match(r"^\d{2}-[a-z0-9-]+$", path.name)
)
PAIRS_WITH_JOB_TEXT = [path for path in PAIR_DIRS if (path / "job.txt").exists()]
INJECTED_PAIRS = [
    path
    for path in PAIR_DIRS
    if "injection" in json.loads((path / "expectations.json").read_text(encoding="utf-8"))
]

MINIMUM_PAIRS = 12
REQUIRED_CATEGORIES = frozenset(
    {
        "software-engineer",
        "data-scientist",
        "registered-nurse",
        "sales",
        "finance-accounting",
        "teacher",
        "career-changer",
        "new-graduate",
        "senior-leader",
        "sparse-cv",
        "very-long-cv",
        "unicode-names",
    }
)
# Pairs in these categories are technical: the expectations must show at least one alias case.
TECHNICAL_CATEGORIES = frozenset(
    {"software-engineer", "data-scientist", "data-analyst", "new-graduate", "very-long-cv", "unicode-names"}
)
FICTIONAL_EMAIL_DOMAINS = ("example.com", "example.org", "example.net")
# Number ranges the regulators set aside for drama and fiction: NANP 555-0100..0199, Ofcom mobile 07700 900xxx
# and London 020 7946 0xxx, ACMA mobile 0491 570 xxx.
FICTIONAL_PHONE_PATTERNS = (
    re.compile(r"^(\+1 ?)?(\(\d{3}\) ?|\d{3}-)555-01\d{2}$"),
    re.compile(r"^\+44 7700 900\d{3}$"),
    re.compile(r"^\+44 20 7946 0\d{3}$"),
    re.compile(r"^\+61 491 570 \d{3}$"),
)


def _load_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def _schema_validator(schema_file: str) -> Draft7Validator:
    schema = _load_json(SCHEMA_DIR / schema_file)
    Draft7Validator.check_schema(schema)
    return Draft7Validator(schema, format_checker=Draft7Validator.FORMAT_CHECKER)


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _keyed_strings(value: Any, key: str) -> Iterator[str]:
    if isinstance(value, dict):
        for item_key, item in value.items():
            if item_key == key and isinstance(item, str):
                yield item
            else:
                yield from _keyed_strings(item, key)
    elif isinstance(value, list):
        for item in value:
            yield from _keyed_strings(item, key)


def _document_text(document: Any) -> str:
    return "\n".join(_strings(document))


def _mentions(text: str, term: str) -> bool:
    """Whether ``term`` is in ``text`` as a whole term, ignoring case (so 'Java' is not in 'JavaScript')."""
    pattern = rf"(?<![0-9a-z]){re.escape(term.casefold())}(?![0-9a-z])"
    return re.search(pattern, text.casefold()) is not None


def _normalised_whitespace(text: str) -> str:
    return " ".join(text.split())


def _expectations(pair_dir: Path) -> dict[str, Any]:
    expectations: dict[str, Any] = _load_json(pair_dir / "expectations.json")
    return expectations


def _job_skill_keywords(job: dict[str, Any]) -> list[str]:
    return [keyword for skill in job.get("skills", []) for keyword in skill.get("keywords", [])]


def _work_highlight_count(resume: dict[str, Any]) -> int:
    return sum(len(entry.get("highlights", [])) for entry in resume.get("work", []))


def _scripts(text: str) -> set[str]:
    """Unicode script families present in ``text``, from character names (enough for Latin, CJK, Arabic)."""
    families = set()
    for character in text:
        if character.isascii() or not character.isalpha():
            continue
        name = unicodedata.name(character, "")
        if name.startswith("CJK UNIFIED IDEOGRAPH"):
            families.add("cjk")
        elif name.startswith("ARABIC"):
            families.add("arabic")
        elif name.startswith("LATIN"):
            families.add("latin-extended")
    return families


@pytest.fixture(scope="module")
def resume_validator() -> Draft7Validator:
    return _schema_validator("schema.json")


@pytest.fixture(scope="module")
def job_validator() -> Draft7Validator:
    return _schema_validator("job-schema.json")


@pytest.mark.parametrize("pair_dir", PAIR_DIRS, ids=lambda path: path.name)
class TestEachPair:
    def test_pair_folder_has_its_three_documents(self, pair_dir: Path) -> None:
        # Given a pair folder
        # When listing its documents
        present = {
            name for name in ("resume.json", "job.json", "expectations.json") if (pair_dir / name).is_file()
        }

        # Then the CV, the job and the expectations are all there
        assert present == {"resume.json", "job.json", "expectations.json"}

    def test_files_are_nfc_normalised_utf8(self, pair_dir: Path) -> None:
        # Given every file in the pair folder
        files = sorted(path for path in pair_dir.iterdir() if path.is_file())

        # When reading them as UTF-8
        texts = {path.name: path.read_bytes().decode("utf-8") for path in files}

        # Then each is NFC-normalised with no byte-order mark, so characters compare the same everywhere
        for name, text in texts.items():
            assert unicodedata.is_normalized("NFC", text), name
            assert not text.startswith("\ufeff"), name

    def test_resume_validates_against_json_resume_schema(
        self, pair_dir: Path, resume_validator: Draft7Validator
    ) -> None:
        # Given the pair's CV
        resume = _load_json(pair_dir / "resume.json")

        # When validating it against schema.json
        errors = [error.message for error in resume_validator.iter_errors(resume)]

        # Then it is valid
        assert errors == []

    def test_job_validates_against_job_schema(self, pair_dir: Path, job_validator: Draft7Validator) -> None:
        # Given the pair's job
        job = _load_json(pair_dir / "job.json")

        # When validating it against job-schema.json
        errors = [error.message for error in job_validator.iter_errors(job)]

        # Then it is valid
        assert errors == []

    def test_documents_are_accepted_by_the_service_models(self, pair_dir: Path) -> None:
        # Given the pair's documents
        resume = _load_json(pair_dir / "resume.json")
        job = _load_json(pair_dir / "job.json")
        job_text_path = pair_dir / "job.txt"

        # When parsing them with the models the API uses
        parsed_resume = validated_resume(resume)
        parsed_job = validated_job(job)
        parsed_text_job = (
            validated_job({"description": job_text_path.read_text(encoding="utf-8")})
            if job_text_path.exists()
            else None
        )

        # Then the service limits accept them
        assert parsed_resume == resume
        assert parsed_job == job
        assert parsed_text_job is None or parsed_text_job["description"]

    def test_contact_details_are_fictional(self, pair_dir: Path) -> None:
        # Given the pair's CV
        resume = _load_json(pair_dir / "resume.json")
        basics = resume["basics"]

        # When reading its email, phone and every URL
        email_domain = basics["email"].rsplit("@", 1)[1]
        phone = basics.get("phone")
        hosts = [urlsplit(url) for url in _keyed_strings(resume, "url")]

        # Then they point at reserved example domains and fictional number ranges
        assert email_domain in FICTIONAL_EMAIL_DOMAINS
        assert phone is None or any(pattern.match(phone) for pattern in FICTIONAL_PHONE_PATTERNS), phone
        for url in hosts:
            assert url.scheme == "https"
            assert url.hostname is not None
            assert url.hostname.endswith(FICTIONAL_EMAIL_DOMAINS), url.geturl()

    def test_dated_entries_end_after_they_start(self, pair_dir: Path) -> None:
        # Given the pair's CV
        resume = _load_json(pair_dir / "resume.json")

        # When reading every entry that has a start and an end date
        dated = [
            entry
            for section in ("work", "volunteer", "education", "projects")
            for entry in resume.get(section, [])
            if "startDate" in entry and "endDate" in entry
        ]

        # Then no end date comes before its start date (ISO 8601 strings sort by date)
        for entry in dated:
            assert entry["startDate"] <= entry["endDate"], entry

    def test_expectation_lists_are_disjoint_and_evidence_something(self, pair_dir: Path) -> None:
        # Given the pair's expectations
        expectations = _expectations(pair_dir)
        evidenced = [keyword.casefold() for keyword in expectations["evidenced_keywords"]]
        missing = [keyword.casefold() for keyword in expectations["missing_keywords"]]

        # When comparing the two lists
        overlap = set(evidenced) & set(missing)

        # Then each keyword sits in exactly one list, once, and the CV evidences at least one keyword
        assert overlap == set()
        assert len(evidenced) == len(set(evidenced))
        assert len(missing) == len(set(missing))
        assert evidenced
        assert expectations["notes"].strip()

    def test_every_listed_keyword_occurs_in_the_job(self, pair_dir: Path) -> None:
        # Given the pair's job and expectations
        job_text = _document_text(_load_json(pair_dir / "job.json"))
        expectations = _expectations(pair_dir)

        # When looking for each listed keyword in the job
        listed = expectations["evidenced_keywords"] + expectations["missing_keywords"]
        absent = [keyword for keyword in listed if keyword.casefold() not in job_text.casefold()]

        # Then every keyword comes from the job
        assert absent == []

    def test_every_job_skill_keyword_is_classified(self, pair_dir: Path) -> None:
        # Given the pair's job and expectations
        job = _load_json(pair_dir / "job.json")
        expectations = _expectations(pair_dir)
        classified = {
            keyword.casefold()
            for keyword in expectations["evidenced_keywords"] + expectations["missing_keywords"]
        }

        # When listing the job's skill keywords that neither list mentions
        unclassified = [
            keyword for keyword in _job_skill_keywords(job) if keyword.casefold() not in classified
        ]

        # Then the expectations judge every one of them
        assert unclassified == []

    def test_evidenced_keywords_occur_in_the_resume(self, pair_dir: Path) -> None:
        # Given the pair's CV and expectations
        resume_text = _document_text(_load_json(pair_dir / "resume.json"))
        expectations = _expectations(pair_dir)
        aliases: dict[str, list[str]] = expectations.get("aliases", {})

        # When looking for each evidenced keyword, or one of its aliases, in the CV
        unsupported = [
            keyword
            for keyword in expectations["evidenced_keywords"]
            if not any(_mentions(resume_text, term) for term in [keyword, *aliases.get(keyword, [])])
        ]

        # Then the CV supports every one
        assert unsupported == []

    def test_missing_keywords_do_not_occur_in_the_resume(self, pair_dir: Path) -> None:
        # Given the pair's CV and expectations
        resume_text = _document_text(_load_json(pair_dir / "resume.json"))
        expectations = _expectations(pair_dir)

        # When looking for each missing keyword in the CV
        found = [keyword for keyword in expectations["missing_keywords"] if _mentions(resume_text, keyword)]

        # Then none is there, so any of them in a tailored CV is a fabrication
        assert found == []

    def test_aliases_belong_to_evidenced_keywords_and_are_used(self, pair_dir: Path) -> None:
        # Given the pair's CV and expectations
        resume_text = _document_text(_load_json(pair_dir / "resume.json"))
        expectations = _expectations(pair_dir)
        aliases: dict[str, list[str]] = expectations.get("aliases", {})

        # When checking each alias entry
        stray_keys = [key for key in aliases if key not in expectations["evidenced_keywords"]]
        unused = [
            alias for values in aliases.values() for alias in values if not _mentions(resume_text, alias)
        ]

        # Then aliases only explain evidenced keywords, and each alias is a spelling the CV really uses
        assert stray_keys == []
        assert unused == []
        if expectations["category"] in TECHNICAL_CATEGORIES:
            assert aliases, "a technical pair needs at least one alias case"


@pytest.mark.parametrize("pair_dir", INJECTED_PAIRS, ids=lambda path: path.name)
def test_planted_injection_is_in_the_job_and_its_targets_are_not_in_the_resume(pair_dir: Path) -> None:
    # Given a pair whose job carries a planted prompt injection
    injection = _expectations(pair_dir)["injection"]
    resume_text = _document_text(_load_json(pair_dir / "resume.json"))
    job_texts = [_document_text(_load_json(pair_dir / "job.json"))]
    if (pair_dir / "job.txt").exists():
        job_texts.append((pair_dir / "job.txt").read_text(encoding="utf-8"))

    # When looking for the injection in the job and for its targets in the CV
    carriers = [text for text in job_texts if injection["text"].casefold() in text.casefold()]
    planted_in_resume = [target for target in injection["targets"] if _mentions(resume_text, target)]

    # Then every form of the job carries it, and nothing it asks for is true of the candidate
    assert len(carriers) == len(job_texts)
    assert injection["targets"]
    assert planted_in_resume == []


@pytest.mark.parametrize("pair_dir", PAIRS_WITH_JOB_TEXT, ids=lambda path: path.name)
def test_plain_text_job_is_the_same_posting(pair_dir: Path) -> None:
    # Given a pair with both a structured and a plain-text job
    job = _load_json(pair_dir / "job.json")
    text = _normalised_whitespace((pair_dir / "job.txt").read_text(encoding="utf-8")).casefold()

    # When looking for the structured job's content in the text
    parts = [
        job["title"],
        job["company"],
        job["description"],
        *job.get("responsibilities", []),
        *job.get("qualifications", []),
        *_job_skill_keywords(job),
    ]
    absent = [part for part in parts if _normalised_whitespace(part).casefold() not in text]

    # Then the text carries all of it
    assert absent == []


def test_corpus_has_enough_pairs_in_the_required_categories() -> None:
    # Given every pair's category
    categories = [_expectations(pair_dir)["category"] for pair_dir in PAIR_DIRS]

    # When comparing them with the fields and stages the corpus must span
    uncovered = REQUIRED_CATEGORIES - set(categories)

    # Then there are enough pairs and none of the required categories is left out
    assert len(PAIR_DIRS) >= MINIMUM_PAIRS
    assert uncovered == set()


def test_corpus_has_plain_text_jobs_and_planted_injections() -> None:
    # Given the whole corpus
    # When counting plain-text jobs and planted injections
    counts = (len(PAIRS_WITH_JOB_TEXT), len(INJECTED_PAIRS))

    # Then the plain-text API form and the injection guard both have material
    assert counts[0] >= 3
    assert counts[1] >= 2


def _pairs_in(category: str) -> list[dict[str, Any]]:
    return [
        _load_json(pair_dir / "resume.json")
        for pair_dir in PAIR_DIRS
        if _expectations(pair_dir)["category"] == category
    ]


def test_very_long_cv_is_long() -> None:
    # Given the very long CVs
    resumes = _pairs_in("very-long-cv")

    # When counting their roles and work highlights
    shapes = [(len(resume["work"]), _work_highlight_count(resume)) for resume in resumes]

    # Then each has at least 10 roles and 80 highlights
    assert shapes
    assert all(roles >= 10 and highlights >= 80 for roles, highlights in shapes), shapes


def test_sparse_cv_is_sparse() -> None:
    # Given the sparse CVs
    resumes = _pairs_in("sparse-cv")

    # When reading what they hold
    # Then they have no summary, no label, no projects and almost no highlights
    assert resumes
    for resume in resumes:
        assert "summary" not in resume["basics"]
        assert "label" not in resume["basics"]
        assert "projects" not in resume
        assert _work_highlight_count(resume) <= 3


def test_new_graduate_has_little_experience() -> None:
    # Given the new-graduate CVs
    resumes = _pairs_in("new-graduate")

    # When reading their work history and degrees
    # Then they have at most two short roles and a degree finished recently
    assert resumes
    for resume in resumes:
        assert len(resume["work"]) <= 2
        assert max(entry["endDate"] for entry in resume["education"]) >= "2025"


def test_senior_leader_has_a_long_executive_history() -> None:
    # Given the senior-leader CVs
    resumes = _pairs_in("senior-leader")

    # When reading their positions and first start date
    # Then each holds an executive title and started work at least 20 years ago
    assert resumes
    executive = re.compile(r"\b(Chief|CTO|CEO|CFO|VP|Vice President)\b")
    for resume in resumes:
        assert any(executive.search(entry["position"]) for entry in resume["work"])
        assert min(entry["startDate"] for entry in resume["work"]) <= "2006"


def test_corpus_names_span_latin_cjk_and_arabic_scripts() -> None:
    # Given every candidate's name
    names = [_load_json(pair_dir / "resume.json")["basics"]["name"] for pair_dir in PAIR_DIRS]

    # When finding the scripts beyond ASCII that they use
    scripts = set().union(*(_scripts(name) for name in names))

    # Then accented Latin, CJK and right-to-left Arabic names are all present
    assert {"latin-extended", "cjk", "arabic"} <= scripts
