"""What a question is wrapped in when it is typed into a chat, and the question without it.

People type a greeting, a request, chat or thanks around what they ask ("sorry to bother you but
how much…", "…? any help appreciated"), with emoji, extra spaces, hedges and text speak. Read as
words of the question, each counted as a topic word the answer lacks. `tidy` evens out how the
question is typed; `asked_part` drops what is around it; `questions_alone` reads the question without
words around it that no list foresaw, for answer.py to ask as well. How much each wrapping still
costs: `python -m retrieval.ranking.wording`.
"""

from __future__ import annotations

import re

from retrieval.search.tokenize import STOP_WORDS, words

# A greeting or a polite request in front of the question ("hi, how much is…", "can you tell me when
# …") is neither a topic nor where the asking starts: read, it made "hi" a missing topic word and
# pushed "how much" past the words where a question says what it asks for.
_ASKER = (
    r"(?:(?:can|could|would|will) (?:you|u|someone|anyone|somebody) (?:please |pls |plz |possibly |kindly )?"
    r"(?:be able to )?"
    r"|please |pls )"
)
_PREAMBLE = re.compile(
    r"^(?:(?:(?:hi|hello|hey|hiya|heya|howdy|yo|oi)(?: there| bot| mate| all| guys| folks| again)?"
    r"|good (?:morning|afternoon|evening|day)|ok|okay|um|umm|erm|hmm|please|pls|plz"
    # "so", "and", "also", "right", "well" only before a comma or an asking word: "right to buy",
    # "well being"
    r"|(?:right|ok|okay|well) so\b"
    r"|(?:so|and|also|right|well)(?=\s*,|\s+(?:(?:so|and|also|right|well|ok|okay)\s+)*(?:how|what|whats|when"
    r"|where|who|which|why|is|are|can|do|does|did|will|was|were|has|have|should)\b)"
    r"|help (?:me )?(?:pls|please|plz)|(?:a )?quick (?:question|q)"
    r"|(?:question|q)(?=\s*[:-])|(?:i have|i've got|ive got|i got) a (?:quick )?question(?=\s*[:,.!-])"
    r"|btw|fyi|(?:i'd|id|i would) love to know|(?:please )?(?:can|could) (?:you|u) (?:find out|check|look up)"
    r"|dear (?:sir or madam|sir/madam|sir|madam|all|team)|out of (?:interest|curiosity)|quick one"
    r"|(?:(?:can|could) (?:you|u|someone|anyone) )?help(?: me)?(?: please| pls)?(?=\s*[,:!.?-])"
    r"|i need (?:some )?help(?=\s*[,:!.?-])"
    # "is it true that …" asks whether the rest is so: the rest is what to look up.
    r"|is it (?:true|right|correct)(?: that)?(?=\s+\w)"
    r"|(?:can|could|may) i (?:just )?(?:ask|check)(?: you)?(?: a question)?(?=\s+\w)"
    r"|(?:my|the|one) question (?:is|was)(?=[\s,:;-]+\w)"
    # Who is asking is not what about: "as a journalist i'd like to know…" (a student or a parent may
    # be what a question is about: those stay).
    r"|(?:as an?|i'm an?|im an?|i am an?) (?:journalist|reporter|researcher|civil servant|academic)\b"
    r"(?:\s*(?:,|and\b|so\b|-))?[\s,:;-]*(?=\w)"
    r"|(?:i'm|im|i am) (?:doing|writing) (?:some research|an article|a story|a piece)(?=\s*[,:;.!-])"
    r"|(?:pardon|excuse) me\b(?:,? but)?[\s,:;.!-]*(?=\w)"
    r"|(?:i'm |im |i am )?(?:looking|searching) for(?: (?:some )?info(?:rmation)?(?: on| about)?)?\b"
    r"[\s,:;-]*(?=\w)"
    r"|(?:i )?hope (?:this is|i'm in|im in|i am in) the right place(?: to ask)?(?=\s*[,:;.!-])"
    r"|what (?:i|we) (?:want|need|would like|'d like|d like|wanna) to (?:know|find out|ask) is(?=[\s,:;-]+\w)"
    r"|i (?:can't|cant|cannot|can not|couldn't|couldnt) find (?:it|this|that|anything|the answer)"
    r"(?: (?:on|in) gov\.?uk| anywhere| online)?(?=\s*[,:;.!-])"
    r")\b[\s,!?.:;-]*"
    # "tell me about …" looks an announcement up; "tell me the closing date…" asks.
    rf"|(?:if (?:you|u) (?:could|can|would|will) (?:please |possibly |kindly )?|{_ASKER})?"
    r"(?:tell|show|let) me (?:know )?(?!about\b)(?=\w)"
    rf"|{_ASKER}?explain (?:to me )?(?=\w)"
    r"|(?:i )?(?:want|wanna|would like|need|d like|'d like|have|gotta|got) to know\b[\s,:;-]*(?=\w)"
    r"|(?:i )?(?:wanna|gotta) know\b[\s,:;-]*(?=\w)"
    # Asking whether the bot knows is asking the question: "do you know are wages back…", "i was
    # wondering if…" ("if" stays: it makes the rest a question), "any idea how old…". Read as topic
    # words the corpus lacks, "wondering" and "idea" counted against every passage.
    r"|(?:do|does) (?:you|u|anyone|anybody) (?:happen to )?know\b[\s,:;-]*(?=\w)"
    r"|(?:i was|i am|i'm|im|just) (?:wondering|curious)\b[\s,:;-]*(?=\w)|i wonder(?:ed)?\b[\s,:;-]*(?=\w)"
    r"|any (?:idea|ideas|clue)\b[\s,?:;-]*(?=\w))+",
    re.IGNORECASE,
)


