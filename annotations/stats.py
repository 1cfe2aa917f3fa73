"""Corpus statistics: what has been annotated, by whom, and how far annotators agree.

`corpus_stats(corpus, store)` is computed once and drawn by `spantag stats` and by the app's
stats screen. Definitions:

- an article is *done* when the store marks it done (`Store.is_done`), *in progress* when it
  has spans and is not done, *new* otherwise;
- spans are counted in the corpus's articles only; spans in articles the corpus does not
  hold (another corpus, a file since removed) are counted in `other_spans`;
- *accepted suggestions* are spans whose source is not `manual` (propagated, pattern,
  gazetteer, import); *rejected* ones are the store's rejections in the corpus's articles;
- *agreement* is computed for every pair of annotators who both have spans in at least one
  article (`annotations.agree`, the first name of the pair as the reference), on raw
  annotations only: spans with a `reviewer` are the output of a review or merge, where
  agreed spans carry joined names (`alice+bob`) and comparing "annotators" means nothing.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from annotations.agree import Agreement, Side, agreement, overlapping_pairs
from annotations.articles import Corpus


@dataclass(frozen=True)
class PairAgreement:
    """Agreement of two annotators of one store on the articles both have spans in."""

    a: str
    b: str
    agreement: Agreement

    def to_json(self) -> dict[str, Any]:
        return {"a": self.a, "b": self.b, **self.agreement.to_json()}


@dataclass(frozen=True)
class Stats:
    articles: int
    new: int
    in_progress: int
    done: int
    spans: int
    per_label: dict[str, int]
    """Spans per label: the configured labels first, in order, then any others."""
    per_annotator: dict[str, int]
    per_annotator_label: dict[str, dict[str, int]]
    sources: dict[str, int]
    accepted: int
    """Spans whose source is not `manual`: suggestions accepted, and imports."""
    rejected: int
    stale: int
    other_spans: int = 0
    agreement: tuple[PairAgreement, ...] = field(default=())

    def to_json(self) -> dict[str, Any]:
        return {
            "articles": {
                "total": self.articles,
                "new": self.new,
                "in_progress": self.in_progress,
                "done": self.done,
            },
            "spans": self.spans,
            "labels": dict(self.per_label),
            "annotators": {
                name: {"spans": count, "labels": dict(self.per_annotator_label[name])}
                for name, count in self.per_annotator.items()
            },
            "sources": dict(self.sources),
            "suggestions": {"accepted": self.accepted, "rejected": self.rejected},
            "stale": self.stale,
            "other_spans": self.other_spans,
            "agreement": [pair.to_json() for pair in self.agreement],
        }


def corpus_stats(
    corpus: Corpus, store: Any, labels: Iterable[str] = (), with_agreement: bool = True
) -> Stats:
    """Statistics of `corpus` as annotated in `store` (see the module docstring).

    `labels`: the configured label names, listed even when unused and in that order.
    """
    ids = [article.id for article in corpus]
    known = set(ids)
    spans = [span for article_id in ids for span in store.spans(article_id)]
    other = sum(
        len(store.spans(article_id))
        for article_id in store.article_ids_with_spans()
        if article_id not in known
    )
    with_spans = {span.article_id for span in spans}
    done = sum(1 for article_id in ids if store.is_done(article_id))
    in_progress = sum(1 for article_id in with_spans if not store.is_done(article_id))
    per_label = {label: 0 for label in labels}
    label_counts = Counter(span.label for span in spans)
    for label in sorted(label_counts):
        per_label[label] = per_label.get(label, 0) + label_counts[label]
    per_annotator_label: dict[str, dict[str, int]] = {}
    for name in sorted({span.annotator for span in spans}):
        counts = Counter(span.label for span in spans if span.annotator == name)
        per_annotator_label[name] = {label: counts.get(label, 0) for label in per_label}
    per_annotator = {name: sum(c.values()) for name, c in per_annotator_label.items()}
    sources = Counter(span.source for span in spans)
    pairs: list[PairAgreement] = []
    if with_agreement:
        texts = {article.id: article.text for article in corpus}
        raw = [span for span in spans if not span.reviewer]
        for x, y, _shared in overlapping_pairs(raw):
            side_x = Side(x, tuple(s for s in raw if s.annotator == x))
            side_y = Side(y, tuple(s for s in raw if s.annotator == y))
            pairs.append(PairAgreement(x, y, agreement(side_x, side_y, texts, per_label)))
    return Stats(
        articles=len(ids),
        new=len(ids) - done - in_progress,
        in_progress=in_progress,
        done=done,
        spans=len(spans),
        per_label=per_label,
        per_annotator=per_annotator,
        per_annotator_label=per_annotator_label,
        sources=dict(sorted(sources.items())),
        accepted=sum(count for source, count in sources.items() if source != "manual"),
        rejected=sum(len(store.rejections(article_id)) for article_id in ids),
        stale=sum(1 for span in spans if span.stale),
        other_spans=other,
        agreement=tuple(pairs),
    )
