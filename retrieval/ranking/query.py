"""What a question asks for: its concepts, the words that may stand for each, and the kind of fact wanted.

People do not use the corpus's words. "health care" is "healthcare" in the text, "jail" is "prison",
"defenses" is "defences", "goverment" is "government". A word the corpus never uses used to veto a
right answer; here each question word becomes a *concept* that any of several index terms satisfies:
its own stem, the compound it forms with its neighbour, the British spelling, a near spelling the
corpus does use (one edit away, two for long words; the most frequent wins), and a short curated list
of everyday synonyms for government vocabulary. All of it is looked up in the index's own vocabulary:
nothing is downloaded, nothing is guessed from outside the corpus.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Literal

import Stemmer
from rapidfuzz.distance import OSA
from rapidfuzz.process import extract

from retrieval.ranking import english as _english
from retrieval.ranking.forms import IRREGULAR
from retrieval.ranking.synonyms import INITIALS as _INITIALS
from retrieval.ranking.synonyms import PARTICLES as _PARTICLES
from retrieval.ranking.synonyms import PHRASES as _PHRASES
from retrieval.ranking.synonyms import STEM_FAMILIES as _STEM_FAMILIES
from retrieval.ranking.synonyms import SYNONYMS as _SYNONYMS
from retrieval.ranking.wrapping import asked_part, tidy
from retrieval.search.kernels import K1
from retrieval.search.tokenize import MAX_WORD, STOP_WORDS, normalise, term, tokenize, words

AnswerType = Literal["amount", "number", "date", "person", "place", "contact"]
# Within a kind, the form a fact must take to answer: "how long" wants a span of time, not any
# number; "how often" a rate; "what share" a percentage or fraction; "how old" an age; "deadline" a
# time limit ("within 10 months of…"), which holds no date at all; "what time" a time of day ("6pm"),
# not the day; "phone number" a phone number and
# "email" an email address, not any contact details.
Detail = Literal[
    "duration",
    "frequency",
    "share",
    "age",
    "deadline",
    "time",
    "phone",
    "email",
    "initials",
    "reason",
    "definition",
    "size",
    "postal",
    "maximum",
    "view",
    "eligibility",
    "position",
    "sentence",
    "day",
    "temperature",
    "law",
    "named",
]


# American spellings -> British, tried only when the American form is not in the corpus.
_US_UK = (
    (re.compile(r"ization"), "isation"),
    (re.compile(r"izing"), "ising"),
    (re.compile(r"ize"), "ise"),
    (re.compile(r"yze"), "yse"),
    (re.compile(r"([^aeiou])or$"), r"\1our"),
    (re.compile(r"([^aeiou])ors$"), r"\1ours"),
    (re.compile(r"ense$"), "ence"),
    (re.compile(r"enses$"), "ences"),
    (re.compile(r"([^aeiou])er$"), r"\1re"),
    (re.compile(r"([^aeiou])ers$"), r"\1res"),
    (re.compile(r"og$"), "ogue"),
    (re.compile(r"eled$"), "elled"),
    (re.compile(r"eling$"), "elling"),
    (re.compile(r"ense"), "ence"),
)

# A number to ring, asked without the word "phone": "number to report illegal fishing", "what number
# do i ring", "who do i call about…" (the hotline's "0800 807060" answers, not a count).
_CALLING = (
    r"\bhotline\b|\bnumber (to |for |do |should |can |i |we |you )*(call|ring|dial|report|reporting"
    r"|complain|complaints|enquiries|queries)\b"
    r"|\b(who|what) (do|should|can) (i|we|you) (ring|call|phone)\b"
)

_CALLS = re.compile(_CALLING)
# "Phone" asks for a number, but not as the way people talked: "what did they talk about on the
# phone", "a phone call with Trudeau".
_PHONE_WORD = r"\b(?<!on the )(?<!over the )(?<!by )phone\b(?! calls?\b)"
# "Where does the uk rank on the gender gap report" asks for a position, not a place.
_RANKS = re.compile(
    r"\bwhere (does|do|did|will) [\w' ]+ (rank|ranks|ranked|come|place|stand) (on|in|among|for|as)\b"
)

_WANTS: tuple[tuple[AnswerType, re.Pattern[str]], ...] = (
    (
        "amount",
        re.compile(
            r"\bhow much\b|\bcost(s|ing)?\b|\bprice\b|\bworth\b|\bbudget\b"
            r"|\bhow big (is|was) the (fund|grant)"
            # "What is the total cost of the coastal scheme": the cost, however far into the question.
            r"|\bwhat(s| is| was| will be)? the (total |overall |full |final |estimated )?(cost|price|bill)\b"
            r"|\bwhat (was|is) the (fund|grant|investment|funding|value)|£"
            # A fine, a fee or a salary is a sum of money: "whats the fine for…", "how big a fine".
            r"|\bwhat(s| is| was| are| were)? the (max(imum)? )?(fines?|penalty|penalties|fees?|charges?"
            r"|salary|wages?)\b|\bhow (big|large) (a|was the|is the) (fine|penalty)\b"
            # "What is julian hartley paid", "what interest does the bond pay", "what's the interest rate".
            r"|\bwhat(s| is| was| are| were)? [\w' ]+ (paid|earn|earns)\b"
            # "What starting salary do graduate engineers get", "what fee do they charge".
            # Not "what is salary sacrifice", an arrangement.
            r"|\bwhat ((?!is\b|are\b|was\b|were\b)[\w-]+ )?(salary|salaries|wages?|fees?|prices?)\b"
            r"(?! sacrifice)"
            r"|\bwhat (interest|rate|value)\b|\binterest rate\b|\bwhat(s| is| was)? the ([\w-]+ ){0,3}rate\b"
        ),
    ),
    (
        "number",
        re.compile(
            r"\bhow many\b|\bhow long\b|\bhow old\b|\bhow far\b|\bhow often\b|\bwhat (number|percentage|"
            r"proportion|share|age|size)\b|\bper ?cent\b|\bwhat per ?cent|\bwhat ?%|\bhow big\b|\bhow high\b"
            r"|\bhow fast\b|\bhow large\b|\bhow tall\b|\bhow (hot|cold|warm|deep|heavy|wide|loud|strong)\b"
        ),
    ),
    (
        "date",
        re.compile(
            r"\bwhen\b|\bwhat (dates?|years?|days?|months?|time)\b|\bwhich (dates?|years?|days?|months?)\b"
            r"|\bby when\b|\bhow soon\b|\bwhat time\b|\bdeadline\b|\bsince when\b|\bdates?\b"
            # Opening hours are times of day: "what hours is the media centre open" / "8am to 7pm".
            r"|\bwhat (hours|times)\b|\bopening (hours|times)\b"
        ),
    ),
    (
        "person",
        # "Which uk minister…" asks for a person as "which minister…" does ("which un body…" need not
        # be answered by a name: "the UN Verification and Inspection Mechanism"); "which five tech
        # companies…" and "the names of…" ask for names too ("which businesses had to close" asks
        # what kinds).
        # "Who can apply…", "who is eligible…" ask what kind of people may: "you must be a young
        # professional under 40" answers, and it names no one. ("Who can I call" asks for someone.)
        re.compile(
            r"\bwho\b(?! (?:(can|could|may) (?!(i|we)\b)|(is|are) (eligible|entitled)\b|qualif))"
            r"|\bwhom\b|\bwhose\b|\bwhich (?:[a-z]+ )?(ministers?|secretary|officials?|mps?|person|people"
            r"|officers?|judges?)\b|\bwhich (\w+ ){0,2}(companies|firms|organisations|charities)\b"
            r"|\bwhich (\w+ )?(company|firm|organisation|charity)\b|\bnames of\b"
            r"|\bwhich (departments?|agency|agencies|body|bodies|councils?|uni|unis|university|universities"
            r"|colleges?|banks?|regulators?|authority"
            r"|authorities|teams?)\b|\bname of\b|\bwhat (minister|secretary)\b"
        ),
    ),
    (
        "place",
        re.compile(
            r"\bwhere\b|\bwhich (country|countries|city|cities|town|towns|county|counties|area|areas|"
            r"region|regions|place|places|port|airport|site|location|nation)\b|\bwhat (country|city|town|"
            r"county|area|region|place|location)\b"
        ),
    ),
    (
        # An email address, a phone number or a postal address: "email for foi requests", "how do i
        # contact…", "what address do i send…".
        "contact",
        # Not "call" or "post": "call for evidence" and "post office" are GOV.UK's own words.
        # "address" only as a noun ("will they address the gap" asks no address).
        re.compile(
            r"\b(e-?mail|telephone|contact|helpline|write to|get in touch)\b|" + _PHONE_WORD + "|"
            # "whats the ambulance number": a service's number is one to call.
            r"\b(ambulance|emergency|police|hotline|enquiries|enquiry|customer services?) (phone )?number\b|"
            r"\b(postal|e-?mail|what|which|the|an|their) address\b|\baddress (for|of|to)\b|" + _CALLING
        ),
    ),
)

# "What does dapo stand for": initials, answered where the text spells them out (`spelt_out`).
_SPELT_OUT = re.compile(r"\bwhat (do|does|is|are) (\w+) (stands? for|short for)\b")

_DETAILS: tuple[tuple[Detail, re.Pattern[str]], ...] = (
    # "How quick will leeds to manc trains get": a journey time ("a target journey time of 40 minutes");
    # "how recent does a utility bill need to be": "issued within the last three months".
    ("duration", re.compile(r"\bhow long\b(?! do (i|we|you) have)|\bhow (quick|quickly|recent)\b")),
    ("frequency", re.compile(r"\bhow often\b|\bhow frequently\b|\bhow many times (a|per|each)\b")),
    # "What was the deficit as % of gdp": a "%" asks for one, wherever it stands.
    (
        "share",
        re.compile(r"\bper ?cent(age)?\b|\bproportion\b|\bwhat share\b|\bhow much of\b|%|\bas a share of\b"),
    ),
    ("age", re.compile(r"\bhow old\b|\bwhat age\b|\bage limit\b|\bminimum age\b")),
    (
        "deadline",
        re.compile(
            r"\bdeadline\b|\bby when\b|\bhow soon\b|\btime limit\b|\bhow long do (i|we|you) have\b"
            r"|\b(closing|last|final) (date|day)\b|\bcut ?-?off\b"
            r"|\bwhen (do|does|will|is|are)\b.*\bclos(e|es|ing)\b"
            # "when do i have to file my charity annual return": by when, not on what date.
            r"|\bwhen (do|does|must|should) [\w' ]+ (have|need|got) to\b"
        ),
    ),
    ("time", re.compile(r"\bwhat times?\b|\bopening hours\b|\bwhat hours?\b")),
    # "What law covers fishing without a licence": a named Act ("…of the Salmon and Freshwater
    # Fisheries Act 1975"), not the story of who broke it.
    ("law", re.compile(r"\b(which|what) (laws?|acts?|legislation|statutes?)\b|\bunder what law\b")),
    # "How hot will mast upgrade run": degrees, where any figure ("over 50 experiments") is a number.
    ("temperature", re.compile(r"\bhow (hot|cold|warm)\b|\bwhat temperatures?\b")),
    # "Colley date of death", "on what date…": a day, where "when" is as well answered by a year.
    ("day", re.compile(r"\b(what|which) (date|day)\b|\bdate (of|was|did|does|is)\b")),
    # "Whats the most you can get from a disabled facilities grant" / "grant maximum currently set at
    # £30,000": "most" is a stop-word, so only the asking can say it.
    (
        "maximum",
        re.compile(
            r"\bthe most (you|i|we|they|a person|anyone|someone|one|people) (can|could|may)\b|\bmax(imum)?\b"
            r"|\bat most\b|\bupper limit\b|\bhow much at most\b"
        ),
    ),
    # "Where do i post my application" is answered by the address with a postcode, not by the
    # sentence that says to send it.
    ("postal", re.compile(r"\bwhere (do|should|can|must|to) (i |we |you )?(send|post)\b|\bpostal address\b")),
    # "How big is the site" / "the 31 acre site"; "what size homes" / "2, 3 and 4 bedroom homes".
    ("size", re.compile(r"\bhow (big|large)\b(?! (a|was the|is the) (fine|penalty)\b)|\bwhat size\b")),
    # "How does the home secretary feel about…", "what did javid say about…": a view, given in the
    # speaker's own words (a quote), not the press office's account of the day.
    (
        "view",
        re.compile(
            r"\bhow (does|did|do) [\w' ]+ feel\b|\b(views?|opinion) (on|of|about)\b"
            r"|\bwhat (does|did|do) [\w' ]+ (think|say|said|feel) (about|of|on)\b"
        ),
    ),
    # "Where does the uk rank on the gender gap report": a place in a ranking ("The UK is in 18th
    # place"), not the number of economies the report ranks.
    ("position", _RANKS),
    # "Who can apply for the young leaders programme": what kind of people may, which a condition
    # says ("you must be a young professional under 40"), not how to apply.
    (
        "eligibility",
        re.compile(
            r"\bwho (can|could|may|is able to) (apply|claim|join|enter|take part|get)\b"
            r"|\bwho (is|are) (eligible|entitled)\b|\bwho qualifies\b|\beligib(le|ility)\b"
            # "Can a 16 year old buy fireworks": an age limit ("it is illegal for under 18s to buy…").
            r"|\b(can|could|may) (a|an|my) \d+ ?(-? ?(year|yr)s?)?[- ]?old\b"
        ),
    ),
    ("phone", re.compile(r"\b(telephone|helpline)\b|\bcontact number\b|" + _PHONE_WORD + "|" + _CALLING)),
    ("email", re.compile(r"\be-?mail\b")),
    ("reason", re.compile(r"^(and |but |so )?(why|how come)\b|\bwhat (is|was|are|were) the reasons?\b")),
    # "What sentence did the bouncer get", "how long did he get": what a court gave, "sentenced to 18
    # weeks imprisonment", not "a suspended sentence for fraud", which every report of it says.
    (
        "sentence",
        re.compile(
            r"\bwhat (sentence|punishment)\b|\bhow long did [\w' ]+ get\b"
            r"|\bhow long (was|were|is|are) [\w' ]+ (jailed|sentenced|imprisoned|locked up|banned)\b"
        ),
    ),
)

# Contact details asked for at the end ("natural england phone number", "ukti barcelona phone"): how
# people type a look-up for them. Elsewhere in a question these words are usually its topic. One's own
# address, or a proof or change of it, is a document asked about, not someone's contact details
# ("can i use one document for both my name and address").
_CONTACT_AT_END = re.compile(
    r"\b(e-?mail( address)?|(?<!\bon the )(?<!\bover the )(?<!\bby )phone( number)?|telephone( number)?"
    r"|contact (details|number)|helpline"
    r"( number)?|(?<!\bmy )(?<!\byour )(?<!\bour )(?<!\band )(?<!\bof )(postal )?address|postcode)\s*[?.!]?$"
)

# A date asked for at the end, as people type a look-up ("pevensey flood plans drop in dates",
# "consultation closing date"), wherever the question's first words stand.
_DATE_AT_END = re.compile(r"\b(dates?|deadline)\s*[?.!]?$")

_RECENT = re.compile(r"\b(latest|newest|most recent|recently|this (week|month|year)|new)\b")

# Question words that carry no topic: kept out of the concepts (they are not stop-words in the index,
# which must stay the one rank-bm25 reproduces).
_QUESTION_NOISE = frozenset(
    [
        "announce",
        "announced",
        "announcement",
        "announcements",
        "government",
        "gov",
        "govt",
        "uk",
        "say",
        "says",
        "said",
        "saying",  # "what is the un saying about yemen": it weighed as the question's rarest word
        "tell",
        "know",
        "happen",
        "happens",
        "happened",
        "happening",
        "going",
        "get",
        "gets",
        "got",
        "give",
        "gives",
        "given",
        "put",
        "puts",
        # "when was the hackathon held": it was "convened"; an event held is the event.
        "held",
        "hold",
        "putting",
        "plan",
        "plans",
        "planned",
        "go",
        "goes",
        "want",
        "wants",
        "need",
        "needs",
        "mean",
        "means",
        "kind",
        "sort",
        "thing",
        "things",
        "stuff",  # "who is the contact at dclg for overseas territories stuff"
        "supposed",  # "what am i supposed to do with…": what should be done, no topic
        "anything",
        "something",
        "lot",
        "lots",
        "anyone",
        "someone",
        "somebody",
        "much",
        "many",
        "long",
        "often",
        "exactly",
        "actually",
        "really",
        "please",
        "thanks",
        # How people speak of someone in the news: "is the door supervisor guy going to jail" was
        # declined, "guy" weighing as its rarest word.
        "guy",
        "guys",
        "bloke",
        "fella",
        # Typed on a phone: "abt", "pls", "tho" are fillers as their long forms are.
        "abt",
        "pls",
        "plz",
        "tho",
        "cos",
        "coz",
        "thru",
        "b4",
        "ur",
        "idk",
        "btw",
    ]
)


# The unit a "what date / which year / what time…" question asks in: the answer gives "21 May" or
# "2016", not the word "date" or "year", so after "what" or "which" such a word is part of the asking,
# weighed as filler. (Elsewhere it is a topic: "closing date", "last year".)
_ASKED_UNITS = frozenset(
    ["date", "year", "day", "month", "time", "percentage", "proportion", "dates", "years", "days", "months"]
)
# The words that ask for contact details: what answers is a number or an address, which the contact
# fact already weighs, not the word "phone". As topics they drew the press office's "Telephone 020…"
# above "Floodline: 0345 988 1188" for "floodline phone number".
# So do the verbs of getting in touch: "number to report illegal fishing" is answered by "Anyone with
# information about illegal fishing… can contact the… hotline", not by "where illegal fishing is reported".
_CONTACT_WORDS = frozenset(
    ["phone", "telephone", "email", "mail", "contact", "address", "number", "details", "postcode"]
) | frozenset(["report", "call", "ring"])
_ASKING = frozenset(["what", "which", "whats"])
# "Opening hours" asks for a time ("Monday to Friday, 9am to 5pm"), which the time detail weighs: as
# topic words they drew another office's "is open Monday to Friday" over DVSA's own hours.
_OPENING_HOURS = ("opening", "hours")
# "How old" asks for an age (query.Detail), which the text gives as "19" or "her 90th birthday":
# "old" is the question's word, not its topic, and as a topic it found "16-year-olds" in a passage
# on junior licences. So "how long", "how often", "how soon" (a length of time, a frequency, a
# deadline).
_ASKED_AFTER_HOW = frozenset(["old", "long", "often", "soon"])
# "What does X stand for" asks what initials are short for: "stand" is the asking, not the topic.
_STANDS = frozenset(["stand", "stands"])


@dataclass(frozen=True)
class Concept:
    """One question word and the index terms that satisfy it."""

    word: str
    terms: frozenset[str]
    weight: float
    known: bool  # the corpus uses at least one of the terms


@dataclass(frozen=True)
class Query:  # not slotted: cached_property keeps its value in __dict__
    text: str
    terms: list[str]  # first-stage (BM25) terms: the question's own, then the bridging ones
    concepts: tuple[Concept, ...]
    wants: AnswerType | None
    recent: bool
    detail: Detail | None = None  # the precise form of fact wanted, within `wants`
    corrections: dict[str, str] = field(default_factory=dict)  # unknown word -> corpus word
    asks: bool = True  # phrased as a question, not words typed to look something up
    # What "how many" counts ("how many dead fish…": dead, fish), as index terms with their stand-ins:
    # the answer is a number said of these, not any number in a passage about the same thing.
    counted: frozenset[str] = frozenset()
    # The initials a "what does X stand for" / "what is X" question asks to be spelt out (its detail
    # is then "initials").
    initials: str | None = None
    # The word a "what is a tier 4 sponsor" question asks to be defined (its detail is then
    # "definition"): the sentence that answers says "A Tier 4 sponsor is an education provider…".
    defines: str | None = None
    # The kind of thing a "which battle" question asks to be named (its detail is then "named"): the
    # sentence that answers names one, "the Battle of Majuba Hill", where others say "died in battle".
    named: str | None = None
    # "When will…" asks for a time to come: "last month" or "since 2010" does not answer it.
    future: bool = False
    # The most BM25 can give a passage for `terms`: each term the corpus has, repeats counted as BM25
    # counts them, at its idf x (k1 + 1) (a term's share as its frequency grows without end).
    best_bm25: float = 0.0

    @cached_property
    def total_weight(self) -> float:
        return sum(c.weight for c in self.concepts)

    @property
    def unknown_weight(self) -> float:
        return sum(c.weight for c in self.concepts if not c.known)


# The words that ask for a kind of fact come first in a question ("how many…", "on what date…",
# "and when…"); a "when" later on ("what game do people play when…") is not what is asked.
_ASKS_WITHIN = 3  # words before the asking words ("and so on what date…")


# Words that make "how much" ask for money, where only a sum answers: "how much will it cost?" is
# not answered by "the remaining 92 hereditary peers".
MONEY = re.compile(
    r"\b(cost|costs|costing|price|prices|priced|spend|spent|spending|pay|paid|pays|fund|funds|funded|funding"
    r"|budget|worth|fee|fees|fine|fines|salary|wage|wages|money|cash|invest|invested|investment|pounds?"
    r"|revenue|savings|earn|earns|earned|grant|grants|tax|levy)\b|£"
)

# A cost, a price or a sum spent, paid or given is said in money: "67 per cent of young people…" does
# not say what an advert campaign cost. A tax or a levy may be a rate, so those words are not here.
COST = re.compile(
    r"\b(cost|costs|costing|price|prices|priced|spend|spent|spending|pay|paid|pays|fund|funds|funded|funding"
    r"|budget|worth|fee|fees|fine|fines|salary|wage|wages|money|cash|invest|invested|investment|pounds?"
    r"|revenue|savings|earn|earns|earned|grant|grants)\b|£"
)

# "How much" followed by what it measures ("how much sand", "how much annual leave", "how much of…")
# asks for a quantity, which any figure answers ("30 days"); followed by a verb ("how much is a
# fishing licence", "how much did it cost") or a money word it asks for a sum.
_HOW_MUCH_OF = re.compile(
    r"\bhow much (?!(is|are|was|were|does|do|did|will|would|could|can|should|has|have|had|more|extra|less"
    r"|it|they|we|you|i|he|she|the|a|an)\b)\w"
)


# "Where can i find dft energy data" asks where to read something (a website, a page, an office that
# hands out a leaflet), not for a place: the passage naming "our headquarters in London" came first.
_WHERE_TO_READ = re.compile(
    r"^where (can|could|do|should|would) (i|we|you|one|people) (find|get|download|read|see|view|look at"
    r"|follow|access|look up)\b"
)


# "What does the dapo pilot cost": the asking word ends the question, past where `_ASKS_WITHIN`
# looks, so the pilot's launch date was quoted as what it costs.
_WHAT_IT_COSTS = re.compile(r"^(what|whats)\b.*\bcost(s)?\s*\??$")


# Words in front of a question's first word that leave it a question: "so what is…", "ok and when…".
_CONNECTIVES = frozenset(
    {"and", "but", "so", "ok", "okay", "also", "then", "right", "well", "hey", "basically"}
)


def wanted_type(question: str) -> AnswerType | None:
    text = normalise(question).strip()
    if _WHAT_IT_COSTS.search(text):
        return "amount"
    if _WHERE_TO_READ.search(text):
        return None
    found = [(m.start(), n, kind) for n, (kind, pattern) in enumerate(_WANTS) if (m := pattern.search(text))]
    # Topic words typed first, then what is asked ("pevensey flood drop in what time"): the asking
    # words may stand anywhere. After a question's own first word, only near it.
    first = next((w for w in text.split() if w not in _CONNECTIVES), "")
    if first.replace("'", "") in _OPENERS:
        found = [f for f in found if len(text[: f[0]].split()) <= _ASKS_WITHIN]
    if _RANKS.search(text):
        return "number"  # "where does the uk rank on the gender gap" asks for a position
    if any(kind == "contact" for _, _, kind in found) and _CALLS.search(text):
        return "contact"  # "what number do i ring" asks for a phone number, not a count
    if found:
        kind = min(found)[2]
        if kind == "amount" and _HOW_MUCH_OF.search(text) and not MONEY.search(text):
            return "number"
        return kind
    if _CONTACT_AT_END.search(text):
        return "contact"
    return "date" if _DATE_AT_END.search(text) else None


# How a question starts; words that start otherwise ("lighthouse keepers cottages portwenn",
# "floodline phone number", "tell me about the bingham lecture", "show me …") are typed to look
# something up.
_OPENER_WORDS = (
    "what whats when where who whom whose which why how is are was were do does did can could will "
    "would should has have had may might any"
)
_OPENERS = frozenset(_OPENER_WORDS.split())


# "What is gbs": initials alone, which the text may spell out ("Group B Streptococcus (GBS)").
_WHAT_IS = re.compile(r"^\s*(what is|what are|whats|what's) (the |an? )?([a-z]{2,6})\s*\??\s*$")


# "What is a tier 4 sponsor", "what are section 106 agreements": a name asked to be defined. Not
# "what is the …" (a particular thing's state or amount: "what is the penalty") nor "what is X for"
# (a purpose), and at most four words.
_DEFINED = re.compile(
    r"^\s*(what is|what are|whats|what's) (an? )?((?:[a-z0-9-]+ ){0,3}([a-z-]{3,}))\s*\??\s*$"
)


def defined_word(question: str) -> str | None:
    """The word a "what is a X" question asks to be defined: the last of X, its head noun."""
    found = _DEFINED.match(normalise(question))
    if found is None:
        return None
    phrase = found.group(3).split()
    if phrase[0] == "the" or any(w in STOP_WORDS or w.endswith("ing") for w in phrase):
        return None
    return found.group(4)


# Kinds of thing GOV.UK names with the kind's word in capitals: "the Battle of Majuba Hill", "Class 37",
# "Leeds City Council", "St Thomas' Hospital", "the Young Leaders Programme". Asked "which battle",
# the answer is the sentence that names one; a sentence saying "died in battle" names none.
_NAMED_KINDS = frozenset(
    """
    battle class school hospital council committee fund programme scheme prison station airport port
    university college regiment ship bridge road street park church hall centre court award prize
    medal festival campaign agency board commission trust foundation party operation unit service
    team force squadron museum gallery library theatre stadium bill act strategy plan review report
    """.split()  # noqa: SIM905 - a word list, easier to read as text
)
_WHICH_KIND = re.compile(r"\b(?:which|what) ([a-z]+)\b")


def named_kind(question: str) -> str | None:
    """The kind a "which X" question asks to be named, if GOV.UK names things of that kind."""
    found = _WHICH_KIND.search(normalise(question))
    return found.group(1) if found is not None and found.group(1) in _NAMED_KINDS else None


# "What is the national curriculum": "what is" and nothing but a name, "the" allowed (a title may be
# "The national curriculum"). Whether the name is a title is for the caller to say.
_WHAT_IS_NAMED = re.compile(r"^\s*(?:what is|what are|whats|what's)\s+(?:the\s+|an?\s+)?[a-z0-9&' -]+\??\s*$")


def asks_what_it_is(question: str) -> bool:
    """Whether the question is "what is (the) X" and nothing else."""
    return _WHAT_IS_NAMED.match(normalise(question)) is not None


def spelt_out(question: str) -> str | None:
    """The initials a question asks to be spelt out: "what does X stand for", or "what is X" for an X
    that is no English word; None for any other question."""
    text = normalise(question)
    if found := _SPELT_OUT.search(text):
        return found.group(2)
    found = _WHAT_IS.match(text)
    if found and not _english.frequency(found.group(3)) and found.group(3) not in STOP_WORDS:
        return found.group(3)
    return None


def wanted_detail(question: str) -> Detail | None:
    text = normalise(question)
    found = [(m.start(), detail) for detail, pattern in _DETAILS if (m := pattern.search(text))]
    return min(found)[1] if found else None


def is_question(text: str) -> bool:
    return phrased_as_question(text) or wanted_type(text) is not None


def phrased_as_question(text: str) -> bool:
    """A question mark or a question's first word: not keywords typed to look something up ("budget"
    asks for an amount, as a follow-up, but typed alone it looks the budgets up)."""
    first = words(text)[:1]
    return "?" in text or not first or first[0].replace("'", "") in _OPENERS


# "When is the next dialogue" asks for a time to come as surely as "when will…" does.
_FUTURE = re.compile(
    r"\bwhen (will|shall)\b|\bwhen (is|are) [\w' ]+ going to\b|\bwhen(s| is| are|'s) the next\b"
    # "When is dash's review due to report": a time to come, as "when will it report" is.
    r"|\bwhen(s| is| are|'s) [\w' ]+ (due|expected|scheduled|set) to\b"
)


def wants_recent(question: str) -> bool:
    return bool(_RECENT.search(normalise(question)))


class Vocab:
    """What the query needs from the index: document frequency and idf of a term (0 df: unknown), and
    the frequencies of many terms at once (spelling candidates are hundreds per word)."""

    def __init__(
        self,
        df: Callable[[str], int],
        idf: Callable[[str], float],
        unknown_idf: float,
        df_many: Callable[[list[str]], list[int]] | None = None,
    ) -> None:
        self.df = df
        self.idf = idf
        self.unknown_idf = unknown_idf
        self.df_many = df_many or (lambda terms: [df(t) for t in terms])


_LETTERS = "abcdefghijklmnopqrstuvwxyz"


# Function words typed without their apostrophe ("whats", "arent", "dont"): no topic in them, and
# as unknown words they were "corrected" to whatever the corpus had one letter away ("hats").
CONTRACTIONS = frozenset(w.replace("'", "") for w in STOP_WORDS if "'" in w) - frozenset(
    ["hell", "id", "ill", "lets", "shed", "shell", "well", "wed"]  # words in their own right ("voter id")
)


# A letter typed for another is a slip of the finger to a neighbouring key, or a vowel for a vowel
# ("hereditery", "calculaters"). Any other swap of one letter turns a word the corpus lacks into a
# different word it has: "leaving" is not "leading", "putting" is not "cutting".
_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
_VOWELS = frozenset("aeiouy")


def _neighbours(letter: str) -> str:
    """The keys around `letter`: each row sits half a key to the right of the one above it."""
    near = ""
    for r, row in enumerate(_ROWS):
        if letter in row:
            i = row.index(letter)
            near += row[max(i - 1, 0) : i] + row[i + 1 : i + 2]
            if r > 0:
                near += _ROWS[r - 1][i : i + 2]
            if r + 1 < len(_ROWS):
                near += _ROWS[r + 1][max(i - 1, 0) : i + 1]
    return near + ("".join(sorted(_VOWELS)) if letter in _VOWELS else "")


_SLIPS = {letter: _neighbours(letter) for letter in _LETTERS}


def _edits1(word: str) -> set[str]:
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    deletes = [a + b[1:] for a, b in splits if b]
    transposes = [a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1]
    replaces = [a + c + b[1:] for a, b in splits if b for c in _SLIPS.get(b[0], _LETTERS)]
    inserts = [a + c + b for a, b in splits for c in _LETTERS]
    return set(deletes + transposes + replaces + inserts)


_local = threading.local()


def stem_words(words_: list[str]) -> list[str]:
    """`term` of many plain lower-case words in one call into the stemmer (C), as the index would."""
    stemmer = getattr(_local, "stemmer", None)
    if stemmer is None:  # PyStemmer objects are not thread-safe
        stemmer = _local.stemmer = Stemmer.Stemmer("english")
    stems: list[str] = stemmer.stemWords(words_)
    return ["" if w in STOP_WORDS or len(w) > MAX_WORD else t for w, t in zip(words_, stems, strict=True)]


def _likelihood(typed: str, candidate: str) -> int:
    """How commonly a typist turns `candidate` into `typed`, most common first: a letter left out
    ("goverment"), two swapped, one doubled or added, one replaced. It breaks ties between candidates
    the corpus uses equally often, which are often one term: "governent" and "government" both stem
    to "govern", and the first is the corpus's own typo."""
    if len(candidate) == len(typed) + 1:
        return 0
    if len(candidate) == len(typed) and sorted(candidate) == sorted(typed):
        return 1
    return 2 if len(candidate) == len(typed) - 1 else 3


