"""What a passage's text gives whatever the question: its sentences, the terms of each, and the kinds
of fact each holds (an amount, a number, a date, a person, a place, contact details).

Splitting a passage into sentences and tokenizing them are two regex passes over its text, about
150 µs a passage: with 24 candidates, more than all the rest of the second stage. So they are done
once, when the passage is stored (`analysis`), and kept beside its text as one compact string that a
question reads back in about 20 µs (`read`). The kinds of fact are looked for when a question asks for
one, in that kind only: storing all ten patterns' findings doubled the cost of storing a corpus. A
passage stored before this existed, or under another version of this module or of the tokenizer, is
parsed when a question meets it, as before.
"""

from __future__ import annotations

import contextlib
import functools
import re
from bisect import bisect_right
from dataclasses import dataclass
from datetime import datetime

from retrieval.ranking.query import AnswerType, Detail
from retrieval.search import tokenize as tokenizer
from retrieval.search.tokenize import _TERM_CACHE, term, tokenize, words
from retrieval.text import split_sentences

# The stored form changes when the tokenizer's terms, or this module's format or sentence splitting,
# change: bump the second number then.
VERSION = f"{tokenizer.VERSION}.7"

_MONTHS = (
    "January|February|March|April|May|June|July|August|September|October|November|December"
    "|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec"
)
_NUMBER_WORDS = (
    r"\b(one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty"
    r"|sixty|seventy|eighty|ninety|hundred|hundreds|thousand|thousands|million|millions|billion|dozen"
    r"|half|quarter|third|double|twice|treble|sole|single)\b"
)
NUMBER_WORDS = re.findall(r"[a-z]+", _NUMBER_WORDS.replace(r"\b", ""))


def _starting(first: str, pattern: str, flags: int = 0) -> re.Pattern[str]:
    """`pattern`, told the characters a match can start with (`first`, a character class body):
    the same matches, but the regex engine skips every other place at once. Most places in a text are
    spaces and letters no match starts with, so this makes the patterns below 1.5-6 times faster."""
    return re.compile(f"(?=[{first}])(?:{pattern})", flags)


# A date, bar the words that only place it in the past ("yesterday", "last month", "since"): those
# are dates, but not answers to "when will…", which asks for a time to come (FUTURE_DATE).
_DATE = (
    rf"\b({_MONTHS})\b|\b(1[89]|20)\d\ds?\b|\b(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b"
    r"|\b(spring|summer|autumn|winter)\b|\b(?i:today|tomorrow|next (week|month|year)|the new year"
    r"|this (week|month|year)"
    r"|from \d|by \d|until|deadline)\b"
    r"|\b\d{1,2}/\d{1,2}/\d{2,4}\b|\b\d{1,2}([:.]\d\d)?\s?(am|pm)\b|\b(midday|midnight|noon)\b"
)
# Nor is the year in a law's name ("the Environmental Permitting Regulations 2010"): it never says
# when something will happen.
_YEAR = r"\b(1[89]|20)\d\ds?\b"
_NAMED_LAW = "".join(f"(?<!{word} )" for word in ("Act", "Acts", "Regulations", "Order", "Rules", "Bill"))
# Nor "earlier this year": this year, but gone by.
_THIS = "this (week|month|year)"
# Nor is "today", the day the page came out: "That review has also been published today".
_TO_COME = (
    _DATE.replace(_YEAR, _NAMED_LAW + _YEAR, 1)
    .replace(_THIS, "(?<!earlier )" + _THIS, 1)
    .replace("today|tomorrow", "tomorrow", 1)
)
FUTURE_DATE = _starting(r"\dJFMASONDTWBUtsawnfbudm", _TO_COME)

_MONTH_NAMES = "january february march april may june july august september october november december"
# Full names and GOV.UK's short forms ("Sept" too): month number by name, in lower case.
_MONTH_NUMBERS = {
    name: n
    for n, full in enumerate(_MONTH_NAMES.split(), start=1)
    for name in {full, full[:3], *(["sept"] if n == 9 else [])}
}
_MONTH = "|".join(sorted(_MONTH_NUMBERS, key=len, reverse=True))
# A date with its year, the weekday before it taken with it: "Tuesday 15 October 2024", "October 2024".
_DATED = re.compile(
    r"\b(?:(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day,? )?"
    rf"(?:(\d{{1,2}})(?:st|nd|rd|th)? )?({_MONTH}),? (\d{{4}})\b"
    r"|\b((?:1[89]|20)\d\d)\b",
    re.IGNORECASE,
)


