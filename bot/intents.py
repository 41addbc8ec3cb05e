"""What a message is, before any retrieval: small talk, a request for the newest announcements, news
about a topic, or a question. Cheap (regular expressions over a dozen words, no model), so it runs on
every message.

| people type                                    | intent        | the bot                              |
|------------------------------------------------|---------------|--------------------------------------|
| hi, hello there, good morning                  | greeting      | a short hello and example questions  |
| thanks!, ok great, cheers, lol                 | thanks        | "glad to help" and example questions |
| bye, ok thanks, bye, no thanks                 | goodbye       | a short goodbye                      |
| help, what can you do?, how does this work     | help          | what it can do, example questions    |
| what's new?, latest, what happened today       | latest        | the newest announcements (filtered)  |
| news about X, anything on X, what's new on X,  | news          | announcements about X, newest first  |
| i'm looking into X. what's new?                |               |                                      |
| more, next, any more?, what else?              | more          | next page of the last list, or the   |
|                                                |               | last answer's further matches        |
| link?, who published it?, summarise it,        | about         | that detail of the last answer       |
| explain it in simple terms, huh?, what does    |               | not following it, its summary;       |
| that mean, are you sure?, really?, says who    |               | doubting it, where it is quoted from |
| that's wrong, not helpful, not what i asked,   | wrong         | sorry, and how to ask better         |
| no, nope                                       |               |                                      |
| https://www.gov.uk/government/news/…           | page          | that announcement, if it is held     |
| alert me about X, keep me posted on X          | subscribe     | as /subscribe X                      |
| what am i subscribed to?, my alerts            | subscriptions | as /subscriptions                    |
| stop sending me alerts about X, unsubscribe me | unsubscribe   | as /unsubscribe [X]                  |
| sorry i meant X, *X, no, for adults            | correction    | the last question, corrected         |
| summarise the X one, what's the X consultation | describe      | that announcement's summary          |
| about, what's the story with X                 |               |                                      |
| read 2, open number 3, the second one          | read          | as /read N                           |
| search flooding, search for pensions           | search        | as /search X                         |
| 2, second (alone), what's number 3 about,      | number        | as /read N after a list; else a      |
| tell me about the second one                   |               | question                             |
| anything else                                  | question      | the passage that answers             |

Pleasantries before a question ("hi, when is the deadline?") are dropped and the rest is the question.
"also X" and "X too" (`also_topic`) add a subscription when one was just made (bot/commands.py).
"""

from __future__ import annotations

import functools
import re
import string
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

from retrieval.ranking import english
from retrieval.search.tokenize import STOP_WORDS
from retrieval.sources.govuk import page_path

Kind = Literal[
    "greeting",
    "thanks",
    "goodbye",
    "help",
    "latest",
    "news",
    "more",
    "about",
    "wrong",
    "page",
    "subscribe",
    "subscriptions",
    "unsubscribe",
    "correction",
    "describe",
    "read",
    "number",
    "search",
    "question",
]


@dataclass(frozen=True)
class Intent:
    kind: Kind
    # latest: what follows "what's new" (filters, or a topic: "from the MoD", "on flooding");
    # news: the topic; question: the question without any pleasantries before it.
    rest: str = ""
    # describe: the word for a document it was named by ("consultation", "speech", "one").
    document: str = ""


