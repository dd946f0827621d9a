"""Token estimates and prices used for the edit-contract versus full-document comparison."""

from __future__ import annotations

import pytest

from evaluation.tokens import TokenBudget, compact_json, cost_usd, estimate_tokens


@pytest.mark.parametrize(
    ("text", "tokens"),
    [("", 0), ("abcd", 1), ("abcde", 2), ("上海", 2), ("Zoë", 2), ("双十一 x", 4)],
)
def test_tokens_are_a_quarter_per_ascii_char_and_one_per_other_char(text: str, tokens: int) -> None:
    # Given a text
    # When its tokens are estimated
    # Then ASCII counts a quarter token (rounded up) and every other character one token
    assert estimate_tokens(text) == tokens


def test_compact_json_keeps_unicode_and_drops_spaces() -> None:
    # Given a value with non-ASCII text
    # When it is serialised
    # Then there are no spaces after separators and no escapes
    assert compact_json({"a": ["ü", 1]}) == '{"a":["ü",1]}'


def test_haiku_prices_are_applied_per_million_tokens() -> None:
    # Given one million input and one million output tokens
    # When they are priced
    # Then input costs $1 and output $5
    assert cost_usd(1_000_000, 0) == pytest.approx(1.0)
    assert cost_usd(0, 1_000_000) == pytest.approx(5.0)


def test_a_budget_compares_edits_with_a_full_regeneration() -> None:
    # Given a tailoring whose edits are a fifth the size of the whole CV
    budget = TokenBudget(input_tokens=2_000, edit_output_tokens=200, full_output_tokens=1_000)

    # When its ratio and costs are read
    # Then the ratio is 0.2 and the full regeneration costs more
    assert budget.ratio == pytest.approx(0.2)
    assert budget.edit_cost_usd == pytest.approx(0.003)
    assert budget.full_cost_usd == pytest.approx(0.007)