# And a sign-off after it ("… pls", "…? thanks", "… thank you mate").
_SIGN_OFF = re.compile(
    r"(?:[\s,.!?:;()-]+(?:please|pls|plz|thanks|thank you|thankyou|thx|ty|ta|tia|cheers|mate|lol|asap"
    r"|thanks in advance|please help|help please|help pls|(?:on |from )?gov\.?uk"
    r"|if (?:at all )?possible|if poss|(?:asking )?for a (?:friend|mate)|i (?:think|guess|believe|reckon)"
    r"|if (?:you|u|anyone|anybody|someone) (?:knows?|can say)"
    # "… anyone?" asks the room, as a question's last word
    r"|(?:anyone|anybody)(?=\s*\?\s*$)"
    # why someone asks is not what about: "… (asking for work)"
    r"|(?:(?:just )?asking for|(?:i )?need (?:this|it|to know) for)"
    r" (?:work|my work|my job|a story|an article|research|uni|school|a project)"
    r"|(?:i ?)?(?:would|'d|d) be (?:very |really |so )?grateful"
    r"(?: for (?:an|any|your) (?:answer|reply|help))?)\b)+"
    r"[\s,.!?:;()-]*$",
    re.IGNORECASE,
)


# Words that, in a clause before the question or after it, only chat: "sorry to bother you but …",
# "morning all, …", "… ? any help appreciated". The phrases above foresee some wrappings; these read
# any clause made only of them and function words, so that one no list foresaw ("random question
# but …") is not read as topic words the answer lacks. "help", "question", "urgent" and "find" are
# topics too ("help to buy", "urgent question"): a clause is chat only if all its words are.
_CHATTER = frozenset(
    """
    sorry apologies apologise apologize bother bothering disturb excuse hello hi hey hiya heya howdy yo
    morning afternoon evening good thanks thank thankyou thx ty ta tia cheers appreciated appreciate
    advance wondering wonder wondered curious quick random question questions query q hope hoping
    possibly kindly please pls plz anyone anybody someone somebody know knows idea ideas clue ask
    asking mate guys folks everyone everybody bot lol asap urgent trying try find like love wanted want
    wanna gotta interest interested btw fyi ok okay um umm erm hmm dear sir madam team help confused
    sure friend possible lot pardon silly stupid dumb daft basic another next thing answer answers reply
    info information looking yes yeah yep needed heard obvious probably hopefully simple easy pain need
    checking check told reading news here's heres
    """.split()  # noqa: SIM905 - a word list, easier to read as text
)
# The words a sign-off is made of (after the question, "… trying to find out?" is what a
# consultation asks: "trying" and "find" are chat only in front).
_SIGNING_OFF = frozenset(
    """
    thanks thank thankyou thx ty ta tia cheers appreciated appreciate advance please pls plz kindly
    anyone anybody someone somebody asap lol mate guys folks help friend know possible lot x xx idea
    ideas clue bot reply respond answer urgent sorry obvious
    """.split()  # noqa: SIM905 - a word list, easier to read as text
)
# Of those, the ones that are never a topic: a sign-off with no mark before it starts at one.
_THANKS = frozenset(
    "thanks thank thankyou thx ty ta tia cheers appreciated please pls plz kindly asap lol x xx".split()  # noqa: SIM905
)
# Words a chatty clause may hold besides chat: function words, and the ones typed without an
# apostrophe ("im", "youre") or that only pad ("just a quick one").
_PADDING = STOP_WORDS | frozenset(
    """
    im ive id youre u ur r just one also well may might will gonna ill its there here all last re
    regarding gov govt announcement announcements something anything got
    """.split()  # noqa: SIM905 - a word list, easier to read as text
)
# Where a question starts after a clause in front of it: its first asking word.
_STARTS_ASKING = frozenset(
    """
    how what whats when where who whose which why is are was were do does did can could will would
    should has have if whether
    """.split()  # noqa: SIM905 - a word list, easier to read as text
)
_WH = frozenset(["how", "what", "whats", "when", "where", "who", "whose", "which", "why"])
_GLUE = re.compile(r"^(?:\s*\b(?:you|u|me|us|but|and|so|then|out|to|i|please|pls)\b)*", re.I)
_LEAD_MAX = 8  # words: a longer clause in front is more than a greeting
_TOKENS = re.compile(r"[^\W_]+(?:['’][^\W_]+)?|[()\[\]]|[,:;.!?–—-](?=\s|$)")
_MARKED = " ,:;.!?()[]–—-"


