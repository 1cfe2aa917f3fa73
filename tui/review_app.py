"""Review mode: two annotators' spans side by side, a person decides each disagreement.

`spantag review A.json B.json -o merged.json` and the tests build the same app with
`make_review_app`. The app holds a `Review`: the two stores (read-only), the merged store
(writable, locked) and every disagreement in reading order. `Review` knows nothing of Textual.

What goes into the merged store, and when:
- on opening, every agreed span (A and B made the same span; `annotations.merge.agreed`) in one
  durable change, and the articles' texts held only by A or B (imported articles), and the
  done flag of the articles both A and B marked done, as `spantag merge` does;
- on each decision, the spans it takes (`annotations.merge.apply_choice`, undoing an earlier
  decision of the same disagreement), then the decision itself under a meta key of its own
  (`review/<article>/<start>-<end>/<digest>`): "neither" leaves no span, and a decision must
  survive a restart. The spans are written first: a crash between the two writes leaves the
  disagreement undecided with its spans present, and the next decision removes them.

A decision belongs to the exact spans it was made on: the digest covers both sides' span
keys, so when A or B edits spans of a disagreement later, it comes back undecided.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from textual.app import App, SystemCommand
from textual.screen import Screen

from annotations.agree import Side, store_side
from annotations.articles import Article, Corpus, load_corpus
from annotations.config import Config
from annotations.merge import (
    CHOICES,
    ArticleComparison,
    Choice,
    Disagreement,
    apply_choice,
    choice_in,
    compare,
)
from annotations.spans import Span, now_iso
from annotations.store import Change, Store
from tui.commands import UserError

META_REVIEW = "review"
"""Meta key of the merged store: which stores are reviewed into it, and by whom."""

DECISION_PREFIX = "review/"


def decision_key(disagreement: Disagreement) -> str:
    """The merged store's meta key for the decision on `disagreement` (module docstring)."""
    keys = [[list(s.key) for s in disagreement.a], [list(s.key) for s in disagreement.b]]
    digest = hashlib.sha1(json.dumps(keys, ensure_ascii=False).encode("utf-8")).hexdigest()
    return (
        f"{DECISION_PREFIX}{disagreement.article_id}/"
        f"{disagreement.start}-{disagreement.end}/{digest[:12]}"
    )


@dataclass
class ReviewArticle:
    """One article under review: its text, A's and B's spans, and the comparison of them."""

    article: Article
    spans_a: list[Span]
    spans_b: list[Span]
    comparison: ArticleComparison
    first: int = 0
    """Index of its first disagreement in `Review.items`."""

    @property
    def id(self) -> str:
        return self.article.id

    @property
    def disagreements(self) -> tuple[Disagreement, ...]:
        return self.comparison.disagreements


