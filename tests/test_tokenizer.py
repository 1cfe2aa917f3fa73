"""Words: spaCy's English token boundaries, offsets into the exact text, and fast lookups."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annotations import tokenizer as tk
from annotations.articles import load_corpus
from annotations.tokenizer import Token, TokenIndex, is_space, sentences, tokenize

ROOT = Path(__file__).resolve().parents[1]
SEEDS = sorted((ROOT / "seeds").glob("*.txt"))


def words(text: str) -> list[str]:
    return [t.text for t in tokenize(text) if not is_space(t)]


def seed_texts() -> list[tuple[str, str]]:
    corpus = load_corpus(SEEDS)
    assert len(corpus.articles) == 5, corpus.warnings
    return [(a.id, a.text) for a in corpus.articles]


# --- English conventions ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # possessives split off, straight or curly apostrophe
        ("Russia's", ["Russia", "'s"]),
        ("Russia’s", ["Russia", "’s"]),
        ("NATO's expansion", ["NATO", "'s", "expansion"]),
        ("U.K.'s", ["U.K.", "'s"]),
        ("James' car", ["James", "'", "car"]),
        # contractions
        ("don't", ["do", "n't"]),
        ("Don’t", ["Do", "n’t"]),
        ("can't", ["ca", "n't"]),
        ("won't", ["wo", "n't"]),
        ("isn't", ["is", "n't"]),
        ("it's", ["it", "'s"]),
        ("I'm", ["I", "'m"]),
        ("we’re", ["we", "’re"]),
        ("cannot", ["can", "not"]),
        ("Let's", ["Let", "'s"]),
        # hyphens: split between letters, not in numbers or after initials
        ("Jean-Claude", ["Jean", "-", "Claude"]),
        ("military-political", ["military", "-", "political"]),
        ("head-to-head", ["head", "-", "to", "-", "head"]),
        ("US-led", ["US", "-", "led"]),
        ("U.S.-led", ["U.S.-led"]),
        ("mid-1990s", ["mid-1990s"]),
        ("COVID-19", ["COVID-19"]),
        ("15-Dec-2021", ["15", "-", "Dec-2021"]),
        ("10-20", ["10", "-", "20"]),
        ("word—word", ["word", "—", "word"]),
        # quotes and brackets
        ('"Hello," she said.', ['"', "Hello", ",", '"', "she", "said", "."]),
        (
            "“start negotiations immediately.”",
            ["“", "start", "negotiations", "immediately", ".", "”"],
        ),
        ("‘single’", ["‘", "single", "’"]),
        ("(see p.5)", ["(", "see", "p.5", ")"]),
        ("[1]", ["[", "1", "]"]),
        # numbers and money
        ("1,000.50", ["1,000.50"]),
        ("$5bn", ["$", "5bn"]),
        ("£1.2m", ["£", "1.2", "m"]),
        ("10%", ["10", "%"]),
        ("5km", ["5", "km"]),
        ("20°C.", ["20", "°", "C", "."]),
        ("10am", ["10", "am"]),
        # URLs and e-mail addresses stay whole
        ("https://www.example.com/path?q=1", ["https://www.example.com/path?q=1"]),
        ("www.bbc.co.uk", ["www.bbc.co.uk"]),
        ("foo@bar.com", ["foo@bar.com"]),
        # abbreviations keep their period; sentence ends lose it
        ("U.S.", ["U.S."]),
        ("in the U.S. and", ["in", "the", "U.S.", "and"]),
        ("(U.S.)", ["(", "U.S.", ")"]),
        ("Mr. Putin", ["Mr.", "Putin"]),
        ("Dec. 15", ["Dec.", "15"]),
        ("e.g.,", ["e.g.", ","]),
        ("said Wednesday.", ["said", "Wednesday", "."]),
        ("NATO.", ["NATO", "."]),
        ("end...", ["end", "..."]),
        ("Why?!", ["Why", "?", "!"]),
        (":)", [":)"]),
        ("x:):)", ["x", ":)", ":", ")"]),
        # other scripts
        ("МОСКВА.", ["МОСКВА", "."]),
        ("日本語。東京", ["日本語。東京"]),
        ("a😀b", ["a", "😀", "b"]),
    ],
)
def test_english_conventions(text, expected):
    assert words(text) == expected


def test_whitespace_tokens_line_up_with_spacy_docs():
    """One space after a word is its `ws`; any other whitespace is a token."""
    text = " Hi  there\r\nyou \n\tall\xa0ok "
    got = [(t.text, t.ws) for t in tokenize(text)]
    assert got == [
        (" ", False),
        ("Hi", True),
        (" ", False),
        ("there", False),
        ("\r\n", False),
        ("you", True),
        ("\n\t", False),
        ("all", False),
        ("\xa0", False),
        ("ok", True),
    ]
    assert [is_space(t) for t in tokenize("a \n b")] == [False, True, False]


def test_empty_and_blank_texts():
    assert tokenize("") == []
    assert tokenize(" ") == [Token(" ", 0, 1, False)]
    assert tokenize("\n\n") == [Token("\n\n", 0, 2, False)]
    assert TokenIndex("").snap(0, 0) is None
    assert TokenIndex("  \n").snap(0, 3) is None


def test_deterministic():
    text = "\n".join(text for _, text in seed_texts())
    first = tokenize(text)
    tk._split_run_cached.cache_clear()
    assert tokenize(text) == first


def test_token_index_on_a_sentence():
    text = "Deputy  Sergei Ryabkov's talks\n\nend."
    index = TokenIndex(text)
    assert index.word_at(17) == (15, 22)  # inside "Ryabkov"
    assert index.word_at(6) is None  # on the double space
    assert index.snap(17, 18) == (15, 22)
    assert index.snap(18, 17) == (15, 22)
    assert index.snap(5, 9) == (0, 14)  # "Deputy  Sergei", grown and never on whitespace
    assert index.snap(6, 8) is None
    assert index.snap(20, 24) == (15, 24)  # "Ryabkov's": the word and its "'s"
    assert text[slice(*index.snap(28, 33))] == "talks\n\nend"
    assert index.next_word_start(0) == 8 and index.next_word_start(33) == 35
    assert index.next_word_start(36) == len(text)
    assert index.prev_word_start(17) == 15 and index.prev_word_start(15) == 8
    assert index.prev_word_start(0) == 0
    first, last = index.token_range(6, 15)
    assert [t.text for t in index.tokens[first : last + 1]] == [" ", "Sergei"]
    assert index.is_boundary(22) and index.is_boundary(24) and not index.is_boundary(23)
    assert [t.text for t in index.words_between(20, 30)] == ["Ryabkov", "'s", "talks"]


# --- spaCy agreement ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def nlp():
    spacy = pytest.importorskip("spacy")
    return spacy.blank("en")


def spacy_boundaries(nlp, text):
    return [(t.idx, t.idx + len(t), bool(t.whitespace_)) for t in nlp(text)]


def our_boundaries(text):
    return [(t.start, t.end, t.ws) for t in tokenize(text)]


def test_seeds_match_spacy_exactly(nlp):
    """Every token of every seed article, whitespace tokens included: 2,434 of 2,434."""
    for article_id, text in seed_texts():
        assert our_boundaries(text) == spacy_boundaries(nlp, text), article_id


def test_special_cases_are_spacys(nlp):
    from spacy.symbols import ORTH

    theirs = {k: tuple(t[ORTH] for t in v) for k, v in nlp.tokenizer.rules.items()}
    assert tk.SPECIAL_CASES == theirs


def test_character_classes_are_spacys():
    classes = pytest.importorskip("spacy.lang.char_classes")
    every_char = "".join(chr(c) for c in range(0x110000) if not 0xD800 <= c < 0xE000)
    for name in ("ALPHA", "ALPHA_LOWER", "ALPHA_UPPER", "ICONS"):
        ours = set(re.findall(f"[{getattr(tk, name)}]", every_char))
        theirs = set(re.findall(f"[{getattr(classes, name)}]", every_char))
        assert ours == theirs, name


#: Tricky pieces of news text, glued together at random below.
NEWS_PIECES = (
    "Russia's Russia’s don't Don’t can't Jean-Claude 15-Dec-2021 1,000.50 $5 US$10 5km 10% "
    "U.S. U.S.-led (U.S.) Mr. Mrs. a.m. 3p.m. 5pm https://www.example.com/path?q=1 "
    'www.bbc.co.uk foo@bar.com "Hello," “Quoted” ‘single’ \'s :) x:) ;-) <3 e.g. i.e., etc. '
    "... … Hello... end. END. AB. A.B.C. rock'n'roll o'clock O'Brien ma'am y'all -- — "
    "word—word a–b 2+2 3*4 10-20 a/b and/or w/o km/h 5km/h °C. 20°C. #tag @user & C++ Ph.D. "
    "cannot gonna Let's 日本語 東京。 😀 a😀b café. naïve-ness Ölpreis. МОСКВА. Москва, (see "
    "p.5) [1] {x} «Bonjour» ¿Qué? ¡Hola! it's It’s he'll we're they've I'm ain't shouldn't've "
    "Dec. Calif., N.Y.) St.Petersburg end.The Co., 1990s ’90s '90s CO2 COVID-19 Covid-19. "
    "F-16s 5,000-strong B-52 x=y a:b 10:30 16:9 1/2 a<b !! ?! Why?! wow!!! ’ ' \" '' ``"
).split(" ") + ["e\u0301.", "\n", "\n\n", "  ", "\t", "\r\n", "\xa0", " \n "]
SEPARATORS = [" ", " ", " ", "", "  ", "\n", " \n", "\t"]


def test_random_news_pieces_match_spacy(nlp):
    rng = random.Random(20211215)
    for _ in range(1500):
        parts = []
        for _ in range(rng.randint(1, 8)):
            parts += [rng.choice(NEWS_PIECES), rng.choice(SEPARATORS)]
        text = "".join(parts)
        assert our_boundaries(text) == spacy_boundaries(nlp, text), repr(text)


# --- random texts: invariants -------------------------------------------------------------

ALPHABET = [
    "a", "Z", "é", "e\u0301", "\u0301", "ß", "Ж", "日本", "。", "한", "😀", "👍🏽", "🇬🇧", "❤️",
    "0", "1,000", ".", ",", "'", "’", "'s", "“", "”", '"', "-", "—", "(", ")", ":", "/", "$",
    "%", "Mr.", "U.S.", "don't", "http://x.com/a", " ", " ", "  ", "\t", "\n", "\r\n", "\xa0",
    "\u2028", "\u200b",
]  # fmt: skip
random_texts = st.lists(st.sampled_from(ALPHABET), max_size=40).map("".join)


@settings(max_examples=300, deadline=None)
@given(random_texts)
def test_tokens_tile_the_text(text):
    tokens = tokenize(text)
    pos = 0
    for tok in tokens:
        assert tok.text == text[tok.start : tok.end]
        assert tok.start < tok.end
        if tok.start != pos:  # only the single space a token's `ws` stands for is skipped
            assert tok.start == pos + 1 and text[pos] == " "
        pos = tok.end
        assert is_space(tok) or not any(c.isspace() for c in tok.text)
    assert pos == len(text) or (text[pos:] == " " and tokens[-1].ws)
    for tok in tokens:  # `ws`: one space follows a word (spaCy's whitespace_)
        assert tok.ws == (not is_space(tok) and text[tok.end : tok.end + 1] == " ")
    covered = {i for t in tokens for i in range(t.start, t.end)}
    assert all(i in covered for i, c in enumerate(text) if not c.isspace())


@settings(max_examples=300, deadline=None)
@given(random_texts, st.data())
def test_snap_never_cuts_a_word_or_ends_on_whitespace(text, data):
    index = TokenIndex(text)
    n = len(text)
    start = data.draw(st.integers(0, n))
    end = data.draw(st.integers(start, n))
    snapped = index.snap(start, end)
    inner = text[start:end]
    if start == end:
        assert snapped == index.word_at(start)
        return
    if not inner.strip() or all(c.isspace() for c in inner):
        assert snapped is None
        return
    assert snapped is not None
    s, e = snapped
    assert index.is_boundary(s) and index.is_boundary(e)
    assert not text[s].isspace() and not text[e - 1].isspace()
    # it contains [start, end) trimmed of whitespace
    lead = len(inner) - len(inner.lstrip())
    trail = len(inner) - len(inner.rstrip())
    assert s <= start + lead and end - trail <= e
    # and grows no further than the words at its ends
    overlapping = [t for t in index.tokens if not is_space(t) and t.start < end and start < t.end]
    assert (s, e) == (overlapping[0].start, overlapping[-1].end)


@settings(max_examples=200, deadline=None)
@given(random_texts, st.data())
def test_index_lookups_agree_with_a_linear_scan(text, data):
    index = TokenIndex(text)
    words_ = [t for t in index.tokens if not is_space(t)]
    offset = data.draw(st.integers(0, len(text)))
    containing = [(t.start, t.end) for t in words_ if t.start <= offset < t.end]
    assert index.word_at(offset) == (containing[0] if containing else None)
    after = [t.start for t in words_ if t.start > offset]
    assert index.next_word_start(offset) == (after[0] if after else len(text))
    before = [t.start for t in words_ if t.start < offset]
    assert index.prev_word_start(offset) == (before[-1] if before else 0)
    bounds = {t.start for t in index.tokens} | {t.end for t in index.tokens}
    assert index.is_boundary(offset) == (offset in bounds)
    end = data.draw(st.integers(offset, len(text)))
    hits = [i for i, t in enumerate(index.tokens) if t.start < end and offset < t.end]
    hits = hits if offset < end else []
    assert index.token_range(offset, end) == ((hits[0], hits[-1]) if hits else None)
    assert index.words_between(offset, end) == [
        t for t in words_ if t.start < end and offset < t.end and offset < end
    ]


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list(".,'’sS$%km0-9aZ…!?)\"é")), max_size=20))
def test_suffix_search_on_the_tail_equals_a_full_search(s):
    m = tk._suffix_search(s)
    assert tk._find_suffix(s) == (m.end() - m.start() if m else 0)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("([\"“‘'’,;:!?)]”.sSdontAI-aé")), min_size=1))
def test_shortcuts_give_what_the_full_rules_give(run):
    if run in tk.SPECIAL_CASES:
        return
    assert tk._split_run(run) == tk._split_run_fully(run)


# --- sentences ----------------------------------------------------------------------------


def sentence_texts(text: str) -> list[str]:
    return [" ".join(t.text for t in s) for s in sentences(text, tokenize(text))]


def test_sentences_split_at_terminal_punctuation_before_a_capital():
    text = 'Mr. Putin spoke. “We are ready,” he said. "Talks start now." 2022 will tell.'
    assert sentence_texts(text) == [
        "Mr. Putin spoke .",
        "“ We are ready , ” he said .",
        '" Talks start now . "',
        "2022 will tell .",
    ]


def test_sentences_end_at_every_line_break_and_keep_closing_quotes():
    text = "MOSCOW: Russia said\r\nit was ready.”\n\nNext line? yes! Done"
    assert sentence_texts(text) == [
        "MOSCOW : Russia said",
        "it was ready . ”",
        "Next line ? yes !",
        "Done",
    ]


def test_sentences_of_the_seeds_hold_every_word_once():
    for _, text in seed_texts():
        tokens = tokenize(text)
        groups = sentences(text, tokens)
        assert [t for s in groups for t in s] == [t for t in tokens if not is_space(t)]
        assert all(groups)
        assert len(groups) >= len([line for line in text.splitlines() if line.strip()])