# A word's term and how many passages use it, for the candidates of one typed word: the rules below
# look at overlapping sets of them, and stemming and looking up hundreds of words is most of their cost.
Looked = dict[str, tuple[str, int]]


def _look_up(words_: list[str], vocab: Vocab, looked: Looked | None) -> list[tuple[str, int]]:
    """The term and document frequency of each word, stemmed and looked up in one batch; `looked`
    keeps them for the next call about the same typed word."""
    if looked is None:
        terms = stem_words(words_)
        return list(zip(terms, vocab.df_many(terms), strict=True))
    new = [w for w in words_ if w not in looked]
    if new:
        terms = stem_words(new)
        looked.update(zip(new, zip(terms, vocab.df_many(terms), strict=True), strict=True))
    return [looked[w] for w in words_]


def _best_known(
    candidates: set[str], vocab: Vocab, typed: str = "", least_df: int = 2, looked: Looked | None = None
) -> str | None:
    """The candidate word whose term the corpus uses most often, among those that keep the typed
    word's first letter if any does (typists rarely miss it)."""
    words_ = sorted((c for c in candidates if c.isalpha()), key=lambda c: (_likelihood(typed, c), c))
    if not words_:
        return None
    # A word the corpus uses once is as likely its own typo or glued text ("winneds") as the word meant.
    # An English word before one that only shares a corpus word's stem ("fstering": "fostering", not
    # "fastering" for "faster").
    best, best_rank = None, (False, False, False, least_df - 1)
    for word, (t, df) in zip(words_, _look_up(words_, vocab, looked), strict=True):
        if not t or word in STOP_WORDS or df < least_df:
            continue
        # And a letter left out, added or swapped before one hit for another: "plice" is "police",
        # not "place", which the corpus uses more.
        plain = bool(typed) and _likelihood(typed, word) < 3
        rank = (bool(typed) and word[0] == typed[0], _english.frequency(word) > 0, plain, df)
        if rank > best_rank:
            best, best_rank = word, rank
    return best


