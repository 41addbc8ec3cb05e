"""`python -m bot SUBCOMMAND`: ingest, ask, search, latest, eval, sync, migrate, chat, run, set-webhook."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from sqlalchemy.exc import OperationalError

from retrieval.library import Library


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bot", description="Answers questions about GOV.UK announcements."
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log what happens")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("ingest", help="read announcement files or folders into the store")
    p.add_argument("paths", nargs="+", type=Path)
    p.add_argument("--no-progress", action="store_true", help="never show a progress bar")

    p = sub.add_parser("ask", help="answer a question with the passage that answers it")
    p.add_argument("question")
    p.add_argument("--top-k", type=_positive, default=5, help="how many announcements to list (default 5)")
    p.add_argument("--json", action="store_true", help="print one JSON object")

    p = sub.add_parser("search", help="ranked passages for some words, one per announcement, never declined")
    p.add_argument("words")
    p.add_argument("--top-k", type=_positive, default=10, help="how many results (default 10)")
    p.add_argument("--json", action="store_true", help='print one JSON object {"results": [...]}')

    p = sub.add_parser("latest", help="list the newest announcements")
    p.add_argument("-n", type=_positive, default=10, help="how many (default 10)")
    p.add_argument("--json", action="store_true", help="print a JSON array")

    p = sub.add_parser(
        "eval",
        help="score answers against question sets: all of tests/data/questions on fresh stores, "
        "or FILE against --corpus (a fresh store) or the configured store",
    )
    p.add_argument("file", type=Path, nargs="?")
    p.add_argument("--corpus", type=Path, nargs="+", help="ask FILE of a fresh store holding only these")
    p.add_argument("--split", choices=["train", "heldout", "all"], default=None, help="default: both halves")
    p.add_argument("--misses", action="store_true", help="list the questions it got wrong")

    p = sub.add_parser("sync", help="fetch new announcements from GOV.UK")
    p.add_argument("--since", help="backfill from this date (YYYY-MM-DD) instead of the last sync")
    p.add_argument("--max-items", type=_positive, default=None, help="stop after this many items")

    sub.add_parser(
        "migrate", help="bring the store's tables to the current schema (every other command does it first)"
    )
    sub.add_parser("chat", help="ask questions in the terminal, answered as the bot would")
    sub.add_parser("run", help="run the Telegram bot (or the terminal chat when no token is set)")
    sub.add_parser(
        "set-webhook", help="register WEBHOOK_URL (and WEBHOOK_SECRET) with Telegram, once for all workers"
    )
    p = sub.add_parser("delete-webhook", help="stop Telegram posting updates to the webhook")
    p.add_argument("--drop-pending", action="store_true", help="also drop the updates Telegram holds")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    try:
        return _main(argv)
    except OSError as exc:
        # A full disk, INDEX_DIR naming a file, a folder the process may not write: one clear line,
        # not a traceback. (Nothing half-written is kept: stores commit per file, index generations
        # switch only once complete.)
        where = f" ({exc.filename})" if getattr(exc, "filename", None) else ""
        print(f"error: {exc.strerror or exc}{where}", file=sys.stderr)
        return 1
    except OperationalError as exc:
        # The database refused: SQLite's "database or disk is full" or "attempt to write a readonly
        # database", a PostgreSQL server that is down. What the driver said, on one line, and where.
        said = str(exc.orig).strip().splitlines()[0] if exc.orig is not None else "the database failed"
        print(f"error: {said} ({_store_named()})", file=sys.stderr)
        return 1


def _store_named() -> str:
    from bot.config import BotSettings
    from retrieval.store.database import sqlite_file

    url = BotSettings().database_url
    path = sqlite_file(url)
    if path is not None:
        return str(path)
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def _main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    from bot.config import BotSettings

    settings = BotSettings()
    if args.command == "run":
        from bot.app import run

        return run(settings)
    if args.command in ("set-webhook", "delete-webhook"):
        from bot.telegram import registration

        if args.command == "set-webhook":
            return registration.set_webhook(settings)
        return registration.delete_webhook(settings, args.drop_pending)
    if args.command == "sync":
        from bot.sync import sync_command

        return sync_command(settings, args.since, args.max_items)
    if args.command == "migrate":
        return _migrate(settings.database_url)
    if args.command == "eval" and (args.file is None or args.corpus):
        return _eval_fresh(args.file, args.corpus, args.split, args.misses)
    library = Library(settings)
    try:
        if args.command == "ingest":
            return _ingest(library, args.paths, None if not args.no_progress else False)
        library.prepare()
        if args.command == "ask":
            return _ask(library, args.question, args.top_k, args.json)
        if args.command == "search":
            return _search(library, args.words, args.top_k, args.json)
        if args.command == "latest":
            return _latest(library, args.n, args.json)
        if args.command == "eval":
            return _eval(library, args.file, args.split, args.misses)
        if args.command == "chat":
            from bot.commands import Commands
            from bot.terminal import chat

            return chat(Commands(library))
    finally:
        library.close()
    return 2


def _migrate(database_url: str) -> int:
    from retrieval.store import migrate

    done = migrate.migrate_store(database_url)
    if done.changed:
        print(f"Migrated the store from {done.before or 'no schema'} to {migrate.HEAD}.")
    else:
        print(f"The store is already at {migrate.HEAD}.")
    return 0


def _ingest(library: Library, paths: list[Path], progress: bool | None) -> int:
    report = library.ingest(paths, progress=progress)
    for error in report.errors:
        print(f"error: {error}", file=sys.stderr)
    print(f"Ingested {report.summary()}.")
    return 1 if report.errors else 0


def _ask(library: Library, question: str, top_k: int, as_json: bool) -> int:
    if not question.strip():
        print("error: the question is empty", file=sys.stderr)
        return 2
    result = library.ask(question, top_k=top_k)
    if as_json:
        print(json.dumps(result.to_json(), ensure_ascii=False))
        return 0
    from bot.terminal import format_answer

    print(format_answer(result))
    return 0


def _latest(library: Library, n: int, as_json: bool) -> int:
    items = library.latest(n)
    if as_json:
        rows = [
            {
                "announcement_id": a.announcement_id,
                "title": a.title,
                "type": a.type,
                "published": a.published.isoformat() if a.published else None,
                "url": a.url,
                "organisation": a.organisation,
            }
            for a in items
        ]
        print(json.dumps(rows, ensure_ascii=False))
        return 0
    for a in items:
        date = a.published.date().isoformat() if a.published else "undated"
        print(
            f"[{a.announcement_id}] {a.title}\n     {a.type or 'Announcement'} · {date}"
            + (f" · {a.url}" if a.url else "")
        )
    return 0


def _search(library: Library, words: str, top_k: int, as_json: bool) -> int:
    if not words.strip():
        print("error: nothing to search for", file=sys.stderr)
        return 2
    results = library.search(words, limit=top_k)
    if as_json:
        print(json.dumps({"results": [r.to_json() for r in results]}, ensure_ascii=False))
        return 0
    if not results:
        print("No announcement uses these words.")
    for rank, r in enumerate(results, start=1):
        date = r.published.date().isoformat() if r.published else "undated"
        print(f"{rank}. {r.title}\n   {r.type or 'Announcement'} · {date}" + (f" · {r.url}" if r.url else ""))
        print(f"   {r.sentence}")
    return 0


def _print_misses(misses: Sequence[object]) -> None:
    for miss in misses:
        print(
            f"  MISS [{miss.outcome}] {miss.question!r}\n       expected {miss.expected!r}"  # type: ignore[attr-defined]
            f"\n       got      {miss.got!r}"  # type: ignore[attr-defined]
        )


def _splits(split: str | None) -> tuple[str | None, ...]:
    return ("train", "heldout") if split is None else ((None,) if split == "all" else (split,))


def _eval(library: Library, path: Path, split: str | None, show_misses: bool) -> int:
    from retrieval.evaluate import evaluate, load_questions, table
    from retrieval.sources.files import IngestError

    rows = []
    for part in _splits(split):
        try:
            questions = load_questions(path, part)
        except (OSError, IngestError) as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
        if questions:
            rows.append((path.stem, part or "all", evaluate(library, questions)))
    print(table(rows))
    if show_misses:
        for _, _, report in rows:
            _print_misses(report.misses)
    return 0


def _eval_fresh(path: Path | None, corpus: list[Path] | None, split: str | None, show_misses: bool) -> int:
    """Each set asked of a fresh store holding only its corpus, as a stranger's test would be."""
    from retrieval.evaluate import QuestionSet, evaluate, fresh_library, load_manifest, load_questions, table
    from retrieval.sources.files import IngestError

    if path is not None:
        if not corpus:
            print("error: --corpus is needed with a question file for a fresh store", file=sys.stderr)
            return 2
        sets = [QuestionSet(path.stem, tuple(corpus), path)]
    else:
        sets = load_manifest()
    rows = []
    try:
        for qs in sets:
            with fresh_library(qs.corpus) as library:
                for part in _splits(split):
                    questions = load_questions(qs.questions, part)
                    if questions:
                        rows.append((qs.name, part or "all", evaluate(library, questions)))
    except (OSError, IngestError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(table(rows))
    if show_misses:
        for name, part, report in rows:
            print(f"{name} ({part}):")
            _print_misses(report.misses)
    return 0