# Small talk, phrase by phrase: a message made only of these is small talk. Tried in this order, and
# longest first within a kind, so that "good morning" is a greeting before "good" is an "ok", and
# "thank you very much" is one phrase. "filler" ("mate", "please") counts for no kind of its own.
_SMALL_TALK: tuple[tuple[str, str], ...] = (
    ("goodbye", r"bye bye|goodbye|good bye|bye|see you(?: later| soon| tomorrow)?|see ya|cya|farewell"),
    ("goodbye", r"good night|night night|that'?s all(?: for now| for today)?|that is all|i'?m done"),
    # "no thanks" was asked as a question and declined.
    ("goodbye", r"no (?:thanks|thank you|thx|ty)|nah i'?m (?:good|ok|fine)|i'?m (?:good|ok|fine) thanks"),
    (
        "thanks",
        r"(?:thanks|thank you|thankyou|thx|ty|cheers|ta|many thanks)"
        r"(?: (?:so|very) much| a lot| again| loads| for (?:that|this|the help|your help|the answer))?",
    ),
    # "thanks that's really useful" was asked as a question, and quoted "using the stairs instead of
    # the lift".
    (
        "thanks",
        r"(?:(?:that'?s|that was|thats|it'?s|it was|this is) (?:(?:very|really|so|super|most|extremely) )?"
        r"|(?:very|really|so|super|most|extremely) )"
        r"(?:great|helpful|useful|perfect|brilliant|interesting|handy)",
    ),
    (
        "greeting",
        r"(?:hi|hello|hey|hiya|heya|howdy|hallo|yo|greetings|good (?:morning|afternoon|evening|day)"
        r"|morning|afternoon|evening)(?: there| all| everyone| folks| again)?",
    ),
    (
        "greeting",
        r"how are you(?: doing| today)?|how'?s it going|how do you do|what'?s up|sup|nice to meet you",
    ),
    (
        "thanks",  # an acknowledgement gets the same "glad to help"
        r"ok(?:ay)?|okey|k|great|perfect|brilliant|lovely|nice|cool|awesome|excellent|super|wonderful"
        r"|fab|amazing|got it|understood|i see|right|alright|sure|fine|good|noted|interesting|helpful"
        r"|wow|ah|oh|yes|yep|yeah|lol|lmao|haha+|(?:ha ?)+ha|hehe",  # "lol" was declined as a question
    ),
    ("filler", r"mate|pal|buddy|bot|friend|folks|all|please|again|very much|a lot"),
)
# The whole alternation must end at a word's end: bound to the last alternative only, "ta" was a
# "thanks" at the start of "tax", and "yo" a greeting at the start of "you".
_PHRASE = re.compile(
    "(?:" + "|".join(f"(?P<g{i}>{pattern})" for i, (_, pattern) in enumerate(_SMALL_TALK)) + r")(?=\s|$)"
)
_PRIORITY: tuple[Kind, ...] = ("goodbye", "thanks", "greeting")
# Messages without words, by their first character.
_WORDLESS: dict[str, Kind] = {
    "?": "help",
    "👍": "thanks",
    "👌": "thanks",
    "🙏": "thanks",
    "👏": "thanks",
    "✅": "thanks",
    "❤": "thanks",
    "🙂": "thanks",
    "😊": "thanks",
    "👋": "greeting",
}

_HELP = re.compile(
    r"^(?:please )?(?:help(?: me| please)?|i need help|can you help(?: me)?|what can you do|what do you do"
    r"|what can i ask(?: you)?|what should i ask|what (?:can|do) you know(?: about)?"
    r"|how does (?:this|it) work"
    r"|how do i use (?:this|you|this bot|it)|who are you|what are you|what is this(?: bot)?"
    r"|what'?s this(?: bot)?|commands|menu|instructions|options|\?+"
    # about the bot itself: asked as a question, "are you a robot" quoted a budget's robotics line
    r"|are you (?:a |an )?(?:robot|bot|human|person|real|ai|machine|chatgpt|chat gpt)"
    r"|(?:who|what) (?:made|built|runs|created) (?:you|this bot|this))(?: please)?$"
)

# "more", "next", "any more?", "show me more results", "what else?": the rest of whatever the chat was
# shown last, the next page of a list or the further matches of an answer. The whole message only:
# "more about the budget" and "what else did she say" are questions.
_MORE = re.compile(
    r"^(?:(?:so|and|ok|okay) )?(?:(?:show|give|tell) me |can i see |i want |i'?d like |are there |is there )?"
    r"(?:(?:any|some|the) )?(?:more|next|next page|others|other ones|other results|other matches"
    r"|other answers|what else|anything else)"
    r"(?: (?:matches|results|passages|answers|ones|like (?:this|that)))?"
    r"(?: (?:please|then|pls))?$"
)

# Not following the last reply; with nothing quoted yet, the bot's help is what it needs.
CONFUSED = re.compile(
    r"^(?:what|huh|eh|pardon|come again|i'?m confused|confused|confusing|i'?m lost|lost me"
    r"|(?:i )?(?:don'?t|do not|dont) (?:understand|get it|get that|follow)(?: (?:it|that|this))?"
    r"|what do you mean|what does (?:that|this|it) (?:mean|say)|what are you (?:on about|talking about)"
    r"|(?:that|it|this) (?:makes no sense|is confusing))$"
)

