"""Snapshots at 120x40 of the main screens. Update with `make snapshot-update`, then look.

The store is filled through `annotations.store` before the app starts, and every picture waits
for the suggester (built in a thread at start), so the pictures do not depend on timing; paths
shown are relative to the tmp project, so they do not depend on it.
"""

from __future__ import annotations

import pytest

from annotations.articles import load_corpus
from annotations.config import Config
from annotations.spans import make_span
from annotations.store import Store

SIZE = (120, 40)

#: (article index, text, label, occurrence) spans put in the store before each snapshot.
SPANS = [
    (0, "Russia", "actor", 0),
    (0, "Wednesday", "date", 0),
    (0, "legal security guarantees", "demand", 0),
    (0, "Deputy Foreign Minister Sergei Ryabkov", "actor", 0),
    (0, "Sergei Ryabkov", "demand", 0),
    (0, "Moscow", "venue", 0),
    (0, "Vladimir Putin", "actor", 0),
    (1, "Russia", "actor", 0),
    (1, "NATO", "actor", 0),
    (3, "Putin", "actor", 0),
]


@pytest.fixture
def annotated(config: Config) -> Config:
    corpus = load_corpus([str(p) for p in config.corpus])
    articles = corpus.articles
    with Store.open(config.store) as store:
        store.sync_articles(articles)
        for index, text, label, _ in SPANS:
            article = articles[index]
            start = article.text.index(text)
            store.add(
                make_span(
                    article.id,
                    article.text,
                    start,
                    start + len(text),
                    label,
                    config.label_names,
                    config.annotator,
                )
            )
        store.set_done(articles[3].id, True)
    return config


async def suggestions_ready(pilot) -> None:
    """Wait until the screen shows suggestions (at most ~20 s)."""
    for _ in range(400):
        if pilot.app.screen.suggestions_ready:
            break
        await pilot.pause(0.05)
    await pilot.pause()


async def on_sergei(pilot) -> None:
    """The cursor on "Sergei", inside two overlapping spans, so the status names both."""
    await suggestions_ready(pilot)
    reader = pilot.app.screen.reader
    reader.move_to(reader.article.text.index("Sergei"))
    await pilot.pause()


def test_list_and_reader_with_spans(snap_compare, make, annotated):
    assert snap_compare(make(annotated), terminal_size=SIZE, run_before=on_sergei)


def test_side_by_side(snap_compare, make, annotated):
    assert snap_compare(
        make(annotated), terminal_size=SIZE, run_before=suggestions_ready, press=["s", "tab", "n"]
    )


def test_help(snap_compare, make, annotated):
    assert snap_compare(
        make(annotated), terminal_size=SIZE, run_before=suggestions_ready, press=["question_mark"]
    )


def test_export_dialog(snap_compare, make, annotated):
    assert snap_compare(
        make(annotated), terminal_size=SIZE, run_before=suggestions_ready, press=["e"]
    )


def test_span_panel(snap_compare, make, annotated):
    assert snap_compare(
        make(annotated), terminal_size=SIZE, run_before=suggestions_ready, press=["p"]
    )
