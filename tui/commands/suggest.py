"""`spantag suggest`: the suggestions waiting in each article, printed or accepted."""

from __future__ import annotations

import sys
from collections import Counter

from annotations.formats import doccano, prodigy
from annotations.spans import Span
from annotations.suggest import SUGGESTION_SOURCES, Suggester, Suggestion
from annotations.tokenizer import tokenize
from tui.commands import Context, UserError

NAME = "suggest"
HELP = (
    "Suggestions: every other occurrence of a text tagged somewhere (propagated), the config's "
    "patterns and gazetteers. Prints them as JSONL (one line per article that has any, the "
    "suggestions as its spans, each span's source in span_sources) without touching the store; "
    "--accept stores them as spans marked with their source instead."
)

JSONL_FORMATS = ("prodigy", "doccano")


def add_arguments(parser) -> None:
    parser.add_argument("ids", nargs="*", metavar="ID", help="article ids (default: every article)")
    parser.add_argument(
        "-f",
        "--format",
        choices=JSONL_FORMATS,
        help="output format (default: config export.format if JSONL, else prodigy)",
    )
    parser.add_argument(
        "--accept", action="store_true", help="store the suggestions as spans, print a summary"
    )
    parser.add_argument(
        "--label", action="append", metavar="LABEL", help="only this label (repeatable)"
    )
    parser.add_argument(
        "--source",
        action="append",
        choices=SUGGESTION_SOURCES,
        help="only this source (repeatable)",
    )
    parser.add_argument(
        "--corpus",
        action="append",
        metavar="PATH",
        help="article file or folder instead of the config's corpus (repeatable)",
    )


def run(args, ctx: Context) -> int:
    labels = ctx.config.label_names
    for label in args.label or ():
        if label not in labels:
            raise UserError(f"unknown label {label!r} (labels: {', '.join(labels)})")
    fmt = args.format or (
        ctx.config.export.format if ctx.config.export.format in JSONL_FORMATS else "prodigy"
    )
    with ctx.open_store(read_only=not args.accept) as store:
        corpus = ctx.full_corpus(store, args.corpus)
        articles = _select(corpus, args.ids)
        suggester = Suggester(corpus.articles, ctx.config)
        for warning in suggester.warnings:
            print(f"warning: {warning}", file=sys.stderr)
        suggester.load_store(store)
        found = [
            (article, _filter(suggester.suggestions(article.id), args.label, args.source))
            for article in articles
        ]
        found = [(article, items) for article, items in found if items]
        annotator = ctx.config.annotator
        if args.accept:
            spans = [item.to_span(annotator) for _, items in found for item in items]
            change = store.apply(add=spans)
            by_source = Counter(span.source for span in change.added)
            detail = ", ".join(f"{source} {n}" for source, n in sorted(by_source.items()))
            print(
                f"accepted {len(change.added)} suggestion(s) in {len(found)} article(s)"
                + (f" ({detail})" if detail else "")
            )
            return 0
    for article, items in found:
        spans = [item.to_span(annotator) for item in items]
        print(_encode(fmt, article, spans))
    total = sum(len(items) for _, items in found)
    print(f"{total} suggestion(s) in {len(found)} article(s)", file=sys.stderr)
    return 0


def _select(corpus, ids: list[str]) -> list:
    if not ids:
        return list(corpus.articles)
    unknown = [article_id for article_id in ids if corpus.get(article_id) is None]
    if unknown:
        raise UserError(f"unknown article id(s): {', '.join(unknown)} (see `spantag list`)")
    return [corpus.get(article_id) for article_id in dict.fromkeys(ids)]


def _filter(
    items: list[Suggestion], labels: list[str] | None, sources: list[str] | None
) -> list[Suggestion]:
    return [
        item
        for item in items
        if (not labels or item.label in labels) and (not sources or item.source in sources)
    ]


def _encode(fmt: str, article, spans: list[Span]) -> str:
    if fmt == "doccano":
        return doccano.encode(article, spans)
    return prodigy.encode(article, spans, tokenize(article.text))