def _transposes(word: str) -> set[str]:
    return {word[:i] + word[i + 1] + word[i] + word[i + 2 :] for i in range(len(word) - 1)}


def _inserts(word: str) -> set[str]:
    return {word[:i] + c + word[i:] for i in range(len(word) + 1) for c in _LETTERS}


def _undoubled(word: str) -> set[str]:
    """`word` with one letter of a doubled pair left out ("booss": "boss")."""
    return {word[:i] + word[i + 1 :] for i in range(len(word) - 1) if word[i] == word[i + 1]}


def _swapped_english(word: str, stem: str, vocab: Vocab) -> str | None:
    """The English word `word` is with two letters swapped, when `word` is no English word and its
    stem is a rarer corpus term than that word's ("amied": "aimed", not the "ami" of a name)."""
    if len(word) < 5 or not word.isalpha() or not word.isascii() or _english.frequency(word):
        return None
    own = vocab.df(stem)
    if not own:
        return None  # an unknown word: `correct` reads its slips
    # English first: a dictionary lookup costs far less than stemming, and a name's or a coinage's
    # swaps are seldom English.
    english = {w for w in _transposes(word) - {word} if _english.frequency(w)}
    found = [w for w, (t, df) in _known_df(english, vocab) if df > own] if english else []
    if len(found) == 1:
        return found[0]
    # Or with a letter left out or doubled, if one such English word is far commoner in the corpus
    # than the word as typed and than any other that near: "anual" (Spanish, in one item) is
    # "annual", used hundreds of times, not "manual". Only for a word the corpus has once or twice:
    # one it uses more is its own word, and the check would cost every name in a question.
    if own > _RARE_WORD_DF:
        return None
    english = {w for w in _inserts(word) | _undoubled(word) if _english.frequency(w)}
    near = sorted(((df, w) for w, (t, df) in _known_df(english, vocab)), reverse=True) if english else []
    if near and near[0][0] >= SLIP_ODDS * own and (len(near) == 1 or near[0][0] >= SLIP_ODDS * near[1][0]):
        return near[0][1]
    return None


