"""`spantag assign`: split the corpus between annotators, some articles to two of them."""

from __future__ import annotations

import sys
from pathlib import Path

from annotations.assign import AssignmentError, assign
from tui.commands import Context, UserError

NAME = "assign"
HELP = (
    "Split the corpus between annotators: every article to one, a fraction (--overlap) to "
    "two for agreement. Deterministic: the same corpus and names give the same split."
)

#: The overlap when --overlap is not given and there are at least two annotators.
DEFAULT_OVERLAP = 0.2


def add_arguments(parser) -> None:
    parser.add_argument(
        "paths", nargs="*", help="article files or folders (default: config corpus)"
    )
    parser.add_argument(
        "--annotators", required=True, metavar="A,B,...", help="comma-separated annotator names"
    )
    parser.add_argument(
        "--overlap",
        type=float,
        default=None,
        metavar="F",
        help=f"fraction of articles given to two annotators (default {DEFAULT_OVERLAP}; "
        "0 with one annotator)",
    )
    parser.add_argument("-o", "--output", metavar="FILE", help="write YAML here (default stdout)")


def run(args, ctx: Context) -> int:
    names = [name for name in args.annotators.split(",")]
    overlap = args.overlap
    if overlap is None:
        overlap = DEFAULT_OVERLAP if len([n for n in names if n.strip()]) > 1 else 0.0
    article_ids = [article.id for article in _articles(args.paths, ctx)]
    if not article_ids:
        raise UserError("no articles to assign (check the corpus paths)")
    try:
        result = assign(article_ids, names, overlap)
    except AssignmentError as error:
        raise UserError(str(error)) from None
    text = result.to_yaml()
    if not args.output:
        sys.stdout.write(text)
        return 0
    output = Path(args.output)
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as error:
        raise UserError(f"{output}: cannot write: {error.strerror}") from None
    for name, ids in result.by_annotator.items():
        print(f"{name}: {len(ids)} articles")
    print(f"overlap: {len(result.overlap)} articles given to two annotators")
    print(f"wrote {output}")
    return 0


def _articles(paths: list[str], ctx: Context):
    """The corpus, plus articles kept only in the store (imported) when a store exists."""
    corpus = ctx.corpus(paths or None)
    articles = list(corpus)
    if not paths and ctx.store_path.exists():
        known = {article.id for article in articles}
        with ctx.open_store(read_only=True) as store:
            articles += [a for a in store.stored_articles() if a.id not in known]
    return articles
