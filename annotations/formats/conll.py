"""CoNLL-style BIO: one `token<TAB>tag` line per token, a blank line after every sentence.

The input of seqeval and of Hugging Face token-classification scripts. Whitespace tokens are not
written. A token carries one tag, so of overlapping spans the longer is kept (`non_overlapping`)
and the rest are returned as dropped, for the export to count on stderr. A span that covers
only whitespace has no token to tag and is dropped too. A span whose offsets do not fall on
token boundaries is an error naming the article, as in every tokenised format. A sentence
break never falls inside a span: the sentences it runs across are written as one.
"""

from __future__ import annotations

from collections.abc import Sequence

from annotations.formats import TokenBounds, TokenLike
from annotations.spans import Span, non_overlapping

NAME = "conll"
OUTSIDE = "O"


def encode(
    article_id: str,
    spans: Sequence[Span],
    tokens: Sequence[TokenLike],
    sentences: Sequence[Sequence[TokenLike]],
) -> tuple[str, list[Span]]:
    """The lines of one article (each sentence followed by a blank line) and dropped spans.

    `tokens` are all the article's tokens (to check boundaries); `sentences` its non-space
    tokens grouped by sentence, as `annotations.tokenizer.sentences` returns them.
    """
    kept, dropped = non_overlapping(spans)
    if kept:
        bounds = TokenBounds(tokens, article_id)
        for span in kept:
            bounds.token_range(span.start, span.end, span.label, span.text)
    sentences = _unbroken(sentences, kept)
    words = [token for sentence in sentences for token in sentence]
    tags = _tags(kept, words, dropped)
    lines = [f"{word.text}\t{tag}\n" for word, tag in zip(words, tags, strict=True)]
    blocks = []
    position = 0
    for sentence in sentences:
        blocks.append("".join(lines[position : position + len(sentence)]))
        position += len(sentence)
    return ("\n".join(blocks) + "\n" if blocks else ""), dropped


def _unbroken(
    sentences: Sequence[Sequence[TokenLike]], kept: list[Span]
) -> Sequence[Sequence[TokenLike]]:
    """The sentences, with those a span runs across written as one.

    After a blank line readers (seqeval, Hugging Face scripts) start afresh, so an `I-` there
    would begin another entity: a span over a sentence break would come back as two.
    """
    if len(sentences) < 2 or not kept:
        return sentences
    out = [list(sentences[0])]
    index = 0
    for sentence in sentences[1:]:
        boundary = sentence[0].start
        while index < len(kept) and kept[index].end <= boundary:
            index += 1
        if index < len(kept) and kept[index].start < boundary:
            out[-1].extend(sentence)  # the span goes on: no break here
        else:
            out.append(list(sentence))
    return out


def _tags(kept: list[Span], words: Sequence[TokenLike], dropped: list[Span]) -> list[str]:
    """One BIO tag per word, walking words and (sorted, disjoint) spans together."""
    tags = [OUTSIDE] * len(words)
    index = 0
    for span in kept:  # sorted by start, none overlapping
        while index < len(words) and words[index].start < span.start:
            index += 1
        first = True
        while index < len(words) and words[index].end <= span.end:
            tags[index] = ("B-" if first else "I-") + span.label
            first = False
            index += 1
        if first:
            dropped.append(span)  # only whitespace: nothing to tag
    return tags


def parse(text: str) -> list[list[tuple[str, str]]]:
    """Sentences of `(token, tag)` pairs; for tests and for checking an export by eye."""
    sentences: list[list[tuple[str, str]]] = []
    current: list[tuple[str, str]] = []
    for line in text.split("\n"):
        if not line:
            if current:
                sentences.append(current)
                current = []
            continue
        token, _, tag = line.rpartition("\t")
        current.append((token, tag))
    if current:
        sentences.append(current)
    return sentences


def bio_spans(tags: Sequence[str]) -> list[tuple[int, int, str]]:
    """`(first, last, label)` token-index chunks of a BIO tag sequence (last inclusive)."""
    chunks: list[tuple[int, int, str]] = []
    for index, tag in enumerate(tags):
        if tag.startswith("I-"):
            label = tag[2:]
            if chunks and chunks[-1][1] == index - 1 and chunks[-1][2] == label:
                chunks[-1] = (chunks[-1][0], index, label)
                continue
            chunks.append((index, index, label))  # an I- that starts a chunk, as seqeval reads it
        elif tag.startswith("B-"):
            chunks.append((index, index, tag[2:]))
    return chunks