_DAY_MONTH = re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)? ({_MONTH})\b(?!,? \d{{4}})", re.IGNORECASE)


def dates_to_come(text: str, published: datetime | None) -> bool:
    """Whether `text` (a sentence) may say when something will happen: a date it gives with its year
    on or before the day its page was published ("held on Tuesday 15 October 2024", in a statement
    of that day) is past, and does not answer "when is the next dialogue"; so is a day without its
    year on or before that day of the page's year. A later month may be to come."""
    if published is None:
        return True
    day = published.date()

    def past(m: re.Match[str]) -> bool:
        if m.group(4):
            return int(m.group(4)) < day.year
        year, month = int(m.group(3)), _MONTH_NUMBERS[m.group(2).casefold()]
        if m.group(1):
            return (year, month, int(m.group(1))) <= (day.year, day.month, day.day)
        return (year, month) < (day.year, day.month)

    def gone(m: re.Match[str]) -> bool:
        return (_MONTH_NUMBERS[m.group(2).casefold()], int(m.group(1))) <= (day.month, day.day)

    rest = _DATED.sub(lambda m: " " if past(m) else m.group(0), text)
    # A day without its year is taken in the page's own: "published today (15 October)", on the 15th.
    rest = _DAY_MONTH.sub(lambda m: " " if gone(m) else m.group(0), rest)
    return bool(FUTURE_DATE.search(rest))


# A short number to ring, said with the ringing: "dial 911 for an ambulance", "call 999", "ring 101".
_SHORT_NUMBER = r"\b(?:[Dd]ial|[Cc]all|[Rr]ing)(?:ing)? \d{3,5}\b"

_NAMED_NUMBER = r"(?:One|Two|Three|Four|Five|Six|Seven|Eight|Nine|Ten)\b"

