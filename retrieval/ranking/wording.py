"""What the way a question is typed costs: `python -m retrieval.ranking.wording [--split train|heldout]`.

Asks every question of every set as written, then wrapped as people type into a chat: with a greeting
or a request in front ("i was wondering", "can u tell me"), a sign-off, hedge or site name after, two
spaces or a line break between words, an emoji, in capitals, in quotes. None of these changes what is
asked, so each should answer exactly as the question as written does. Prints hit@1 of the answerable
questions, how many unanswerable ones were declined, and how many questions changed outcome. Decide
on the training halves; the held-out figure is for reporting.

The wrappings come in the order they were written, in groups: each group after the first three was
written before a change to the reader of chatty clauses (`wrapping.asked_part`), to see how
far it reaches past the wrappings it was built from; the comments say what each showed.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable

from retrieval.answer import answer_question
from retrieval.evaluate import MANIFEST, fresh_library, load_manifest, load_questions
from retrieval.ranking.model import load_weights


def _in_front(lead: str) -> tuple[str, Callable[[str], str]]:
    return f'"{lead}…"', lambda q: lead + q


def _after(tail: str, mark: bool = False) -> tuple[str, Callable[[str], str]]:
    """Typed after the question, in place of its question mark unless `mark`."""
    return f'"…{tail}"', lambda q: (q if mark else q.rstrip("?")) + tail


WRAPPINGS: dict[str, Callable[[str], str]] = dict(
    [
        ("as written", lambda q: q),
        ("in capitals", str.upper),
        _in_front("i was wondering "),
        _in_front("any idea "),
        _in_front("does anyone know "),
        _in_front("can u tell me "),
        _in_front("could you tell me "),
        _in_front("can someone explain "),
        _in_front("need to know "),
        _in_front("im curious, "),
        _in_front("Question: "),
        _in_front("yo "),
        _in_front("hey bot, "),
        _in_front("so "),
        _in_front("Dear Sir, "),
        _in_front("out of interest, "),
        _in_front("btw "),
        _after(" exactly??"),
        _after(" gov.uk"),
        ('"… thanks"', lambda q: q.rstrip("?") + "? thanks"),
        _after(" 🤔", mark=True),
        _after(" please help :) x", mark=True),
        ("in quotes", lambda q: f'"{q}"'),
        ("two spaces between words", lambda q: q.replace(" ", "  ")),
        ("a line break after the first word", lambda q: q.replace(" ", "\n", 1)),
        ("ending in a full stop", lambda q: q.rstrip("?") + "."),
        (
            "u for you, r for are",
            lambda q: " ".join({"you": "u", "are": "r"}.get(w, w) for w in q.split(" ")),
        ),
        # What the reader of chatty clauses was built from: each cost 4 to 50 points of hit@1 before it.
        _in_front("sorry to bother you but "),
        _in_front("i'd like to find out "),
        _after(" ?? pls help"),
        _in_front("wondering, "),
        _in_front("is it true "),
        _in_front("morning all, "),
        _after(" for a friend"),
        _in_front("can i ask "),
        _after(" if you know"),
        # Written before that reader, to see how far it reaches: 14 of these 24 then answered exactly as
        # written (2 before it). Phrases for the other ten followed, bar "i'm a student and": a persona
        # may be what is asked about.
        _in_front("excuse me, "),
        _in_front("hello, i have a question. "),
        _in_front("just a quick one - "),
        _in_front("hi there, hope you're well. "),
        _in_front("i'm trying to find out "),
        _in_front("could you possibly tell me "),
        _in_front("anyone know "),
        _after(" if possible"),
        ('"… many thanks"', lambda q: q.rstrip("?") + "? many thanks"),
        _after(" cheers in advance"),
        _after(" anyone?"),
        ('"… thx so much"', lambda q: q.rstrip("?") + "? thx so much"),
        _in_front("i'm a student and "),
        _in_front("what i want to know is "),
        _in_front("my question is "),
        _in_front("urgent: "),
        _in_front("random question but "),
        ('"… any help appreciated"', lambda q: q.rstrip("?") + "? any help appreciated"),
        _in_front("afternoon, "),
        _in_front("i wonder "),
        _in_front("ok so "),
        ('"… thanks a lot"', lambda q: q.rstrip("?") + "? thanks a lot"),
        _after(" thank u", mark=True),
        _in_front("i can't find it on gov.uk, "),
        # Written after the reader, before those phrases: 16 of these 26 answered exactly as written (11
        # before the reader). The reader's words and phrases were then widened from the other ten; "sorry
        # if this is a silly question but" still reads "if this is…" into a question that opens with no
        # wh- word ("… but are the changes going ahead").
        _in_front("hiya! "),
        _in_front("evening, "),
        _in_front("pardon me but "),
        _in_front("hey, quick question - "),
        _in_front("i hope this is the right place to ask. "),
        _in_front("so basically "),
        _in_front("do u know "),
        _in_front("i need to know "),
        _in_front("i'm confused, "),
        _in_front("just wondering "),
        _in_front("would you be able to tell me "),
        _in_front("please could you let me know "),
        _in_front("sorry if this is a silly question but "),
        _in_front("as a journalist i'd like to know "),
        _in_front("hi, i'm doing some research - "),
        ('"… thanks in advance!"', lambda q: q.rstrip("?") + "? thanks in advance!"),
        _after(" ty!!"),
        _after(", cheers"),
        _after(" - thanks for your help"),
        _after(" (if you know)"),
        _after(" i think"),
        _after(" lol", mark=True),
        _after(" pls and thank you"),
        ('"… any ideas?"', lambda q: q.rstrip("?") + "? any ideas?"),
        _in_front("question for you: "),
        _in_front("good day, "),
        # Written after those, before the round's last widening: 12 of these 24 answered exactly as
        # written (7 at the round's start); the reader was then widened from the other twelve.
        _in_front("i'm looking for "),
        _in_front("looking for info: "),
        _in_front("find out "),
        _in_front("cheers for the last answer. "),
        _in_front("ok another one: "),
        _in_front("next question: "),
        _in_front("one more thing - "),
        _in_front("also, "),
        _in_front("right, "),
        _in_front("hey there! "),
        _in_front("good morning bot, "),
        _in_front("hi, hope you can help. "),
        _in_front("sorry, "),
        _in_front("pls "),
        _after(" cheers mate"),
        _after(" thanks bot"),
        _after(" ??"),
        _after(" pls reply"),
        _after(" (asking for work)"),
        _after(" - ta very much"),
        _after(" x", mark=True),
        _after(". thank you so much for your help!"),
        _in_front("just curious - "),
        _in_front("hi again, "),
        # Written after the third widening: 16 of these 24 changed no outcome on either half (7 at the
        # round's start). The reader was then widened from the other eight.
        _in_front("hello there, "),
        _in_front("quick query: "),
        _in_front("can you help? "),
        _in_front("i've been trying to find this out. "),
        _in_front("this might be a dumb question but "),
        _in_front("sorry to ask but "),
        _in_front("thanks in advance. "),
        _in_front("help needed: "),
        _in_front("hi team, "),
        _in_front("cheers. "),
        _in_front("ok, "),
        _in_front("yes, "),
        _in_front("hey! so "),
        _in_front("i heard something about this. "),
        _after(" thank you!"),
        _after(" would be grateful for an answer"),
        _after(" many thanks in advance"),
        _after("? ta"),
        _after(" cheers!!"),
        _after(" - anyone know?"),
        _after(" thanks :)"),
        _after(" please and thanks"),
        _after(" - thanks again"),
        _in_front("question re gov announcements - "),
        # Written after the round's last widening and never read for it: 13 of these 24 change no
        # outcome on either half (4 at the round's start). The next round's unforeseen set is the one
        # to believe.
        _in_front("hello hello, "),
        _in_front("hi, sorry, "),
        _in_front("morning! "),
        _in_front("okay so, "),
        _in_front("so i was reading the news and "),
        _in_front("quick one for you: "),
        _in_front("probably a silly q but "),
        _in_front("sorry for bothering you, "),
        _in_front("need help with something - "),
        _in_front("got a question for you. "),
        _in_front("i was told to ask here: "),
        _in_front("apologies if this is obvious, "),
        _in_front("can i just check "),
        _after(" cheers in advance mate"),
        _after("? thanks so much"),
        _after(" please!!"),
        _after(" - need this for work"),
        _after(" ty in advance"),
        _after(" (sorry if obvious)"),
        _after(" anyone??"),
        _after(" much appreciated"),
        _after(" thanks folks"),
        _after(" ... thanks"),
        _in_front("hiya, hope ur ok. "),
        # Written at the next round's start, before its step of the reader: 14 of these 24 changed no
        # outcome on either half. The step read the other ten and the last set's eleven misses (new
        # chat words, "but" ending a clause, the last asking word after chat); then 22 of these 24.
        _in_front("hi, can you help me? "),
        _in_front("excuse me bot, "),
        _in_front("i've got a question - "),
        _in_front("ok here's one: "),
        _in_front("right so "),
        _in_front("this is probably obvious but "),
        _in_front("hopefully a simple one: "),
        _in_front("sorry to be a pain but "),
        _in_front("need some info: "),
        _in_front("just checking - "),
        _in_front("i'd love to know "),
        _in_front("wondering if you could tell me "),
        _in_front("i'm after some info - "),
        _in_front("hello again! "),
        _after(" thanks very much"),
        _after(" cheers for any help"),
        _after(" ta"),
        _after(" please help"),
        _after(" - many thanks!"),
        _after(" if anyone knows"),
        _after(" thx in advance"),
        _after(" (urgent)"),
        _after(" asap"),
        _after(" 🙏", mark=True),
        # Written after that step and never read for it: 7 of these 24 change no outcome, before the
        # step and after it alike (mean hit@1 0.561 training, 0.488 held-out, both times). Each new
        # set brings words no list holds ("lost", "tiny", "curiosity", "muchly", a name signed after
        # the thanks): the vocabulary does not carry. Its sign-offs shaped a rule of shape, not of
        # words: a word of thanks among the last three ends the question. A rule for a clause in
        # front where the asker speaks ("i'm a bit lost, how…") was tried and dropped: "i live near
        # horses, what should i do…" names the topic in such a clause.
        _in_front("hey hope you're having a good day, "),
        _in_front("evening all - "),
        _in_front("i need a hand: "),
        _in_front("could i ask "),
        _in_front("i'm a bit lost, "),
        _in_front("tiny question: "),
        _in_front("for my own curiosity, "),
        _in_front("just want to double check "),
        _in_front("hi, first time using this. "),
        _in_front("i'm not sure who to ask but "),
        _in_front("my mum asked me "),
        _in_front("im trying to understand "),
        _in_front("appreciate any help - "),
        _in_front("hey folks, "),
        _after(" thank youuu"),
        _after(" - appreciate it"),
        _after(" please advise"),
        _after(" (just curious)"),
        _after(" cheers in advance!"),
        _after(" ta muchly"),
        _after(" many thanks, jo"),
        _after(" if that makes sense"),
        _after(" thanks for reading"),
        _after(" :)", mark=True),
        # Written before the thanks rule and never read for it: 9 of these 24 changed no outcome
        # before it, 12 after (mean hit@1 0.616 → 0.646 training, 0.526 → 0.547 held-out).
        _in_front("hi hi, "),
        _in_front("not sure if you can help but "),
        _in_front("i'm new here - "),
        _in_front("bit of a random one: "),
        _in_front("sorry, me again. "),
        _in_front("i've been looking everywhere, "),
        _in_front("ok i give up, "),
        _in_front("could you clarify "),
        _in_front("good evening bot! "),
        _in_front("i'd be grateful if you could tell me "),
        _in_front("me again - "),
        _in_front("i have no idea where to look, "),
        _in_front("hey, hoping you can help: "),
        _in_front("just a quick question - "),
        _after(" thanks heaps"),
        _after(" thank you kindly"),
        _after(" (not urgent)"),
        _after(" - cheers, sam"),
        _after(" x x", mark=True),
        _after(" thanks a million"),
        _after("? any pointers?"),
        _after(" many thanks in advance, dave"),
        _after(" would really appreciate it"),
        _after(" :D", mark=True),
        # Written after the reading of a later question (answer.answer_question asks the question
        # after words in front of it too), before it was measured on them: the ten in front went from
        # mean hit@1 0.537 to 0.724 with it on the training halves, 0.495 to 0.645 on the held-out
        # ones (as written: 0.777, 0.686). The five after, unmoved by it (0.641), shaped the next
        # step, a short clause after the question read off too (0.771; held-out 0.580 → 0.684).
        _in_front("long time listener, first time caller - "),
        _in_front("hoping someone here knows, "),
        _in_front("this might be a daft one but "),
        _in_front("i keep getting told different things. "),
        _in_front("for a uni essay: "),
        _in_front("settle an argument for me: "),
        _in_front("not a native speaker, sorry. "),
        _in_front("i read something about this earlier, "),
        _in_front("question from a worried parent: "),
        _in_front("work asked me to find out "),
        _after(" - asking for my nan"),
        _after(", no rush"),
        _after(" (sorry if obvious)"),
        _after(" tia!"),
        _after(" - thanks in advance for any info"),
    ]
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", default="train", choices=["train", "heldout"])
    args = parser.parse_args()
    weights = load_weights()
    # per wrapping: answerable, answered right, unanswerable, declined, outcome changed
    rows = {name: [0, 0, 0, 0, 0] for name in WRAPPINGS}
    for qs in load_manifest(MANIFEST):
        with fresh_library(qs.corpus) as library:
            for item in load_questions(qs.questions, args.split):
                written: bool | None = None
                for name, wrap in WRAPPINGS.items():
                    question = wrap(item["q"])
                    answer = answer_question(library.index, library.store, question, 5, weights)
                    row = rows[name]
                    if item.get("unanswerable"):
                        right = answer.outcome != "answer"
                        row[2] += 1
                        row[3] += int(right)
                    else:
                        right = (
                            answer.outcome == "answer"
                            and bool(answer.results)
                            and item["expect"] in answer.results[0].passage
                        )
                        row[0] += 1
                        row[1] += int(right)
                    written = right if written is None else written
                    row[4] += int(right != written)
    print(f"| question ({args.split} halves, all sets) | hit@1 | unanswerable declined | changed |")
    print("|---|---|---|---|")
    for name, (answerable, hits, unanswerable, declined, changed) in rows.items():
        print(f"| {name} | {hits / max(answerable, 1):.3f} | {declined}/{unanswerable} | {changed} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