# About the last answer rather than a new question: its link, who published it, when, GOV.UK's
# summary of it. "link?" asked of every announcement found "transport links". Not "who said that?":
# that is asked of the announcement (a speaker it names), as a follow-up.
_IT = r"(?:it|that|this|the (?:announcement|article|story|answer|quote|statement))"
_ABOUT: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        # Doubting the quote: asked as questions, "really?" quoted a right to request flexible working
        # and "are you sure?" was told the announcement "doesn't mention “sure”".
        "source",
        re.compile(
            r"^(?:are you (?:sure|certain)(?: about (?:that|this|it))?|you sure|really|seriously|says who"
            rf"|who says(?: so)?|how do you know(?: {_IT})?|where does it say (?:that|so)"
            rf"|is {_IT} (?:really )?(?:right|true|correct|accurate|real|so|legit)"
            r"|can i trust (?:that|this|it|you))(?: though)?$"
        ),
    ),
    (
        "link",
        re.compile(
            r"^(?:(?:what'?s|what is|whats|give me|send me|can i (?:have|get|see)|got|where'?s|where is|share"
            r"|show me|is there|do you have|have you got|you got|any) )?(?:the |a |its |that |your )?"
            r"(?:link|url|source|sources|web ?page|website"
            rf"|gov ?uk (?:link|page))(?: (?:for|to|of|on) {_IT})?(?: please)?$"
            rf"|^where(?:'?s| is| was| does| did) {_IT} (?:from|come from|published)$"
            rf"|^where did you (?:get|find) {_IT}$|^is {_IT} official$"
            # Where to read the whole of what was quoted ("where can i read the full thing"); "where
            # can i read more about the budget" names a topic and stays a question.
            r"|^(?:(?:where|how) )?can i (?:read|see|find|get)"
            r" (?:the (?:full|whole|complete)|all|more|the rest)(?: of)?"
            r"(?: (?:it|that|this|thing|story|text|article|announcement|statement|speech|document))?$"
            r"|^(?:the )?(?:full|whole|complete) (?:text|thing|announcement|article|story|version)"
            r"(?: please)?$"
        ),
    ),
    (
        "publisher",
        re.compile(
            r"^(?:who|which (?:department|organisation|organization|body|ministry|agency)) (?:published|wrote"
            rf"|issued|released|put out|made|announced|posted|sent) {_IT}$|^who(?:'?s| is) {_IT} (?:from|by)$"
            rf"|^whose (?:announcement|article|story|statement) is {_IT}$"
            rf"|^which (?:department|organisation|organization|ministry) (?:is )?{_IT} from$"
        ),
    ),
    (
        "date",
        re.compile(
            rf"^when (?:was|is|did) {_IT} (?:published|released|come out|came out|put out|issued|out"
            rf"|announced|posted|made public|updated)$|^what date (?:did|does) {_IT} come out$"
            rf"|^(?:how old|how recent) is {_IT}$|^what date (?:was|is) {_IT}(?: published)?$"
            # asked indirectly: "do you know when it was published"
            rf"|^when {_IT} (?:was|got) (?:published|released|announced|posted|issued|put out|updated)$"
            # Whether it still stands: its dates say, and a withdrawn item says so with them.
            rf"|^is {_IT} (?:still )?(?:current|valid|true|accurate|in force|the case|up to date"
            r"|out of date|the latest(?: version)?)$"
            rf"|^(?:has|was) {_IT} (?:been )?(?:updated|changed|withdrawn|superseded|replaced)(?: since)?$"
        ),
    ),
    (
        "summary",
        re.compile(
            rf"^(?:can you |could you |please )?(?:summari[sz]e(?: {_IT})?|sum up(?: {_IT})?|sum {_IT} up)"
            r"(?: for me)?(?: please)?$"
            rf"|^(?:give me |what'?s |what is )?(?:a |the )?(?:summary|tldr|tl dr|gist)(?: of {_IT})?"
            rf"(?: please)?$|^what(?:'?s| is) {_IT} about$"
            # "explain in simple terms" was asked of every announcement: a maths curriculum's closest.
            rf"|^(?:can you |could you |please )?(?:explain|simplify)(?: {_IT})?(?: to me)?"
            r"(?: (?:in (?:simple|plain|layman'?s|basic) (?:terms|english|words)|simply|more simply))?"
            r"(?: for me)?(?: please)?$"
            r"|^(?:in )?(?:simple|plain|layman'?s) (?:terms|english)(?: please)?$|^eli5$"
            # Not following the quote: asked, "i dont understand" quoted a study's "clearer understanding"
            # and "huh" was declined. GOV.UK's summary is the plainest account of it there is.
            rf"|{CONFUSED.pattern}"
        ),
    ),
)

_POLITE = re.compile(
    r"^(?:(?:can|could|would|will) you (?:please |pls |just )?|please |pls |do you know "
    r"|(?:can|could) i ask )(?:tell me )?"
)