FACTS: dict[AnswerType, re.Pattern[str]] = {
    "amount": _starting(
        r"£$€\d%p", r"[£$€]\s?\d|\b\d[\d,.]*\s?(million|billion|bn|m|k|pounds|pence|p)\b|\bper cent\b|%", re.I
    ),
    # Not a digit glued to letters before it: "CO2", "the A1", "M25" name things and count nothing.
    "number": _starting(r"\dotfsenhmbdqa", r"(?<![A-Za-z])\d|" + _NUMBER_WORDS, re.I),
    # Month names only capitalised ("may", "march"), seasons only in lower case ("the Spring Budget" is
    # a name); the other words also at a sentence's start ("Last month the Home Secretary launched…"),
    # and a decade is a date ("back in the 1990s").
    "date": _starting(
        r"\dJFMASONDTWYLBUtysawnlfbudm", _DATE + r"|\b(?i:yesterday|last (week|month|year)|since)\b"
    ),
    "person": _starting(
        "A-Ztu",
        # Or a team: "managed by the digital engagement team", "our contracts and procurement team" (not
        # a committee or a panel: "who chairs the audit committee?" would find its own word). Each
        # group is tried only where its first character stands: at a "t", only "team" is.
        r"(?=[tu])\b(team|unit)\b|(?=[A-Z])(?:"
        r"\b(Mr|Mrs|Ms|Miss|Dr|Sir|Dame|Lord|Lady|Baroness|Baron|Professor|Prof|Rt Hon|MP|MBE|OBE|CBE|KC"
        r"|QC)\b"
        r"|\b(Minister|Secretary|Chancellor|Prime Minister|Ambassador|Commissioner|Chief Executive|Director"
        r"|Chair|Chairman|President|Mayor|Governor|Attorney General|Solicitor General|Inspector|Private"
        r"|Corporal|Sergeant|Lieutenant|Captain|Major|Colonel|Trooper|Lance|Rifleman|Sapper|Gunner"
        # A role a name is given with: "Paul Makepeace, Head of Delivery at DRS" answers "who is…".
        r"|Head of|Chief|Deputy|Manager|Officer|Adviser|Advisor|Leader|Founder|Spokesperson|Editor"
        r"|Superintendent|Constable|Detective)\b"
        r"|\b[A-Z][a-z]+ [A-Z][a-z]+(?: [A-Z][a-z]+)?,? (said|says|added|commented|announced)\b"
        # A "who" is often a body: a council, an agency, a named fund or company.
        r"|\b(Council|Agency|Department|Ministry|Office|Authority|Trust|Board|Commission|University|Centre"
        r"|Institute|Fund|Foundation|Service|Police|Group|Bank|Court|Parliament|Government|Limited|Ltd|plc"
        r"|LLP)\b"
        # Or a name: two capitalised words inside a sentence ("… said Paul Makepeace, Head of …"), not
        # led by a number ("‘One Country, Two Systems’" is a principle).
        rf"|(?<=[a-z,] )(?!{_NAMED_NUMBER})[A-Z][a-z]+ [A-Z][a-z]+"
        rf"|\b(?!{_NAMED_NUMBER})[A-Z][a-z]+ [A-Z][a-z]+, )",
    ),
    "contact": _starting(
        r"\w.+-",
        # An email address, a UK phone number, a postcode, a PO Box.
        r"[\w.+-]+@[\w-]+\.[\w.-]+|\+44[\d ()]{9,}|\b0\d{2,4}[ -]?\d{3,4}[ -]?\d{3,4}\b"
        r"|\b[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}\b|\bPO Box\b|" + _SHORT_NUMBER,
    ),
    # "Where can I find / download / send…" is answered by a web or postal address as often as by a
    # town: "found on data.gov.uk", "listed in REACH Annex XVII", "levy.agreements@decc.gsi.gov.uk".
    # A preposition also at a sentence's start: "In Cornwall, …".
    # Each group is tried only where its first character stands: most places in a text start none.
    "place": _starting(
        r"A-Z\diaftnbrcvpdohw@",
        r"(?=[iIaAfFnNtT])\b(in|In|at|At|from|From|across|Across|near|Near|to|To|around|Around|throughout"
        r"|Throughout) (the |our |its |their )?(?!UK\b|Britain\b|United Kingdom\b|[A-Z]{3,}\b)[A-Z][A-Za-z]+"
        r"|(?=[A-Z])(?:(?<=[a-z] )(Hall|Rooms|Building|House|Church|Station|Airport|Park|Centre|Square)\b"
        r"|\b(England|Scotland|Wales|Northern Ireland|London)\b"
        r"|\b[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}\b)"
        r"|(?=b)(?<=[a-z][- ])based\b"
        r"|(?=\d)\b\d+[a-z]? [A-Z][a-z]+ (Road|Rd|Street|St|Avenue|Lane|Way|Square)\b"
        r"|(?=[ctbrvpid])\b(county|city|town|borough|region|village|port|coast|island|district)\b"
        r"|(?=[oavfwh])(?:\b(on|at|via|from) [\w-]+\.[\w.-]*(uk|com|org|net|eu|int)\b|\bwww\.|\bhttps?://)"
        r"|@[\w-]+\.[\w.-]+",
    ),
}


# The precise form of each kind of fact: a day and month or a time of day, a figure, a sum of money,
# a named person, a named place. "2016" or "one" alone is weaker evidence than "27 February 1881".
STRONG_FACTS: dict[AnswerType, re.Pattern[str]] = {
    "amount": _starting(r"£$€\d", r"[£$€]\s?\d|\b\d[\d,.]*\s?(million|billion|bn|m|k)\b", re.I),
    "number": re.compile(r"(?<![A-Za-z])\d"),
    "date": _starting(
        r"\dJFMASOND",
        rf"\b\d{{1,2}}(st|nd|rd|th)? ({_MONTHS})\b|\b({_MONTHS}) \d{{1,2}}\b|\b({_MONTHS}) (1[89]|20)\d\d\b"
        r"|\b\d{1,2}([:.]\d\d)?\s?(am|pm)\b|\b\d{1,2}/\d{1,2}/\d{2,4}\b",
    ),
    "person": _starting(
        "A-Z",
        r"\b(Mr|Mrs|Ms|Dr|Sir|Dame|Lord|Lady|Baroness|Professor|Prof)\.? [A-Z]|\b[A-Z][a-z]+ [A-Z][a-z]+,? "
        r"(the )?(Minister|Secretary|Chancellor|Ambassador|Director|Chief|Chair|Head|President|Mayor)"
        # A role, then the name: "Home Secretary Sajid Javid", "Foreign Secretary, Jeremy Hunt".
        r"|\b(Minister|Secretary|Chancellor|Ambassador|Director|Executive|Chair|President|Mayor|General),? "
        r"(?!(?:of|for|and|the)\b)[A-Z][a-z]+ [A-Z][a-z]+",
    ),
    # Or a street address or a postcode, the most precise a place gets ("2 Collier Rd, Pevensey Bay").
    "place": _starting(
        r"iaIA\dA-Z",
        r"\b(?i:in|at) (?!Britain\b|United Kingdom\b)[A-Z][a-z]+(,? [A-Z][a-z]+)?\b"
        r"|\b\d+[a-z]? [A-Z][a-z]+ (Road|Rd|Street|St|Avenue|Ave|Lane|Way|Square|Place|Close|Drive)\b"
        r"|\b[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}\b",
    ),
    "contact": FACTS["contact"],
}