def _topical(text: str) -> bool:
    return any(w not in _CHATTER and w not in _PADDING for w in words(text))


def _without_chatty_lead(text: str) -> str:
    """`text` without a clause in front made only of chat and function words: ended by a mark
    ("morning all, how much…"), by a wh- word ("sorry if this is a silly question but how much…"),
    by the first other asking word after chat if a topic word follows ("anyone know can anyone play
    spot the tower") or, if it holds two chat words or more, by the first topic word ("i'd like to
    find out hitachi consultation dates"). What is left starts after the last chat word and the
    pronouns and conjunctions after it: "sorry to bother you but above what salary…" keeps "above"."""
    chat = 0
    after_chat = at_asking = -1
    for n, token in enumerate(_TOKENS.finditer(text)):
        word = token.group(0).casefold().replace("’", "'")
        if not word[0].isalnum() or (word == "but" and chat):
            # A mark ends a clause of chat, and so does "but": "sorry if this is a silly question but
            # colley date of death" asks from "colley", with no asking word to start it.
            if chat:
                after_chat = token.end()
                break
            continue
        if word in _STARTS_ASKING:
            if n == 0:
                return text  # the question starts here: "what interest does the bond pay"
            if chat and word in _WH:
                break
            if chat:
                # The last one after chat: "sorry if this is a silly question but are the changes…"
                # asks from "are", not from "if".
                at_asking = after_chat
        elif word in _CHATTER:
            chat += 1
            after_chat = token.end()
            if n >= _LEAD_MAX and at_asking < 0:
                return text  # past an asking word, a chat word is the question's ("do i need…")
        elif word not in _PADDING:
            if at_asking >= 0:
                after_chat = at_asking
            elif chat < 2:
                return text
            break
    else:
        return text
    rest = _GLUE.sub("", text[after_chat:]).lstrip(_MARKED)
    return rest if _topical(rest) else text