@dataclass
class Review:
    """Two stores compared article by article, and the decisions taken into the merged store."""

    store_a: Store
    store_b: Store
    merged: Store
    reviewer: str
    name_a: str
    name_b: str
    articles: list[ReviewArticle]
    corpus: Corpus
    warnings: list[str] = field(default_factory=list)
    decisions: dict[str, Choice] = field(default_factory=dict)
    items: list[Disagreement] = field(default_factory=list)
    """Every disagreement, in article order then by position."""
    item_article: list[int] = field(default_factory=list)
    """For each item, the index of its article in `articles`."""
    keys: list[str] = field(default_factory=list)
    """For each item, its decision's meta key (`decision_key`)."""
    agreed_count: int = 0
    _stack: ExitStack | None = None

    # --- opening and closing -------------------------------------------------------------

    @classmethod
    def open(
        cls,
        config: Config,
        path_a: str | Path,
        path_b: str | Path,
        path_merged: str | Path,
        corpus_paths: Sequence[str] | None = None,
        reviewer: str | None = None,
    ) -> Review:
        """Open A and B read-only and the merged store for writing; merge the agreed spans.

        Raises `UserError` or a `StoreError` (one line each) when the review cannot start.
        """
        a, b, out = Path(path_a), Path(path_b), Path(path_merged)
        for path in (a, b):
            if not path.is_file():
                raise UserError(f"{path}: no such store")
        if a.resolve() == b.resolve():
            raise UserError(f"{a}: A and B are the same store; give two stores")
        if out.resolve() in (a.resolve(), b.resolve()):
            raise UserError(f"{out}: the merged store must be a third file, not A or B")
        corpus = load_corpus(list(corpus_paths) if corpus_paths else list(config.corpus))
        stack = ExitStack()
        try:
            store_a = stack.enter_context(Store.open(a, read_only=True))
            store_b = stack.enter_context(Store.open(b, read_only=True))
            merged = stack.enter_context(Store.open(out))
            review = cls._build(
                store_a, store_b, merged, corpus, reviewer or config.annotator, a, b
            )
        except BaseException:
            stack.close()
            raise
        review._stack = stack
        return review

    @classmethod
    def _build(
        cls,
        store_a: Store,
        store_b: Store,
        merged: Store,
        corpus: Corpus,
        reviewer: str,
        path_a: Path,
        path_b: Path,
    ) -> Review:
        texts: dict[str, Article] = {article.id: article for article in corpus}
        stored: dict[str, Article] = {}
        for store in (store_a, store_b, merged):
            for article in store.stored_articles():
                stored.setdefault(article.id, article)
        order = {article.id: index for index, article in enumerate(corpus)}
        spans_a = store_a.all_spans()
        spans_b = store_b.all_spans()
        comparisons = compare(spans_a, spans_b, reviewer)
        if not comparisons:
            raise UserError(f"nothing to review: neither {path_a} nor {path_b} holds a span")
        comparisons.sort(key=lambda c: (order.get(c.article_id, len(order)), c.article_id))
        by_a = _by_article(spans_a)
        by_b = _by_article(spans_b)
        articles: list[ReviewArticle] = []
        missing: list[str] = []
        for comparison in comparisons:
            article = texts.get(comparison.article_id) or stored.get(comparison.article_id)
            if article is None:
                missing.append(comparison.article_id)
                continue
            articles.append(
                ReviewArticle(
                    article,
                    by_a.get(article.id, []),
                    by_b.get(article.id, []),
                    comparison,
                )
            )
        warnings = [f"warning: {line}" for line in corpus.warnings]
        shared = sorted({s.annotator for s in spans_a} & {s.annotator for s in spans_b})
        if shared:
            warnings.append(
                f"A and B both hold spans by {', '.join(shared)}: taking both sides of a "
                "disagreement keeps only one of two overlapping same-label spans by one name"
            )
        if missing:
            shown = ", ".join(missing[:5]) + (" ..." if len(missing) > 5 else "")
            warnings.append(
                f"{len(missing)} annotated article(s) have no text here and are left out of "
                f"the review: {shown} (give their files as PATHS)"
            )
        if not articles:
            raise UserError(
                "no text for any annotated article: give the article files or folders as PATHS"
            )
        review = cls(
            store_a=store_a,
            store_b=store_b,
            merged=merged,
            reviewer=reviewer,
            name_a=path_a.name,
            name_b=path_b.name,
            articles=articles,
            corpus=Corpus(tuple(item.article for item in articles)),
            warnings=warnings,
        )
        for index, item in enumerate(articles):
            item.first = len(review.items)
            review.items.extend(item.disagreements)
            review.item_article.extend([index] * len(item.disagreements))
        review.keys = [decision_key(d) for d in review.items]
        review._prepare_merged(stored, path_a, path_b)
        return review

    def _prepare_merged(self, stored: dict[str, Article], path_a: Path, path_b: Path) -> None:
        merged = self.merged
        for item in self.articles:
            if item.article.source == "store" and item.id in stored:
                merged.add_article(item.article)
        agreed = [span for item in self.articles for span in item.comparison.agreed]
        self.agreed_count = len(agreed)
        merged.apply(add=agreed)
        for item in self.articles:
            if self.store_a.is_done(item.id) and self.store_b.is_done(item.id):
                merged.set_done(item.id, True)
        info = {"a": str(self.store_a.path), "b": str(self.store_b.path)}
        previous = merged.get_meta(META_REVIEW)
        if isinstance(previous, dict) and (previous.get("a"), previous.get("b")) != (
            info["a"],
            info["b"],
        ):
            self.warnings.append(
                f"{merged.path.name} was a review of {Path(str(previous.get('a'))).name} and "
                f"{Path(str(previous.get('b'))).name}; now reviewing {path_a.name} and "
                f"{path_b.name} into it"
            )
        if previous != {**info, "reviewer": self.reviewer}:
            merged.set_meta(META_REVIEW, {**info, "reviewer": self.reviewer})
        for key in self.keys:
            value = merged.get_meta(key)
            if isinstance(value, dict) and value.get("choice") in CHOICES:
                self.decisions[key] = value["choice"]

    def close(self) -> None:
        """Close the three stores (the merged store folds its journal and unlocks)."""
        stack, self._stack = self._stack, None
        if stack is not None:
            stack.close()

    # --- reading -------------------------------------------------------------------------

    def choice(self, index: int) -> Choice | None:
        """The decision on disagreement `index`, or None while undecided."""
        return self.decisions.get(self.keys[index])

    def decided_by(self, index: int) -> str:
        value = self.merged.get_meta(self.keys[index])
        return str(value.get("reviewer", "")) if isinstance(value, dict) else ""

    @property
    def left(self) -> int:
        """Disagreements not decided yet."""
        return sum(1 for key in self.keys if key not in self.decisions)

    def left_in(self, article_index: int) -> int:
        item = self.articles[article_index]
        keys = self.keys[item.first : item.first + len(item.disagreements)]
        return sum(1 for key in keys if key not in self.decisions)

    @property
    def articles_left(self) -> int:
        """Articles with a disagreement not decided yet."""
        return sum(1 for index in range(len(self.articles)) if self.left_in(index))

    def next_undecided(self, after: int | None) -> int | None:
        """The first undecided disagreement after `after` (None: from the start), wrapping."""
        count = len(self.items)
        start = -1 if after is None else after
        for step in range(1, count + 1):
            index = (start + step) % count
            if self.choice(index) is None:
                return index
        return None

    def merged_spans(self, article_id: str, start: int = 0, end: int | None = None) -> list[Span]:
        """The merged store's spans of an article, those overlapping [start, end) if given."""
        spans = self.merged.spans(article_id)
        if end is None:
            return spans
        return [span for span in spans if span.start < end and span.end > start]

    def sides(self) -> tuple[Side, Side]:
        """A and B as `annotations.agree` sides (for the agreement on the stats screen)."""
        ids = [item.id for item in self.articles]
        return (
            store_side(self.store_a, None, self.name_a, ids),
            store_side(self.store_b, None, self.name_b, ids),
        )

    # --- deciding ------------------------------------------------------------------------

    def decide(self, index: int, choice: Choice) -> Change:
        """Take `choice` for disagreement `index` into the merged store; durable on return."""
        disagreement = self.items[index]
        key = self.keys[index]
        recorded = self.decisions.get(key)
        if recorded == choice:
            return Change()
        article_id = disagreement.article_id
        previous = recorded or choice_in(self.merged.spans(article_id), disagreement)
        change = apply_choice(self.merged, disagreement, choice, self.reviewer, previous)
        self.merged.set_meta(key, {"choice": choice, "reviewer": self.reviewer, "at": now_iso()})
        self.decisions[key] = choice
        return change