# A count, as "how many" asks for one: a figure or a number word that is not part of a date. "How many
# dead fish washed up" is not answered by "a large number of dead fish … on 17 December". (A share
# may answer one: "how many pensioners were on a low income" / "16% of pensioners".)
_NOT_AFTER_MONTH = "".join(f"(?<!{m} )" for m in _MONTHS.split("|"))
# "£2.2 million", "£300 thousand": the number word of a sum of money counts nothing either.
_NOT_AFTER_POUNDS = "".join(
    f"(?<!£{d} )" for d in (r"\d", r"\d\d", r"\d\d\d", r"\d\.\d", r"\d\d\.\d", r"\d\.\d\d")
)
_CAPITALISED = r"\b(" + "|".join(w.capitalize() for w in NUMBER_WORDS) + r")\b"
COUNT = re.compile(
    # Nor a sum of money: "£5,000" counts no employers (the "000" after its comma neither).
    # Nor a number joined to a word before it: "post-16 apprenticeships" counts none.
    # Nor five digits or more run together: GOV.UK writes a count of thousands with a comma
    # ("5,351 staff"), so "37407" is a name (a locomotive's, a case's), and "one of several DRS
    # locomotives" counts none either.
    rf"{_NOT_AFTER_MONTH}(?<![\d][-/,.])(?<![A-Za-z]-)(?<![£$€])\b(?!(1[89]|20)\d\d(s|-\d\d)?\b)"
    rf"(?!\d{{1,2}}(st|nd|rd|th)? ({_MONTHS})\b)(?!\d{{5,}}(?![\d,.]))\d"
    # A number word capitalised inside a sentence is part of a name ("'One County, Two Systems'" (sic),
    # "Channel Four"); at a sentence's start it still counts.
    rf"|{_NOT_AFTER_POUNDS}(?!one of\b)"
    rf"(?-i:{_NUMBER_WORDS}|(?:^|(?<=[.!?…] )|(?<=\n)|(?<=• )){_CAPITALISED})",
    re.I,
)

# A sum of money, and nothing else an amount can be (a share, a rate).
SUM = _starting(r"£$€\d", r"[£$€]\s?\d|\b\d[\d,.]*\s?(million|billion|bn|m|k|pounds|pence|p)\b", re.I)

_SMALL_NUMBER = (
    r"(\d+(\.\d+)?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|eighteen|twenty|thirty)"
)
_UNIT = r"(day|week|month|year|hour|minute|decade|fortnight)"
# "20 working days", "10 calendar days": a kind of day is still a length of time.
_KIND_OF = r"((working|calendar|business|school|clear|full) )?"

# A quantity of something other than money: a figure and its unit ("30,000 cubic square metres of sand",
# "20g CO2eq/kWh", "1.2 million litres a day"). "3 applications" is a count of things, not how much.
QUANTITY = re.compile(
    r"\b\d[\d,.]*\s*(-|\s)?(million |billion |thousand )?(acres?|hectares?|ha"
    r"|sq(uare)?\.? ?(metres?|meters?|miles?|feet|foot|ft|km|kilometres?|m)|km2?|kms|kilometres?|miles?"
    r"|metres?|meters?|cm|mm|feet|foot|ft|m2|m3|tonnes?|tons?|kg|kilos?|kilograms?|grams?|g|litres?"
    r"|liters?|megalitres?|ml|gallons?|cubic (square )?metres?|[mgkt]wh?|megawatts?|gigawatts?|mph|degrees"
    r"|per ?cent|%|hours?|days?|weeks?|months?|years?)\b",
    re.I,
)