# Telling the bot its answer missed: asked as a question, "that doesn't answer my question" was
# answered with a passage about "the big questions in fusion physics".
_WRONG = re.compile(
    # "no" alone, after an answer: it was asked as a question and quoted another passage.
    r"^(?:no+|nope|nah|not really|no not really)$"
    r"|^(?:no+|nope|nah|hmm+|um+)?\s?(?:(?:that'?s|that is|thats|this is|it'?s|its) )?(?:not )?"
    r"(?:wrong|incorrect|not right|not it|not correct|not true|not helpful|unhelpful|useless|rubbish|nonsense"
    r"|wrong answer|not what i (?:asked|meant|wanted|was looking for)|not the answer|irrelevant"
    r"|(?:that|it|this|you) (?:doesn'?t|does not|didn'?t|did not) (?:answer|help)"
    r"(?: (?:my|the) question| me| it| that)?"
    r"|(?:that|it|this) (?:doesn'?t|does not|didn'?t|did not) make sense|you(?:'re| are) wrong)"
    r"(?: (?:at all|mate|bot|sorry))?$"
)

# Correcting the last question: "sorry i meant fireworks", "no, i meant for adults", "what i meant was
# …". Asked as a question, "sorry i meant fireworks" was declined. "i mean" may also only lead into a
# question ("i mean, when is the deadline"): a whole question is asked as it is (bot/corrections.py).
_OOPS = r"(?:sorry|soz|oops|whoops|no|nope|nah|er+m?|um+|my bad|typo|correction)\s+"
_CORRECTION = re.compile(
    rf"^(?:{_OOPS})*(?:(?:i|i'd|i had)\s+(?:meant|mean)|(?<=\s)meant)"  # "mean house prices" is a question
    r"(?:\s+to\s+(?:say|ask|type|write|put))?\s+(?P<rest>.+)$"
    r"|^what i (?:meant|mean) (?:was|is)\s+(?P<was>.+)$"
)
# An announcement named by its topic and a word for a document: "tell me about the fireworks
# announcement", "what's the vaping consultation about", "summarise the peers one". Asked as questions,
# each was declined: no passage says "announcement" or "consultation" beside the topic.
_DOCUMENT = (
    r"(?:one|announcement|article|story|news story|news item|consultation|call for evidence|statement"
    r"|speech|press release|item|update|publication|report|guidance|piece)"
)
_DESCRIBE = re.compile(
    r"^(?:(?:summari[sz]e|sum up|give me (?:a |the )?(?:summary|gist|tldr) of|(?:what'?s|what is) the gist of"
    r"|tell me (?:more )?about|explain)"
    rf" (?:the |that |this )?(?P<topic>.+?) (?P<document>{_DOCUMENT})(?: for me)?(?: please)?"
    rf"|(?:what'?s|what is|what was) (?:the |that |this )?(?P<about>.+?) (?P<its>{_DOCUMENT})"
    r" (?:about|saying)"
    # "what's the story with the door supervisor": the closest passage was a quote from the regulator.
    r"|(?:what'?s|what is|whats) (?:the (?:story|deal|background) (?:with|on|about|behind)"
    r"|going on with|happening with|up with) (?:the |that |this )?(?P<story>.+?)"
    # Asked for a summary, any title: "summarise the spring budget" quoted "financing plans are
    # summarised in Annex A".
    r"|(?:(?:can|could) you )?(?:summari[sz]e|sum up|give me (?:a |the )?(?:summary|gist|tldr) of"
    r"|(?:what'?s|what is) the gist of|tl;?dr(?: of)?) (?:the |that |this )?(?P<summed>.+?)"
    r"(?: for me)?(?: please)?)$"
)

# An item of the list just shown, as /read N: typed as a question, "read 2" quoted a passage about a
# bill's Second Reading. The number alone ("2", "second") means an item only when a list was shown.
_ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5}
_READ = re.compile(
    r"^(?:(?:read|open|show(?: me)?|see|view|give me|i'?d like|i want|can i (?:see|read|have)) )?"
    r"(?:(?:the |number |no |item |story |announcement |article )*)"
    rf"(?:(?P<n>\d{{1,3}})|(?P<ord>{'|'.join(_ORDINALS)})(?: one| item| story| announcement| article)?)"
    r"(?: one)?(?: please)?$"
)

# An item of the list asked about: "tell me more about the second one" summarised the peers'
# announcement, whose title says "Second Reading", and "what's number 3 about" was asked as a question.
_ASKED_ITEM = re.compile(
    r"^(?:(?:what'?s|what is|whats) (?:in )?|tell me (?:more )?about |more (?:on|about) "
    r"|(?:summari[sz]e|explain) )"
    r"(?:the |number |no |item )*"
    rf"(?:(?P<n>\d{{1,3}})|(?P<ord>{'|'.join(_ORDINALS)}))(?: one| item| story| announcement| article)?"
    r"(?: about)?(?: please)?$"
)

