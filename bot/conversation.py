"""Follow-ups: "and how much will it cost?" right after an answer is about that answer's announcement.

A message is a follow-up when it replies to one of the bot's answers (Telegram's reply_to_message),
or when the chat had an answer in the last ten minutes and the message is short and starts like a
follow-up ("and", "but", "what about", "when", "who", "how much", "for"...: at most six words) or leans on
the answer with a pronoun ("it", "that", "they", "this": at most nine words, as in "what else can
it be used for"), and brings no strong topic word of
its own: a word the corpus uses that the followed announcement does not ("what about flood
defences?" after an answer about peers is a new question). Cheap: a regular expression, a set of
generic words and a lookup of the message's few terms.

The answer's announcement is kept per chat in the database (retrieval/store: conversations), with
an expiry, so that a follow-up reaches any worker and survives a restart.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterable, Sequence
from datetime import timedelta

from bot import actions, render
from retrieval.ranking.forms import IRREGULAR
from retrieval.ranking.query import CONTRACTIONS, AnswerType, wanted_type
from retrieval.ranking.synonyms import SYNONYMS
from retrieval.search.tokenize import term, words

FOLLOW_UP_WINDOW = timedelta(minutes=10)
MAX_WORDS = 6
# A pronoun leans on the answer more surely than an opener: "what else can it be used for" (seven
# words) follows the answer, where "when is the new passport fee due" may be a question of its own.
MAX_WORDS_LEANING = 9

# A fragment that starts with a preposition ("for kids?", "in scotland?") narrows the last question.
_OPENERS = re.compile(
    r"^(?:and|but|so|also|plus|what about|how about|what of|when|who|whom|whose|where|why|which"
    r"|for|in|at|on|with|without|during|after|before|under|over"
    r"|how much|how many|how long|how soon|what date|what time|since when|until when|by when|from when"
    # "was there anything on prisons?" after the Queen's Speech: asked of everything, it was declined.
    r"|was there anything|was there any mention|any mention|anything (?:on|about)|is there anything)\b"
)


def asks_within(text: str) -> bool:
    """ "anything on prisons?", "is there anything about fees": after an answer, what it says of
    them; with none to follow, the newest announcements about them (bot/intents.py)."""
    return bool(re.match(r"^(?:(?:is|was) there )?(?:anything|any mention)\b", " ".join(words(text))))


# A question this short ("how do i respond", "can i apply") rarely stands alone: right after an
# answer it asks about that answer, unless it names a topic of its own (strong_topic_words).
_SHORT_QUESTION = re.compile(
    r"^(?:how|what|whats|can|could|do|does|did|is|are|was|were|has|have|will|should|must)\b"
)
MAX_WORDS_SHORT_QUESTION = 4
# "what did her report find" after Dr Penny Dash's review was asked afresh, and declined.
_PRONOUNS = frozenset(
    {"it", "its", "it's", "that", "they", "them", "their", "this", "these", "those", "he", "she"}
    | {"him", "his", "her", "hers"}
)

# Words a follow-up uses to ask for a fact about what was just said, not to name a new topic: they
# never make a message a new question, whatever the corpus holds.
_GENERIC = frozenset(
    """
    cost costs costing price prices money pay paid pays spend spent spending fund funds funded funding
    worth budget amount total sum pound pounds million billion figure number numbers many much
    date dates time times day days week weeks month months year years today yesterday tomorrow soon
    start starts started begin begins began end ends ended happen happens happened deadline long
    mean means meant say says said announce announced announcement plan plans planned next else
    detail details exactly really still left take takes need needs affect affects effect impact
    change changes changed people person name names get gets got getting go goes come comes know think new
    reason why source quote place places include includes included involve involved introduce
    introduced work works decide decided apply applies government uk anyone anybody someone who
    more less first last again too
    since till without plus whose whats one ones kind kinds type types age ages old
    will would could should can may might shall must does did done doing
    phone telephone number email address contact website link helpline
    give gives giving gave given provide provides providing provided offer offers offering offered
    anything something everything mention mentions mentioned
    """.split()  # noqa: SIM905 - a word list, easier to read and extend as text
)


def answered_announcement(buttons: Iterable[tuple[str, str | None]]) -> int | None:
    """The announcement a message of the bot quoted, read from its buttons (label, callback_data):
    the one its "Full announcement" button opens. None for a list, a decline or anything else."""
    for label, data in buttons:
        action = actions.parse(data) if label == render.FULL_ANNOUNCEMENT and data else None
        if isinstance(action, actions.Read):
            return action.announcement_id
    return None


def sounds_like_follow_up(text: str) -> bool:
    """Short, and shaped like a follow-up: an opener or a pronoun that leans on what came before."""
    found = words(text)
    if not found or len(found) > MAX_WORDS_LEANING:
        return False
    if len(found) <= MAX_WORDS and _OPENERS.match(" ".join(found)):
        return True
    if len(found) <= MAX_WORDS_SHORT_QUESTION and _SHORT_QUESTION.match(found[0]):
        return True
    # Up to six words with one word of a topic at most: "is there an age limit" after the doctoral
    # loans asks about them (it was asked of everything and answered from a bond), "what is the
    # emergency number" after Fiji asks for Fiji's (it found nothing).
    if len(found) <= MAX_WORDS and _SHORT_QUESTION.match(found[0]) and len(_topic_candidates(text)) <= 1:
        return True
    # Nothing but the kind of fact wanted ("what's the phone number?", "whats the deadline", "how old
    # do i have to be", seven words): about what was just said, as there is nothing else it could
    # be about.
    if all(_generic(w) for w in found):
        return True
    return leans_on_answer(found)


# Function words the index keeps (as their stems): "since when?" is as bare as "when?".
_INDEXED_FUNCTION_WORDS = frozenset({"since", "until", "till", "then"})


def is_bare_follow_up(text: str) -> bool:
    """Shaped like a follow-up and made only of function words ("and when?", "where?"): it means
    nothing without an answer to follow. Not "tell me about the budget": a generic word such as
    "budget" is a follow-up's fact, but also a topic of its own."""
    return sounds_like_follow_up(text) and not any(
        term(w) for w in words(text) if w not in _INDEXED_FUNCTION_WORDS
    )