# The form a fact takes when a question asks for that detail of its kind (query.Detail).
DETAILS: dict[Detail, re.Pattern[str]] = {
    # "For almost a quarter of a century", "for several years": a length of time without a figure.
    "duration": re.compile(
        # Not an age: "13 to 18 year olds" is no length of time.
        rf"\b{_SMALL_NUMBER}[- ]{_KIND_OF}{_UNIT}s?\b(?![- ]olds?\b)|\b(a|an|half a) {_UNIT}\b"
        rf"|\b(quarter|half|third) of an? ({_UNIT[1:-1]}|century)\b|\b(several|many|a few) {_UNIT}s\b",
        re.I,
    ),
    "frequency": re.compile(
        rf"\btimes (a|per|each|every)\b|\bevery ({_SMALL_NUMBER} )?{_UNIT}s?\b|\b(once|twice) (a|per|every)\b"
        rf"|\b(annually|monthly|weekly|daily|quarterly|fortnightly|yearly)\b|\b(per|a|each) {_UNIT}\b",
        re.I,
    ),
    "share": re.compile(
        r"%|\bper ?cent\b|\b(half|third|quarter|majority|minority)\b|\b\d+ (in|out of) (every )?\d+\b"
        r"|\b(one|two|three|four|five|nine) (in|out of) (every )?(two|three|four|five|ten|\d+)\b",
        re.I,
    ),
    # A birthday gives an age ("her 90th birthday"), and so does a number after a name, as court and
    # news reports give one ("Liam Astley Morris, 19 and Joseph Astley Morris, 21, of…"), though not
    # a date or an address ("Tuesday, 15 October", "London, 10 Downing Street").
    "age": re.compile(
        # "Under 40", "over 65s", not "over 7 days of the week" or "over 50 experiments".
        r"\baged?\b|\byears? old\b|\b\d+[- ]year[- ]olds?\b|\bage of\b"
        r"|\b(under|over)[- ]\d+s?\b(?!\s+(?!years? old\b)(per\b|%|million|billion|thousand|[a-z]+s\b))"
        r"|\b\d+(st|nd|rd|th) birthday\b"
        # "Pupils can choose to withdraw themselves once they're 18", "when they turn 16".
        r"|\b(once|when|until) (they|you|he|she|pupils|children)(’re|'re| are| reach| turn) \d{1,2}\b"
        rf"|(?-i:\b(?!(?:{_MONTHS})\b)[A-Z][a-z]+, \d{{1,2}}\b(?![\d.:%]| ?(st|nd|rd|th)\b| [A-Z]))",
        re.I,
    ),
    "deadline": re.compile(
        rf"\bwithin {_SMALL_NUMBER}\b|\bwithin (a|an) {_UNIT}\b"
        # "10 months of the end of…", "100 days of governing", not "5 years of work experience"
        rf"|\b{_SMALL_NUMBER} {_KIND_OF}{_UNIT}s? "
        r"(of (the|a|an|its|their|your|each|\w+ing)|after|before|from)\b"
        r"|\bby the end of\b|\bno later than\b|\bdeadline\b|\buntil\b|\bby \d|\bby (midday|noon|midnight)\b"
        # "closes on 21 December", not "after the closing date"
        r"|\bclos(e|es|ing) (on|date)\b(?=[^.]{0,20}\d)",
        re.I,
    ),
    # A time of day: "from 6pm to 7.30pm", "9:30am", "at noon".
    "time": re.compile(
        r"\b\d{1,2}([.:]\d{2})? ?([ap]\.?m\b\.?)|\b\d{1,2}:\d{2}\b|\b(noon|midday|midnight)\b", re.I
    ),
    # A named Act, a section of one, or dated regulations.
    "law": re.compile(
        r"\b[A-Z][A-Za-z]+ (?:[A-Za-z]+ ){0,6}Act\b(?: \d{4})?|\bSection \d+|\bRegulations \d{4}\b"
    ),
    "temperature": re.compile(r"\bdegrees\b|°|\b(Celsius|Fahrenheit|centigrade)\b", re.IGNORECASE),
    "day": re.compile(
        rf"\b\d{{1,2}}(st|nd|rd|th)? ({_MONTHS})\b|\b({_MONTHS}) \d{{1,2}}(st|nd|rd|th)?\b"
        r"|\b\d{1,2}/\d{1,2}/\d{2,4}\b"
    ),
    "phone": re.compile(r"\+44[\d ()]{9,}|\b0\d{2,4}[ -]?\d{3,4}[ -]?\d{3,4}\b|" + _SHORT_NUMBER),
    "email": re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+"),
    # A reason or a purpose: "to protect fish when they are spawning", "because many markets were…".
    "reason": re.compile(
        r"\b(because|so that|so as to|in order to|due to|as a result|owing to|the reason|in response to"
        r"|designed to|aims? to|intended to"
        r"|to (ensure|protect|help|reduce|prevent|avoid|make sure|support))\b"
        r"|, so\b(?! (far|much|many|long)\b)",
        re.I,
    ),
    # Words in the first person singular or within quotation marks: someone speaking for themselves.
    "view": re.compile(r"\b(I|I'm|I've|I'd|I’m|I’ve|I’d|me|my|My)\b|[“”]"),
    # A figure with a unit of area, length, volume or weight, or rooms: "the 31 acre site", "15kms of
    # coast", "2, 3 and 4 bedroom homes".
    "size": re.compile(
        r"\b\d[\d,.]*\s*(-|\s)?(acres?|hectares?|ha|sq(uare)?\.? ?(metres?|meters?|miles?|feet|foot|ft|km"
        r"|kilometres?|m)|km2?|kms|kilometres?|miles?|metres?|meters?|feet|foot|ft|m2|tonnes?|litres?"
        r"|cubic metres?|bed(room)?s?|storeys?|floors?|[mgk]w|megawatts?|gigawatts?)\b",
        re.I,
    ),
    # A limit: "grant maximum currently set at £30,000", "limited to £2,000", "up to 40 hours".
    "maximum": re.compile(
        # Not "for years up to and including 2007 to 2008".
        r"\b(maximum|max|at most|no more than|not more than|limited to|limit|capped|cap of|ceiling)\b"
        r"|\bup to (?!and including\b)(?!(19|20)\d\d\b)(£|\d|one|two|three|four|five|ten|a |an )",
        re.I,
    ),
    # A place in a ranking: "in 18th place", "ranked 3rd", "the top 10", "number one".
    "position": re.compile(
        r"\b\d+(st|nd|rd|th) (place|position|out of|of \d+|among|in the (world|table|league|ranking))\b"
        r"|\branked (\d+(st|nd|rd|th)?|first|second|third)\b|\b(top|bottom) (\d+|ten|five|three)\b"
        r"|\b(first|second|third|top|bottom|last) (place|position|spot)\b|\bnumber (one|1)\b"
        # "Spain is Europe's second largest car manufacturer", "the fourth largest economy".
        r"|\b(second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|\d+(st|nd|rd|th)) (largest|biggest"
        r"|highest|lowest|smallest|most|best|worst|fastest|busiest)\b",
        re.I,
    ),
    # A condition on who may: "you must be a young professional under 40", "open to everyone aged 16
    # and over", "applicants should have a degree"; not a heading that asks ("Who is eligible to apply?").
    # What a court gave: "He was sentenced to 18 weeks imprisonment", "jailed for six years", "fined
    # £300", "a 12-month community order".
    "sentence": re.compile(
        rf"\bsentenced to\b|\b(jailed|imprisoned|banned|disqualified) for\b|\bfined\b|\bordered to pay\b"
        rf"|\b{_SMALL_NUMBER}[- ]{_UNIT}s?('|’)? (imprisonment|custody|detention|in prison|in jail)\b"
        r"|\bcommunity order\b|\bunpaid work\b",
        re.I,
    ),
    "eligibility": re.compile(
        r"(?:\b(must|should|need to|needs to|will need to) (be|have|hold|live|work)\b|\bopen to\b"
        r"|\beligib(le|ility)\b|\bentitled\b|\bqualify\b|\b(aged|under|over) \d)(?![^.!?]*\?)",
        re.I,
    ),
    # A postcode or a PO Box: where a letter goes.
    "postal": re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}\b|\bPO Box\b"),
    # Initials after the words they stand for: "Domestic Abuse Protection Order (DAPO)".
    "initials": re.compile(r"\b[A-Z][\w&,' -]+ \([A-Z][A-Za-z&]{1,11}\)"),
}