# "*fireworks": a chat's usual mark for "I mistyped, this is the word" (the asterisk is not in `plain`).
_STARRED = re.compile(r"^\*\s*(?P<rest>[^*\s][^*]*)$")

# "what's new", "latest", "anything new today?" and what follows them; the follower is read in the
# command layer as filters ("from the MoD", "this week") or, if words are left, as a topic.
_LATEST = re.compile(
    r"^(?:(?:so|and|ok|okay) )?(?:(?:show|give|tell) me |can i see |i want |i'?d like )?"
    # "today" is left to be read as a date: "anything new today?" listed everything, newest first.
    r"(?:(?:what'?s|what is|whats) (?:new|the latest|latest)(?: now| recently| lately)?"
    r"|(?:what'?s|what is|whats) (?:happening|going on)(?: now| recently| lately)?(?=(?: today)?$)"
    r"|(?:what has been|what'?s been|what was|what got) (?:announced|published)(?: today| recently| lately)?$"
    r"|(?:the |any )?(?:(?P<n>\d{1,3}) )?(?:latest|newest|most recent)"
    r"(?: news| announcements?| updates?| stuff| things| items)?"
    r"|(?:the |any )?(?:new|recent) (?:news|announcements?|updates?)"
    r"|(?:is there )?(?:any|anything) (?:news|new)(?: recently)?"
    # "what happened today": what is new, when; "what happened to the bill" is a question.
    r"|(?:what(?:'?s| has)?|anything|has anything) happen(?:ed)?"
    r"(?= (?:today|yesterday|this|last|recently|lately|since|in the (?:last|past))\b|$)"
    r"|news|updates?)(?: please)?(?=\s|$)"
)
# Alerts asked for in plain words, as /subscribe, /subscriptions and /unsubscribe would be: asked as
# questions, "alert me about flooding" quoted a passage on flooding and "what am i subscribed to"
# Fiji's "subscribe to email updates". "tell me about X" is a question, and so is "how do i get
# alerts about X" (GOV.UK has flood alerts of its own).
_ABOUT_TOPIC = r" (?:about|on|for|regarding|concerning|of|when there'?s (?:news|anything) (?:about|on))"
_SUBSCRIBE = re.compile(
    r"^(?:(?:can|could|would|will) you |please )?(?:"
    rf"(?:alert|notify|update|ping|message|email) me{_ABOUT_TOPIC}"
    r"|subscribe(?: me)? to|sign me up (?:to|for)(?: alerts?(?: about| on| for))?"
    rf"|keep me (?:posted|updated|informed){_ABOUT_TOPIC}"
    # "let me know about X" asks to be told now: only "when there's news…" waits for it.
    r"|let me know (?:when|if|whenever) there'?s (?:news|anything(?: new)?) (?:about|on)"
    r"|(?:i want|i'?d like|give me|send me|get me|set up)(?: an?| the)?(?P<daily> daily)?"
    rf" (?:alerts?|updates|notifications|digest|emails?|news){_ABOUT_TOPIC}"
    r") (?P<topic>.+?)(?: please| thanks| thank you)?$"
)
# The /search command typed without its slash: asked as a question, "search flooding" was declined
# ("I found nothing that answers “search flooding”"). Not "search and rescue".
_SEARCH = re.compile(r"^(?:search|look up|lookup)(?: for| about| on)? (?!and\b)(?P<words>.+)$")