_RARE_WORD_DF = 2


def _known_df(candidates: set[str], vocab: Vocab) -> list[tuple[str, tuple[str, int]]]:
    words_ = sorted(c for c in candidates if c not in STOP_WORDS)
    return [(w, found) for w, found in zip(words_, _look_up(words_, vocab, None), strict=True) if found[1]]


_PARTICLE_WORDS = frozenset(particle for _, particle in _PARTICLES)
_PARTICLE_VERBS = frozenset(verb for verb, _ in _PARTICLES)


def _particle_stand_ins(verb: str, after: str) -> tuple[str, ...]:
    """What GOV.UK writes for `verb` and the particle after it, that particle typed right or as a
    plain slip that is no English word ("come acrsos")."""
    found = _PARTICLES.get((verb, after))
    if found is not None or verb not in _PARTICLE_VERBS or after in _PARTICLE_WORDS:
        return found or ()
    if _english.frequency(after):
        return ()
    for particle in sorted(_plain_slips(after) & _PARTICLE_WORDS):
        if (found := _PARTICLES.get((verb, particle))) is not None:
            return found
    return ()


# What may stand between a verb and its particle: "take it out", "fill the form in", "hand the annual
# return in", "pull themselves out" (a pronoun, or a determiner and one or two words).
_OBJECT_WORDS = frozenset(
    [
        *("it", "them", "him", "her", "this", "that", "these", "those"),
        *("myself", "yourself", "himself", "herself", "itself", "ourselves", "themselves"),
    ]
)
_DETERMINERS = frozenset(["my", "your", "our", "their", "his", "her", "the", "a", "an", "its"])