@functools.lru_cache(maxsize=256)
def definition(word: str) -> re.Pattern[str]:
    """The word, then what it is: "sponsor is an…", "sponsors are…", "sponsor (a …) means…". Not
    "this is a transitional period": the word asked about must be the one defined."""
    singular = word[:-3] + "y" if word.endswith("ies") else word[:-1] if word.endswith("s") else word
    named = rf"\b({re.escape(singular)}|{re.escape(word)})s?\b( \([^)]{{1,40}}\))?,?"
    return re.compile(
        rf"{named} (is|are) (a|an|the|any|one|someone|anyone)\b|{named} (means|refers to)\b", re.I
    )


@functools.lru_cache(maxsize=256)
def named(kind: str) -> re.Pattern[str]:
    """A thing of `kind` named with the kind's word in capitals: "the Battle of Majuba Hill", "Class
    37", "Leeds City Council". Not at a sentence's start, where every word is in capitals."""
    word = rf"{kind[0].upper()}{re.escape(kind[1:])}s?"
    after = rf"(?:(?<=[\w,’'] )(?<!{SEPARATOR_WORD} )|(?<=[‘“\"(]))"
    return re.compile(rf"{after}(?:{word} (?:of (?:the )?)?[A-Z0-9]\w*|(?:[A-Z]\w* )+{word}\b)")