def _without_chatty_tail(text: str) -> str:
    """`text` without a sign-off made only of chat and function words: after a mark ("…? many
    thanks"), or from a word of thanks on ("… cheers in advance", "… thanks bot")."""
    tokens = list(_TOKENS.finditer(text))
    start = len(tokens)
    marked = signed = False
    while start > 0:
        word = tokens[start - 1].group(0).casefold().replace("’", "'")
        if not word[0].isalnum():
            if signed:
                marked = True  # the sign-off is what follows the question's last mark
                break
        elif word in _SIGNING_OFF:
            signed = True
        elif word not in _PADDING:
            break
        start -= 1
    tail = [t for t in tokens[start:] if t.group(0)[0].isalnum()]
    chat = [t for t in tail if t.group(0).casefold() in _SIGNING_OFF]
    if not chat:
        return text
    if marked:
        cut = tail[0].start()
    elif thanks := [t for t in chat if t.group(0).casefold() in _THANKS]:
        # From the first thanks: "help" and "answer" before it may be what is asked ("asked for help
        # thanks", "who does the panel answer to for a friend").
        cut = thanks[0].start()
    else:
        return text
    rest = text[:cut].rstrip(_MARKED)  # as a listed sign-off takes its mark: "…? thanks"
    return rest if _topical(rest) else text


_SHORT_TAIL = 3  # words: a word of thanks this near the end starts a sign-off, whatever follows
_BEFORE_THANKS = _SIGNING_OFF | {"many", "so", "very"}  # "… many thanks", "… thank you so much"


def _without_thanks_tail(text: str) -> str:
    """`text` without a word of thanks among its last few words and what follows it ("… ta muchly",
    "… thank youuu", "… many thanks, jo", "… please advise"), and the sign-off words just before it."""
    tokens = [t for t in _TOKENS.finditer(text) if t.group(0)[0].isalnum()]
    for k in range(max(len(tokens) - _SHORT_TAIL, 1), len(tokens)):
        if tokens[k].group(0).casefold() in _THANKS:
            while k > 1 and tokens[k - 1].group(0).casefold() in _BEFORE_THANKS:
                k -= 1
            rest = text[: tokens[k].start()].rstrip(_MARKED)
            return rest if _topical(rest) else text
    return text


def asked_part(question: str) -> str:
    """The question without a greeting or polite request in front or a sign-off after it; the
    question itself if that is all it is."""
    rest = question.strip()
    while True:
        shorter = _without_chatty_lead(_PREAMBLE.sub("", rest, count=1))
        if shorter == rest:
            break
        rest = shorter
    while True:
        shorter = _without_thanks_tail(_SIGN_OFF.sub("", _without_chatty_tail(rest), count=1))
        if shorter == rest or (_topical(rest) and not _topical(shorter)):
            break  # "what do i think" is all question
        rest = shorter
    return rest if words(rest) else question


# What a typed message holds besides its words: emoji and other pictographs, a run of question or
# exclamation marks, and the spaces or line breaks between words, however many.
_PICTOGRAPHS = re.compile(r"[\u2600-\u27bf\U0001f000-\U0001faff\ufe0f\u200d]+")
_MARKS = re.compile(r"([?!.])[?!.]+")
# Smileys and the kisses a British message may end with ("… ta x").
_SMILEYS = re.compile(r"(?<!\w)[:;]-?[()dp](?!\w)|\s+x+\s*$", re.I)
# Hedges say how sure or how precise, never what about: "when did starmer speak to trudeau exactly?"
# Weighed as a quarter of a topic word they still drew a right answer's confidence below the line.
_HEDGES = re.compile(
    r"\b(?:exactly|actually|really|basically|precisely|roughly|approximately|honestly|literally)\b", re.I
)
# "What's going on with the cqc" asks what is happening with it: "going" and "on", read as words of
# the question, matched a passage's "in regulation going forwards".
_GOING_ON = re.compile(r"\b(what(?:'s|’s|s| is| was)) going on\b", re.I)
# Text speak for the words the phrases read from a question are made of ("the most u can get").
_TEXT_SPEAK_WORDS = {"u": "you", "r": "are", "ur": "your", "b4": "before"}
_TEXT_SPEAK = re.compile(r"(?<![\w&'.])(?:u|r|ur|b4)(?![\w&'.])", re.I)
# A year range typed without its slash or dash ("in 201112", "201718 allocations"): GOV.UK writes
# 2011-12 or 2011/12, two terms, and "201112" was a number no passage holds.
_YEAR_RANGE = re.compile(r"\b((?:19|20)\d\d)(\d\d)\b")