_SUBSCRIPTIONS = re.compile(
    r"^(?:what (?:am i|are we) (?:subscribed to|following|signed up (?:to|for))"
    r"|(?:show |list )?(?:me )?(?:my|our) (?:subscriptions|alerts|topics)"
    r"|what (?:alerts|subscriptions|topics) (?:do i|have i got|do we)(?: have)?"
    r"|what are (?:my|our) (?:subscriptions|alerts)"
    # "stop" alone: what it would stop is the alerts, if any; shown with how to remove them rather
    # than removed unasked. Asked as a question, it quoted police stop and search powers.
    r"|(?:please )?stop(?: it| now| please)?|make it stop)$"
)
_UNSUBSCRIBE = re.compile(
    r"^(?:(?:please )?unsubscribe(?: me| us)?(?: from)?"
    r"|stop (?:alerting|notifying|sending) (?:me|us)(?: alerts| updates| notifications)?(?: about| on| for)?"
    r"|stop (?:the |my )?(?:alerts|updates|notifications)(?: about| on| for)?"
    r"|(?:no more|cancel(?: my)?) (?:alerts?|updates|subscriptions?)(?: about| on| for| to)?"
    r")(?: (?P<topic>.+?))?(?: please| thanks| thank you)?$"
    # the topic before the word for alerts: "stop the flooding alerts", "no more fireworks updates"
    r"|^(?:stop|cancel|no more|turn off|unsubscribe(?: me)? from) (?:the |my |those |these )?"
    r"(?P<named>.+?) (?:alerts?|updates|notifications|subscription|ones|emails|messages)"
    r"(?: please| thanks| thank you)?$"
)
# Asking for alerts without saying about what: asked as a question, "subscribe" quoted Fiji's
# "subscribe to email updates". The reply asks what to follow, as /subscribe alone does.
_SUBSCRIBE_BARE = re.compile(
    r"^(?:(?:can|could) i |i want to |i'?d like to |how do i |how can i )?"
    r"(?:subscribe|sign up|sign me up|get alerts|set up alerts|turn on alerts|alerts|notifications)"
    r"(?: please)?$"
)

# "also flooding", "and fireworks too", "knife crime as well": right after a subscription, another
# one (bot/commands.py decides whether one was just made). Asked as a question, "also flooding"
# quoted a flood passage to someone setting up alerts. Not "and when?": a question is a follow-up.
_ALSO = re.compile(
    r"^(?:(?:and|also|plus|oh and|and also)(?: for| about| on)? (?P<then>.+?)(?: too| as well)?"
    r"|(?P<before>.+?) (?:too|as well))(?: please| thanks| thank you)?$"
)
_ASKING = re.compile(r"^(?:what|whats|when|who|where|why|how|which|is|are|do|does|did|can|will|would)\b")


def also_topic(text: str) -> str | None:
    """The topic of "also X" / "X too" (at most five words, not a question), or None."""
    match = _ALSO.match(normalise(text))
    if match is None:
        return None
    topic = (match.group("then") or match.group("before")).strip()
    if _ASKING.match(topic) or len(topic.split()) > 5:
        return None
    return topic


# Two or three questions in one message: "when is the firework curfew and how much is the fine",
# "who is penny dash? what did she find?". Asked as one, the answer met one of them (the curfew) and
# the other went unanswered. A question mark before an asking word, or "and" before a wh-word, parts
# them when the first part asks too; "what is the difference between a loan and a grant" does not.
_NEXT_QUESTION = re.compile(
    r"\?+\s+(?=(?:what|whats|what's|when|who|whos|who's|where|why|how|which|is|are|do|does|did|can|will)\b)"
    r"|,?\s+and\s+(?=(?:what|whats|what's|when|who|where|why|how|which)\b)",
    re.IGNORECASE,
)
MAX_QUESTIONS = 3


def questions_in(text: str) -> list[str]:
    """The questions a message asks one after another, or the message alone."""
    parts = [part.strip(" ,") for part in _NEXT_QUESTION.split(text.strip())]
    if not 1 < len(parts) <= MAX_QUESTIONS or not _ASKING.match(normalise(parts[0])):
        return [text]
    if any(len(part.split()) < 2 for part in parts):
        return [text]
    return parts


# "news about X", "anything on X", "what's new on X", "latest on X", "updates about X".
_NEWS = re.compile(
    r"^(?:(?:so|and|ok|okay) )?(?:(?:show|give|tell) me |can i see |i want |i'?d like |is there |are there "
    r"|have you got |do you have |got )?(?:the |any )?"
    r"(?:news|updates?|announcements?|anything(?: new)?|something|(?:the )?latest(?: news)?|what'?s new"
    r"|what is new|whats new|what'?s the latest|stuff)"
    r" (?:about|on|regarding|concerning|for|re|with|to do with) "
    r"(?P<topic>.+)$"
)


# Slips and chat spellings of the asking word, read as it before the patterns: "wats new" is what's new.
_WHAT_SLIPS = {
    "wat": "what",
    "wot": "what",
    "wats": "whats",
    "wots": "whats",
    "wat's": "what's",
    "wot's": "what's",
}


def _slips_of(word: str) -> set[str]:
    """Two letters swapped, a letter doubled, or (in a word of five letters or more) one left out or
    one more typed ("lastest")."""
    swapped = {word[:i] + word[i + 1] + word[i] + word[i + 2 :] for i in range(len(word) - 1)}
    doubled = {word[: i + 1] + word[i:] for i in range(len(word))}
    dropped = {word[:i] + word[i + 1 :] for i in range(len(word))} if len(word) >= 5 else set()
    added = (
        {word[:i] + letter + word[i:] for i in range(1, len(word)) for letter in string.ascii_lowercase}
        if len(word) >= 5
        else set()
    )
    return (swapped | doubled | dropped | added) - {word}