KINDS: tuple[AnswerType, ...] = ("amount", "number", "date", "person", "place", "contact")

# Chunk text never holds control characters (retrieval.text.strip_controls runs at read time), so
# these two cannot collide with it.
_PART = "\x1e"
_ITEM = "\x1f"
_LITERAL = "@"  # the sentences are spelt out: one differs from the text (a lost break put back)

# Sentences are tokenized in one pass over the whole passage, split at this word: calling the
# tokenizer once per sentence cost more in call overhead than in work.
SEPARATOR_WORD = "qqzsentencezqq"
SEPARATOR = f" {SEPARATOR_WORD} "


@dataclass(slots=True)
class Parsed:
    """A passage's sentences, their terms, and which kinds of fact each holds (filled in as questions
    ask for them, by `evidence`).

    Tuples of strings, not lists and sets: a long-running bot caches tens of thousands of these, and
    the garbage collector stops walking a tuple of strings once it has seen it (a set or a list it
    walks at every collection: 2-4 ms a young collection, hundreds for a full one)."""

    sentences: tuple[str, ...]
    terms: tuple[tuple[str, ...], ...]  # each sentence's distinct terms, sorted
    facts: dict[tuple[str, bool], tuple[bool, ...]] | None = None
    # The sentences joined by SEPARATOR, for one regex pass over them all, and where each starts in
    # it: made by the first search, as a question asking for no kind of fact never needs them.
    joined: str = ""
    starts: tuple[int, ...] = ()

    def flags(self, kind: AnswerType, strong: bool = False) -> tuple[bool, ...]:
        """Which sentences hold that kind of fact (in its precise form if `strong`)."""
        return self._flags((kind, strong), (STRONG_FACTS if strong else FACTS)[kind])

    def detail_flags(self, detail: Detail) -> tuple[bool, ...]:
        """Which sentences hold a fact in the form `detail` asks for (DETAILS)."""
        return self._flags((detail, True), DETAILS[detail])

    def future_date_flags(self) -> tuple[bool, ...]:
        """Which sentences hold a date that may be to come (FUTURE_DATE)."""
        return self._flags(("future date", False), FUTURE_DATE)

    def named_flags(self, kind: str) -> tuple[bool, ...]:
        """Which sentences name a thing of `kind` ("the Battle of Majuba Hill" for "battle")."""
        return self._flags((f"named {kind}", True), named(kind))

    def definition_flags(self, word: str) -> tuple[bool, ...]:
        """Which sentences say what `word` is ("A Tier 4 sponsor is an education provider…")."""
        return self._flags((f"definition {word}", True), definition(word))

    def _flags(self, key: tuple[str, bool], pattern: re.Pattern[str]) -> tuple[bool, ...]:
        facts = self.facts
        if facts is None:
            facts = self.facts = {}
        found = facts.get(key)
        if found is None:
            found = facts[key] = self._search(pattern)
        return found

    def _search(self, pattern: re.Pattern[str]) -> tuple[bool, ...]:
        """One pass over the joined sentences: after a match, go on from the next sentence."""
        if not self.starts:
            # `starts` last, whole: another thread reading this cached passage meanwhile sees either
            # nothing made yet (and makes the same) or both.
            starts: list[int] = []
            at = 0
            for s in self.sentences:
                starts.append(at)
                at += len(s) + len(SEPARATOR)
            self.joined = SEPARATOR.join(self.sentences)
            self.starts = tuple(starts)
        found = [False] * len(self.sentences)
        at = 0
        while (match := pattern.search(self.joined, at)) is not None:
            i = bisect_right(self.starts, match.start()) - 1
            found[i] = True
            if i + 1 >= len(self.starts):
                break
            at = self.starts[i + 1]
        return tuple(found)


