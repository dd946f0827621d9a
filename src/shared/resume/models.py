"""Pydantic models for JSON Resume v1.3.1 résumés and job descriptions.

The models mirror the vendored ``schema.json`` and ``job-schema.json`` and add the limits the service needs
(string lengths, list sizes, no control characters). Unknown properties are kept, as the schema allows them.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, model_validator

MAX_SHORT_TEXT_CHARS = 300
MAX_LONG_TEXT_CHARS = 4_000
MAX_JOB_TEXT_CHARS = 20_000
MAX_ENTRIES_PER_SECTION = 60
MAX_HIGHLIGHTS_PER_ENTRY = 40
MAX_KEYWORDS_PER_ENTRY = 60

ISO8601_DATE_PATTERN = r"^([1-2][0-9]{3}-[0-1][0-9]-[0-3][0-9]|[1-2][0-9]{3}-[0-1][0-9]|[1-2][0-9]{3})$"
# Unicode category Cc is exactly U+0000-U+001F and U+007F-U+009F; tab and newline are allowed. A regex scans
# in C: a per-character unicodedata loop cost milliseconds per CV.
_FORBIDDEN_CONTROL_CHARACTER = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _reject_control_characters(value: str) -> str:
    if _FORBIDDEN_CONTROL_CHARACTER.search(value):
        raise ValueError("control characters (including NUL) are not allowed")
    return value


def _reject_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be blank")
    return value


ShortText = Annotated[
    str, StringConstraints(max_length=MAX_SHORT_TEXT_CHARS), AfterValidator(_reject_control_characters)
]
LongText = Annotated[
    str, StringConstraints(max_length=MAX_LONG_TEXT_CHARS), AfterValidator(_reject_control_characters)
]
JobText = Annotated[
    str,
    StringConstraints(min_length=1, max_length=MAX_JOB_TEXT_CHARS),
    AfterValidator(_reject_control_characters),
    AfterValidator(_reject_blank),
]
Iso8601Date = Annotated[str, StringConstraints(pattern=ISO8601_DATE_PATTERN)]
Highlights = Annotated[list[LongText], Field(max_length=MAX_HIGHLIGHTS_PER_ENTRY)]
Keywords = Annotated[list[ShortText], Field(max_length=MAX_KEYWORDS_PER_ENTRY)]


class _Section(BaseModel):
    """A JSON Resume object: known fields are typed, unknown ones are kept as the schema allows."""

    model_config = ConfigDict(extra="allow", str_strip_whitespace=False)


class Location(_Section):
    address: LongText | None = None
    postalCode: ShortText | None = None
    city: ShortText | None = None
    countryCode: ShortText | None = None
    region: ShortText | None = None


class Profile(_Section):
    network: ShortText | None = None
    username: ShortText | None = None
    url: ShortText | None = None


class Basics(_Section):
    name: ShortText | None = None
    label: ShortText | None = None
    image: ShortText | None = None
    email: ShortText | None = None
    phone: ShortText | None = None
    url: ShortText | None = None
    summary: LongText | None = None
    location: Location | None = None
    profiles: SectionEntries[Profile] | None = None


class _Dated(_Section):
    startDate: Iso8601Date | None = None
    endDate: Iso8601Date | None = None


class Work(_Dated):
    name: ShortText | None = None
    location: ShortText | None = None
    description: LongText | None = None
    position: ShortText | None = None
    url: ShortText | None = None
    summary: LongText | None = None
    highlights: Highlights | None = None


class Volunteer(_Dated):
    organization: ShortText | None = None
    position: ShortText | None = None
    url: ShortText | None = None
    summary: LongText | None = None
    highlights: Highlights | None = None


class Education(_Dated):
    institution: ShortText | None = None
    url: ShortText | None = None
    area: ShortText | None = None
    studyType: ShortText | None = None
    score: ShortText | None = None
    courses: Keywords | None = None


class Award(_Section):
    title: ShortText | None = None
    date: Iso8601Date | None = None
    awarder: ShortText | None = None
    summary: LongText | None = None


class Certificate(_Section):
    name: ShortText | None = None
    date: Iso8601Date | None = None
    url: ShortText | None = None
    issuer: ShortText | None = None


class Publication(_Section):
    name: ShortText | None = None
    publisher: ShortText | None = None
    releaseDate: Iso8601Date | None = None
    url: ShortText | None = None
    summary: LongText | None = None


class Skill(_Section):
    name: ShortText | None = None
    level: ShortText | None = None
    keywords: Keywords | None = None


class Language(_Section):
    language: ShortText | None = None
    fluency: ShortText | None = None


class Interest(_Section):
    name: ShortText | None = None
    keywords: Keywords | None = None


class Reference(_Section):
    name: ShortText | None = None
    reference: LongText | None = None


class Project(_Dated):
    name: ShortText | None = None
    description: LongText | None = None
    highlights: Highlights | None = None
    keywords: Keywords | None = None
    url: ShortText | None = None
    roles: Keywords | None = None
    entity: ShortText | None = None
    type: ShortText | None = None


class Meta(_Section):
    canonical: ShortText | None = None
    version: ShortText | None = None
    lastModified: ShortText | None = None


_EntryT = TypeVar("_EntryT", bound=BaseModel)
SectionEntries = Annotated[list[_EntryT], Field(max_length=MAX_ENTRIES_PER_SECTION)]


class Resume(_Section):
    """A JSON Resume v1.3.1 document."""

    schema_uri: ShortText | None = Field(default=None, alias="$schema")
    basics: Basics | None = None
    work: SectionEntries[Work] | None = None
    volunteer: SectionEntries[Volunteer] | None = None
    education: SectionEntries[Education] | None = None
    awards: SectionEntries[Award] | None = None
    certificates: SectionEntries[Certificate] | None = None
    publications: SectionEntries[Publication] | None = None
    skills: SectionEntries[Skill] | None = None
    languages: SectionEntries[Language] | None = None
    interests: SectionEntries[Interest] | None = None
    references: SectionEntries[Reference] | None = None
    projects: SectionEntries[Project] | None = None
    meta: Meta | None = None

    model_config = ConfigDict(extra="allow", populate_by_name=True)

    @model_validator(mode="after")
    def _has_content(self) -> Resume:
        if not (self.work or self.education or self.projects or self.volunteer or self.skills):
            raise ValueError("a résumé needs at least one of work, education, projects, volunteer or skills")
        return self


class JobSkill(_Section):
    name: ShortText | None = None
    level: ShortText | None = None
    keywords: Keywords | None = None


class JobDescription(_Section):
    """A JSON Resume job description (job-schema.json)."""

    title: ShortText | None = None
    company: ShortText | None = None
    type: ShortText | None = None
    date: ShortText | None = None
    description: JobText | None = None
    location: Location | None = None
    remote: ShortText | None = None
    salary: ShortText | None = None
    experience: ShortText | None = None
    responsibilities: Annotated[list[LongText], Field(max_length=MAX_HIGHLIGHTS_PER_ENTRY)] | None = None
    qualifications: Annotated[list[LongText], Field(max_length=MAX_HIGHLIGHTS_PER_ENTRY)] | None = None
    skills: SectionEntries[JobSkill] | None = None
    meta: Meta | None = None

    @model_validator(mode="after")
    def _has_content(self) -> JobDescription:
        fields = (self.title, self.description, self.responsibilities, self.qualifications, self.skills)
        if not any(fields):
            raise ValueError("a job needs a title, description, responsibilities, qualifications or skills")
        return self


def dump_document(model: BaseModel) -> dict[str, Any]:
    """The JSON form of a document, without the fields the client did not send."""
    return model.model_dump(mode="json", by_alias=True, exclude_unset=True)
