"""Suggestions: spans the annotator has not made yet, proposed from what is already known.

Three sources, in the order they win ties:

- `propagated`: every other whole-word, case-sensitive occurrence, in every article, of a text
  already tagged somewhere, with the label that text carries most often (ties: the label listed
  first in the config). Tag "Ryabkov" once and every "Ryabkov" in the corpus is proposed.
- `gazetteer`: names from the `gazetteers:` files of the config (one name per line).
- `pattern`: the `patterns:` of the config, regular expressions and literal phrases per label.

"Whole word" means on token boundaries of `annotations.tokenizer` (spaCy's), so "Putin" is
found in "Putin's" but not in "Putinism", and a suggestion is always a span the app could have
made by snapping a selection to words. Regular expressions are held to the same rule: a match
that does not start and end on token boundaries is skipped (and the search goes on from the
next character, so a bad match never hides a good one inside it).

The rules every suggestion obeys, here and nowhere else: it never overlaps a span of its label,
never sits exactly on a span of another label (the annotator already decided what that text
is), is never one the annotator rejected in that article, and never overlaps another suggestion
(the longer wins, then the source order above, then the config's label order, then the earlier
one). The last rule keeps suggestions one flat layer, at most one under the cursor; a shorter
one hidden under a longer one shows up once the longer is accepted or rejected.

Cost (benchmarks/bench_suggest.py, 1,000 articles of 500 words): `Suggester(...)` tokenizes
every article and builds an inverted index of word positions (1-2 s: run it off the UI thread);
the regular expressions run on an article the first time its suggestions are asked for (about
3 ms an article with the shipped patterns). `apply(change)` after a store change updates the
lexicon of tagged texts, finds a text's occurrences the first time it is tagged (the cost
follows the frequency of its rarest word, not the corpus size) and brings the suggestions of
the articles asked for recently (`view`, `KEEP_RESOLVED` of them) up to date in place
(`annotations.resolve`: a few microseconds per occurrence of a newly tagged text, a few around
an added or removed span, whatever the article's length); the others are recounted when next
asked for (about 0.1 ms for 500 words). A tag takes well under a millisecond; the first tag of
a word found 4,000 times, about 10 ms. The big structures hold byte arrays and tuples of ints,
which the garbage collector need not walk, so that no collection lands in a keypress. Not
thread-safe: use a Suggester from one thread at a time (build it in a worker, then hand it
over).
"""

from __future__ import annotations

import re
from collections import Counter, OrderedDict
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Protocol

from annotations import resolve
from annotations.articles import Article
from annotations.config import Config
from annotations.resolve import (
    SUGGESTION_SOURCES,
    Candidate,
    Changed,
    Places,
    Resolved,
    Suggestion,
)
from annotations.spans import Span
from annotations.tokenizer import tokenize

__all__ = [
    "KEEP_CHARACTERS",
    "KEEP_RESOLVED",
    "SUGGESTION_SOURCES",
    "Suggester",
    "Suggestion",
    "read_gazetteer",
]
_PROPAGATED, _GAZETTEER, _PATTERN = range(3)
#: How many texts' candidates a relabel took away are kept for an undo (`Suggester._recent`).
_RECENT = 64
_WORD_START, _WORD_END = 1, 2
_HAS_WORD = re.compile(r"\w")


class ChangeLike(Protocol):
    """`annotations.store.Change`: the spans one store call added and removed."""

    added: tuple[Span, ...]
    removed: tuple[Span, ...]


#: How many articles keep their resolved suggestions (the ones on screen are asked for on
#: every change, so they stay); the others keep a count, recounted when it may have changed.
KEEP_RESOLVED = 32
#: ... and at most about this many characters of text between them (a resolved article holds
#: a few bytes per character), beyond the two most recent (the panes on screen).
KEEP_CHARACTERS = 8_000_000


class _Doc:
    """One article as the index sees it: its text and where its words start and end."""

    __slots__ = ("article", "bounds", "regex_hits", "phrase_hits")

    def __init__(self, article: Article, bounds: bytearray) -> None:
        self.article = article
        self.bounds = bounds
        """One byte per offset (and one past the end): `WORD_START | WORD_END` bits. A set of
        offsets would do, but sets of ints are traversed by every full garbage collection."""
        self.regex_hits: list[Candidate] | None = None
        """Matches of the config's regular expressions, found on first use."""
        self.phrase_hits: list[Candidate] = []
        """Occurrences of the config's phrases and gazetteer names."""


