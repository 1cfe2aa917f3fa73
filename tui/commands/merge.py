"""`spantag merge`: merge two annotators' spans into a new store, by a policy."""

from __future__ import annotations

from contextlib import ExitStack
from pathlib import Path

from annotations.merge import POLICIES, merge, write_merged
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
    corpus_ids = [article.id for article in ctx.corpus()]
    with ExitStack() as stack:
        a, b, stores = open_sides(args, ctx, stack, corpus_ids)
        result = merge(a.spans, b.spans, args.policy, reviewer)
        with Store.open(output) as merged:
            for store in stores:
                for article in store.stored_articles():
                    merged.add_article(article)
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