def sentences_of(text: str) -> list[str]:
    out: list[str] = []
    for line in text.split("\n"):
        out.extend(split_sentences(line))
    return out or [text]


def _sentence_terms(joined: str, n: int) -> list[set[str]]:
    found = words(joined)
    cached = list(map(_TERM_CACHE.get, found))  # in C; None for a word not seen yet
    terms: list[str] = (
        [t if t is not None else term(w) for t, w in zip(cached, found, strict=True)]
        if None in cached
        else cached  # type: ignore[assignment]  # no None left: all are str
    )
    out: list[set[str]] = []
    start = 0
    while True:
        try:
            end = found.index(SEPARATOR_WORD, start)
        except ValueError:
            end = len(found)
        part = set(terms[start:end])
        part.discard("")
        out.append(part)
        if end == len(found):
            break
        start = end + 1
    if len(out) != n:  # a sentence held the separator word itself: tokenize one by one
        return [set(tokenize(s)) for s in joined.split(SEPARATOR)]
    return out


def parse(text: str) -> Parsed:
    sentences = sentences_of(text)
    found = _sentence_terms(SEPARATOR.join(sentences), len(sentences))
    return Parsed(tuple(sentences), tuple(tuple(sorted(terms)) for terms in found))


def analysis(text: str) -> str:
    """The stored form of `parse(text)`: sentences as spans of the text where they are (nearly always),
    spelt out otherwise, and each sentence's distinct terms."""
    parsed = parse(text)
    spans: list[str] = []
    at = 0
    for sentence in parsed.sentences:
        start = text.find(sentence, at)
        if start < 0:
            spans = []
            break
        at = start + len(sentence)
        spans.append(f"{start} {at}")
    where = _ITEM.join(spans) if spans else _LITERAL + _ITEM.join(parsed.sentences)
    terms = _ITEM.join(" ".join(t) for t in parsed.terms)
    return _PART.join((VERSION, where, terms))


def read(text: str, stored: str | None) -> Parsed:
    """The passage's sentences and terms from what was stored with it, or parsed now if nothing usable
    was (an older store, another tokenizer version, or a stored form that does not fit the text)."""
    if stored:
        parts = stored.split(_PART)
        if len(parts) == 3 and parts[0] == VERSION:
            where, terms = parts[1], parts[2].split(_ITEM)
            sentences: list[str] = []
            if where.startswith(_LITERAL):
                sentences = where[len(_LITERAL) :].split(_ITEM)
            else:
                with contextlib.suppress(ValueError):
                    spans = (span.partition(" ") for span in where.split(_ITEM))
                    sentences = [text[int(start) : int(end)] for start, _, end in spans]
            if sentences and len(terms) == len(sentences) and all(sentences):
                return Parsed(tuple(sentences), tuple(tuple(t.split()) for t in terms))
    return parse(text)
