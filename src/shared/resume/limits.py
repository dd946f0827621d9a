"""The service's limits on JSON Resume documents, shared by the models and the tailoring guard."""

from __future__ import annotations

MAX_SHORT_TEXT_CHARS = 300
MAX_LONG_TEXT_CHARS = 4_000
MAX_JOB_TEXT_CHARS = 20_000
MAX_ENTRIES_PER_SECTION = 60
MAX_HIGHLIGHTS_PER_ENTRY = 40
MAX_KEYWORDS_PER_ENTRY = 60