class _Phrase:
    """A text to look for, with the word of it the inverted index is asked about."""

    __slots__ = ("text", "anchor", "offset")

    def __init__(self, text: str, anchor: str, offset: int) -> None:
        self.text = text
        self.anchor = anchor
        self.offset = offset


def read_gazetteer(path: Path) -> list[str]:
    """The names of a gazetteer file: UTF-8, one per line; blank lines and `#` lines skipped.

    Raises OSError or UnicodeDecodeError (`Suggester` turns them into warnings).
    """
    names = []
    for line in path.read_text("utf-8").splitlines():
        name = line.strip()
        if name and not name.startswith("#"):
            names.append(name)
    return names


class Suggester:
    """Suggestions for a corpus, kept in step with the store's spans and rejections.

    Typical use (the app and `spantag suggest`)::

        suggester = Suggester(corpus.articles, config)   # off the UI thread
        suggester.load_store(store)                      # spans and rejections
        suggester.suggestions(article_id)                # -> [Suggestion], text order
        dirty = suggester.apply(store.add(span))         # after every store change
        suggester.reject(article_id, *suggestion.key)    # beside store.reject(...)
    """

    def __init__(self, articles: Iterable[Article], config: Config) -> None:
        self.labels: tuple[str, ...] = config.label_names
        self._label_rank = {name: rank for rank, name in enumerate(self.labels)}
        self.warnings: list[str] = []
        """One line per gazetteer file that could not be read (skipped, never fatal)."""
        self._docs: dict[str, _Doc] = {}
        self._postings: dict[str, dict[str, tuple[int, ...]]] = {}
        """Word -> article id -> where the word starts there: the inverted index."""
        self._regexes = [
            (label, re.compile(pattern))
            for label, patterns in config.patterns.items()
            if label in self._label_rank
            for pattern in patterns.regex
        ]
        # Mirrors of the store.
        self._spans: dict[str, dict[tuple, Span]] = {}
        self._rejected: dict[str, set[tuple[int, int, str]]] = {}
        # The lexicon: tagged text -> how often it carries each label, and the label it wins.
        self._tagged: dict[str, Counter[str]] = {}
        self._lexicon: dict[str, str] = {}
        # Occurrences of tagged texts (found the first time a text is tagged, then kept).
        self._occurrences: dict[str, dict[str, tuple[tuple[int, int], ...]]] = {}
        self._texts_in: dict[str, set[str]] = {}
        self._propagated: dict[str, dict[str, tuple[Candidate, ...]]] = {}
        """Article id -> tagged text -> its candidates there, with the label it wins now."""
        self._recent: dict[tuple[str, str, str], tuple[Candidate, ...]] = {}
        """(article id, text, label) -> candidates a relabel took away lately, to hand over
        again as they are (with their arrays: see `Places`) when an undo brings them back."""
        # The articles whose suggestions are kept resolved (and followed change by change),
        # most recently asked for last; the counts of the others, and which may be out of date.
        self._kept: OrderedDict[str, Resolved] = OrderedDict()
        self._counts: dict[str, int] = {}
        self._stale: set[str] = set()
        for article in articles:
            self._index(article)
        self._phrases = self._config_phrases(config)
        for phrase, label, source in self._phrases:
            for article_id, places in self._scan(phrase).items():
                self._docs[article_id].phrase_hits.extend(self._candidates(places, label, source))

    # -- building ------------------------------------------------------------------------

    def _config_phrases(self, config: Config) -> list[tuple[_Phrase, str, int]]:
        """The config's phrases and gazetteer names: (phrase, label, source rank)."""
        ranks: dict[tuple[str, str], int] = {}
        for label, patterns in config.patterns.items():
            for text in patterns.phrases:
                ranks[(text, label)] = _PATTERN
        for label, paths in config.gazetteers.items():
            for path in paths:
                try:
                    names = read_gazetteer(path)
                except FileNotFoundError:
                    self.warnings.append(f"{path}: gazetteer of {label!r} not found, skipped")
                    continue
                except (OSError, UnicodeDecodeError) as error:
                    why = getattr(error, "strerror", None) or "not UTF-8"
                    self.warnings.append(f"{path}: cannot read gazetteer ({why}), skipped")
                    continue
                for name in names:
                    ranks[(name, label)] = _GAZETTEER
        out = []
        for (text, label), rank in ranks.items():
            phrase = self._anchor(text)
            if phrase is not None and label in self._label_rank:
                out.append((phrase, label, rank))
        return out

    def _index(self, article: Article) -> None:
        words = [token for token in tokenize(article.text) if not token.text.isspace()]
        local: dict[str, list[int]] = {}
        for token in words:
            places = local.get(token.text)
            if places is None:
                local[token.text] = [token.start]
            else:
                places.append(token.start)
        aid = article.id
        postings = self._postings
        for word, places in local.items():
            # Tuples of ints, unlike lists, drop out of the garbage collector's sight: a
            # corpus-sized index of lists makes every full collection (which any burst of
            # allocation triggers) cost tens of milliseconds.
            by_article = postings.get(word)
            if by_article is None:
                postings[word] = {aid: tuple(places)}
            else:
                by_article[aid] = tuple(places)
        bounds = bytearray(len(article.text) + 1)
        for token in words:
            bounds[token.start] |= _WORD_START
            bounds[token.end] |= _WORD_END
        self._docs[aid] = _Doc(article, bounds)

    def _candidates(
        self, places: Iterable[tuple[int, int]], label: str, source: int
    ) -> tuple[Candidate, ...]:
        rank = self._label_rank[label]
        return Places((start - end, source, rank, start, end, label) for start, end in places)

    def _regex_hits(self, doc: _Doc) -> list[Candidate]:
        if doc.regex_hits is not None:
            return doc.regex_hits
        text = doc.article.text
        bounds = doc.bounds
        found: list[Candidate] = []
        for label, regex in self._regexes:
            rank = self._label_rank[label]
            group = "span" if "span" in regex.groupindex else 0
            search = regex.search
            position = 0
            end_of_text = len(text)
            # A pattern that can match nothing (x*, \b, a|) matches at every offset, the end
            # included, where a search from past the end would start over at the end again.
            while position <= end_of_text and (match := search(text, position)) is not None:
                start, end = match.span(group)
                if start < end and bounds[start] & _WORD_START and bounds[end] & _WORD_END:
                    found.append((start - end, _PATTERN, rank, start, end, label))
                    position = max(match.end(), match.start() + 1)
                else:
                    position = match.start() + 1
        doc.regex_hits = found
        return found

    def find(self, text: str) -> dict[str, tuple[tuple[int, int], ...]]:
        """Where `text` occurs on whole words, case-sensitively: article id -> [(start, end)]."""
        phrase = self._anchor(text)
        return self._scan(phrase) if phrase is not None else {}

    def _scan(
        self, phrase: _Phrase, only: str | None = None
    ) -> dict[str, tuple[tuple[int, int], ...]]:
        by_article = self._postings.get(phrase.anchor)
        if not by_article:
            return {}
        if only is not None:
            by_article = {only: by_article[only]} if only in by_article else {}
        text, offset, length = phrase.text, phrase.offset, len(phrase.text)
        out: dict[str, tuple[tuple[int, int], ...]] = {}
        for article_id, positions in by_article.items():
            doc = self._docs[article_id]
            body, bounds = doc.article.text, doc.bounds
            size = len(body)
            places = []
            for position in positions:
                start = position - offset
                end = start + length
                if (
                    0 <= start
                    and end <= size
                    and bounds[start] & _WORD_START
                    and bounds[end] & _WORD_END
                    and body.startswith(text, start)
                ):
                    places.append((start, end))
            if places:
                out[article_id] = tuple(places)
        return out

    def _anchor(self, text: str) -> _Phrase | None:
        """`text` without surrounding whitespace, anchored on its rarest word; None if no words.

        Any word of the text would do as the anchor (every candidate is checked against the
        text); the rarest one makes the fewest candidates.
        """
        words = [token for token in tokenize(text) if not token.text.isspace()]
        if not words or not _HAS_WORD.search(text):
            return None
        postings = self._postings
        anchor = min(words, key=lambda token: len(postings.get(token.text, ())))
        first = words[0].start
        return _Phrase(text[first : words[-1].end], anchor.text, anchor.start - first)

    # -- following the store -------------------------------------------------------------

    def load_spans(self, spans: Iterable[Span]) -> None:
        """Replace every span the suggester knows (e.g. with the store's `all_spans()`)."""
        self._spans = {}
        self._tagged = {}
        for span in spans:
            self._spans.setdefault(span.article_id, {})[span.key] = span
            self._tagged.setdefault(span.text, Counter())[span.label] += 1
        self._lexicon = {}
        self._propagated = {}
        self._forget_resolved()
        for text in self._tagged:
            self._relabel(text, self._winner(text))

    def load_rejections(self, rejections: Mapping[str, Iterable[tuple[int, int, str]]]) -> None:
        """Replace every rejection: article id -> {(start, end, label)} (`Store.rejections`)."""
        self._rejected = {aid: set(items) for aid, items in rejections.items() if items}
        self._forget_resolved()

    def _forget_resolved(self) -> None:
        self._kept.clear()
        self._counts.clear()
        self._stale.clear()

    def load_store(self, store: Any) -> None:
        """The spans and rejections of an open `annotations.store.Store`."""
        self.load_spans(store.all_spans())
        ids = set(self._docs) | set(store.article_ids_with_spans())
        self.load_rejections({aid: store.rejections(aid) for aid in ids})

    def apply(self, change: ChangeLike) -> set[str]:
        """Follow one store change (`Store.add/remove/apply` return it, undo too).

        Returns the ids of the articles whose suggestions may have changed: redraw those
        (`take_changed` says where, for the articles kept resolved).
        """
        dirty: set[str] = set()
        touched: set[str] = set()
        kept = self._kept
        for span in change.removed:
            spans = self._spans.get(span.article_id)
            if spans is None or spans.pop(span.key, None) is None:
                continue
            dirty.add(span.article_id)
            touched.add(span.text)
            counts = self._tagged.get(span.text)
            if counts is not None:
                counts[span.label] -= 1
                if counts[span.label] <= 0:
                    del counts[span.label]
                if not counts:
                    del self._tagged[span.text]
            resolved = kept.get(span.article_id)
            if resolved is not None:
                resolved.span_changed(span, -1)
        for span in change.added:
            self._spans.setdefault(span.article_id, {})[span.key] = span
            dirty.add(span.article_id)
            touched.add(span.text)
            self._tagged.setdefault(span.text, Counter())[span.label] += 1
            resolved = kept.get(span.article_id)
            if resolved is not None:
                resolved.span_changed(span, 1)
        for text in touched:
            label = self._winner(text)
            if label != self._lexicon.get(text):
                dirty.update(self._relabel(text, label))
        self._settle(dirty)
        return dirty

    def _settle(self, article_ids: Iterable[str]) -> None:
        for article_id in article_ids:
            resolved = self._kept.get(article_id)
            if resolved is not None:
                resolved.settle()
            else:
                self._stale.add(article_id)

    def reject(self, article_id: str, start: int, end: int, label: str) -> set[str]:
        """Remember a rejection (beside `Store.reject`); returns the article ids changed."""
        self._rejected.setdefault(article_id, set()).add((start, end, label))
        return self._rejection_changed(article_id, start, end)

    def unreject(self, article_id: str, start: int, end: int, label: str) -> set[str]:
        self._rejected.get(article_id, set()).discard((start, end, label))
        return self._rejection_changed(article_id, start, end)

    def _rejection_changed(self, article_id: str, start: int, end: int) -> set[str]:
        resolved = self._kept.get(article_id)
        if resolved is not None:
            if resolved.rejected is not self._rejected.get(article_id):
                self._kept.pop(article_id)  # its set was replaced: build it again when asked
            else:
                resolved.rejection_changed(start, end)
        self._settle((article_id,))
        return {article_id}

    def add_article(self, article: Article) -> set[str]:
        """Index a new article, or one whose text changed; returns its id if anything changed.

        The spans of a changed article are the store's business: re-anchor them there
        (`Store.sync_articles`) and pass the change on to `apply`.
        """
        aid = article.id
        old = self._docs.get(aid)
        if old is not None:
            if old.article.text == article.text:
                old.article = article
                return set()
            self._unindex(aid)
        self._index(article)
        doc = self._docs[aid]
        for phrase, label, source in self._phrases:
            places = self._scan(phrase, only=aid).get(aid)
            if places:
                doc.phrase_hits.extend(self._candidates(places, label, source))
        for text in self._occurrences:
            phrase = self._anchor(text)
            places = self._scan(phrase, only=aid).get(aid) if phrase is not None else None
            if places:
                self._occurrences.setdefault(text, {})[aid] = places
                self._texts_in.setdefault(aid, set()).add(text)
                label = self._lexicon.get(text)
                if label is not None:
                    candidates = self._candidates(places, label, _PROPAGATED)
                    self._propagated.setdefault(aid, {})[text] = candidates
        self._stale.add(aid)
        return {aid}

    def _unindex(self, article_id: str) -> None:
        for by_article in self._postings.values():
            by_article.pop(article_id, None)
        for text in self._texts_in.pop(article_id, set()):
            self._occurrences[text].pop(article_id, None)
        self._propagated.pop(article_id, None)
        for key in [key for key in self._recent if key[0] == article_id]:
            del self._recent[key]  # their offsets were in the old text
        del self._docs[article_id]
        self._kept.pop(article_id, None)
        self._counts.pop(article_id, None)

    def _winner(self, text: str) -> str | None:
        counts = self._tagged.get(text)
        if not counts:
            return None
        rank = self._label_rank
        known = [(-n, rank[label], label) for label, n in counts.items() if label in rank]
        return min(known)[2] if known else None

    def _relabel(self, text: str, label: str | None) -> Iterable[str]:
        """Propose `text` with `label` (None: no more); returns the ids of its articles.

        Its occurrences are searched for the first time it is tagged, and kept.
        """
        places = self._occurrences.get(text)
        if places is None:
            phrase = self._anchor(text)
            places = self._scan(phrase) if phrase is not None else {}
            self._occurrences[text] = places
            for article_id in places:
                self._texts_in.setdefault(article_id, set()).add(text)
        if label is None:
            self._lexicon.pop(text, None)
        else:
            self._lexicon[text] = label
        kept, recent = self._kept, self._recent
        for article_id, spots in places.items():
            by_text = self._propagated.setdefault(article_id, {})
            old = by_text.pop(text, None)
            new = None
            if label is not None:
                new = recent.pop((article_id, text, label), None)
                if new is None:
                    new = self._candidates(spots, label, _PROPAGATED)
                by_text[text] = new
            if old:
                recent[(article_id, text, old[0][5])] = old
                if len(recent) > _RECENT:
                    del recent[next(iter(recent))]
            resolved = kept.get(article_id)
            if resolved is not None:
                if old:
                    resolved.remove_candidates(old)
                if new:
                    resolved.add_candidates(new)
        return places.keys()

    # -- asking --------------------------------------------------------------------------

    @property
    def article_ids(self) -> list[str]:
        return list(self._docs)

    def label_for(self, text: str) -> str | None:
        """The label a tagged text is proposed with, or None if it was never tagged."""
        return self._lexicon.get(text)

    def suggestions(
        self,
        article_id: str,
        spans: Iterable[Span] | None = None,
        rejected: Iterable[tuple[int, int, str]] | None = None,
    ) -> list[Suggestion]:
        """The suggestions of one article, in text order ([] for an unknown article).

        Without `spans`/`rejected`, the suggester's own copies are used (from `load_store`,
        `load_spans`, `apply`, `load_rejections`, `reject`), and the same objects come back
        while nothing changed. With them, they replace those copies for this one call.
        """
        if article_id not in self._docs:
            return []
        if spans is None and rejected is None:
            return list(self.view(article_id).items)
        return list(self._resolve(article_id, spans, rejected).items)

    def view(self, article_id: str) -> Resolved:
        """The live suggestions of one article, kept up to date by `apply`, `reject` and
        `unreject` while the article stays among the recently asked for (ask again after each
        change: if it was dropped meanwhile, a new one comes back). What the reader draws."""
        resolved = self._kept.get(article_id)
        if resolved is None:
            resolved = self._resolve(article_id, None, None)
            self._kept[article_id] = resolved
            self._stale.discard(article_id)
            kept = self._kept
            while len(kept) > 2 and (
                len(kept) > KEEP_RESOLVED
                or sum(len(r.text) for r in kept.values()) > KEEP_CHARACTERS
            ):
                old_id, old = kept.popitem(last=False)
                self._counts[old_id] = len(old)
        else:
            self._kept.move_to_end(article_id)
        return resolved

    def take_changed(self, article_id: str) -> Changed | None:
        """Where the suggestions of an article changed since last asked (`Changed`: iterate it
        for (start, end) pairs, or ask `within` for those touching a window);
        None: anywhere (the article was not kept resolved, or too much changed)."""
        resolved = self._kept.get(article_id)
        return resolved.take_changed() if resolved is not None else None

    def count(self, article_id: str) -> int:
        """How many suggestions wait in one article."""
        if article_id not in self._docs:
            return 0
        resolved = self._kept.get(article_id)
        if resolved is not None:
            return len(resolved)
        if article_id in self._stale or article_id not in self._counts:
            # Kept resolved from now on: the next change to it costs what it changes (a long
            # article on screen in the list would otherwise be resolved whole per key).
            return len(self.view(article_id))
        return self._counts[article_id]

    def counts(self, article_ids: Iterable[str] | None = None) -> dict[str, int]:
        """Article id -> suggestions waiting, for `article_ids` (default: all, corpus order).

        Recounting costs about 0.1 ms for each 500-word article whose suggestions changed (all
        of them, after tagging a word found everywhere): ask for the rows on screen first.
        """
        ids = self._docs if article_ids is None else article_ids
        return {article_id: self.count(article_id) for article_id in ids}

    def at(self, article_id: str, offset: int) -> Suggestion | None:
        """The suggestion covering `offset` (the one `y` accepts), if any."""
        return self.view(article_id).at(offset) if article_id in self._docs else None

    def at_or_after(self, article_id: str, offset: int) -> Suggestion | None:
        """What `y` accepts: the suggestion under `offset`, else the next one after it."""
        return self.at(article_id, offset) or self.next_after(article_id, offset)

    def next_after(self, article_id: str, offset: int) -> Suggestion | None:
        """The first suggestion starting after `offset` (`}`; `y` when none is under it)."""
        if article_id not in self._docs:
            return None
        view = self.view(article_id)
        start = view.next_start(offset)
        return view.at(start) if start is not None else None

    def previous_before(self, article_id: str, offset: int) -> Suggestion | None:
        """The last suggestion starting before `offset` (`{`)."""
        if article_id not in self._docs:
            return None
        view = self.view(article_id)
        start = view.prev_start(offset)
        return view.at(start) if start is not None else None

    def _resolve(
        self,
        article_id: str,
        spans: Iterable[Span] | None,
        rejected: Iterable[tuple[int, int, str]] | None,
    ) -> Resolved:
        """Every candidate of the article, through the rules of the module docstring."""
        doc = self._docs[article_id]
        candidates = self._regex_hits(doc) + doc.phrase_hits
        texts = []
        for found in self._propagated.get(article_id, {}).values():
            if len(found) >= resolve.BATCH_FROM:
                texts.append(found)
            else:
                candidates += found
        if spans is None:
            spans = self._spans.get(article_id, {}).values()
        if rejected is None:
            rejected = self._rejected.setdefault(article_id, set())
        elif not isinstance(rejected, set):
            rejected = set(rejected)
        resolved = Resolved(article_id, doc.article.text, self.labels, candidates, spans, rejected)
        if texts:
            # A text found in many places goes in as a group (the same result as resolving
            # everything at once: see Resolved), so that untagging or relabelling it later
            # takes it out as one, too.
            for found in texts:
                resolved.add_candidates(found)
            resolved.settle()
            resolved.take_changed()
        return resolved
