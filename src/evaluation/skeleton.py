"""The protected skeleton of a JSON Resume: everything the edit contract cannot change.

Contact details, employers, positions, dates, education, certificates, languages and the number of
highlights; the editable texts are masked. Standard library only, like the independent audit that uses it.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from typing import Any

EDITABLE_TEXT = "<editable>"
# The texts the edit contract may rewrite inside an entry, each checked against its own entry.
EDITABLE_FIELDS = {
    "work": ("summary", "highlights"),
    "volunteer": ("summary", "highlights"),
    "projects": ("description", "highlights"),
}


def _mask_text_fields(entry: Any, fields: tuple[str, ...]) -> Any:
    if not isinstance(entry, dict):
        return entry
    masked = dict(entry)
    for name in fields:
        value = masked.get(name)
        if isinstance(value, str):
            masked[name] = EDITABLE_TEXT
        elif isinstance(value, list):
            masked[name] = [EDITABLE_TEXT if isinstance(item, str) else item for item in value]
    return masked


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def _sorted_entries(value: Any) -> Any:
    return sorted(value, key=_canonical) if isinstance(value, list) else value


def protected_skeleton(resume: Mapping[str, Any]) -> dict[str, Any]:
    """The CV with every text the contract may edit masked and every list it may reorder sorted.

    Two CVs with equal skeletons differ only where the edit contract allows: the summary (new or
    rewritten), highlight wording, and the order of highlights, projects and skills. Contact details,
    employers, titles, dates, education and certificates must be byte-identical for skeletons to match.
    """
    skeleton: dict[str, Any] = copy.deepcopy(dict(resume))
    basics = skeleton.get("basics")
    if isinstance(basics, dict):
        # The contract may write a summary where the source has none, so its presence is not compared.
        basics.pop("summary", None)
    for section, fields in EDITABLE_FIELDS.items():
        entries = skeleton.get(section)
        if isinstance(entries, list):
            masked = [_mask_text_fields(entry, fields) for entry in entries]
            skeleton[section] = _sorted_entries(masked) if section == "projects" else masked
    if isinstance(skeleton.get("skills"), list):
        skeleton["skills"] = _sorted_entries(skeleton["skills"])
    return skeleton


def changed_paths(before: Any, after: Any, path: str = "") -> list[str]:
    """The paths at which two JSON values differ (a list of another length differs as a whole)."""
    if isinstance(before, dict) and isinstance(after, dict):
        changed = []
        for key in sorted(set(before) | set(after), key=str):
            child = f"{path}.{key}" if path else str(key)
            if key not in before or key not in after:
                changed.append(child)
            else:
                changed.extend(changed_paths(before[key], after[key], child))
        return changed
    if isinstance(before, list) and isinstance(after, list) and len(before) == len(after):
        return [
            changed
            for index, (left, right) in enumerate(zip(before, after, strict=True))
            for changed in changed_paths(left, right, f"{path}[{index}]")
        ]
    return [] if _canonical(before) == _canonical(after) else [path or "<root>"]