def _second_year(surface: list[str], i: int) -> str | None:
    """The year the second half of a financial or school year stands for: "2016-17" is also written
    "2016 to 2017" ("the financial year 2016 to 2017")."""
    word = surface[i]
    if not (i and len(word) == 2 and word.isdigit()):
        return None
    first = surface[i - 1]
    if not (len(first) == 4 and first.isdigit() and first[:2] in ("19", "20")):
        return None
    following = int(first) + 1
    return str(following) if following % 100 == int(word) else None


def _split_particle(verb: str, surface: list[str], i: int) -> tuple[str, ...]:
    """What GOV.UK writes for a phrasal verb whose object stands between verb and particle."""
    if verb not in _PARTICLE_VERBS:
        return ()
    rest = surface[i + 1 : i + 5]
    if len(rest) >= 2 and rest[0] in _OBJECT_WORDS and rest[1] in _PARTICLE_WORDS:
        return _PARTICLES.get((verb, rest[1]), ())
    if rest and rest[0] in _DETERMINERS:
        for particle in rest[2:4]:  # after one or two words: "my child", "the annual return"
            if particle in _PARTICLE_WORDS:
                return _PARTICLES.get((verb, particle), ())
    return ()


def _vowel_slips(word: str) -> set[str]:
    """`word` with one vowel typed for another."""
    return {
        word[:i] + v + word[i + 1 :] for i, c in enumerate(word) if c in _VOWELS for v in _VOWELS if v != c
    }


def _plain_slips(word: str) -> set[str]:
    """The words `word` is with a letter left out, two neighbours swapped or one doubled."""
    return (_inserts(word) | _transposes(word) | _undoubled(word)) - {word}


def _known(candidates: set[str], vocab: Vocab, least_df: int, looked: Looked | None = None) -> dict[str, str]:
    """The candidates whose term the corpus uses at least `least_df` times, by term (one word each)."""
    words_ = sorted(c for c in candidates if c.isalpha() and c not in STOP_WORDS)
    found = _look_up(words_, vocab, looked)
    return {t: w for w, (t, df) in zip(words_, found, strict=True) if t and df >= least_df}


def _only_known(
    candidates: set[str], vocab: Vocab, looked: Looked | None = None, english_first: bool = True
) -> str | None:
    """The one candidate whose term the corpus uses more than once; None if none or several. Words
    that only share a corpus word's stem ("carie" for "caring") count only if no English word does
    (unless not `english_first`: three letters and one more make too many English words)."""
    known = list(_known(candidates, vocab, 2, looked).values())
    english = [w for w in known if _english.frequency(w)] if english_first else []
    known = english or known
    return known[0] if len(known) == 1 else None


def correct(word: str, vocab: Vocab, looked: Looked | None = None) -> str | None:
    """A corpus word one edit away, the most frequent; None if none. Short words are too near too many
    others ("hurt" is one edit from "hunt"), so a word of 4 letters is corrected only by a plain slip
    (a letter left out, two letters swapped, one doubled: "lors", "tiem") and only when one
    word the corpus uses is that near ("roal" may be "oral" swapped, or "royal"), and one of 3 letters
    only by a letter put back ("yer"). A swap in a longer word may reach a word the corpus uses only
    once ("hacakthon"); any other edit may not (a word used once is as likely the corpus's own typo
    or glued text), unless nothing else is near and the word is one plain slip from exactly one such
    word ("mandevile")."""
    if len(word) < 3 or not word.isalpha() or not word.isascii():
        return None
    if len(word) == 3:
        # A 4-letter word with a letter left out ("wek", "yer"): only a letter put back, only when one
        # word the corpus uses is that near, and never an everyday word a small corpus may lack ("due"
        # is not a slip of "dube" in a speech that names Arin Dube).
        return (
            None
            if word in _SHORT_ENGLISH
            else _only_known(_inserts(word), vocab, looked, english_first=False)
        )
    if len(word) == 4:
        slips = _plain_slips(word)
        return _only_known(slips, vocab, looked) or _once_english(word, slips, vocab, looked)
    # A letter typed twice is the likeliest slip: "booss" is "boss", not "boosts" with a letter
    # left out, whether the corpus uses "boss" once or only has words for it (its stand-ins).
    undoubled = _undoubled(word)
    known = list(_known(undoubled, vocab, 1, looked).values()) or sorted(undoubled & _STAND_IN_WORDS)
    if len(known) == 1:
        return known[0]
    swapped = _best_known(_transposes(word) - {word}, vocab, word, least_df=1, looked=looked)
    if swapped is not None and _english.frequency(swapped):
        return swapped
    found = _best_known(_edits1(word), vocab, word, looked=looked)
    # Two letters swapped is the likeliest slip, unless it makes no English word and another slip
    # makes one: "peole" is "people" with a letter left out, not the corpus's own typo "peloe".
    if swapped is not None and (found is None or not _english.frequency(found)):
        # When neither makes one, one letter hit for another may: "flodding" is "flooding", not
        # "foldding" (swapped) or "floodding" (a letter added), which only share a corpus word's stem
        # and were offered as "Did you mean".
        english = [
            w for w in _known(_replaces(word) - {word}, vocab, 2, looked).values() if _english.frequency(w)
        ]
        return english[0] if len(english) == 1 else swapped
    if found is None and len(word) >= _RARE_TARGET_LETTERS:
        # A name the corpus uses once is the word most often misspelt ("mandevillle", "turnot"): a
        # plain slip reaches it when nothing else does, and only if one word is that near.
        found = _only_rare(_plain_slips(word), vocab, looked)
    return found or _once_english(word, _edits1(word), vocab, looked)


def _once_english(word: str, candidates: set[str], vocab: Vocab, looked: Looked | None) -> str | None:
    """In a small corpus the word meant may be used once ("detb": the national debt): the one English
    word among `candidates` that the corpus uses at all, when `word` is no English word itself."""
    if _english.frequency(word):
        return None
    english = [w for w in _known(candidates, vocab, 1, looked).values() if _english.frequency(w)]
    return english[0] if len(english) == 1 else None


_RARE_TARGET_LETTERS = 6

# An English word the corpus lacks is read as a slip of a corpus word only when that word is at least
# this many times commoner in English: "fores" (0.1M in Google Books) is forces (34M) and "wok" is
# work, but "meant" (18M) is not "mean" (80M), "think" not "thank", "voters" not "votes". An order
# of magnitude: the odds a typist's slip needs against the word as typed.
SLIP_ODDS = 10


def _slip_of(word: str, vocab: Vocab) -> str | None:
    """The corpus word `word` is a slip of (`correct`), unless `word` is English in its own right."""
    typed = _english.frequency(word)
    bold = not typed and len(word) >= 4 and word.isalpha() and word.isascii()
    looked: Looked = {}  # what `correct` looked up, the likelier slips among them, is not looked up again
    found = correct(word, vocab, looked)
    if found is not None and bold and len(word) >= _TWO_SLIPS_LETTERS and not _english.frequency(found):
        # One slip from no English word, only from one that shares a corpus word's stem
        # ("maintainances"): two slips from an English word of the corpus are likelier.
        found = _two_slips(word, vocab) or found
    if found is None and bold:
        # No English word at all, so no word the typist meant as typed: any letter may have been hit
        # for another ("couocils", "fuud"), if that reaches exactly one word, and no likelier slip
        # reaches any ("waat" may be "what", a function word the corpus never indexes).
        likelier = _plain_slips(word)
        if not likelier & STOP_WORDS and not _known(likelier, vocab, 1, looked):
            replaced = _replaces(word) - {word}
            found = None if replaced & STOP_WORDS else _only_known(replaced, vocab, looked)
    if found is None and bold and len(word) >= _TWO_SLIPS_LETTERS:
        found = _two_slips(word, vocab)
    if found is None or not typed:
        return found
    return found if _english.frequency(found) >= SLIP_ODDS * typed else None


# A long word with two slips in it ("tommorow", "reccomend", "maintainance") is still far from every
# other word; a short one is not. Seven letters, not eight: a letter left out of an eight-letter word
# leaves seven ("giadnce" for "guidance"). On the typo measure's training halves (retrieval/ranking/
# typos.py) that took two slips in one long word from 0.638 to 0.668 hit@1, with nothing else
# changed; six letters gained 0.003 more and answered one more unanswerable question with one typo.
_TWO_SLIPS_LETTERS = 7