@functools.cache
def _request_slips() -> dict[str, str]:
    """The words requests are made of, typed with a slip: "whats nwe" and "latets" were asked as
    questions and declined. Not a slip that is an English word itself ("hats", "alert"). Built at the
    first message, not at import: the English dictionary takes a sixth of a second to read."""
    return {
        slip: word
        for word in (
            *("what", "whats", "new", "news", "latest", "help", "subscribe", "subscribed", "unsubscribe"),
            *("alerts", "the", "about"),  # "whats teh latest", "news abuot fireworks"
        )
        for slip in _slips_of(word)
        if not english.frequency(slip)
    }


def normalise(text: str) -> str:
    """Lower case, straight apostrophes, and no punctuation or emoji: "Thanks!! 🙏" -> "thanks"."""
    text = unicodedata.normalize("NFKC", text).casefold().replace("’", "'").replace("‘", "'")
    text = re.sub(r"[^\w\s'£$€%-]+", " ", text)  # punctuation, emoji; keep words, amounts, apostrophes
    text = re.sub(r"(?<!\w)'|'(?!\w)", " ", text)  # quotes around words, not inside them
    slips = _request_slips()
    return " ".join(_WHAT_SLIPS.get(word) or slips.get(word, word) for word in text.split())


def _small_talk(text: str) -> tuple[set[str], str]:
    """The small-talk kinds at the start of `text` ("filler" among them), and what follows them."""
    kinds: set[str] = set()
    rest = text
    while rest:
        match = _PHRASE.match(rest)
        if match is None or match.lastgroup is None:
            break
        kinds.add(_kind_of(match.lastgroup))
        rest = rest[match.end() :].lstrip()
    return kinds, rest


def _kind_of(group: str) -> str:
    return _SMALL_TALK[int(group[1:])][0]


# Someone saying what they are following, then asking what is new: "hi, i'm a journalist looking into
# flooding. what's the latest?" was asked as one question, and a graduate scheme in flood risk was
# offered as the closest passage. It is the news about that topic.
_FOLLOWING = re.compile(
    r"\b(?:looking into|researching|reporting on|writing (?:a piece |a story |an article )?(?:about|on)"
    r"|interested in|working on (?:a story |a piece )?(?:about|on)|following|covering)"
    r" (?:the )?(?P<topic>[^.,;!?]+?)(?:\s*[.,;!?]+|\s+[-–]+)\s*(?P<last>[^.;!?]+[.;!?]*)$"
)


