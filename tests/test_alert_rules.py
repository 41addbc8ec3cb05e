"""The alert rules without Telegram (retrieval/alerts.py): what is due, once per chat and announcement,
never for the terminal chat, and nothing twice once sent. tests/test_alerts.py runs them through the bot."""

from __future__ import annotations

from pathlib import Path

from retrieval import alerts
from tests.conftest_retrieval import SEED_FILE, library_for

BLACKPOOL = "Blackpool Tower rides again"
HONG_KONG = "UK and Canada joint statement on Hong Kong"


def test_alerts_are_due_once_per_chat_and_announcement_and_never_again_once_sent(tmp_path: Path) -> None:
    library = library_for(tmp_path / "x.db")
    try:
        library.ingest([SEED_FILE], progress=False)
        alerts.subscribe(library, 1, "Blackpool Tower locomotive")
        alerts.subscribe(library, 1, "Blackpool Tower rides")  # a second match in the same chat
        alerts.subscribe(library, 2, "Hong Kong joint statement")
        alerts.subscribe(library, alerts.LOCAL_CHAT_ID, "Blackpool Tower")  # the terminal's: never sent
        ids = {item.title: item.announcement_id for item in library.latest(10)}
        alerts.queue(library, [ids[BLACKPOOL], ids[HONG_KONG], ids[BLACKPOOL]])

        batch = alerts.due(library)

        assert sorted(batch.announcement_ids) == sorted([ids[BLACKPOOL], ids[HONG_KONG]])
        assert sorted((a.chat_id, a.passage.title) for a in batch.alerts) == [(1, BLACKPOOL), (2, HONG_KONG)]
        for alert in batch.alerts:
            alerts.sent(library, alert)
        alerts.done(library, batch)
        assert alerts.due(library).announcement_ids == []

        # The announcement changes and a sync queues it again: nobody hears of it twice.
        alerts.queue(library, [ids[BLACKPOOL]])
        again = alerts.due(library)
        assert again.announcement_ids == [ids[BLACKPOOL]] and again.alerts == []
    finally:
        library.close()