_CONTINUES = re.compile(
    r"^(?:and|but|or|also|plus)\s+(?!(?:how|what|whats|who|when|where|why|which|is|are|was|were|can|could"
    r"|do|does|did|will|would|should|has|have|tell|show|give|any)\b)"
)


def continues_a_question(text: str) -> bool:
    """ "and at one year?", "but for wales": the rest of a question asked before, meaningless alone."""
    return bool(_CONTINUES.match(" ".join(words(text)))) and len(words(text)) <= MAX_WORDS


def rest_of_a_question(text: str) -> str | None:
    """What "and at one year?" or "what about in sussex?" adds to a question asked before ("at one
    year", "in sussex"); None for a message that is not the rest of one."""
    if continues_a_question(text):
        return _CONTINUES.sub("", " ".join(words(text)), count=1)
    return what_about(text)


def leans_without_topic(text: str) -> bool:
    """ "when did he say it?", "how much will it cost?": a pronoun and no topic word, so about nothing
    unless there is an answer for "it" to be."""
    found = words(text)
    return leans_on_answer(found) and all(_generic(w) for w in found)


_STANDS_FOR_IT = re.compile(
    r"^(?:and |so )?(?:what (?:does|do|did) (?:it|that|this|they|those) stand for"
    r"|what(?:'?s| is| are) (?:it|that|this|they|those) short for)\b"
)


def stands_for_it(text: str) -> bool:
    """ "what does it stand for?" right after initials were asked about: those initials, spelt out."""
    return _STANDS_FOR_IT.match(" ".join(words(text))) is not None


def asks_for_else(text: str) -> bool:
    """ "what else did they discuss?", "who else is she meeting": something besides what was quoted."""
    return "else" in words(text)


def leans_on_answer(text: str | list[str]) -> bool:
    """Whether the message (or its words) points back at what was just said with a pronoun ("who
    signed it?") or "else" ("what else counts as id?": besides what was just said)."""
    return any(w in _PRONOUNS or w == "else" for w in (words(text) if isinstance(text, str) else text))


_GENERIC_TERMS = frozenset(term(w) for w in _GENERIC) - {""}  # "costs" and "costing" alike


def _generic(word: str) -> bool:
    t = term(word)
    # "dont" and "whats" are function words typed without their apostrophe, as the ranking reads them:
    # "what happens if i dont" after the pig keepers' guide had no topic and was asked of everything.
    return not t or word in _GENERIC or t in _GENERIC_TERMS or word in CONTRACTIONS


def _synonym_words(word: str) -> list[str]:
    return [part for synonym in SYNONYMS.get(word, ()) for part in words(synonym)]


def strong_topic_words(
    text: str,
    known: Callable[[Sequence[str]], Sequence[bool]],
    in_announcement: Callable[[Sequence[str]], Sequence[bool]],
) -> list[str]:
    """Topic words of the message that the corpus uses and the followed announcement does not: the
    message is about something else. Words the corpus never uses (typos, other languages) are no
    evidence either way. `known` and `in_announcement` say, for each word, whether the corpus and
    the followed announcement use it."""
    candidates = _topic_candidates(text)
    if not candidates or points_at_someone(text):
        # "he" or "her" is someone the answer named: "did he go to prison?" after a door supervisor's
        # sentence ("18 weeks imprisonment, suspended") is about him, and was answered with a riot at
        # HMP Birmingham.
        return []
    in_corpus = known(candidates)
    theirs = in_any_form(candidates, in_announcement)
    strong = [w for w, k, a in zip(candidates, in_corpus, theirs, strict=True) if k and not a]
    if leans_on_answer(text):
        # A pronoun points back at the answer more surely than a verb points away: "who signed it?"
        # after a joint statement that never says "sign" is still about that statement; "is it
        # happening in scotland?" is not.
        strong = [w for w in strong if not w.endswith(("ed", "ing"))]
    return strong


