"""Domain errors shared by every layer. The data-access layer raises these, never ``ClientError``."""

from __future__ import annotations


class CareerVPError(Exception):
    """Base class of the service's own errors."""


class ConflictError(CareerVPError):
    """A conditional write lost: the item is not in the state the write expected."""


class NotFoundError(CareerVPError):
    """The item does not exist (or is not visible to the caller)."""


class ThrottledError(CareerVPError):
    """An AWS dependency throttled the call; retrying later may succeed."""


class DependencyUnavailableError(CareerVPError):
    """An AWS dependency failed in a way that retrying later may fix."""


class RecordTooLargeError(CareerVPError):
    """The write would make the item larger than the store admits (DynamoDB: 400 KB); no retry can fix it."""
