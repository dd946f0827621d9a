"""Typed shapes of JSON Resume v1.3.1 résumés and job descriptions, for pydantic to validate.

They mirror the vendored ``schema.json`` and ``job-schema.json`` and add the limits the service needs (string
lengths, list sizes, no control characters). Every key is optional and unknown keys are kept, as the schema
allows, but a known key may not be null, which the schema does not allow either. Whatever these types accept
is valid against the schemas (``tests/unit/resume`` proves it), so the Lambdas validate with them alone and
only tests and the evaluation load ``jsonschema``.

They are ``TypedDict``s rather than ``BaseModel``s: a document stays a plain dict (nothing to dump), a
left-out key stays left out, and pydantic builds their validators in about half the time (cold-start time).
"""

from datetime import date
from typing import Annotated, Literal, TypeVar

from pydantic import AfterValidator, ConfigDict, Field, StringConstraints, with_config

# pydantic needs typing_extensions' TypedDict before Python 3.12.
from typing_extensions import TypedDict

from shared.resume.limits import (
    MAX_ENTRIES_PER_SECTION,
    MAX_HIGHLIGHTS_PER_ENTRY,
    MAX_JOB_TEXT_CHARS,
    MAX_KEYWORDS_PER_ENTRY,
    MAX_LONG_TEXT_CHARS,
    MAX_SHORT_TEXT_CHARS,
)

# No ``from __future__ import annotations`` here: pydantic would have to evaluate every annotation string, a
# measurable share of the cold start. Constraints are declarative (checked in pydantic-core, not in Python
# functions) for the same reason, and because they are cheaper per request.

# JSON Resume's own pattern admits month 13 and day 39; this one is stricter (so still schema-valid), and
# _real_calendar_date refuses the days a month does not have (2023-02-30).
ISO8601_DATE_PATTERN = r"^[1-2][0-9]{3}(-(0[1-9]|1[0-2])(-(0[1-9]|[12][0-9]|3[01]))?)?$"
# Unicode category Cc is exactly U+0000-U+001F and U+007F-U+009F; tab and newline are allowed.
NO_CONTROL_CHARACTERS_PATTERN = r"^[^\x00-\x08\x0b-\x1f\x7f-\x9f]*$"
# What a failed pattern means, in words a person can act on (the API reports these instead of the regex).
PATTERN_MESSAGES = {
    ISO8601_DATE_PATTERN: "must be an ISO 8601 date: YYYY, YYYY-MM or YYYY-MM-DD",
    NO_CONTROL_CHARACTERS_PATTERN: "control characters (including NUL) are not allowed",
}


def _real_calendar_date(value: str) -> str:
    if len(value) == len("YYYY-MM-DD"):
        try:
            date.fromisoformat(value)
        except ValueError:
            raise ValueError("must be a real calendar date") from None
    return value


def _reject_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be blank")
    return value


ShortText = Annotated[
    str, StringConstraints(max_length=MAX_SHORT_TEXT_CHARS, pattern=NO_CONTROL_CHARACTERS_PATTERN)
]
LongText = Annotated[
    str, StringConstraints(max_length=MAX_LONG_TEXT_CHARS, pattern=NO_CONTROL_CHARACTERS_PATTERN)
]
JobText = Annotated[
    str,
    StringConstraints(min_length=1, max_length=MAX_JOB_TEXT_CHARS, pattern=NO_CONTROL_CHARACTERS_PATTERN),
    AfterValidator(_reject_blank),
]
Iso8601Date = Annotated[
    str, StringConstraints(pattern=ISO8601_DATE_PATTERN), AfterValidator(_real_calendar_date)
]
Highlights = Annotated[list[LongText], Field(max_length=MAX_HIGHLIGHTS_PER_ENTRY)]
Keywords = Annotated[list[ShortText], Field(max_length=MAX_KEYWORDS_PER_ENTRY)]
_EntryT = TypeVar("_EntryT")
SectionEntries = Annotated[list[_EntryT], Field(max_length=MAX_ENTRIES_PER_SECTION)]


_SECTION_CONFIG = ConfigDict(extra="allow")


@with_config(_SECTION_CONFIG)
class Location(TypedDict, total=False):
    address: LongText
    postalCode: ShortText
    city: ShortText
    countryCode: ShortText
    region: ShortText


@with_config(_SECTION_CONFIG)
class Profile(TypedDict, total=False):
    network: ShortText
    username: ShortText
    url: ShortText


@with_config(_SECTION_CONFIG)
class Basics(TypedDict, total=False):
    name: ShortText
    label: ShortText
    image: ShortText
    email: ShortText
    phone: ShortText
    url: ShortText
    summary: LongText
    location: Location
    profiles: SectionEntries[Profile]


