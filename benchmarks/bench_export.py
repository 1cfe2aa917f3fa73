"""Export speed: 10,000 synthetic 500-word articles with 20 spans each.

Reported as articles per second (of process CPU time) and as a ratio to a bare `json.dumps`
loop over the very dicts the prodigy export writes (built beforehand, in chunks, so memory stays
bounded); the aim is at least 0.5. Exports write to os.devnull, so the encoding to UTF-8 is
paid, not the disk. Tokenizing alone is measured too: most of a prodigy or conll export is
tokenizing, which the json.dumps baseline gets for free.
"""

from __future__ import annotations

import json
import os
import random
import time

from annotations.articles import Article
from annotations.export import export_spans
from annotations.formats import prodigy
from annotations.spans import Span
from annotations.tokenizer import tokenize

ARTICLES = 10_000
WORDS = 500
SPANS = 20
CHUNK = 500
FORMATS = ("prodigy", "doccano", "conll")
LABELS = ("actor", "demand", "venue", "date")

_VOCAB = (
    "the of and to in a is that for on said with as by at from his her it its was were be "
    "has have had will would talks security guarantees NATO Russia Moscow Washington Geneva "
    "Putin Biden Ryabkov minister foreign deputy president officials expansion proposals "
    "Wednesday Thursday January December meeting allies Ukraine troops border sanctions "
    "diplomat statement agreement negotiations treaty military exercises Kremlin Brussels "
    "don't U.S. well-known 2021 1,000 $5m"
).split()


def synthetic_article(rng: random.Random, index: int) -> tuple[Article, list[Span]]:
    """A 500-word article and 20 spans of 1-3 words, each starting and ending on a plain word.

    Plain (alphabetic) words are whole tokens whatever punctuation follows them, so the spans
    fall on token boundaries without tokenizing here.
    """
    parts: list[str] = []
    plain: list[tuple[int, int]] = []
    position = 0
    for n in range(WORDS):
        word = rng.choice(_VOCAB)
        after_stop = n == 0 or parts[-1].endswith((".", "\n"))
        if after_stop:
            word = word[:1].upper() + word[1:]
        if n and not parts[-1].endswith("\n"):
            parts.append(" ")
            position += 1
        if word.isalpha() and len(word) > 1:  # "a." is one token (a special case)
            plain.append((position, position + len(word)))
        roll = rng.random()
        if roll < 0.05:
            word += ","
        elif roll < 0.10:
            word += ".\n" if rng.random() < 0.3 else "."
        parts.append(word)
        position += len(word)
    text = "".join(parts)
    article = Article(f"a{index:05d}", text, f"bench/{index:05d}.txt")
    spans = []
    for _ in range(SPANS):
        first = rng.randrange(len(plain) - 3)
        last = first + rng.randrange(3)
        start, end = plain[first][0], plain[last][1]
        spans.append(
            Span(article.id, start, end, rng.choice(LABELS), text[start:end], "bench", "manual")
        )
    spans.sort(key=lambda s: (*s.sort_key, s.annotator))
    return article, spans


def corpus() -> tuple[list[Article], dict[str, list[Span]]]:
    rng = random.Random(1)
    articles = []
    spans = {}
    for index in range(ARTICLES):
        article, article_spans = synthetic_article(rng, index)
        articles.append(article)
        spans[article.id] = article_spans
    return articles, spans


def measure(articles, spans) -> dict[str, float]:
    """CPU seconds of each contender, measured chunk by chunk in turn.

    Interleaving the contenders over the same chunks, and counting process CPU time, keeps the
    ratios steady on a shared, busy machine, where wall-clock timings drift between phases.
    """
    clock = time.process_time
    totals = dict.fromkeys(("json.dumps", "tokenize", *FORMATS), 0.0)
    dumps = json.dumps
    with open(os.devnull, "w", encoding="utf-8") as sink:
        for offset in range(0, len(articles), CHUNK):
            chunk = articles[offset : offset + CHUNK]
            records = [prodigy.record(a, spans[a.id], tokenize(a.text)) for a in chunk]
            started = clock()
            for record in records:
                dumps(record)
            totals["json.dumps"] += clock() - started
            del records
            started = clock()
            for article in chunk:
                tokenize(article.text)
            totals["tokenize"] += clock() - started
            for fmt in FORMATS:
                started = clock()
                export_spans(chunk, spans, fmt, sink)
                totals[fmt] += clock() - started
    return totals


def run() -> list[tuple[str, str, str]]:
    articles, spans = corpus()
    totals = measure(articles, spans)
    baseline = totals["json.dumps"]
    rows = [
        (
            f"json.dumps loop ({ARTICLES:,} prodigy dicts, {WORDS} words)",
            "articles/s",
            f"{ARTICLES / baseline:,.0f}",
        ),
        ("tokenize only", "articles/s", f"{ARTICLES / totals['tokenize']:,.0f}"),
    ]
    for fmt in FORMATS:
        seconds = totals[fmt]
        rate = f"{ARTICLES / seconds:,.0f}"
        rows.append((f"export {fmt} ({SPANS} spans/article)", "articles/s", rate))
        rows.append(
            (f"export {fmt}", "speed / json.dumps loop (aim >= 0.5)", f"{baseline / seconds:.2f}")
        )
    return rows


if __name__ == "__main__":  # pragma: no cover
    for row in run():
        print(*row, sep="\t")
