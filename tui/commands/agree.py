"""`spantag agree`: how far two annotators agree (span P/R/F1, exact and partial; kappa)."""

from __future__ import annotations

import json
import sys
from contextlib import ExitStack
from pathlib import Path

from rich.console import Console, Group
from rich.table import Table
from rich.text import Text

from annotations.agree import Agreement, Side, agreement, store_side
from tui.commands import Context, UserError

NAME = "agree"
HELP = (
    "Agreement of B with A on the articles both annotated: precision, recall and F1 per label "
    "(exact and partial span matches) and Cohen's kappa over word BIO tags. Two stores, or "
    "two annotators of one store (--annotators A,B; the store defaults to --store)."
)


def add_arguments(parser) -> None:
    add_side_arguments(parser)
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.add_argument(
        "--corpus",
        action="append",
        metavar="PATH",
        help="article files or folders for the texts (default: the config's corpus)",
    )


def add_side_arguments(parser) -> None:
    parser.add_argument("stores", nargs="*", metavar="STORE", help="A.json B.json (or one store)")
    parser.add_argument(
        "--annotators",
        metavar="A,B",
        help="compare these two annotators (within one store, or one from each store)",
    )


def open_sides(args, ctx: Context, stack: ExitStack, article_ids=()) -> tuple[Side, Side, list]:
    """The two sides named by `stores` / `--annotators`, and the stores opened (read-only)."""
    paths = [Path(p) for p in args.stores]
    if len(paths) > 2:
        raise UserError("give at most two stores (A.json B.json)")
    for path in paths:
        if not path.is_file():
            raise UserError(f"{path}: no such store")
    names: list[str] | None = None
    if args.annotators:
        names = [name.strip() for name in args.annotators.split(",")]
        if len(names) != 2 or not all(names):
            raise UserError("--annotators takes two names: --annotators alice,bob")
    if not paths:
        if not ctx.store_path.is_file():
            raise UserError(f"{ctx.store_path}: no such store")
        paths = [ctx.store_path]
    stores = [stack.enter_context(_open(path)) for path in paths]
    if names:
        holders = stores if len(stores) == 2 else stores * 2
        for name, store, path in zip(names, holders, paths * (3 - len(paths)), strict=True):
            if name not in store.annotators():
                found = ", ".join(store.annotators()) or "none"
                raise UserError(f"{path}: no spans by {name!r} (annotators: {found})")
    if len(stores) == 2:
        if names:
            a = store_side(stores[0], names[0], f"{names[0]} ({paths[0].name})")
            b = store_side(stores[1], names[1], f"{names[1]} ({paths[1].name})")
        else:
            a = store_side(stores[0], None, paths[0].name, article_ids)
            b = store_side(stores[1], None, paths[1].name, article_ids)
        return a, b, stores
    store = stores[0]
    if names is None:
        found = store.annotators()
        if len(found) != 2:
            raise UserError(
                f"{paths[0]} holds {len(found)} annotator(s) ({', '.join(found) or 'none'}): "
                "give two stores, or --annotators A,B"
            )
        names = found
    return store_side(store, names[0]), store_side(store, names[1]), stores


def _open(path: Path):
    from annotations.store import Store

    return Store.open(path, read_only=True)


def add_store_texts(texts: dict[str, str], stores) -> dict[str, str]:
    """Add the stores' own (imported) articles to `texts` (the corpus wins)."""
    for store in stores:
        for article in store.stored_articles():
            texts.setdefault(article.id, article.text)
    return texts


def run(args, ctx: Context) -> int:
    corpus = ctx.corpus(args.corpus)
    texts = {article.id: article.text for article in corpus}
    with ExitStack() as stack:
        a, b, stores = open_sides(args, ctx, stack, list(texts))
        add_store_texts(texts, stores)
        result = agreement(a, b, texts, ctx.config.label_names)
    if not result.articles:
        raise UserError(f"no article annotated by both {a.name} and {b.name}")
    if result.no_text:
        shown = ", ".join(result.no_text[:5]) + (" ..." if len(result.no_text) > 5 else "")
        print(
            f"warning: kappa leaves out {len(result.no_text)} article(s) whose text is not in "
            f"the corpus or the stores: {shown}",
            file=sys.stderr,
        )
    if args.json:
        print(json.dumps(result.to_json(), indent=2))
    else:
        Console().print(render_agreement(result, ctx.config.colours))
    return 0


def _pct(value: float) -> str:
    return f"{value * 100:.1f}%"


def render_agreement(result: Agreement, colours: dict[str, str] | None = None) -> Group:
    """A Rich table of an `Agreement` (the stats screen shows it too)."""
    colours = colours or {}
    table = Table(
        title=f"{result.name_b} against {result.name_a}: {len(result.articles)} article(s)",
        caption=f"support: {result.name_a}'s spans; partial: overlapping, one to one",
    )
    table.add_column("label")
    table.add_column("match")
    for measure in ("precision", "recall", "F1"):
        table.add_column(measure, justify="right")
    table.add_column("support", justify="right")
    rows = [*result.labels.items(), ("overall", result.overall)]
    for index, (label, scores) in enumerate(rows):
        if index:
            table.add_section()
        style = colours.get(label, "bold" if label == "overall" else "")
        for kind, part in (("exact", scores.exact), ("partial", scores.partial)):
            table.add_row(
                Text(label, style=style) if kind == "exact" else "",
                kind,
                *(_pct(value) for value in (part.precision, part.recall, part.f1)),
                str(part.support),
            )
    kappa = "n/a (no article text)" if result.kappa is None else f"{result.kappa:.3f}"
    footer = Text(f"Cohen's kappa over {result.words} word BIO tags: {kappa}")
    return Group(table, footer)