def _two_slips(word: str, vocab: Vocab) -> str | None:
    """The English word of the corpus two slips from `word` (letters left out, added, replaced or
    swapped; the first letter kept), if one is far commoner than any other that near."""
    candidates = [
        w for length in range(len(word) - 2, len(word) + 3) for w in _english.shaped(word[0], length)
    ]
    near = sorted(
        (
            (_english.frequency(w), w)
            for w, _, _ in extract(word, candidates, scorer=OSA.distance, score_cutoff=2, limit=None)
        ),
        reverse=True,
    )
    known = [(count, w) for count, w in near if (t := term(w)) and w not in STOP_WORDS and vocab.df(t) > 0]
    # Forms of one word are one reading ("electosn": election or elections, both the term elect).
    rivals = [count for count, w in known if term(w) != term(known[0][1])] if known else []
    if not known or (rivals and known[0][0] < SLIP_ODDS * rivals[0]):
        return None
    return known[0][1]


# Everyday words the questions use that the corpus may not, each with what GOV.UK says instead
# (ranking/synonyms.py): a slip of one ("brtis", "deaal") is read as it, so that its stand-ins
# count, when the corpus has no word that near.
_STAND_IN_WORDS = (
    frozenset(w for w in (*_SYNONYMS, *(w for pair in (*_PHRASES, *_PARTICLES) for w in pair)) if len(w) >= 3)
    - STOP_WORDS
)


def _stand_in_slip(word: str, vocab: Vocab) -> str | None:
    """The one everyday word with stand-ins that `word` is a slip of, if `word` is no English word;
    by a letter replaced only if no English word of the corpus is a plainer slip ("roal" may be
    "oral" or "royal" as well as "road").
    Not for three letters: "tal" may be "tall" as well as "talk"."""
    if len(word) < 4 or not word.isalpha() or not word.isascii() or _english.frequency(word):
        return None
    plain = _plain_slips(word)
    near = (plain | _edits1(word) | _replaces(word)) & _STAND_IN_WORDS
    if len(near) != 1 or (
        not near & plain and any(map(_english.frequency, _known(plain, vocab, 1).values()))
    ):
        return None
    return next(iter(near))


def _replaces(word: str) -> set[str]:
    return {word[:i] + c + word[i + 1 :] for i in range(len(word)) for c in _LETTERS}


# Everyday three-letter words that are not stop-words: typed in a question, they are meant, whether
# or not the corpus uses them.
_SHORT_ENGLISH = frozenset(
    """
    act add age ago aid aim air app arm art ask bad bag ban bar bed bet bid big bin bit box boy bus buy
    cab cap car cat cow cry cup cut dad day die dig dog dry due ear eat egg end eye fan far fat fee few
    fix fly fog fun gap gas get god gun guy hat hit hot ice ill job joy key kid law lay leg let lie lip
    lot low mad man map men mix mob mud mum net new nod oil old one owe own pan pay pen pet pie pig pin
    pit pop pot pub put raw red rid rob rod row rub run sad saw say sea see set sex sit six ski sky son
    spy sue sum sun tag tap tax tea ten tie tip toe ton top toy try two use van vet war way web wet win
    won yes yet zoo
    """.split()  # noqa: SIM905 - a word list, easier to read and extend as text
)


def _only_rare(candidates: set[str], vocab: Vocab, looked: Looked | None = None) -> str | None:
    """The one candidate whose term the corpus uses at all; None if none or several."""
    known = _known(candidates, vocab, 1, looked)
    return next(iter(known.values())) if len(known) == 1 else None


# The words that say what a question asks for. The corpus never indexes them (stop words) and
# `correct` leaves words this short alone, so "mcuh" stayed an unknown topic word: the question no
# longer asked for an amount, and its coverage fell as if a real word were missing.
_ASKING_WORDS = ("how", "what", "when", "where", "who", "which", "why", "much", "many", "long", "often")


# Words that carry no topic, which a slip turns into an unknown word ("wehre", "wiith", "affter",
# "wil"): read as what was meant, they are left out of the concepts as they would have been, rather
# than weighing as a topic word the corpus lacks.
_FUNCTION_WORDS = (*sorted(w for w in STOP_WORDS if len(w) >= 3 and w.isalpha()), "will")
_FUNCTION_WORD_SET = frozenset(_FUNCTION_WORDS)


def _synonyms_of_base(word: str) -> tuple[str, ...]:
    """The synonyms listed for the word `word` inflects ("helped", "helping", "helps": "help"), which
    reach its forms too, as the text's stems are matched ("support" finds "supported"). Only a longer
    form borrows from a shorter one: "call" is not "calls" (enquiries)."""
    bases: list[str] = []
    if word.endswith("ied") or word.endswith("ies"):
        bases.append(word[:-3] + "y")
    if word.endswith(("ed", "es")):
        bases += [word[:-2], word[:-1]]
        if len(word) > 4 and word[-3] == word[-4]:
            bases.append(word[:-3])  # "stopped"
    elif word.endswith("s") and not word.endswith("ss"):
        bases.append(word[:-1])
    if word.endswith("ing"):
        bases += [word[:-3], word[:-3] + "e"]
        if len(word) > 5 and word[-4] == word[-5]:
            bases.append(word[:-4])  # "running"
    for base in bases:
        if len(base) >= 3 and base in _SYNONYMS:
            return _SYNONYMS[base]
    return ()


def function_word(word: str, vocab: Vocab) -> str | None:
    """The function word `word` is with a letter left out, two letters swapped or one doubled, if one
    such slip is likelier than any other ("wehre": "where" swapped, not "were" with a letter added),
    and `word` is neither English the questions use nor a word of the corpus, nor a slip of one."""
    if len(word) < 3 or word in STOP_WORDS or word in CONTRACTIONS or not word.isalpha():
        return None
    if word in _QUESTION_NOISE or word in _SYNONYMS or ((t := term(word)) and vocab.df(t) > 0):
        return None
    # A letter typed twice is the likeliest slip there is: "dooes" is "does", whatever corpus word a
    # letter added to it would make ("doores").
    undoubled = _undoubled(word) & _FUNCTION_WORD_SET
    if len(undoubled) == 1 and not _english.frequency(word):
        return next(iter(undoubled))
    # Two letters swapped in one of the commonest words typed beats a rarer English word of the corpus
    # with a letter put back: "teh" is "the", not "tech". Not a word the corpus has that is no English:
    # "nro" may be "nor", but the Content API's "NMRO" is the likelier.
    swapped = _transposes(word) & _FUNCTION_WORD_SET
    if len(swapped) == 1 and not _english.frequency(word):
        (meant,) = swapped
        read = correct(word, vocab)
        if read is None or _english.frequency(meant) >= SLIP_ODDS * _english.frequency(read) > 0:
            return meant
    # Not a letter added or replaced: those turn too many English words into function words ("tall"
    # into "all", "bit" into "but"). A word that is no English may have a vowel for a vowel
    # ("befire", "woll").
    slips = _plain_slips(word)
    if not _english.frequency(word):
        slips |= _vowel_slips(word)
    near = sorted((_likelihood(word, w), w) for w in _FUNCTION_WORDS if w in slips)
    if not near or (len(near) > 1 and near[1][0] == near[0][0]) or correct(word, vocab) is not None:
        return None
    return near[0][1]


# The verbs a question word comes before: "… wat was it about", "… wen does it start".
_CLAUSE_OPENERS = frozenset(["is", "are", "was", "were", "did", "does", "do", "will", "can", "has", "have"])


def asking_word(word: str, vocab: Vocab, after_how: bool = False) -> str | None:
    """The question word `word` is a typo of ("mcuh" -> "much", "wat" -> "what"), if exactly one is
    one slip away (as `correct` reads slips) and `word` is neither English the questions use, nor a
    contraction typed without its apostrophe ("whats"), nor a word of the corpus. Right after "how",
    a word that is no English is read so even if the corpus has its stem ("how miny", as "mini")."""
    if word in _ASKING_WORDS or word in STOP_WORDS or word in CONTRACTIONS or not word.isalpha():
        return None
    if word in _QUESTION_NOISE or word in _SYNONYMS:
        return None
    if (t := term(word)) and vocab.df(t) > 0 and not (after_how and not _english.frequency(word)):
        return None
    edits = _edits1(word)
    near = [w for w in _ASKING_WORDS if w in edits]
    if not near and len(word) >= 4 and not _english.frequency(word):
        # Any letter may have been hit for another ("waat", "mueh", "weere"): a word that is no
        # English at all, standing where a question is asked, is one of the few words that ask.
        near = [w for w in _ASKING_WORDS if w in _replaces(word)]
    return near[0] if len(near) == 1 else None


def _british(word: str, vocab: Vocab) -> str | None:
    for pattern, replacement in _US_UK:
        candidate = pattern.sub(replacement, word)
        if candidate != word and (t := term(candidate)) and vocab.df(t) > 0:
            return candidate
    return None


def _noun_of(word: str, vocab: Vocab) -> str | None:
    """The noun an adjective in -y is made from, when the corpus has the noun and not the adjective
    ("sugary drinks" / "sugar tax", "salty" / "salt", "foggy" / "fog", "smoky" / "smoke"): the
    stemmer keeps them apart."""
    if len(word) < 5 or not word.endswith("y") or word.endswith(("ly", "ay", "ey", "oy", "uy")):
        return None
    base = word[:-1]
    candidates = [base, base + "e"]
    if len(base) > 3 and base[-1] == base[-2]:
        candidates.insert(0, base[:-1])
    for candidate in candidates:
        if (t := term(candidate)) and vocab.df(t) > 0:
            return candidate
    return None


