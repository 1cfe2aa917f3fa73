"""`spantag review`: decide, in the app, every disagreement between two annotators' stores."""

from __future__ import annotations

from tui.commands import UserError

NAME = "review"
HELP = (
    "Review two stores side by side (A left, B right) and merge them into -o: spans both "
    "made go in at once; keys take A's spans, B's, both or neither for each disagreement "
    "(a, b, o, x; n/N next/previous). Decisions are saved as they are made: run the same "
    "command again to carry on. Merged spans keep their annotator; their reviewer is you."
)


def add_arguments(parser) -> None:
    parser.add_argument("store_a", metavar="A.json", help="annotator A's store (read only)")
    parser.add_argument("store_b", metavar="B.json", help="annotator B's store (read only)")
    parser.add_argument(
        "-o",
        "--output",
        required=True,
        metavar="MERGED.json",
        help="the merged store: created, or an earlier review's to carry on with",
    )
    parser.add_argument(
        "paths",
        nargs="*",
        metavar="PATHS",
        help="article files or folders (default: the config's corpus)",
    )
    parser.add_argument(
        "--reviewer",
        metavar="NAME",
        help="recorded as each merged span's reviewer (default: the config's annotator)",
    )
    # `spantag review A B -o m.json PATHS`: plain parse_args takes the positionals before
    # -o as the whole list and rejects the paths after it; the intermixed parse does not.
    parser.parse_args = parser.parse_intermixed_args


def run(args, ctx) -> int:
    from tui.review_app import make_review_app
    from tui.review_state import ReviewError

    try:
        app = make_review_app(
            ctx.config,
            args.store_a,
            args.store_b,
            args.output,
            args.paths or None,
            reviewer=args.reviewer,
        )
    except ReviewError as error:
        raise UserError(str(error)) from None
    try:
        app.run()
    finally:
        app.review.close()
    return app.return_code or 0
