"""`make bench`: the scale targets measured at 10k, 100k and 1M chunks, baselines in the same run.

Each measurement runs in a fresh child process (`python -m bench.run --step NAME ...`), so that peak
memory, resident memory and load times belong to that step alone. The parent prints the tables.

    python -m bench.run                      # 10k, 100k and 1M chunks (about 20 minutes)
    python -m bench.run --sizes 10k,100k     # smaller
    python -m bench.run --only-postgres --postgres 100k   # only PostgreSQL beside SQLite, and workers

Then, when a PostgreSQL server answers at BENCH_PG_URL (default postgres@127.0.0.1:5432): one corpus
(--postgres, 100k announcements by default) ingested and asked on SQLite and on PostgreSQL, and
updates per second through 1, 2 and 4 webhook workers on one database. Without a server those two
tables are skipped with one line saying why.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:  # imported for real inside each step, so that its load time is the step's own
    from retrieval.announcement import AnnouncementRecord
    from retrieval.library import Library

OUT = Path(__file__).resolve().parent / "out"
SIZES = {"10k": 1_000, "100k": 10_000, "1m": 100_000}  # chunks label -> announcements (~10 chunks each)
SEED = 7
FRESH_SEED = 99
N_QUESTIONS = 200
RANK_SAMPLE = {"10k": 200, "100k": 40, "1m": 20}  # rank-bm25 is slow: a sample of questions is enough
E2E_UPDATES = 1000


def _settings(db: Path) -> Any:
    from pydantic import SecretStr

    from bot.config import BotSettings

    return BotSettings(
        database_url=f"sqlite:///{db}", sync_interval=0, telegram_bot_token=SecretStr("123456:BENCH")
    )


def _peak_mb() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, children) / 1024


def _rss_mb() -> float:
    import psutil

    return float(psutil.Process().memory_info().rss / 2**20)


def _percentiles(values: list[float]) -> dict[str, float]:
    array = np.asarray(values)
    return {
        "p50": float(np.percentile(array, 50)),
        "p95": float(np.percentile(array, 95)),
        "max": float(array.max()),
    }


def _questions(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _dir_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 2**20


# -- steps (each in its own process) ---------------------------------------------------------------


def step_ingest(db: Path, corpus: Path) -> dict[str, Any]:
    from retrieval.ingest import ingest_paths
    from retrieval.store import Store
    from retrieval.store.migrate import migrate_store

    migrate_store(f"sqlite:///{db}")  # the tables, as `python -m bot ingest` would make them
    store = Store(f"sqlite:///{db}")
    started = time.perf_counter()
    report = ingest_paths(store, [corpus])
    seconds = time.perf_counter() - started
    if report.errors:
        raise SystemExit(str(report.errors[0]))
    return {"seconds": seconds, "announcements": report.added, "chunks": store.count_chunks()}


def step_build(db: Path) -> dict[str, Any]:
    from retrieval.library import Library

    library = Library(_settings(db))
    shutil.rmtree(library.index_dir, ignore_errors=True)
    started = time.perf_counter()
    library.refresh()
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "peak_mb": _peak_mb(), "index_mb": _dir_mb(library.index_dir)}


def step_serve(db: Path, questions_path: Path, rank_sample: int) -> dict[str, Any]:
    from retrieval.library import Library
    from retrieval.search import persistence
    from retrieval.search.tokenize import tokenize

    library = Library(_settings(db))
    started = time.perf_counter()
    index = persistence.load(library.index_dir)
    load_s = time.perf_counter() - started
    assert index is not None and len(index) > 0, "the bench needs a built index"
    library.refresh()  # takes the index just loaded, or catches up if the store moved on
    questions = _questions(questions_path)
    texts = [q["q"] for q in questions]
    index.search(tokenize(texts[0]), 10)  # compile (or load the cached compiled code)
    latencies: list[float] = []
    ours: dict[str, list[int]] = {}
    for _ in range(6):
        for text in texts:
            t0 = time.perf_counter()
            hits = index.search(tokenize(text), 10)
            latencies.append((time.perf_counter() - t0) * 1000)
            ours[text] = [chunk_id for chunk_id, _ in hits]
    # The whole answer path, both stages, tokenizing and store reads included. Each question is asked
    # once, so no passage's parse is cached from an earlier asking of the same question.
    library.ask("warm up the answer path", top_k=10)
    ask_latencies: list[float] = []
    hit1 = 0
    for q in questions:
        t0 = time.perf_counter()
        answer = library.ask(q["q"], top_k=10)
        ask_latencies.append((time.perf_counter() - t0) * 1000)
        hit1 += answer.answer is not None and q["expect"] in answer.answer.passage
    rss = _rss_mb()
    cache = _page_cache_asks(library, questions)
    result: dict[str, Any] = {
        "cache": cache,
        "load_s": load_s,
        "rss_mb": rss,
        "ask": _percentiles(ask_latencies),
        "ours": _percentiles(latencies[len(texts) :]),
        "hit1": hit1 / len(questions),
        "chunks": len(index),
    }
    result.update(_baselines(library, index, texts, ours, rank_sample))
    return result


def _page_cache_asks(library: Any, questions: list[dict[str, Any]]) -> dict[str, Any]:
    """Every question asked again with the store's file dropped from the page cache (as after a
    restart, or once the OS has reclaimed its pages), then once more after the read-ahead the bot
    does as it starts (retrieval/store/page_cache.py) and a second for it to land, as a started
    bot's first questions come seconds later. Before each pass the passages read so far are
    forgotten, so both read and parse theirs as the first pass did. SQLite stores on Linux only."""
    from retrieval.ranking.evidence import forget_passages
    from retrieval.store.database import sqlite_file
    from retrieval.store.page_cache import from_child

    path = sqlite_file(library.settings.database_url)
    if path is None or not hasattr(os, "posix_fadvise"):
        return {}

    def ask_all() -> dict[str, float]:
        forget_passages()
        latencies = []
        for q in questions:
            t0 = time.perf_counter()
            library.ask(q["q"], top_k=10)
            latencies.append((time.perf_counter() - t0) * 1000)
        return _percentiles(latencies)

    from_child(path, drop_pages=True)
    evicted = ask_all()
    started = time.perf_counter()
    from_child(path)  # what the bot's start does, waited for here to time it
    advised_s = time.perf_counter() - started
    time.sleep(1.0)
    return {
        "store_mb": path.stat().st_size / 2**20,
        "evicted": evicted,
        "read_ahead_s": advised_s,
        "read_ahead": ask_all(),
    }


def _baselines(
    library: Any, index: Any, texts: list[str], ours: dict[str, list[int]], rank_sample: int
) -> dict[str, Any]:
    """rank-bm25 (the reference) and bm25s on the same token lists, in this same process."""
    import bm25s
    from rank_bm25 import BM25Okapi

    from retrieval.index_keeper import encoded_batches
    from retrieval.search.tokenize import tokenize

    chunk_ids: list[int] = []
    corpus: list[list[str]] = []
    for batch in encoded_batches(library.store.iter_chunk_texts(), parallel=len(index) >= 100_000):
        offsets = np.concatenate([[0], np.cumsum(batch.lengths)])
        terms = np.asarray(batch.terms, dtype=object)
        for i, chunk_id in enumerate(batch.chunk_ids.tolist()):
            chunk_ids.append(chunk_id)
            corpus.append(terms[batch.term_ids[offsets[i] : offsets[i + 1]]].tolist())
    ids = np.asarray(chunk_ids)
    out: dict[str, Any] = {}

    started = time.perf_counter()
    reference = BM25Okapi(corpus)
    out["rank_bm25_build_s"] = time.perf_counter() - started
    sample = texts[:rank_sample]
    latencies, same = [], 0
    for text in sample:
        t0 = time.perf_counter()
        scores = reference.get_scores(tokenize(text))
        top = np.argsort(-scores, kind="stable")[:10]
        latencies.append((time.perf_counter() - t0) * 1000)
        expected = [int(ids[i]) for i in top if scores[i] > 0]
        same += expected == ours[text]
    out["rank_bm25"] = _percentiles(latencies)
    out["rank_bm25_same_top10"] = f"{same}/{len(sample)}"
    del reference

    started = time.perf_counter()
    engine = bm25s.BM25(method="atire", idf_method="robertson", k1=1.5, b=0.75)
    engine.index(corpus, show_progress=False)
    out["bm25s_build_s"] = time.perf_counter() - started
    latencies, same = [], 0
    for text in texts:
        t0 = time.perf_counter()
        query = [t for t in tokenize(text) if t in engine.vocab_dict]
        found: list[int] = []
        if query:
            docs, _ = engine.retrieve([query], k=10, show_progress=False, n_threads=1)
            found = [int(ids[d]) for d in docs[0]]
        latencies.append((time.perf_counter() - t0) * 1000)
        same += found[:3] == ours[text][:3]
    out["bm25s"] = _percentiles(latencies)
    out["bm25s_same_top3"] = f"{same}/{len(texts)}"
    return out


def _ingest_records(library: Library, records: Sequence[AnnouncementRecord]) -> int:
    return library.ingest_records(records).added


def step_fresh(db: Path, corpus: Path, questions_path: Path) -> dict[str, Any]:
    """New announcements arrive while questions are being answered: how long until they answer, and
    the longest any question waited meanwhile."""
    from retrieval.library import Library
    from retrieval.sources.files import read_file

    library = Library(_settings(db))
    library.refresh()
    library.settle()  # as the bot does once started (bot/app.py)
    new = _questions(questions_path)
    probe = new[0]
    records = read_file(corpus)
    stop = threading.Event()
    waits: list[float] = []
    answered_at: list[float] = []
    background = [q["q"] for q in new[1:]] or [probe["q"]]

    def ask_continuously() -> None:
        n = 0
        while not stop.is_set():
            t0 = time.perf_counter()
            library.ask(background[n % len(background)], top_k=5)
            waits.append((time.perf_counter() - t0) * 1000)
            n += 1
            if not answered_at:
                answer = library.ask(probe["q"], top_k=1).answer
                if answer is not None and probe["expect"] in answer.passage:
                    answered_at.append(time.perf_counter())
            time.sleep(0.002)

    worker = threading.Thread(target=ask_continuously)
    started = time.perf_counter()
    worker.start()
    added = library.in_child_process(_ingest_records, records)  # as the bot's sync job does
    deadline = time.perf_counter() + 120
    while not answered_at and time.perf_counter() < deadline:
        time.sleep(0.01)
    stop.set()
    worker.join()
    return {
        "added": added,
        "answerable_s": (answered_at[0] - started) if answered_at else None,
        "waits": _percentiles(waits),
        "questions": len(waits),
    }


def step_e2e(db: Path, questions_path: Path, n_updates: int) -> dict[str, Any]:
    import asyncio

    from bot.telegram.app import build_application
    from retrieval.library import Library
    from tests.fakebotapi import FakeBotAPI

    questions = _questions(questions_path)

    async def burst() -> dict[str, Any]:
        with FakeBotAPI(token="123456:BENCH") as fake:
            settings = _settings(db).model_copy(update={"telegram_api_base_url": fake.base_url})
            library = Library(settings)
            library.refresh()
            app = build_application(settings, library)
            await app.initialize()
            if app.post_init is not None:
                await app.post_init(app)  # what run_polling would do: commands, jobs, settle()
            await app.start()
            assert app.updater is not None
            for n in range(n_updates):
                fake.message(questions[n % len(questions)]["q"], chat_id=10_000 + n, user_id=10_000 + n)
            started = time.perf_counter()
            await app.updater.start_polling(poll_interval=0.0, timeout=1)
            await fake.wait_for_async("sendMessage", count=n_updates, timeout=600)
            wall = time.perf_counter() - started
            await app.updater.stop()
            await app.stop()
            await app.shutdown()
            sent = fake.sent_messages()
            answered = sum(1 for m in sent if "<blockquote>" in m["text"])
            return {
                "updates": n_updates,
                "replies": len(sent),
                "answered": answered,
                "wall_s": wall,
                "handling_ms": _percentiles(list(app.bot_data.metrics.durations_ms)),
            }

    os.environ.setdefault("NO_PROXY", "127.0.0.1,localhost")
    return asyncio.run(burst())


_HARBOUR = (
    "The harbour authority reported {n} vessel movements in week {n}, with dredging of the channel "
    "continuing between the north and south piers and a survey of the breakwater planned."
)


def step_body(work: Path, chars: int) -> dict[str, Any]:
    """Peak memory and time of one question about an announcement whose body is `chars` long."""
    import resource

    from retrieval.announcement import AnnouncementRecord
    from retrieval.library import Library

    work.mkdir(parents=True, exist_ok=True)
    (work / "no-seeds").mkdir(exist_ok=True)
    settings = _settings(work / "body.db")
    settings.seeds_dir = work / "no-seeds"
    paragraphs, size, n = [], 0, 0
    while size < chars:
        paragraphs.append(_HARBOUR.format(n=n))
        size += len(paragraphs[-1]) + 2
        n += 1
    library = Library(settings)
    library.ingest_records(
        [
            AnnouncementRecord(
                title="Harbour traffic report", body="\n\n".join(paragraphs), url="https://x/h"
            ),
            AnnouncementRecord(
                title="Unrelated", body="A school in Leeds opened a new library.", url="https://x/u"
            ),
        ]
    )
    library.ask("school library in leeds")  # warm: index loaded, compiled code ready
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t0 = time.perf_counter()
    library.ask("how many vessel movements were there and where is the dredging")
    ms = (time.perf_counter() - t0) * 1000
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    library.close()
    return {"chars": chars, "grew_mb": (after - before) / 1024, "ms": ms, "rss_mb": _rss_mb()}


# -- PostgreSQL beside SQLite, and several webhook workers (issue 12) ------------------------------

PG_URL = os.environ.get("BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
WORKER_COUNTS = (1, 2, 4)
WORKER_UPDATES = 600
PG_QUESTIONS = 200


def _pg_database(name: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(PG_URL).set(database=name).render_as_string(hide_password=False)


def _pg_admin(statement: str) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(PG_URL, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3})
    try:
        with engine.connect() as connection:
            connection.execute(text(statement))
    finally:
        engine.dispose()


def postgres_problem() -> str | None:
    try:
        _pg_admin("SELECT 1")
    except Exception as exc:
        return f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
    return None


def step_store(kind: str, where: Any, corpus: Path, questions_path: Path) -> dict[str, Any]:
    """Ingest the corpus into a fresh store (a SQLite file `where`, or a PostgreSQL database of that
    name), build the index, and ask the questions through the whole answer path."""
    from retrieval.ingest import ingest_paths
    from retrieval.library import Library
    from retrieval.store import Store
    from retrieval.store.migrate import migrate_store

    if kind == "postgresql":
        _pg_admin(f'DROP DATABASE IF EXISTS "{where}" WITH (FORCE)')
        _pg_admin(f'CREATE DATABASE "{where}"')
        url = _pg_database(str(where))
        index_dir = OUT / f"work-{where}.index"
    else:
        url = f"sqlite:///{where}"
        index_dir = Path(f"{where}.index")
    shutil.rmtree(index_dir, ignore_errors=True)
    try:
        migrate_store(url)
        store = Store(url)
        started = time.perf_counter()
        report = ingest_paths(store, [corpus])
        ingest_s = time.perf_counter() - started
        store.close()
        if report.errors:
            raise SystemExit(str(report.errors[0]))
        settings = _settings(Path("unused")).model_copy(update={"database_url": url, "index_dir": index_dir})
        library = Library(settings)
        started = time.perf_counter()
        library.refresh()
        build_s = time.perf_counter() - started
        texts = [q["q"] for q in _questions(questions_path)][:PG_QUESTIONS]
        library.ask(texts[0])  # compile, warm the connection pool
        latencies: list[float] = []
        for text in texts:
            t0 = time.perf_counter()
            library.ask(text)
            latencies.append((time.perf_counter() - t0) * 1000)
        chunks = library.store.count_chunks()
        library.close()
    finally:
        shutil.rmtree(index_dir, ignore_errors=True)
        if kind == "postgresql":
            _pg_admin(f'DROP DATABASE IF EXISTS "{where}" WITH (FORCE)')
    return {
        "kind": kind,
        "announcements": report.added,
        "chunks": chunks,
        "ingest_s": ingest_s,
        "build_s": build_s,
        "ask_ms": _percentiles(latencies),
    }


def step_workers(n_workers: int, n_updates: int) -> dict[str, Any]:
    """`n_workers` processes of `python -m bot run` in webhook mode on one fresh PostgreSQL database
    (filled from the seeds by the first to start), each in its own folder; `n_updates` questions from
    as many chats posted to them in turn, as a reverse proxy would spread them. Updates per second:
    from the first post to the last reply the fake Bot API received."""
    import urllib.request
    from concurrent.futures import ThreadPoolExecutor

    from tests.fakebotapi import FakeBotAPI
    from tests.ports import free_port

    os.environ.setdefault("NO_PROXY", "127.0.0.1,localhost")
    name = f"bench_workers_{n_workers}"
    _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    _pg_admin(f'CREATE DATABASE "{name}"')
    work = OUT / f"work-workers-{n_workers}"
    shutil.rmtree(work, ignore_errors=True)
    questions = [
        "How much did the Home Secretary pledge against live-streamed abuse?",
        "What did the UK and Canada say about Hong Kong?",
        "How many hereditary peers still sit in the Lords?",
        "When were fireworks rules announced?",
    ]
    processes: list[subprocess.Popen[bytes]] = []
    with FakeBotAPI(token="123456:BENCH") as fake:
        ports = []
        for i in range(n_workers):
            port = free_port()
            ports.append(port)
            folder = work / f"worker-{i}"
            folder.mkdir(parents=True)
            env = dict(os.environ)
            env.update(
                HOME=str(folder),
                PYTHONPATH=str(Path(__file__).resolve().parent.parent),
                DATABASE_URL=_pg_database(name),
                TELEGRAM_BOT_TOKEN="123456:BENCH",
                TELEGRAM_API_BASE_URL=fake.base_url,
                WEBHOOK_URL=f"http://127.0.0.1:{port}/telegram",
                WEBHOOK_LISTEN="127.0.0.1",
                WEBHOOK_PORT=str(port),
                WEBHOOK_SECRET="bench",
                SYNC_INTERVAL="0",
                CHAT_QUESTIONS_PER_MINUTE="0",
            )
            with open(folder / "log", "wb") as log_file:
                processes.append(
                    subprocess.Popen(
                        [sys.executable, "-m", "bot", "run"],
                        cwd=folder,
                        env=env,
                        stdin=subprocess.DEVNULL,
                        stdout=log_file,
                        stderr=subprocess.STDOUT,
                    )
                )
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        try:
            for port in ports:
                deadline = time.monotonic() + 180
                while True:
                    try:
                        with opener.open(f"http://127.0.0.1:{port}/healthz", timeout=2) as answer:
                            if answer.status == 200:
                                break
                    except OSError:
                        pass
                    if time.monotonic() > deadline or any(p.poll() is not None for p in processes):
                        raise SystemExit(f"a worker did not start: see {work}")
                    time.sleep(0.1)
            updates = [
                fake.message(
                    questions[n % len(questions)], chat_id=20_000 + n, user_id=20_000 + n, push=False
                )
                for n in range(n_updates)
            ]

            def post(n: int) -> int:
                url = f"http://127.0.0.1:{ports[n % n_workers]}/telegram"
                return fake.post_update(url, updates[n], "bench")

            started = time.perf_counter()
            with ThreadPoolExecutor(max_workers=16) as pool:
                statuses = list(pool.map(post, range(n_updates)))
            fake.wait_for("sendMessage", count=n_updates, timeout=600)
            wall = time.perf_counter() - started
            sent = fake.sent_messages()
        finally:
            for process in processes:
                process.terminate()
            for process in processes:
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
            _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            shutil.rmtree(work, ignore_errors=True)
    return {
        "workers": n_workers,
        "updates": n_updates,
        "accepted": sum(1 for s in statuses if s == 200),
        "replies": len(sent),
        "quoted": sum(1 for m in sent if "<blockquote>" in m["text"]),
        "wall_s": wall,
        "per_second": n_updates / wall,
    }


STEPS: dict[str, Callable[..., dict[str, Any]]] = {
    "body": step_body,
    "ingest": step_ingest,
    "build": step_build,
    "serve": step_serve,
    "fresh": step_fresh,
    "e2e": step_e2e,
    "store": step_store,
    "workers": step_workers,
}


# -- the parent: orchestrate, print --------------------------------------------------------------


def _child(step: str, *args: Any) -> dict[str, Any]:
    command = [
        sys.executable,
        "-m",
        "bench.run",
        "--step",
        step,
        "--args",
        json.dumps([str(a) for a in args]),
    ]
    print(f"  {step} …", file=sys.stderr, flush=True)
    done = subprocess.run(command, check=True, stdout=subprocess.PIPE, text=True)
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _corpus(label: str) -> tuple[Path, Path]:
    from bench.generate import generate

    n = SIZES[label]
    corpus, questions = OUT / f"corpus-a{n}.jsonl", OUT / f"questions-a{n}.jsonl"
    if not corpus.exists() or not questions.exists():
        OUT.mkdir(parents=True, exist_ok=True)
        generate(SIZES[label], SEED, corpus, questions, N_QUESTIONS)
    return corpus, questions


def measure(label: str, e2e: bool) -> dict[str, Any]:
    print(f"{label}:", file=sys.stderr)
    corpus, questions = _corpus(label)
    fresh_corpus, fresh_questions = OUT / "fresh-100.jsonl", OUT / "fresh-100-questions.jsonl"
    if not fresh_corpus.exists():
        from bench.generate import generate

        generate(100, FRESH_SEED, fresh_corpus, fresh_questions, 20)
    work = OUT / f"work-{label}"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    db = work / "bench.db"
    result: dict[str, Any] = {"label": label}
    result["ingest"] = _child("ingest", db, corpus)
    result["build"] = _child("build", db)
    result["serve"] = _child("serve", db, questions, RANK_SAMPLE[label])
    if e2e:
        result["e2e"] = _child("e2e", db, questions, E2E_UPDATES)
    result["fresh"] = _child("fresh", db, fresh_corpus, fresh_questions)
    shutil.rmtree(work, ignore_errors=True)
    return result


def _f(value: float | None, digits: int = 2) -> str:
    return "–" if value is None else f"{value:,.{digits}f}"


def _row(*cells: object) -> str:
    return "| " + " | ".join(str(c) for c in cells) + " |"


def tables(results: list[dict[str, Any]]) -> str:
    lines = [
        _row(
            "chunks",
            "ingest s",
            "index build s",
            "build peak MB",
            "index on disk MB",
            "load s",
            "serving RSS MB",
            "first stage p50 / p95 ms",
            "ask, both stages p50 / p95 ms",
            "hit@1",
        ),
        _row(*["---"] * 10),
    ]
    for r in results:
        s, b = r["serve"], r["build"]
        lines.append(
            _row(
                f"{s['chunks']:,}",
                _f(r["ingest"]["seconds"], 1),
                _f(b["seconds"], 1),
                _f(b["peak_mb"], 0),
                _f(b["index_mb"], 0),
                _f(s["load_s"], 3),
                _f(s["rss_mb"], 0),
                f"{_f(s['ours']['p50'], 3)} / {_f(s['ours']['p95'], 3)}",
                f"{_f(s['ask']['p50'], 2)} / {_f(s['ask']['p95'], 2)}",
                _f(s["hit1"], 3),
            )
        )
    lines += [
        "",
        _row(
            "chunks",
            "store MB",
            "ask p50 / p95 ms: as the build left the page cache",
            "store dropped from the page cache",
            "after the start-up read-ahead",
            "read-ahead s",
        ),
        _row(*["---"] * 6),
    ]
    for r in results:
        s, c = r["serve"], r["serve"].get("cache")
        if not c:
            continue
        lines.append(
            _row(
                f"{s['chunks']:,}",
                _f(c["store_mb"], 0),
                f"{_f(s['ask']['p50'])} / {_f(s['ask']['p95'])}",
                f"{_f(c['evicted']['p50'])} / {_f(c['evicted']['p95'])}",
                f"{_f(c['read_ahead']['p50'])} / {_f(c['read_ahead']['p95'])}",
                _f(c["read_ahead_s"], 2),
            )
        )
    lines += [
        "",
        _row("chunks", "engine", "build s", "p50 ms", "p95 ms", "p50 / ours", "same results"),
        _row(*["---"] * 7),
    ]
    for r in results:
        s = r["serve"]
        ours = s["ours"]["p50"]
        n = f"{s['chunks']:,}"
        rb, bs = s["rank_bm25"], s["bm25s"]
        lines += [
            _row(
                n,
                "ours: BM25Okapi, compiled CSC",
                _f(r["build"]["seconds"], 1),
                _f(ours, 3),
                _f(s["ours"]["p95"], 3),
                "1×",
                "–",
            ),
            _row(
                n,
                "rank-bm25 BM25Okapi",
                _f(s["rank_bm25_build_s"], 1),
                _f(rb["p50"], 1),
                _f(rb["p95"], 1),
                f"{_f(rb['p50'] / ours, 0)}×",
                f"top-10 {s['rank_bm25_same_top10']}",
            ),
            _row(
                n,
                "bm25s numpy (atire, robertson)",
                _f(s["bm25s_build_s"], 1),
                _f(bs["p50"], 2),
                _f(bs["p95"], 2),
                f"{_f(bs['p50'] / ours, 0)}×",
                f"top-3 {s['bm25s_same_top3']}",
            ),
        ]
    lines += [
        "",
        _row(
            "chunks",
            "new items answerable after s",
            "question wait p50 / p95 / max ms meanwhile",
            "burst replies",
            "handling p50 / p95 / max ms",
            "burst wall s",
        ),
        _row(*["---"] * 6),
    ]
    for r in results:
        f, e = r["fresh"], r.get("e2e")
        waits = f"{_f(f['waits']['p50'])} / {_f(f['waits']['p95'])} / {_f(f['waits']['max'])}"
        if e:
            h = e["handling_ms"]
            burst = [
                f"{e['replies']}/{e['updates']} ({e['answered']} quoted)",
                f"{_f(h['p50'])} / {_f(h['p95'])} / {_f(h['max'])}",
                _f(e["wall_s"], 1),
            ]
        else:
            burst = ["–", "–", "–"]
        lines.append(_row(f"{r['serve']['chunks']:,}", _f(f["answerable_s"]), waits, *burst))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run")
    parser.add_argument("--sizes", default="10k,100k,1m")
    parser.add_argument("--no-e2e", action="store_true", help="skip the 1,000-update burst through the bot")
    parser.add_argument(
        "--postgres",
        default="1m",
        help="corpus size for PostgreSQL beside SQLite (default 1m: 100k announcements); none to skip",
    )
    parser.add_argument("--only-postgres", action="store_true", help="only the PostgreSQL and workers tables")
    parser.add_argument("--step", choices=sorted(STEPS), help=argparse.SUPPRESS)
    parser.add_argument("--args", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.step:
        raw = json.loads(args.args)
        typed = [Path(a) if "/" in a else int(a) if a.isdigit() else a for a in raw]
        print(json.dumps(STEPS[args.step](*typed)))
        return 0
    if args.only_postgres:
        return postgres_tables(args.postgres)
    results = [measure(label, e2e=not args.no_e2e) for label in args.sizes.split(",") if label]
    (OUT / "results.json").write_text(json.dumps(results, indent=2), encoding="utf-8")
    print(tables(results))
    print("\nOne question about one long announcement (issue 10): memory does not follow the body.\n")
    print(_row("body", "peak RSS growth during the question MB", "question ms", "process RSS MB"))
    print(_row(*["---"] * 4))
    for chars in (1_000, 50_000, 1_000_000, 10_000_000):
        body = _child("body", OUT / f"work-body-{chars}", chars)
        print(_row(f"{chars:,} chars", _f(body["grew_mb"], 1), _f(body["ms"], 1), _f(body["rss_mb"], 0)))
    return postgres_tables(args.postgres)


def postgres_tables(label: str) -> int:
    """Ingest and ask on PostgreSQL beside SQLite, and updates per second through 1, 2 and 4 webhook
    workers on one PostgreSQL database; skipped, saying why, without a server at BENCH_PG_URL."""
    if label == "none":
        return 0
    problem = postgres_problem()
    if problem is not None:
        print(f"\nPostgreSQL tables skipped: no server at {PG_URL} ({problem}).")
        return 0
    print(f"{label} on PostgreSQL:", file=sys.stderr)
    corpus, questions = _corpus(label)
    work = OUT / "work-pg"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    rows = [
        _child("store", "sqlite", work / "bench.db", corpus, questions),
        _child("store", "postgresql", "bench_store", corpus, questions),
    ]
    shutil.rmtree(work, ignore_errors=True)
    print("\nThe same corpus on SQLite and on PostgreSQL (localhost), whole answer path:\n")
    print(_row("store", "announcements", "chunks", "ingest s", "index build s", "ask p50 / p95 ms"))
    print(_row(*["---"] * 6))
    for r in rows:
        a = r["ask_ms"]
        print(
            _row(
                r["kind"],
                f"{r['announcements']:,}",
                f"{r['chunks']:,}",
                _f(r["ingest_s"], 1),
                _f(r["build_s"], 1),
                f"{_f(a['p50'])} / {_f(a['p95'])}",
            )
        )
    workers = [_child("workers", n, WORKER_UPDATES) for n in WORKER_COUNTS]
    print(f"\n{WORKER_UPDATES} questions from as many chats through webhook workers on one database:\n")
    print(_row("workers", "replies", "quoted", "wall s", "updates / s"))
    print(_row(*["---"] * 5))
    for w in workers:
        print(
            _row(
                w["workers"],
                f"{w['replies']}/{w['updates']}",
                w["quoted"],
                _f(w["wall_s"], 1),
                _f(w["per_second"], 1),
            )
        )
    (OUT / "results-postgres.json").write_text(json.dumps({"stores": rows, "workers": workers}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