def _by_article(spans: Iterable[Span]) -> dict[str, list[Span]]:
    out: dict[str, list[Span]] = {}
    for span in spans:
        out.setdefault(span.article_id, []).append(span)
    return out


class ReviewApp(App[int]):
    """Review mode: A and B side by side; keys decide what goes into the merged store."""

    CSS_PATH = "review.tcss"
    TITLE = "spantag review"

    def __init__(self, config: Config, review: Review) -> None:
        super().__init__()
        self.config = config
        self.review = review

    def get_default_screen(self) -> Screen:
        from tui.screens.review import ReviewScreen

        return ReviewScreen(self.config, self.review)

    def on_mount(self) -> None:
        for warning in self.review.warnings[:5]:
            self.notify(warning, severity="warning", timeout=8)

    def on_unmount(self) -> None:
        self.review.close()

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """The app's own commands, then every review key by name."""
        yield from super().get_system_commands(screen)
        from tui.screens.review import ReviewScreen

        review_screen = next(
            (s for s in reversed(self.screen_stack) if isinstance(s, ReviewScreen)), None
        )
        if review_screen is None:
            return
        for title, keys, action, help_text in review_screen.commands():
            yield SystemCommand(
                title, f"{keys}  {help_text}".strip(), partial(review_screen.run_action, action)
            )


def make_review_app(
    config: Config,
    store_a: str | Path,
    store_b: str | Path,
    merged: str | Path,
    corpus_paths: Sequence[str] | None = None,
    reviewer: str | None = None,
) -> ReviewApp:
    """The app `spantag review` runs. Opens the stores now: raises `UserError`/`StoreError`
    (one line each) when the review cannot start. Close with `app.review.close()` if the app
    is never run (running it closes the stores when it exits)."""
    review = Review.open(config, store_a, store_b, merged, corpus_paths, reviewer)
    return ReviewApp(config, review)


def describe_choice(choice: Choice | None) -> str:
    return {
        "a": "took A",
        "b": "took B",
        "both": "took both",
        "neither": "took neither",
        None: "undecided",
    }[choice]
