"""`spantag merge`: merge two annotators' spans into a new store, by a policy."""

from __future__ import annotations

import sys
from contextlib import ExitStack
from dataclasses import replace
from pathlib import Path

from annotations.agree import Side
from annotations.merge import POLICIES, merge, write_merged
from annotations.spans import Span
from tui.commands import Context, UserError
from tui.commands.agree import add_side_arguments, open_sides

NAME = "merge"
HELP = (
    "Merge the spans of two stores (or of two annotators of one store, --annotators A,B) "
    "into a new store: spans both made are kept; each disagreement is resolved by --policy "
    "and listed. Merged spans keep their annotator; their reviewer is --reviewer."
)


def add_arguments(parser) -> None:
    add_side_arguments(parser)
    parser.add_argument("-o", "--output", required=True, metavar="FILE", help="the new store")
    parser.add_argument(
        "--policy",
        choices=POLICIES,
        default="union",
        help="union: both sides' spans; intersection: agreed spans only; prefer-a: A's spans "
        "where A has any, else B's (default union)",
    )
    parser.add_argument(
        "--reviewer",
        metavar="NAME",
        help="recorded as each merged span's reviewer (default merge:POLICY)",
    )


def run(args, ctx: Context) -> int:
    from annotations.store import Store

    output = Path(args.output)
    if output.exists():
        raise UserError(f"{output}: already exists; merge writes a new store (choose another -o)")
    reviewer = args.reviewer or f"merge:{args.policy}"
    corpus = ctx.corpus()
    corpus_ids = [article.id for article in corpus]
    with ExitStack() as stack:
        a, b, stores = open_sides(args, ctx, stack, corpus_ids)
        # Compare spans where they are in today's texts: an article file that changed since
        # A or B annotated it moves their spans (in memory; A and B are not written).
        moved = [_reanchor(store, corpus.articles) for store in stores]
        a = _current(a, stores[0], moved[0])
        b = _current(b, stores[-1], moved[-1])
        result = merge(a.spans, b.spans, args.policy, reviewer)
        with Store.open(output) as merged:
            for store in stores:
                for article in store.stored_articles():
                    merged.add_article(article)
            # The texts' hashes, as A and B record them: the merged store re-anchors its
            # spans when an article file changes later.
            merged.sync_articles(corpus.articles)
            result = write_merged(merged, result)
            for article_id in sorted(a.annotated & b.annotated):
                merged.set_done(article_id, True)
            merged.set_meta(
                "merged",
                {
                    "a": a.name,
                    "b": b.name,
                    "stores": [str(store.path) for store in stores],
                    "policy": args.policy,
                    "reviewer": reviewer,
                },
            )
    for disagreement, choice in result.resolved:
        print(f"{disagreement.describe(a.name, b.name)} -> {choice}")
    print(
        f"merged {len(result.spans) - result.dropped} span(s) into {output}: "
        f"{result.agreed} agreed, {len(result.resolved)} conflict(s) resolved by {args.policy}"
    )
    if result.dropped:
        print(
            f"note: {result.dropped} span(s) overlapped a same-label span of the same annotator "
            "and were not kept (the store keeps one of them)"
        )
    return 0


def _reanchor(store, articles) -> dict[tuple, Span]:
    """`Store.sync_articles` of a read-only store (in memory only), its reports printed as
    warnings. Returns the old key of each span that moved -> the span where it is now."""
    moved: dict[tuple, Span] = {}
    for report in store.sync_articles(articles):
        for line in report.lines():
            print(f"warning: {store.path.name}: {line}", file=sys.stderr)
        moved.update((old.key, new) for old, new in report.moved)
    return moved


def _current(side: Side, store, moved: dict[tuple, Span]) -> Side:
    """`side`, read before re-anchoring, with its spans as `store` holds them now (moved,
    marked stale or no longer stale)."""
    spans = tuple(moved.get(span.key) or store.get(span) or span for span in side.spans)
    return replace(side, spans=spans)
