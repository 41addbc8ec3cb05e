"""Questions and passages become the same terms, so that the words a person types find the passage."""

from __future__ import annotations

import pytest

from retrieval.search.tokenize import tokenize


def same_terms(a: str, b: str) -> bool:
    return tokenize(a) == tokenize(b) != []


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("pledges", "pledged"),
        ("pledge", "pledging"),
        ("locomotive", "locomotives"),
        ("investment", "investments"),
    ],
)
def test_word_forms_give_the_same_term(a: str, b: str) -> None:
    assert same_terms(a, b)


def test_housing_is_not_the_house_of_commons() -> None:
    # Snowball gives both "hous": a question about housing found the House of Commons.
    assert not set(tokenize("housing")) & set(tokenize("House of Commons"))
    assert same_terms("houses", "house")


def test_curly_and_straight_apostrophes_alike() -> None:
    assert same_terms("the Home Office’s fund", "the Home Office's fund")
    assert same_terms("Hong Kong’s autonomy", "Hong Kong's autonomy")
    assert same_terms("‘large logo’ livery", "'large logo' livery")
    # A contraction is one word whichever apostrophe it has: "won’t" must not index "won".
    assert tokenize("We won’t stop") == tokenize("We won't stop") == ["stop"]


def test_case_is_folded() -> None:
    assert same_terms("BLACKPOOL Tower", "blackpool tower")
    assert same_terms("National Living Wage", "national living wage")


def test_stop_words_are_dropped() -> None:
    assert tokenize("How much did the Home Secretary pledge?") == tokenize("Home Secretary pledge")
    assert tokenize("what is it that they were about to do") == []


@pytest.mark.parametrize("amount", ["£300,000", "300,000", "300000", "300,000.", "(£300,000)"])
def test_amounts_give_one_term_however_they_are_written(amount: str) -> None:
    assert tokenize(amount) == ["300000"]


def test_amounts_in_a_question_match_the_passage() -> None:
    passage = (
        "The Home Secretary last week (Tuesday 21 May) pledged a further £300,000 towards the development"
    )
    assert set(tokenize("Who pledged 300000 pounds?")) - set(tokenize(passage)) == {"pound"}


def test_decimals_and_different_numbers_stay_apart() -> None:
    assert tokenize("The deficit was 1.1% of GDP") == ["deficit", "1.1", "gdp"]
    assert tokenize("£635,000") != tokenize("£300,000")
    assert tokenize("37407") == ["37407"]


@pytest.mark.parametrize(
    ("glued", "spaced"),
    [
        (
            "a quarter of a centuryRemoval of hereditary peers",
            "a quarter of a century Removal of hereditary peers",
        ),
        ("find out more onGOV.UK/SIA", "find out more on GOV.UK/SIA"),
    ],
)
def test_words_glued_by_lost_markup_are_separated(glued: str, spaced: str) -> None:
    assert same_terms(glued, spaced)


def test_repeats_are_kept_for_term_frequency() -> None:
    assert tokenize("Blackpool Tower, Blackpool pier") == ["blackpool", "tower", "blackpool", "pier"]


def test_compatibility_characters_and_no_break_spaces_normalise() -> None:
    assert same_terms("ﬁnance\u00a0review", "finance review")