# Prefixes GOV.UK writes with a hyphen ("re-painted", "co-ordinate", "pre-school"), which the index
# splits off: a question that joins them finds the rest. Not un-, non-, anti-, dis-: "unlicensed" is
# no "licensed".
_PREFIXES = ("re", "co", "pre", "post", "mid", "multi", "cross")


def _unprefixed(word: str, vocab: Vocab) -> str | None:
    """The word without a prefix the corpus writes apart, when the corpus has the rest ("repainted":
    painted)."""
    for prefix in (p for p in _PREFIXES if word.startswith(p) and len(word) - len(p) >= 4):
        rest = word[len(prefix) :]
        if vocab.df(prefix) > 0 and (t := term(rest)) and vocab.df(t) > 0:
            return rest
    return None


def _slips_of_english(word: str, vocab: Vocab) -> bool:
    """Whether `word` is a letter left out, doubled or swapped in an English word the corpus uses."""
    if _english.frequency(word):
        return False
    return any(_english.frequency(w) for w in _known(_plain_slips(word), vocab, 1).values())


def _stands_in(word: str, vocab: Vocab) -> bool:
    """Whether a listed stand-in of `word` is in the corpus: then the word means that, and is no
    compound of two corpus words ("driverless" is autonomous, not "driver" and "less")."""
    return any(vocab.df(term(part)) > 0 for s in _SYNONYMS.get(word, ()) for part in words(s) or [s])


def _split_compound(word: str, vocab: Vocab) -> list[str]:
    """'floodrisk' -> ['flood', 'risk'] when both halves are corpus terms."""
    best: list[str] = []
    best_df = 0
    for i in range(3, len(word) - 2):
        left, right = term(word[:i]), term(word[i:])
        # A half that stems to two letters is no word of its own ("standars": stand, "ars" -> ar),
        # nor is one that is no English word ("deadeine": "dead", "eine").
        if len(left) > 2 and len(right) > 2 and vocab.df(left) and vocab.df(right):
            if not (_english.frequency(word[:i]) and _english.frequency(word[i:])):
                continue
            df = min(vocab.df(left), vocab.df(right))
            if df > best_df:
                best, best_df = [left, right], df
    return best


# The ways a question word reaches the corpus's words; each can be switched off to measure it
# (`python -m retrieval.ranking.bridges`).
BRIDGES = frozenset({"compounds", "british", "spelling", "split", "synonyms", "numbers", "forms"})

# "300k", "£300 grand", "5 thousand": GOV.UK writes thousands in full ("£300,000" is the term 300000),
# so the question's "300" alone would look for another number.
_THOUSANDS = frozenset({"k", "thousand", "grand"})


# Small numbers as words and as figures, each to the other's term. Not "one": a pronoun as often
# ("which one", "no one") as a number.
_NUMBER_NAMES = """
    zero two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen
    seventeen eighteen nineteen twenty
""".split()  # noqa: SIM905 - a word list, easier to read as text
_NUMERALS = {
    **{name: str(n) for n, name in zip([0, *range(2, 21)], _NUMBER_NAMES, strict=True)},
    **{str(n): term(name) for n, name in zip([0, *range(2, 21)], _NUMBER_NAMES, strict=True)},
}


def _in_full(surface: list[str], i: int) -> str | None:
    """The number at `i` written out, when the next word multiplies it by a thousand."""
    if i + 1 >= len(surface) or surface[i + 1] not in _THOUSANDS:
        return None
    try:
        value = float(surface[i])
    except ValueError:
        return None
    whole = value * 1000
    return str(int(whole)) if whole.is_integer() and whole < 10**12 else None


def _other_forms(word: str, stem: str) -> tuple[str, ...]:
    """The forms of the irregular verb `word` is a form of, or whose base it inflects ("growing")."""
    return IRREGULAR.get(word) or IRREGULAR.get(stem) or ()


# People counted by what they are ("how many staff", "how many brits") are as often counted as people:
# "we employ around 10,600 people", "over 15 million Britons". Stems, as the counted words are read.
_PERSON_NOUNS = frozenset(
    """
    staff employe worker brit briton resid citizen patient student pupil child children kid women woman
    men adult prison offend driver veteran soldier nurs doctor teacher volunt visitor passeng
    member apprentic graduat victim migrant refuge user caller candid recruit troop personnel carer
    parent learner claimant
    """.split()  # noqa: SIM905 - a word list, easier to read as text
)
_PEOPLE = frozenset({"peopl", "person", "individu"})


def _counted_people(counted: set[str]) -> set[str]:
    """People counted by what they are may be counted as people, and people as any kind of them
    ("how many people use waterloo" / "60 million passengers")."""
    out = set(counted)
    if counted & _PERSON_NOUNS:
        out |= _PEOPLE
    if counted & _PEOPLE:
        out |= _PERSON_NOUNS
    return out


_COUNTED_MAX = 3  # "how many ex regular soldiers": the words up to the first function word
# Words that say which of them, not what is counted: "how many new bills" counts bills ("a million
# new homes" gives no number of bills).
_COUNT_MODIFIERS = frozenset(
    {"new", "extra", "additional", "more", "other", "different", "separate", "total"}
)


def _counted_words(surface: list[str]) -> range:
    """Where the words that "how many" counts stand in the question's words (empty if it asks no
    count): the content words right after it, up to the first function word."""
    for i in range(len(surface) - 2):
        if surface[i] == "how" and surface[i + 1] == "many" and i <= _ASKS_WITHIN:
            start = i + 2
            while (
                start + 1 < len(surface) and surface[start] in _COUNT_MODIFIERS and term(surface[start + 1])
            ):
                start += 1
            end = start
            while (
                end < len(surface)
                and end - start < _COUNTED_MAX
                and term(surface[end])
                and surface[end] not in _OPENERS  # "how many homes will…"
            ):
                end += 1
            return range(start, end)
    return range(0)


def _as_read(text: str, corrections: dict[str, str]) -> str:
    """`text` with each word that was read as another replaced by it."""
    return re.sub(r"[^\W_]+", lambda m: corrections.get(m.group(0).casefold(), m.group(0)), text)


# Small words an organisation's initials may keep or drop: "Joint Security and Resilience Centre"
# is JSaRC, "Office for National Statistics" ONS.
_INITIAL_GLUE = frozenset({"and", "of", "for", "the"})


def _may_be_initials(letters: str) -> bool:
    """Whether letters a span of question words starts with may be initials in the index: no English
    word, nor the stem of one ("statutory instrument number covers": "sinc", the index's term for
    "since")."""
    return not any(_english.frequency(letters + end) for end in ("", "e", "y", "s", "es", "ed", "ing"))


def _initials_of_spans(surface: list[str], vocab: Vocab) -> dict[int, str]:
    """Question words spelling out initials the corpus writes instead, each word's index -> their
    term: "low pay commission" -> lpc where the text only says "the LPC". GOV.UK spells a name out
    once and uses its initials after; a question spelling it out finds only that first mention. Three
    to five words, initials that are no English word ("home office tax" is no "hot")."""
    found: dict[int, str] = {}
    n = len(surface)
    for start in range(n):
        if not term(surface[start]) or surface[start] in _ASKING_WORDS:
            continue
        kept = dropped = ""
        for end in range(start, min(start + 7, n)):
            word = surface[end]
            glue = word in _INITIAL_GLUE
            if not glue and (not term(word) or word in _ASKING_WORDS or not word.isalpha()):
                break
            kept += word[0]
            dropped += "" if glue else word[0]
            if glue:
                continue
            for letters in dict.fromkeys((dropped, kept)):
                if 3 <= len(letters) <= 5 and vocab.df(letters) > 0 and _may_be_initials(letters):
                    for i in range(start, end + 1):
                        if surface[i] not in _INITIAL_GLUE:
                            found.setdefault(i, letters)
    return found


