"""spaCy's binary `.spacy` (a `DocBin`): what `spacy train` reads.

Each article becomes `Doc(vocab, words, spaces)` built from our own tokens, so token boundaries
are exactly the ones every other export uses (and `doc.text` is the article text; checked).
`doc.spans["sc"]` holds every span, `doc.ents` the non-overlapping ones (the longer wins;
spaCy refuses overlapping entities). `doc.user_data["meta"]` carries the article's id,
source and meta, and `span_sources`/`span_annotators` aligned with `doc.spans["sc"]`.
A span `doc.char_span` cannot make (offsets off token boundaries) is an error naming the
article, never a span dropped silently. spaCy is an optional extra, imported only here.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from annotations.articles import Article
from annotations.formats import FormatError, TokenLike, article_meta
from annotations.spans import Span, non_overlapping

if TYPE_CHECKING:  # pragma: no cover
    from spacy.tokens import Doc
    from spacy.vocab import Vocab

NAME = "docbin"
SPAN_KEY = "sc"
INSTALL_HINT = "the docbin format needs spaCy: pip install 'spantag[spacy]'"


def require_spacy() -> Any:
    """The `spacy` module, or FormatError with how to install it."""
    try:
        import spacy
    except ImportError:
        raise FormatError(INSTALL_HINT) from None
    return spacy


def new_vocab() -> Vocab:
    require_spacy()
    from spacy.vocab import Vocab

    return Vocab()


def build_doc(
    vocab: Vocab,
    article: Article,
    spans: Sequence[Span],
    tokens: Sequence[TokenLike],
    source: str | None = None,
) -> tuple[Doc, list[Span]]:
    """The Doc of one article and the spans left out of `doc.ents` (all are in `sc`)."""
    from spacy.tokens import Doc

    doc = Doc(vocab, words=[t.text for t in tokens], spaces=[bool(t.ws) for t in tokens])
    if doc.text != article.text:
        raise FormatError(
            f"{article.id}: the tokens do not rebuild the text (a tokenizer bug); not exported"
        )
    made = {}
    for span in spans:
        made[id(span)] = _char_span(doc, article.id, span)
    doc.spans[SPAN_KEY] = [made[id(span)] for span in spans]
    kept, dropped = non_overlapping(spans)
    doc.ents = [made[id(span)] for span in kept]
    doc.user_data["meta"] = article_meta(
        article.id, article.source if source is None else source, article.meta, spans
    )
    return doc, dropped


def _char_span(doc: Doc, article_id: str, span: Span):
    made = doc.char_span(span.start, span.end, label=span.label)
    if made is None:
        raise FormatError(
            f"{article_id}: span [{span.start}, {span.end}) {span.label} {span.text!r} does not "
            f"fall on token boundaries (spaCy's char_span gives None); fix the span in spantag "
            f"or export as doccano"
        )
    return made


def to_bytes(docs: Iterable[Doc]) -> bytes:
    from spacy.tokens import DocBin

    return DocBin(store_user_data=True, docs=docs).to_bytes()


def from_bytes(data: bytes, vocab: Vocab | None = None) -> list[Doc]:
    """Read a `.spacy` file's bytes back (tests, and checking an export)."""
    from spacy.tokens import DocBin

    return list(DocBin().from_bytes(data).get_docs(vocab or new_vocab()))