@with_config(_SECTION_CONFIG)
class _Dated(TypedDict, total=False):
    startDate: Iso8601Date
    endDate: Iso8601Date


@with_config(_SECTION_CONFIG)
class Work(_Dated, total=False):
    name: ShortText
    location: ShortText
    description: LongText
    position: ShortText
    url: ShortText
    summary: LongText
    highlights: Highlights


@with_config(_SECTION_CONFIG)
class Volunteer(_Dated, total=False):
    organization: ShortText
    position: ShortText
    url: ShortText
    summary: LongText
    highlights: Highlights


@with_config(_SECTION_CONFIG)
class Education(_Dated, total=False):
    institution: ShortText
    url: ShortText
    area: ShortText
    studyType: ShortText
    score: ShortText
    courses: Keywords


@with_config(_SECTION_CONFIG)
class Award(TypedDict, total=False):
    title: ShortText
    date: Iso8601Date
    awarder: ShortText
    summary: LongText


@with_config(_SECTION_CONFIG)
class Certificate(TypedDict, total=False):
    name: ShortText
    date: Iso8601Date
    url: ShortText
    issuer: ShortText


@with_config(_SECTION_CONFIG)
class Publication(TypedDict, total=False):
    name: ShortText
    publisher: ShortText
    releaseDate: Iso8601Date
    url: ShortText
    summary: LongText


@with_config(_SECTION_CONFIG)
class Skill(TypedDict, total=False):
    name: ShortText
    level: ShortText
    keywords: Keywords


@with_config(_SECTION_CONFIG)
class Language(TypedDict, total=False):
    language: ShortText
    fluency: ShortText


@with_config(_SECTION_CONFIG)
class Interest(TypedDict, total=False):
    name: ShortText
    keywords: Keywords


@with_config(_SECTION_CONFIG)
class Reference(TypedDict, total=False):
    name: ShortText
    reference: LongText


@with_config(_SECTION_CONFIG)
class Project(_Dated, total=False):
    name: ShortText
    description: LongText
    highlights: Highlights
    keywords: Keywords
    url: ShortText
    roles: Keywords
    entity: ShortText
    type: ShortText


@with_config(_SECTION_CONFIG)
class Meta(TypedDict, total=False):
    canonical: ShortText
    version: ShortText
    lastModified: ShortText


# "$schema" is not an identifier, so the root's typed keys start from a functional TypedDict.
_SchemaKey = TypedDict("_SchemaKey", {"$schema": ShortText}, total=False)


@with_config(_SECTION_CONFIG)
class Resume(_SchemaKey, total=False):
    """A JSON Resume v1.3.1 document."""

    basics: Basics
    work: SectionEntries[Work]
    volunteer: SectionEntries[Volunteer]
    education: SectionEntries[Education]
    awards: SectionEntries[Award]
    certificates: SectionEntries[Certificate]
    publications: SectionEntries[Publication]
    skills: SectionEntries[Skill]
    languages: SectionEntries[Language]
    interests: SectionEntries[Interest]
    references: SectionEntries[Reference]
    projects: SectionEntries[Project]
    meta: Meta


@with_config(_SECTION_CONFIG)
class JobSkill(TypedDict, total=False):
    name: ShortText
    level: ShortText
    keywords: Keywords


@with_config(_SECTION_CONFIG)
class JobDescription(TypedDict, total=False):
    """A JSON Resume job description (job-schema.json)."""

    title: ShortText
    company: ShortText
    type: ShortText
    date: Iso8601Date
    description: JobText
    location: Location
    remote: Literal["Full", "Hybrid", "None"]
    salary: ShortText
    experience: ShortText
    responsibilities: Annotated[list[LongText], Field(max_length=MAX_HIGHLIGHTS_PER_ENTRY)]
    qualifications: Annotated[list[LongText], Field(max_length=MAX_HIGHLIGHTS_PER_ENTRY)]
    skills: SectionEntries[JobSkill]
    meta: Meta


def _resume_has_content(resume: Resume) -> Resume:
    if not any(resume.get(section) for section in ("work", "education", "projects", "volunteer", "skills")):
        raise ValueError("a résumé needs at least one of work, education, projects, volunteer or skills")
    return resume


def _job_has_content(job: JobDescription) -> JobDescription:
    if not any(
        job.get(key) for key in ("title", "description", "responsibilities", "qualifications", "skills")
    ):
        raise ValueError("a job needs a title, description, responsibilities, qualifications or skills")
    return job


# What the service accepts: the shapes above, with something to tailor in them.
ResumeDocument = Annotated[Resume, AfterValidator(_resume_has_content)]
JobDocument = Annotated[JobDescription, AfterValidator(_job_has_content)]