def classify(text: str) -> Intent:
    """The intent of one message (not a /command)."""
    path = page_path(text)  # a pasted GOV.UK link: rest is its path
    if path is not None:
        return Intent("page", path)
    following = _FOLLOWING.search(text.strip().casefold())
    if following is not None and classify(following.group("last")) == Intent("latest"):
        return Intent("news", following.group("topic").strip())
    plain = normalise(text)
    if not plain:  # no words: "?", "👍", "👋"
        wordless = _WORDLESS.get(text.strip()[:1])
        return Intent(wordless) if wordless else Intent("question", text.strip())
    kinds, rest = _small_talk(plain)
    if not rest and any(k in kinds for k in _PRIORITY):
        return Intent(next(k for k in _PRIORITY if k in kinds))
    if _HELP.match(rest):
        return Intent("help")
    if _MORE.match(rest):
        return Intent("more")
    if _WRONG.match(rest):
        return Intent("wrong")
    if (correction := _CORRECTION.match(rest)) is not None:
        return Intent("correction", correction.group("rest") or correction.group("was"))
    if (starred := _STARRED.match(text.strip())) is not None and len(starred.group("rest").split()) <= 4:
        return Intent("correction", starred.group("rest").strip())
    # "can you give me the link", "do you know when it was published": asked politely, the same asks.
    asked = _POLITE.sub("", rest)
    about = next((detail for detail, pattern in _ABOUT if pattern.match(asked)), None)
    if about is not None:
        return Intent("about", about)
    if (read := _READ.match(asked)) is not None:
        number = read.group("n") or str(_ORDINALS[read.group("ord")])
        return Intent("number" if asked in (read.group("n"), read.group("ord")) else "read", number)
    if (item := _ASKED_ITEM.match(asked)) is not None:
        # Read only if a list is shown (bot/commands.py), as a number typed alone is.
        return Intent("number", item.group("n") or str(_ORDINALS[item.group("ord")]))
    if (described := _DESCRIBE.match(asked)) is not None:
        topic = described.group("topic") or described.group("about") or described.group("story")
        topic = topic or described.group("summed")
        return Intent("describe", topic, described.group("document") or described.group("its") or "")
    if _SUBSCRIBE_BARE.match(rest):
        return Intent("subscribe", "")
    if (subscribe := _SUBSCRIBE.match(rest)) is not None:
        return Intent("subscribe", ("daily " if subscribe.group("daily") else "") + subscribe.group("topic"))
    if (search := _SEARCH.match(rest)) is not None:
        return Intent("search", search.group("words"))
    if _SUBSCRIPTIONS.match(rest):
        return Intent("subscriptions")
    if (unsubscribe := _UNSUBSCRIBE.match(rest)) is not None:
        topic = unsubscribe.group("topic") or unsubscribe.group("named") or ""
        topic = re.sub(r"^(?:the|my|those|these) | (?:alerts?|updates|notifications)$", "", topic)
        return Intent("unsubscribe", topic)
    news = _NEWS.match(rest)
    if news is not None:
        return Intent("news", news.group("topic").strip())
    latest = _LATEST.match(rest)
    if latest is not None:
        # "give me 10 latest": the number goes first, as /latest 10 takes it.
        return Intent("latest", " ".join(filter(None, (latest.group("n"), rest[latest.end() :].strip()))))
    # A pleasantry before a question is not part of it: keep the question as typed, less the greeting.
    if any(k in kinds for k in _PRIORITY):
        return Intent("question", _drop_words(text, len(plain.split()) - len(rest.split())))
    return Intent("question", text.strip())


def _drop_words(text: str, n: int) -> str:
    """`text` without its first `n` words (as normalise counts them), punctuation after them too."""
    pattern = r"^\W*" + r"".join(r"[\w'’£$€%-]+[^\w£$€]*" for _ in range(n))
    return re.sub(pattern, "", text.strip(), count=1).strip() or text.strip()


# -- is it English? ------------------------------------------------------------------------------

_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")


def english_share(text: str, known: Callable[[Sequence[str]], Sequence[bool]]) -> tuple[float, float]:
    """(share of words that are English stop-words, share that are stop-words or words the corpus
    uses). `known` says, for each word, whether the index has it."""
    found = [w.replace("’", "'") for w in _WORD.findall(text.casefold())]
    if not found:
        return 1.0, 1.0
    stop = [w in STOP_WORDS for w in found]
    in_corpus = known(found)
    either = sum(s or k for s, k in zip(stop, in_corpus, strict=True))
    return sum(stop) / len(found), either / len(found)


MIN_WORDS_TO_JUDGE = 3


def looks_english(text: str, known: Callable[[Sequence[str]], Sequence[bool]]) -> bool:
    """Cheap: an English question of three or more words has function words ("the", "how", "did")
    or words the corpus uses. "Faint yw pris y drwydded?" and "Combien coûte le permis de pêche ?"
    have neither; "recipe for chocolate cake" has "for". Too short to tell counts as English."""
    found = _WORD.findall(text.casefold())
    if len(found) < MIN_WORDS_TO_JUDGE:
        return True
    # "quelle est la date limite" has no English function word, but "date" and "limite" (read as
    # "limit") are corpus words: it passed, and was offered "Did you mean “fuelle est la date limite”?".
    if sum(w in _FOREIGN_FUNCTION_WORDS for w in found) >= max(2, len(found) / 2):
        return False
    stop, either = english_share(text, known)
    return stop >= 0.2 or either >= 0.5


# The commonest function words of the languages people in the UK write to GOV.UK in, other than
# English, leaving out any that is also a common English word ("die", "comment", "pour", "um").
_FOREIGN_FUNCTION_WORDS = frozenset(
    " ".join(
        (
            "le la les des du une et est quel quelle quels quelles que qui dans avec sont où combien",
            "pourquoi quand je vous nous il elle ce cette",  # French
            "el los las una es por qué cuál cuándo dónde cómo cuánto cuanto cuanta quién",  # Spanish
            "o os uma é são qual quando onde como quanto quem",  # Portuguese
            "gli della che sono quale perché",  # Italian
            "der das und ist wie wo wer wann warum welche nicht ich sie wir",  # German
            "yw y yr ydy pryd sut ble pwy gyda gyfer",  # Welsh
        )
    ).split()
)