_PERSONS = frozenset({"he", "she", "him", "his", "her", "hers"})


def points_at_someone(text: str) -> bool:
    """Whether the message points at a person with a pronoun: someone the last answer named."""
    return any(w in _PERSONS for w in words(text))


_DEFINITE = frozenset({"the", "that", "this", "these", "those"})


def names_it_as_known(text: str) -> bool:
    """Whether the message's one topic word comes after "the" or "that", as something already spoken
    of: "how much was the fine?" after a conviction asks of its penalty. "what about flood
    defences?" and "when is the firework curfew" bring a topic of their own."""
    word = single_topic_word(text)
    return word is not None and any(a in _DEFINITE and b == word for a, b in itertools.pairwise(words(text)))


def single_topic_word(text: str) -> str | None:
    """The message's topic word if it has exactly one ("is there a test"), else None: a message with
    one is more likely to ask about the last answer's subject than to start another."""
    candidates = _topic_candidates(text)
    return candidates[0] if len(candidates) == 1 else None


def lone_topic_off_title(text: str, title: str) -> bool:
    """Whether the message has one topic word and the title of the announcement answering it lacks
    that word: "has anyone been charged?" answered by the angling brothers' prosecution may be
    about the last answer's subject; "also vaping" answered by "Youth Vaping" plainly moves on."""
    word = single_topic_word(text)
    return word is not None and term(word) not in {term(w) for w in words(title)}


def shares_topic(text: str, in_announcement: Callable[[Sequence[str]], Sequence[bool]]) -> bool:
    """Whether some topic word of the message is the followed announcement's: "which countries signed
    up?" after the anti-corruption summit ("countries") is, "what about flood defences?" after the
    peers is not."""
    candidates = _topic_candidates(text)
    return any(in_any_form(candidates, in_announcement)) if candidates else False


def _topic_candidates(text: str) -> list[str]:
    typed = words(text)
    # The word after "who" is what someone does ("who runs the fund?", "who funds it?"), not a topic.
    asked = typed[2:] if typed[:1] == ["who"] else typed
    return [w for w in asked if w not in _GENERIC and (t := term(w)) and t not in _GENERIC_TERMS]


def in_any_form(candidates: Sequence[str], uses: Callable[[Sequence[str]], Sequence[bool]]) -> list[bool]:
    """For each word, whether a text `uses` (an announcement, or the whole corpus) says it. A word it
    says in another form is its word: "when did they speak?" after "The Prime Minister spoke to…"
    (the forms of irregular verbs, as the ranking reads them too). So is a word it says in GOV.UK's
    words ("illegal" / "illicit drugs", "kids" / children, as the ranking reads them)."""
    forms = [(w, *IRREGULAR.get(w, ()), *_synonym_words(w)) for w in candidates]
    flat = [f for group in forms for f in group]
    found = dict(zip(flat, uses(flat), strict=True))
    return [any(found[f] for f in group) for group in forms]


_WHAT_ABOUT = re.compile(
    r"^\s*(?:(?:ok|okay|right|so|and|but)\s+)*(?:what|how)\s+about\s+(?P<topic>[^?]+?)\s*\?*\s*$", re.I
)


def what_about(text: str) -> str | None:
    """The topic of "what about X?" ("ok what about housing"): with nothing said before for it to
    add to, it asks about X, as typing X would."""
    found = _WHAT_ABOUT.match(text)
    return found.group("topic") if found else None


def topic_of(text: str) -> str:
    """The topic words of a question, as typed: "How many hereditary peers still sit in the Lords?" ->
    "hereditary peers still sit lords". Added to a bare follow-up ("when?") so that it is asked about
    the same thing, without the question words that would ask for another kind of fact."""
    return " ".join(w for w in words(text) if term(w) and w not in _GENERIC and w not in CONTRACTIONS)


def missing_fact(question: str, gives: Callable[[AnswerType], bool]) -> str | None:
    """What a follow-up wanted that the announcement does not give, in a short sentence; None when it
    asks for no particular kind of fact, or when the announcement holds facts of that kind (`gives`)
    and only none of them was found to answer: "it names no place" would then be untrue."""
    kind = wanted_type(question)
    if kind is None or gives(kind):
        return None
    if kind == "amount":
        plain = " ".join(words(question))
        costs = re.search(r"\bcosts?\b|\bprice\b|\bpay\b", plain)
        return "It gives no cost." if costs else "It gives no amount."
    return {
        "number": "It gives no figure for that.",
        "date": "It gives no date for that.",
        "person": "It names no one for that.",
        "place": "It names no place for that.",
        "contact": "It gives no contact details for that.",
    }.get(kind or "")