def tidy(question: str) -> str:
    """The question as its words and marks, one space apart, without hedges or quotes around it: two
    spaces or a line break typed in a question made the phrases read from it ("how much", "phone
    number") miss; a trailing emoji, "??" or closing quote hid a question's last words from those
    read at its end."""
    question = _MARKS.sub(r"\1", _SMILEYS.sub(" ", _PICTOGRAPHS.sub(" ", question)))
    question = _HEDGES.sub(" ", _YEAR_RANGE.sub(_year_range, question))
    question = _TEXT_SPEAK.sub(lambda m: _TEXT_SPEAK_WORDS[m.group(0).casefold()], question)
    question = _GOING_ON.sub(r"\1 happening", question)
    return " ".join(question.split()).strip('"“”')


def _year_range(match: re.Match[str]) -> str:
    first, second = match.group(1), match.group(2)
    return f"{first}-{second}" if int(second) == (int(first) + 1) % 100 else match.group(0)


# A wh- word that starts a question after words in front of it: "tiny question: how much…", "i have
# no idea where to look, how much…", "my mum asked me who runs…". Whether those words are a topic
# ("fireworks, when can i buy them") or chat no list foresaw is for the corpus to say (answer.py
# asks both readings); this only finds where the question would start.
_LATER_QUESTION = re.compile(
    r"(?:[,:;.!?–—-]\s+|\s)(?=(?:how|what|whats|what's|when|where|who|whose|which|why)\b\s+\S+\s+\S)",
    re.IGNORECASE,
)
_LEAD_AT_LEAST = 2  # words in front: one is a question's own ("so what…", "and when…")


# A question mark with words after it: "how cheap is abuse being ordered online? saw a figure in the
# home office piece", "whats the end goal on low pay? hammond mentioned it".
_ASKED_THEN_MORE = re.compile(r"^(.*?\?)\s+\S.*$", re.DOTALL)
# A short clause after the question, set off by a comma, a dash or brackets: "…, no rush", "… - asking
# for my nan", "… (for a school project)".
_AFTER_CLAUSE = re.compile(r"^(.*?\w)\s*(?:,|\s[-–—]|\()\s*[^,?!()–—]*\)?\s*$", re.DOTALL)
_TAIL_AT_MOST = 6  # words: a longer clause after the question is more than a sign-off


def questions_alone(question: str) -> list[str]:
    """The question without words around it that a reader of chat may not know to drop, as many ways
    as it may be read: from the first wh- word after two or more words in front of it ("tiny
    question: how much…"); up to its question mark when more follows it ("…online? saw a figure in
    the home office piece"); without a short clause after it ("…, no rush"). Not from a wh- word
    inside a question that starts by asking: "who was home secretary when they funded…" asks who."""
    text = asked_part(tidy(question))
    found: list[str] = []
    first = words(text)[:1]
    if not (first and first[0] in _STARTS_ASKING):
        for match in _LATER_QUESTION.finditer(text):
            if len(words(text[: match.start()])) >= _LEAD_AT_LEAST:
                found.append(text[match.end() :])
                break
    asked = _ASKED_THEN_MORE.match(text)
    if asked is not None and len(words(asked.group(1))) >= _LEAD_AT_LEAST:
        found.append(asked.group(1))
    elif (head := _AFTER_CLAUSE.match(text)) is not None:
        tail = words(text[len(head.group(1)) :])
        if 0 < len(tail) <= _TAIL_AT_MOST and len(words(head.group(1))) >= _TAIL_AT_MOST // 2:
            found.append(head.group(1))
    return found
