"""Validate stored or rebuilt documents against the service's JSON Resume types (the worker's side)."""

from typing import Any

from pydantic import TypeAdapter

from shared.resume.models import JobDocument, ResumeDocument

_RESUME = TypeAdapter(ResumeDocument)
_JOB = TypeAdapter(JobDocument)


def validated_resume(document: Any) -> dict[str, Any]:
    """The CV as a plain JSON Resume dict; raises ``pydantic.ValidationError`` when it is not one."""
    return dict(_RESUME.validate_python(document))


def validated_job(document: Any) -> dict[str, Any]:
    """The job as a plain JSON Resume job dict; raises ``pydantic.ValidationError`` when it is not one."""
    return dict(_JOB.validate_python(document))