def analyse(question: str, vocab: Vocab, bridges: frozenset[str] = BRIDGES) -> Query:
    question = asked_part(tidy(question))
    surface = words(question)
    corrections: dict[str, str] = {}
    if "spelling" in bridges:
        for i, word in enumerate(surface):
            # A question word opens a question: "how mcuh", "wat is"; or a clause after the topic
            # typed first: "attorney generals lecture wat was it about".
            if i >= 3 and (i + 1 == len(surface) or surface[i + 1] not in _CLAUSE_OPENERS):
                continue
            if (right := asking_word(word, vocab, i > 0 and surface[i - 1] == "how")) is not None:
                corrections[word] = right
        for word in surface:
            if word not in corrections and (right := function_word(word, vocab)) is not None:
                corrections[word] = right
        if corrections:
            question = _as_read(question, corrections)
            surface = words(question)
    concepts: list[Concept] = []
    bridging: list[str] = []
    seen: set[str] = set()
    counted_at = _counted_words(surface)
    counted: set[str] = set()
    read_as = list(surface)  # each word as read so far: a phrase's first word may have been a slip
    spelt_initials = _initials_of_spans(surface, vocab) if "synonyms" in bridges else {}
    for i, word in enumerate(surface):
        t = term(word)
        if not t or t in seen or word in CONTRACTIONS:
            continue
        if word in _ASKED_AFTER_HOW and i > 0 and surface[i - 1] == "how":
            continue
        if word in _STANDS and surface[i + 1 : i + 2] == ["for"] and i + 2 == len(surface):
            continue  # "what does dapo stand for": the text gives "Domestic Abuse Protection Order (DAPO)"
        seen.add(t)
        alternatives: set[str] = {t}
        known = vocab.df(t) > 0
        # Split or joined compounds: "health care" / "healthcare", "e mail" (from "e-mail") / "email".
        joined_here: set[str] = set()
        # Never with a question word: "who led" is no "wholed" (stemmed "whole").
        before = surface[i - 1] + word if i and surface[i - 1] not in _ASKING_WORDS else None
        after = (
            word + surface[i + 1] if i + 1 < len(surface) and surface[i + 1] not in _ASKING_WORDS else None
        )
        for neighbour in (before, after) if "compounds" in bridges else ():
            if neighbour and (joined := term(neighbour)) and vocab.df(joined) > 0:
                joined_here.add(joined)
        for kin in _STEM_FAMILIES.get(word, ()) if "forms" in bridges else ():
            if (st := term(kin)) and st != t and vocab.df(st) > 0:
                joined_here.add(st)
        alternatives |= joined_here
        # An American spelling the corpus also uses in another sense ("license", the British verb;
        # "licensing") reaches the British noun too ("licence"), in the second stage. Only -ense:
        # the other American endings are not British words, and trying them on every known word
        # cost a fifth of the time of reading a question.
        british = word.endswith(("ense", "enses")) and "british" in bridges
        if known and british and (uk := _british(word, vocab)) is not None:
            alternatives.add(term(uk))
        # "zero" / "0", "8" / "eight": GOV.UK writes small numbers both ways, and so do questions.
        numeral = _NUMERALS.get(word) if "numbers" in bridges else None
        if numeral is not None and vocab.df(numeral) > 0:
            alternatives.add(numeral)
        meant = word  # the word read: the typed one, or what a slip of it was read as
        read_term: str | None = None  # its term when a slip was read as a corpus word
        halves: list[str] = []  # an unknown word split in two ("floodrisk": flood, risk)
        written_out = _in_full(surface, i) if "numbers" in bridges else None
        if written_out is not None and (full := term(written_out)) and vocab.df(full) > 0:
            # The question's number as the corpus writes it: searched for, and weighed, in its place.
            alternatives = {full}
            bridging.append(full)
            t, known = full, True
        elif "spelling" in bridges and (swapped := _swapped_english(word, t, vocab)) is not None:
            alternatives = {term(swapped)}
            corrections[word] = swapped
            meant = swapped
            read_term = term(swapped)
        elif not known:
            # A word known to be English is not a misspelling because this corpus lacks it:
            # "putting" is not "cutting" (the questions' own words here; any other in `_slip_of`).
            english = word in _QUESTION_NOISE or word in _SYNONYMS
            noun = _noun_of(word, vocab) if "forms" in bridges else None
            if noun is None and "split" in bridges:
                noun = _unprefixed(word, vocab)
            # Two corpus words joined ("weekend": week, end) are a compound, not a slip of one word
            # whose stem the corpus has ("weeked" stems to week).
            # Nor is a word a plain slip makes of an English word the corpus uses: "governmet" is
            # "government" with a letter left out, not "govern" and "met".
            halves = _split_compound(word, vocab) if "split" in bridges else []
            if halves and (_slips_of_english(word, vocab) or _stands_in(word, vocab)):
                halves = []
            replacement = (_british(word, vocab) if "british" in bridges else None) or (
                _slip_of(word, vocab)
                if "spelling" in bridges and not english and noun is None and not halves
                else None
            )
            if replacement is None and "spelling" in bridges and not english and noun is None and not halves:
                replacement = _stand_in_slip(word, vocab)
            if noun is not None and replacement is None:
                alternatives.add(term(noun))  # not a slip: no "Read as" for it
                halves = []
            elif replacement is not None:
                alternatives.add(term(replacement))
                corrections[word] = replacement
                meant = replacement
                read_term = term(replacement)
                halves = []
            elif halves:
                alternatives.update(halves)
        # The other forms of an irregular verb ("growing" -> grew, grown); a form's stem is looked up,
        # so "growing" finds the verb through "grow". Of the word read: "gorwing" finds "grown" too.
        for form in _other_forms(meant, term(meant)) if "forms" in bridges else ():
            if (st := term(form)) and vocab.df(st) > 0:
                alternatives.add(st)
        read_as[i] = meant
        phrase = _PHRASES.get((read_as[i - 1], meant), ()) if i else ()
        if (later := _second_year(surface, i)) is not None:
            phrase = (*phrase, later)
        if i + 1 < len(surface):
            particle = _particle_stand_ins(meant, surface[i + 1]) or _split_particle(meant, surface, i)
            phrase = (*phrase, *particle)
        initials = _INITIALS.get(word, ()) if not known else ()
        if i in spelt_initials:
            alternatives.add(spelt_initials[i])
        listed = _SYNONYMS.get(meant) or _synonyms_of_base(meant)
        for synonym in (*listed, *phrase, *initials) if "synonyms" in bridges else ():
            for part in words(synonym) or [synonym]:
                if (st := term(part)) and vocab.df(st) > 0:
                    alternatives.add(st)
        present = [a for a in alternatives if vocab.df(a) > 0]
        is_known = bool(present)
        # Stand-ins join the first stage only where the question's own word finds nothing (or forms a
        # compound); synonyms of a word the corpus has only count in the second stage, so that BM25's
        # candidates stay those of the question as asked.
        # A slip read as a word behaves as that word typed right: its term joins the first stage, its
        # stand-ins only the second ("applid", read as applied, drew "Applications are now open").
        if read_term is not None and vocab.df(read_term) > 0:
            bridging.append(read_term)
        elif not known:
            bridging.extend(sorted(a for a in present if a != t))
        bridging.extend(sorted(joined_here))
        asked_unit = (meant in _ASKED_UNITS and i > 0 and surface[i - 1] in _ASKING) or (
            _OPENING_HOURS in (tuple(surface[i : i + 2]), tuple(surface[max(i - 1, 0) : i + 1]))
        )
        if meant in _QUESTION_NOISE or asked_unit:
            weight = 0.25 * (max(vocab.idf(a) for a in present) if present else 1.0)
        elif is_known:
            # The concept weighs what its own term weighs if the corpus has it (or the term of the word
            # a slip was read as), else its best stand-in.
            # (a corpus word read as a slip of another, "anual" as "annual", weighs as the other).
            weighed = read_term if read_term is not None and vocab.df(read_term) > 0 else t if known else None
            weight = vocab.idf(weighed) if weighed is not None else max(vocab.idf(a) for a in present)
        else:
            weight = vocab.unknown_idf
        weight = max(weight, 0.01)
        if halves:
            # Each half weighs half the word, so that only a text with both says all of it: "weekend"
            # is not "18 weeks".
            concepts.append(
                Concept(word=word, terms=frozenset(alternatives - {halves[1]}), weight=weight / 2, known=True)
            )
            concepts.append(Concept(word=word, terms=frozenset({halves[1]}), weight=weight / 2, known=True))
        else:
            concepts.append(Concept(word=meant, terms=frozenset(alternatives), weight=weight, known=is_known))
        if i in counted_at:
            counted |= alternatives
    # A word the corpus never uses weighs what the question's known words weigh on average, not as
    # the rarest word could: how likely a word is to be missing depends on the corpus's size (in
    # the seed file's 46 passages most English words are), not on whether the question is answered.
    known_weights = [c.weight for c in concepts if c.known]
    if known_weights:
        typical = sum(known_weights) / len(known_weights)
        # A filler the corpus never uses ("actually", "really") stays a filler: a quarter, as when known.
        concepts = [
            c if c.known else replace(c, weight=0.25 * typical if c.word in _QUESTION_NOISE else typical)
            for c in concepts
        ]
    # What is asked for is read from the words as read: "what sahre of…" asks for a share; and a corpus
    # word read as another is searched as that one.
    read = _as_read(question, corrections)
    own = tokenize(read)
    terms = own + [b for b in dict.fromkeys(bridging) if b not in own]
    wants = wanted_type(read)
    asked_initials = spelt_out(read)
    defines = defined_word(read) if asked_initials is None else None
    detail = wanted_detail(read) or ("initials" if asked_initials else "definition" if defines else None)
    named = named_kind(read) if detail is None else None
    detail = detail or ("named" if named else None)
    if detail in ("phone", "email") and wants != "contact":
        detail = None  # "how many phone calls" asks for a count
    if detail == "size" and wants == "amount":
        detail = None  # "how big is the fund" asks for a sum of money
    if wants == "contact":
        concepts = [replace(c, weight=0.25 * c.weight) if c.word in _CONTACT_WORDS else c for c in concepts]
    return Query(
        text=question,
        terms=terms,
        best_bm25=(K1 + 1.0) * sum(vocab.idf(t) for t in terms if vocab.df(t) > 0),
        concepts=tuple(concepts),
        wants=wants,
        detail=detail,
        recent=wants_recent(read),
        asks=is_question(read),
        corrections=corrections,
        counted=frozenset(_counted_people(counted)),
        initials=asked_initials,
        defines=defines,
        named=named,
        future=wants == "date" and bool(_FUTURE.search(normalise(read))),
    )
