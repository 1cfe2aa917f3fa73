"""Words: a deterministic tokenizer that follows spaCy's English tokenizer.

Spans snap to words, CoNLL export writes one token per line and DocBin export builds spaCy Docs,
so our token boundaries must be the ones `spacy.blank("en")` would make, without importing spaCy.
This module is a pure-Python port of spaCy 3.8's tokenizer algorithm (split on spaces, peel
prefixes and suffixes, consult the special cases, split infixes, then re-apply special cases that
span several pieces) with the English punctuation rules and tokenizer exceptions. Like spaCy it
makes tokens of whitespace beyond one single space (`"\\n"`, `"  "`), so that our token lists line
up one to one with a spaCy Doc; `Token.ws` is spaCy's `whitespace_` (one trailing space).

Offsets are Python `str` indices into the exact text: nothing is normalised.
"""

from __future__ import annotations

import bisect
import re
import threading
from collections.abc import Iterable, Iterator
from functools import lru_cache
from operator import itemgetter
from typing import NamedTuple


class Token(NamedTuple):
    """One token: `text == article_text[start:end]`; `ws` is one trailing space after it."""

    text: str
    start: int
    end: int
    ws: bool


def is_space(token: Token) -> bool:
    """A whitespace token (spaCy's `is_space`): extra spaces, tabs, line breaks."""
    return token.text.isspace()


# ---------------------------------------------------------------------------------------------
# Character classes: spaCy's lang/char_classes.py. Latin is listed by range and split into
# lower and upper case with Python's own tables (which agree with spaCy's lists but for "ʔ").


def _ranges(codepoints: Iterable[int]) -> str:
    """A regex character-class body for sorted code points, as escaped ranges."""
    out: list[str] = []
    run_start = prev = -2
    for cp in codepoints:
        if cp != prev + 1:
            if run_start >= 0:
                out.append(_range_text(run_start, prev))
            run_start = cp
        prev = cp
    if run_start >= 0:
        out.append(_range_text(run_start, prev))
    return "".join(out)


def _range_text(lo: int, hi: int) -> str:
    esc = (lambda c: f"\\U{c:08X}") if hi > 0xFFFF else (lambda c: f"\\u{c:04X}")
    return esc(lo) if lo == hi else f"{esc(lo)}-{esc(hi)}"


_LATIN_BLOCKS = (
    (0x41, 0x5A), (0x61, 0x7A), (0xC0, 0xD6), (0xD8, 0xF6), (0xF8, 0x1BF), (0x1C4, 0x24F),
    (0x250, 0x2AF), (0x1D00, 0x1D25), (0x1D6B, 0x1D77), (0x1D79, 0x1D9A), (0x1E00, 0x1EFF),
    (0x2C60, 0x2C7B), (0x2C7E, 0x2C7F), (0xA722, 0xA76F), (0xA771, 0xA787), (0xA78B, 0xA78E),
    (0xA790, 0xA7B9), (0xA7FA, 0xA7FA), (0xAB30, 0xAB5A), (0xAB60, 0xAB64), (0xFF21, 0xFF3A),
    (0xFF41, 0xFF5A),
)  # fmt: skip
_LATIN = [cp for lo, hi in sorted(_LATIN_BLOCKS) for cp in range(lo, hi + 1)]
_LATIN_LOWER = [cp for cp in _LATIN if chr(cp).islower() or cp == 0x294]
_LATIN_UPPER = [cp for cp in _LATIN if chr(cp).isupper()]
# Russian, Tatar, Greek, Ukrainian, Macedonian.
_OTHER_LOWER = "ёа-яәөүҗңһα-ωάέίόώήύа-щюяіїєґѓѕјљњќѐѝ"
_OTHER_UPPER = "ЁА-ЯӘӨҮҖҢҺΑ-ΩΆΈΊΌΏΉΎА-ЩЮЯІЇЄҐЃЅЈЉЊЌЀЍ"
# Scripts without case: Ethiopic, Bengali, Hebrew, Persian, Sinhala, Hindi, Kannada, Tamil,
# Telugu, Hangul, kana, CJK.
_UNCASED = (
    r"\u1200-\u137F\u0980-\u09FF\u0591-\u05F4\uFB1D-\uFB4F\u0620-\u064A\u066E-\u06D5\u06E5-\u06FF"
    r"\u0750-\u077F\u08A0-\u08BD\uFB50-\uFBB1\uFBD3-\uFD3D\uFD50-\uFDC7\uFDF0-\uFDFB\uFE70-\uFEFC"
    r"\U0001EE00-\U0001EEBB\u0D80-\u0DFF\u0900-\u097F\u0C80-\u0CFF\u0B80-\u0BFF\u0C00-\u0C7F"
    r"\uAC00-\uD7AF\u1100-\u11FF\u3040-\u309F\u30A0-\u30FFー\u4E00-\u62FF\u6300-\u77FF\u7800-\u8CFF"
    r"\u8D00-\u9FFF\u3400-\u4DBF\U00020000-\U000215FF\U00021600-\U000230FF\U00023100-\U000245FF"
    r"\U00024600-\U000260FF\U00026100-\U000275FF\U00027600-\U000290FF\U00029100-\U0002A6DF"
    r"\U0002A700-\U0002B73F\U0002B740-\U0002B81F\U0002B820-\U0002CEAF\U0002CEB0-\U0002EBEF"
    r"\u2E80-\u2EFF\u2F00-\u2FDF\u2FF0-\u2FFF\u3000-\u303F\u31C0-\u31EF\u3200-\u32FF\u3300-\u33FF"
    r"\uF900-\uFAFF\uFE30-\uFE4F\U0001F200-\U0001F2FF\U0002F800-\U0002FA1F"
)
ALPHA = _ranges(_LATIN) + _OTHER_LOWER + _OTHER_UPPER + _UNCASED
ALPHA_LOWER = _ranges(_LATIN_LOWER) + _OTHER_LOWER + _UNCASED
ALPHA_UPPER = _ranges(_LATIN_UPPER) + _OTHER_UPPER + _UNCASED

# Symbols such as dingbats and emoji (spaCy's _other_symbols, Unicode "So" as of its writing).
ICONS = (
    r"\u00A6\u00A9\u00AE\u00B0\u0482\u058D\u058E\u060E\u060F\u06DE\u06E9\u06FD\u06FE\u07F6\u09FA"
    r"\u0B70\u0BF3-\u0BF8\u0BFA\u0C7F\u0D4F\u0D79\u0F01-\u0F03\u0F13\u0F15-\u0F17\u0F1A-\u0F1F"
    r"\u0F34\u0F36\u0F38\u0FBE-\u0FC5\u0FC7-\u0FCC\u0FCE\u0FCF\u0FD5-\u0FD8\u109E\u109F"
    r"\u1390-\u1399\u1940\u19DE-\u19FF\u1B61-\u1B6A\u1B74-\u1B7C\u2100\u2101\u2103-\u2106\u2108"
    r"\u2109\u2114\u2116\u2117\u211E-\u2123\u2125\u2127\u2129\u212E\u213A\u213B\u214A\u214C\u214D"
    r"\u214F\u218A\u218B\u2195-\u2199\u219C-\u219F\u21A1\u21A2\u21A4\u21A5\u21A7-\u21AD"
    r"\u21AF-\u21CD\u21D0\u21D1\u21D3\u21D5-\u21F3\u2300-\u2307\u230C-\u231F\u2322-\u2328"
    r"\u232B-\u237B\u237D-\u239A\u23B4-\u23DB\u23E2-\u2426\u2440-\u244A\u249C-\u24E9\u2500-\u25B6"
    r"\u25B8-\u25C0\u25C2-\u25F7\u2600-\u266E\u2670-\u2767\u2794-\u27BF\u2800-\u28FF\u2B00-\u2B2F"
    r"\u2B45\u2B46\u2B4D-\u2B73\u2B76-\u2B95\u2B98-\u2BC8\u2BCA-\u2BFE\u2CE5-\u2CEA\u2E80-\u2E99"
    r"\u2E9B-\u2EF3\u2F00-\u2FD5\u2FF0-\u2FFB\u3004\u3012\u3013\u3020\u3036\u3037\u303E\u303F"
    r"\u3190\u3191\u3196-\u319F\u31C0-\u31E3\u3200-\u321E\u322A-\u3247\u3250\u3260-\u327F"
    r"\u328A-\u32B0\u32C0-\u32FE\u3300-\u33FF\u4DC0-\u4DFF\uA490-\uA4C6\uA828-\uA82B\uA836\uA837"
    r"\uA839\uAA77-\uAA79\uFDFD\uFFE4\uFFE8\uFFED\uFFEE\uFFFC\uFFFD\U00010137-\U0001013F"
    r"\U00010179-\U00010189\U0001018C-\U0001018E\U00010190-\U0001019B\U000101A0"
    r"\U000101D0-\U000101FC\U00010877\U00010878\U00010AC8\U0001173F\U00016B3C-\U00016B3F\U00016B45"
    r"\U0001BC9C\U0001D000-\U0001D0F5\U0001D100-\U0001D126\U0001D129-\U0001D164"
    r"\U0001D16A-\U0001D16C\U0001D183\U0001D184\U0001D18C-\U0001D1A9\U0001D1AE-\U0001D1E8"
    r"\U0001D200-\U0001D241\U0001D245\U0001D300-\U0001D356\U0001D800-\U0001D9FF"
    r"\U0001DA37-\U0001DA3A\U0001DA6D-\U0001DA74\U0001DA76-\U0001DA83\U0001DA85\U0001DA86"
    r"\U0001ECAC\U0001F000-\U0001F02B\U0001F030-\U0001F093\U0001F0A0-\U0001F0AE"
    r"\U0001F0B1-\U0001F0BF\U0001F0C1-\U0001F0CF\U0001F0D1-\U0001F0F5\U0001F110-\U0001F16B"
    r"\U0001F170-\U0001F1AC\U0001F1E6-\U0001F202\U0001F210-\U0001F23B\U0001F240-\U0001F248"
    r"\U0001F250\U0001F251\U0001F260-\U0001F265\U0001F300-\U0001F3FA\U0001F400-\U0001F6D4"
    r"\U0001F6E0-\U0001F6EC\U0001F6F0-\U0001F6F9\U0001F700-\U0001F773\U0001F780-\U0001F7D8"
    r"\U0001F800-\U0001F80B\U0001F810-\U0001F847\U0001F850-\U0001F859\U0001F860-\U0001F887"
    r"\U0001F890-\U0001F8AD\U0001F900-\U0001F90B\U0001F910-\U0001F93E\U0001F940-\U0001F970"
    r"\U0001F973-\U0001F976\U0001F97A\U0001F97C-\U0001F9A2\U0001F9B0-\U0001F9B9"
    r"\U0001F9C0-\U0001F9C2\U0001F9D0-\U0001F9FF\U0001FA60-\U0001FA6D"
)

_UNITS = (
    "km km² km³ m m² m³ dm dm² dm³ cm cm² cm³ mm mm² mm³ ha µm nm yd in ft "
    "kg g mg µg t lb oz m/s km/h kmh mph hPa Pa mbar mb MB kb KB gb GB tb "
    "TB T G M K % км км² км³ м м² м³ дм дм² дм³ см см² см³ мм мм² мм³ нм "
    "кг г мг м/с км/ч кПа Па мбар Кб КБ кб Мб МБ мб Гб ГБ гб Тб ТБ тб"
    "كم كم² كم³ م م² م³ سم سم² سم³ مم مم² مم³ كم غرام جرام جم كغ ملغ كوب اكواب"
)
_CURRENCY = (
    r"\$ £ € ¥ ฿ US\$ C\$ A\$ ₽ ﷼ ₴ ₠ ₡ ₢ ₣ ₤ ₥ ₦ ₧ ₨ ₩ ₪ ₫ € ₭ ₮ ₯ ₰ "
    r"₱ ₲ ₳ ₴ ₵ ₶ ₷ ₸ ₹ ₺ ₻ ₼ ₽ ₾ ₿"
)
_PUNCT = (
    r"… …… , : ; \! \? ¿ ؟ ¡ \( \) \[ \] \{ \} < > _ # \* & "
    r"。 ？ ！ ， 、 ； ： ～ · । ، ۔ ؛ ٪"
)
_QUOTES = r'\' " ” “ ` ‘ ´ ’ ‚ , „ » « 「 」 『 』 （ ） 〔 〕 【 】 《 》 〈 〉 〈 〉  ⟦ ⟧'
_HYPHENS = "- – — -- --- —— ~"

UNITS = _UNITS.strip().replace(" ", "|")
CURRENCY = _CURRENCY.strip().replace(" ", "|")
PUNCT = _PUNCT.strip().replace(" ", "|")
HYPHENS = _HYPHENS.strip().replace(" ", "|")
CONCAT_QUOTES = _QUOTES.strip().replace(" ", "")
LIST_PUNCT = _PUNCT.strip().split(" ")
LIST_QUOTES = _QUOTES.strip().split(" ")
LIST_CURRENCY = _CURRENCY.strip().split(" ")
LIST_ELLIPSES = [r"\.\.+", "…"]
LIST_ICONS = [f"[{ICONS}]"]

# ---------------------------------------------------------------------------------------------
# Punctuation rules (spaCy lang/punctuation.py and lang/en/punctuation.py)

PREFIXES = (
    ["§", "%", "=", "—", "–", r"\+(?![0-9])"]
    + LIST_PUNCT
    + LIST_ELLIPSES
    + LIST_QUOTES
    + LIST_CURRENCY
    + LIST_ICONS
)
SUFFIXES = (
    LIST_PUNCT
    + LIST_ELLIPSES
    + LIST_QUOTES
    + LIST_ICONS
    + ["'s", "'S", "’s", "’S", "—", "–"]
    + [
        r"(?<=[0-9])\+",
        r"(?<=°[FfCcKk])\.",
        rf"(?<=[0-9])(?:{CURRENCY})",
        rf"(?<=[0-9])(?:{UNITS})",
        rf"(?<=[0-9{ALPHA_LOWER}%²\-\+{PUNCT}(?:{CONCAT_QUOTES})])\.",
        rf"(?<=[{ALPHA_UPPER}][{ALPHA_UPPER}])\.",
    ]
)
INFIXES = (
    LIST_ELLIPSES
    + LIST_ICONS
    + [
        r"(?<=[0-9])[+\-\*^](?=[0-9-])",
        rf"(?<=[{ALPHA_LOWER}{CONCAT_QUOTES}])\.(?=[{ALPHA_UPPER}{CONCAT_QUOTES}])",
        rf"(?<=[{ALPHA}]),(?=[{ALPHA}])",
        rf"(?<=[{ALPHA}0-9])(?:{HYPHENS})(?=[{ALPHA}])",
        rf"(?<=[{ALPHA}0-9])[:<>=/](?=[{ALPHA}])",
    ]
)

# The compiled rules are built on first use, not at import: compiling these large character
# classes costs ~0.1 s of CPU, which would otherwise delay every program that imports this
# module (the app's first screen among them) whether or not it tokenizes anything. Each name
# below is a stand-in that compiles every rule and then calls the real one; `_compile_rules`
# rebinds the module globals, so after the first call the hot paths call the compiled
# methods directly, with no check left on them.

_URL_PATTERN = (
    r"(?u)^"
    r"(?:(?:[\w\+\-\.]{2,})://)?"
    r"(?:\S+(?::\S*)?@)?"
    r"(?:"
    r"(?!(?:10|127)(?:\.\d{1,3}){3})"
    r"(?!(?:169\.254|192\.168)(?:\.\d{1,3}){2})"
    r"(?!172\.(?:1[6-9]|2\d|3[0-1])(?:\.\d{1,3}){2})"
    r"(?:[1-9]\d?|1\d\d|2[01]\d|22[0-3])"
    r"(?:\.(?:1?\d{1,2}|2[0-4]\d|25[0-5])){2}"
    r"(?:\.(?:[1-9]\d?|1\d\d|2[0-4]\d|25[0-4]))"
    r"|"
    r"(?:(?:[A-Za-z0-9\u00a1-\uffff][A-Za-z0-9\u00a1-\uffff_-]{0,62})?[A-Za-z0-9\u00a1-\uffff]\.)+"
    r"(?:[" + ALPHA_LOWER + r"]{2,63})"
    r")"
    r"(?::\d{2,5})?"
    r"(?:[/?#]\S*)?"
    r"$"
)
"""spaCy lang/tokenizer_exceptions.py URL_PATTERN: URLs and e-mail addresses stay one token."""

_compile_lock = threading.Lock()


def _compile_rules() -> None:
    """Compile the affix, infix and URL rules and the special-case patterns (once)."""
    global _prefix_match, _suffix_search, _infix_finditer, _url_match, _PATTERNS
    with _compile_lock:
        if _PATTERNS is not None:
            return
        _prefix_match = re.compile("|".join("^" + p for p in PREFIXES if p.strip())).match
        _suffix_search = re.compile("|".join(p + "$" for p in SUFFIXES if p.strip())).search
        _infix_finditer = re.compile("|".join(p for p in INFIXES if p.strip())).finditer
        _url_match = re.compile(_URL_PATTERN).match
        _PATTERNS = _special_patterns()


def _prefix_match(string: str, *args: int) -> re.Match[str] | None:
    _compile_rules()
    return _prefix_match(string, *args)


def _suffix_search(string: str, *args: int) -> re.Match[str] | None:
    _compile_rules()
    return _suffix_search(string, *args)


def _infix_finditer(string: str, *args: int) -> Iterator[re.Match[str]]:
    _compile_rules()
    return _infix_finditer(string, *args)


def _url_match(string: str, *args: int) -> re.Match[str] | None:
    _compile_rules()
    return _url_match(string, *args)


#: Longest suffix any rule but the ellipsis can match ("اكواب", a unit, has 5 characters).
_MAX_SUFFIX = 8


def _find_prefix(s: str) -> int:
    m = _prefix_match(s)
    return m.end() if m else 0


def _find_suffix(s: str) -> int:
    """Length of the suffix spaCy would split off (its leftmost match anchored at the end).

    Only the tail can match, so the search starts there (lookbehinds still see what precedes
    it): the same answer as searching the whole string, without its cost on long strings.
    """
    pos = len(s) - _MAX_SUFFIX
    if pos > 0 and s[-1] == ".":
        pos = min(pos, len(s.rstrip(".")))
    m = _suffix_search(s, pos) if pos > 0 else _suffix_search(s)
    return m.end() - m.start() if m else 0


# ---------------------------------------------------------------------------------------------
# Special cases (spaCy lang/tokenizer_exceptions.py and lang/en/tokenizer_exceptions.py):
# strings that are always split exactly so, such as "don't" -> "do", "n't" and "U.S." kept whole.

_EMOTICONS = r"""
:) :-) :)) :-)) :))) :-))) (: (-: =) (= :] :-] [: [-: [= =] :o) (o: :} :-} 8) 8-) (-8 ;) ;-) (;
(-; :( :-( :(( :-(( :((( :-((( ): )-: =( >:( :') :'-) :'( :'-( :/ :-/ =/ =| :| :-| ]= =[ :1 :P
:-P :p :-p :O :-O :o :-o :0 :-0 :() >:o :* :-* :3 :-3 =3 :> :-> :X :-X :x :-x :D :-D ;D ;-D =D xD
XD xDD XDD 8D 8-D ^_^ ^__^ ^___^ >.< >.> <.< ._. ;_; -_- -__- v.v V.V v_v V_V o_o o_O O_o O_O 0_o
o_0 0_0 o.O O.o O.O o.o 0.0 o.0 0.o @_@ <3 <33 <333 </3 (^_^) (-_-) (._.) (>_<) (*_*) (¬_¬) ಠ_ಠ
ಠ︵ಠ (ಠ_ಠ) ¯\(ツ)/¯ (╯°□°）╯︵┻━┻ ><(((*>
""".split()

_STATES_ETC = """
Mt. Ak. Ala. Apr. Ariz. Ark. Aug. Calif. Colo. Conn. Dec. Del. Feb. Fla. Ga. Ia. Id. Ill. Ind.
Jan. Jul. Jun. Kan. Kans. Ky. La. Mar. Mass. Mich. Minn. Miss. N.C. N.D. N.H. N.J. N.M. N.Y. Neb.
Nebr. Nev. Nov. Oct. Okla. Ore. Pa. S.C. Sep. Sept. Tenn. Va. Wash. Wis.
'd a.m. Adm. Bros. co. Co. Corp. D.C. Dr. e.g. E.g. E.G. Gen. Gov. i.e. I.e. I.E. Inc. Jr. Ltd.
Md. Messrs. Mo. Mont. Mr. Mrs. Ms. p.m. Ph.D. Prof. Rep. Rev. Sen. St. vs. v.s.
'S 's ‘S ‘s and/or w/o 're 'Cause 'cause 'cos 'Cos 'coz 'Coz 'cuz 'Cuz 'bout ma'am Ma'am o'clock
O'clock lovin' Lovin' lovin Lovin havin' Havin' havin Havin doin' Doin' doin Doin goin' Goin'
goin Goin
""".split()

_EXCLUDE = {
    "Ill", "ill", "Its", "its", "Hell", "hell", "Shell", "shell", "Shed", "shed", "were", "Were",
    "Well", "well", "Whore", "whore",
}  # fmt: skip


def _english_exceptions() -> dict[str, tuple[str, ...]]:
    """spaCy's English tokenizer exceptions, as string -> the token texts it splits into."""
    exc: dict[str, tuple[str, ...]] = {}

    def add(*pieces: str) -> None:
        exc["".join(pieces)] = pieces

    def cased(word: str) -> tuple[str, str]:
        return (word, word.title())

    for o in cased("i"):
        add(o, "'m"), add(o, "m"), add(o, "'m", "a"), add(o, "m", "a")
    for pron in ("i", "you", "he", "she", "it", "we", "they"):
        for o in cased(pron):
            add(o, "'ll"), add(o, "ll"), add(o, "'ll", "'ve"), add(o, "ll", "ve")
            add(o, "'d"), add(o, "d"), add(o, "'d", "'ve"), add(o, "d", "ve")
    for pron in ("i", "you", "we", "they"):
        for o in cased(pron):
            add(o, "'ve"), add(o, "ve")
    for pron in ("you", "we", "they"):
        for o in cased(pron):
            add(o, "'re"), add(o, "re")
    for pron in ("he", "she", "it"):
        for o in cased(pron):
            add(o, "'s"), add(o, "s")
    singular, plural = {"that", "this"}, {"these", "those"}
    for word in ("who", "what", "when", "where", "why", "how", "there", *singular, *plural):
        for o in cased(word):
            if word not in plural:
                add(o, "'s"), add(o, "s")
            add(o, "'ll"), add(o, "ll"), add(o, "'ll", "'ve"), add(o, "ll", "ve")
            if word not in singular:
                add(o, "'re"), add(o, "re"), add(o, "'ve"), add(o, "ve")
            add(o, "'d"), add(o, "d"), add(o, "'d", "'ve"), add(o, "d", "ve")
    for verb in "ca could do does did had may might must need ought sha should wo would".split():
        for o in cased(verb):
            add(o, "n't"), add(o, "nt"), add(o, "n't", "'ve"), add(o, "nt", "ve")
    for verb in ("could", "might", "must", "should", "would"):
        for o in cased(verb):
            add(o, "'ve"), add(o, "ve")
    for verb in ("ai", "are", "is", "was", "were", "have", "has", "dare"):
        for o in cased(verb):
            add(o, "n't"), add(o, "nt")
    for word in ("doin", "goin", "nothin", "nuthin", "ol", "somethin"):
        for o in cased(word):
            add(o), add(o + "'")
    for word in ("em", "ll", "nuff"):
        add(word), add("'" + word)
    for h in range(1, 13):
        for period in ("a.m.", "am", "p.m.", "pm"):
            add(str(h), period)
    for pieces in (
        ("y'", "all"), ("y", "all"), ("how", "'d", "'y"), ("How", "'d", "'y"), ("not", "'ve"),
        ("not", "ve"), ("Not", "'ve"), ("Not", "ve"), ("can", "not"), ("Can", "not"),
        ("gon", "na"), ("Gon", "na"), ("got", "ta"), ("Got", "ta"), ("let", "'s"), ("Let", "'s"),
        ("c'm", "on"), ("C'm", "on"),
    ):  # fmt: skip
        add(*pieces)
    for orth in _STATES_ETC:
        add(orth)
    for orth in _EXCLUDE:
        exc.pop(orth, None)

    base: dict[str, tuple[str, ...]] = {}
    for orth in [" ", "\t", "\\t", "\n", "\\n", "\u2014", "\u00a0", "'", '\\")', "<space>", "''"]:
        base[orth] = (orth,)
    for orth in ["C++", *(c + "." for c in "abcdefghijklmnopqrstuvwxyzäöü"), *_EMOTICONS]:
        base[orth] = (orth,)
    for u in "cfkCFK":
        base[f"°{u}."] = ("°", u, ".")
    merged = {**base, **exc}
    # spaCy adds a typographic-apostrophe twin of every exception with an apostrophe.
    for orth, pieces in list(merged.items()):
        if "'" in orth:
            merged[orth.replace("'", "’")] = tuple(p.replace("'", "’") for p in pieces)
    return merged


SPECIAL_CASES: dict[str, tuple[str, ...]] = _english_exceptions()

# ---------------------------------------------------------------------------------------------
# The algorithm (spaCy tokenizer.pyx, same steps in the same order)


def _split_affixes(s: str, specials: bool = True) -> tuple[list[str], str, list[str]]:
    """Peel prefixes and suffixes off `s`, stopping early at a special case."""
    prefixes: list[str] = []
    suffixes: list[str] = []
    last = 0
    while s and len(s) != last:
        if specials and s in SPECIAL_CASES:
            break
        last = len(s)
        pre = _find_prefix(s)
        if pre and specials:
            minus_pre = s[pre:]
            if minus_pre and minus_pre in SPECIAL_CASES:
                prefixes.append(s[:pre])
                s = minus_pre
                break
        suf = _find_suffix(s[pre:])
        if suf and specials:
            minus_suf = s[:-suf]
            if minus_suf and minus_suf in SPECIAL_CASES:
                suffixes.append(s[-suf:])
                s = minus_suf
                break
        if pre and suf and pre + suf <= len(s):
            prefixes.append(s[:pre])
            suffixes.append(s[-suf:])
            s = s[pre:-suf]
        elif pre:
            prefixes.append(s[:pre])
            s = s[pre:]
        elif suf:
            suffixes.append(s[-suf:])
            s = s[:-suf]
    return prefixes, s, suffixes


def _split_infixes(core: str, specials: bool = True) -> list[str]:
    """What is left after the affixes: a special case, a URL, or pieces split at infixes."""
    if not core:
        return []
    if specials and core in SPECIAL_CASES:
        return list(SPECIAL_CASES[core])
    if _url_match(core):
        return [core]
    pieces: list[str] = []
    start = 0
    for m in _infix_finditer(core):
        i, j = m.start(), m.end()
        if i == 0:
            continue
        if i != start:
            pieces.append(core[start:i])
        if i != j:
            pieces.append(core[i:j])
        start = j
    if core[start:]:
        pieces.append(core[start:])
    return pieces


def _split_run(run: str, specials: bool = True) -> tuple[str, ...]:
    """The token texts of one run of non-space characters (or of whitespace)."""
    if specials and run in SPECIAL_CASES:
        return SPECIAL_CASES[run]
    if run.isalpha():  # no affix, infix or URL rule applies to letters alone
        return (run,)
    if specials:
        # Shortcuts for the commonest shapes, with the result the full rules give them.
        if run[-1] in _SIMPLE_SUFFIXES and run[:-1].isalpha():
            return (*_split_run(run[:-1]), run[-1])
        if run[-1] == "." and run[:-1].isalpha() and _SPLIT_PERIOD(run):
            return (*_split_run(run[:-1]), ".")
        if run[-2:] in _POSSESSIVES and run[:-2].isalpha():
            return (*_split_run(run[:-2]), run[-2:])
        if run[0] in _SIMPLE_PREFIXES and run[1:].isalpha():
            return (run[0], *_split_run(run[1:]))
    return _split_run_fully(run, specials)


_SIMPLE_SUFFIXES = frozenset(',;:!?)]"”’')
_SIMPLE_PREFIXES = frozenset("([\"“‘'")
_POSSESSIVES = frozenset(("'s", "'S", "’s", "’S"))
#: A final period after a lower-case letter or two capitals is split off ("said." but "A.").
_SPLIT_PERIOD = re.compile(r".*(?:[a-z]|[A-Z][A-Z])\.\Z", re.DOTALL).match


def _split_run_fully(run: str, specials: bool = True) -> tuple[str, ...]:
    prefixes, core, suffixes = _split_affixes(run, specials)
    return (*prefixes, *_split_infixes(core, specials), *reversed(suffixes))


_split_run_cached = lru_cache(maxsize=1 << 16)(_split_run)


def _special_patterns() -> dict[str, list[tuple[str, ...]]]:
    """Special cases that the affix rules would cut into pieces, keyed by their first piece.

    spaCy looks for these piece sequences after tokenizing (its `_special_matcher`), so that,
    for example, ":)" is one token even where ":" and ")" were split off separately.
    """
    patterns: dict[str, list[tuple[str, ...]]] = {}
    for orth in SPECIAL_CASES:
        pieces = _split_run(orth, specials=False)
        if len(pieces) > 1:
            patterns.setdefault(pieces[0], []).append(pieces)
    return patterns


#: First piece -> the piece sequences of special cases that start with it (`_compile_rules`).
_PATTERNS: dict[str, list[tuple[str, ...]]] | None = None
_RUNS = re.compile(r"(\s*)(\S+)( ?)")
_new_token = tuple.__new__


def tokenize(text: str) -> list[Token]:
    """spaCy-style tokens of `text`, whitespace tokens included, in order and contiguous.

    As in spaCy, one space after a run of non-space characters is not a token but the `ws` of
    the token before it; any other whitespace run is a token of its own.
    """
    tokens: list[Token] = []
    append = tokens.append
    cache: dict[str, tuple[str, ...]] = {}
    split = _split_run_cached
    if _PATTERNS is None:
        _compile_rules()
    patterns: dict[str, list[tuple[str, ...]]] = _PATTERNS  # type: ignore[assignment]
    candidates: list[int] = []  # tokens that may begin a multi-piece special case
    pos = 0
    for gap, run, space in _RUNS.findall(text):
        if gap:
            _append_pieces(tokens, split(gap), pos, False)
            pos += len(gap)
        pieces = cache.get(run)
        if pieces is None:
            pieces = cache[run] = split(run)
        if len(pieces) == 1:
            if run in patterns:
                candidates.append(len(tokens))
            end = pos + len(run)
            append(_new_token(Token, (run, pos, end, space == " ")))
            pos = end
        else:
            last = len(pieces) - 1
            for k, piece in enumerate(pieces):
                if piece in patterns:
                    candidates.append(len(tokens))
                end = pos + len(piece)
                append(_new_token(Token, (piece, pos, end, k == last and space == " ")))
                pos = end
        if space:
            pos += 1
    if pos < len(text):
        _append_pieces(tokens, split(text[pos:]), pos, False)
    if candidates:
        tokens = _apply_special_patterns(tokens, candidates)
    return tokens


def _append_pieces(tokens: list[Token], pieces: tuple[str, ...], start: int, ws: bool) -> None:
    for piece in pieces:
        tokens.append(Token(piece, start, start + len(piece), False))
        start += len(piece)
    if ws:
        tokens[-1] = tokens[-1]._replace(ws=True)


def _apply_special_patterns(tokens: list[Token], candidates: list[int]) -> list[Token]:
    """spaCy's second pass: re-split token sequences that spell a special case."""
    n = len(tokens)
    matches: list[tuple[int, int]] = []
    patterns: dict[str, list[tuple[str, ...]]] = _PATTERNS  # type: ignore[assignment]
    for i in candidates:
        for pieces in patterns[tokens[i].text]:
            k = len(pieces)
            if i + k <= n and all(tokens[i + j].text == pieces[j] for j in range(1, k)):
                matches.append((i, i + k))
    if not matches:
        return tokens
    # Longest first, then leftmost; a match is dropped if its first or last token is taken.
    matches.sort(key=lambda m: (m[1] - m[0], -m[0]))
    seen: set[int] = set()
    kept: list[tuple[int, int]] = []
    for a, b in reversed(matches):
        if a not in seen and b - 1 not in seen:
            kept.append((a, b))
        seen.update(range(a, b))
    kept.sort()
    out: list[Token] = []
    i = 0
    for a, b in kept:
        out.extend(tokens[i:a])
        i = b
        span = "".join(t.text + " " * t.ws for t in tokens[a : b - 1]) + tokens[b - 1].text
        rule = SPECIAL_CASES.get(span)
        if rule is None:  # the pieces are separated by spaces: spaCy leaves them alone
            out.extend(tokens[a:b])
            continue
        _append_pieces(out, rule, tokens[a].start, tokens[b - 1].ws)
    out.extend(tokens[i:])
    return out


# ---------------------------------------------------------------------------------------------
# Sentences (for blank lines in CoNLL export)

_LINE_BREAK = re.compile(r"[\n\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")
_TERMINAL = re.compile(r"[.!?…]+")
_CLOSERS = set("\"'”’)]}»›")
_OPENERS = set("\"'“‘([{«‹")


def sentences(text: str, tokens: list[Token]) -> list[list[Token]]:
    """Non-space tokens grouped into sentences.

    A sentence ends at every line break, and after ". ! ? …" (with any closing quotes or
    brackets attached to it) when the next word starts with a capital, a digit or a quote.
    `text` is the article the tokens came from; the tokens alone decide.
    """
    out: list[list[Token]] = []
    current: list[Token] = []
    pending_end = False  # the last word ended a sentence if what follows agrees
    for tok in tokens:
        if is_space(tok):
            if _LINE_BREAK.search(tok.text) and current:
                out.append(current)
                current = []
                pending_end = False
            continue
        if pending_end and current:
            prev = current[-1]
            if prev.end == tok.start and tok.text[0] in _CLOSERS:
                current.append(tok)
                continue
            first = tok.text[0]
            if first.isupper() or first.isdigit() or first in _OPENERS:
                out.append(current)
                current = []
        current.append(tok)
        pending_end = bool(_TERMINAL.fullmatch(tok.text))
    if current:
        out.append(current)
    return out


# ---------------------------------------------------------------------------------------------
# Fast lookups for the reader


_START = itemgetter(1)
_END = itemgetter(2)


class TokenIndex:
    """The tokens of one article, with O(log n) lookups by offset (built once per article).

    "Words" below are the non-space tokens.
    """

    __slots__ = ("text", "tokens", "_starts", "_ends", "_wstarts", "_wends", "_words")

    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens: list[Token] = tokenize(text)
        self._starts = list(map(_START, self.tokens))
        self._ends = list(map(_END, self.tokens))
        self._words = [t for t in self.tokens if not t[0].isspace()]
        self._wstarts = list(map(_START, self._words))
        self._wends = list(map(_END, self._words))

    @property
    def words(self) -> list[Token]:
        return self._words

    def word_at(self, offset: int) -> tuple[int, int] | None:
        """The word containing `offset`, or None when `offset` is on whitespace or past the end."""
        i = bisect.bisect_right(self._wstarts, offset) - 1
        if i >= 0 and offset < self._wends[i]:
            return self._wstarts[i], self._wends[i]
        return None

    def next_word_start(self, offset: int) -> int:
        """Start of the first word starting after `offset` (vim `w`), else len(text)."""
        i = bisect.bisect_right(self._wstarts, offset)
        return self._wstarts[i] if i < len(self._wstarts) else len(self.text)

    def prev_word_start(self, offset: int) -> int:
        """Start of the last word starting before `offset` (vim `b`), else 0."""
        i = bisect.bisect_left(self._wstarts, offset) - 1
        return self._wstarts[i] if i >= 0 else 0

    def _word_range(self, start: int, end: int) -> tuple[int, int] | None:
        i = bisect.bisect_right(self._wends, start)
        j = bisect.bisect_left(self._wstarts, end) - 1
        return (i, j) if i <= j else None

    def snap(self, start: int, end: int) -> tuple[int, int] | None:
        """Grow [start, end) to whole words and trim whitespace at both ends.

        None when the range holds only whitespace. An empty range snaps to the word under it;
        a reversed one (end before start) is read the right way round.
        """
        if start > end:
            start, end = end, start
        if start == end:
            return self.word_at(start)
        r = self._word_range(start, end)
        if r is None:
            return None
        return self._wstarts[r[0]], self._wends[r[1]]

    def words_between(self, start: int, end: int) -> list[Token]:
        """The words overlapping [start, end)."""
        r = self._word_range(start, end) if start < end else None
        return [] if r is None else self._words[r[0] : r[1] + 1]

    def token_range(self, start: int, end: int) -> tuple[int, int] | None:
        """Indices into `.tokens` of the first and last token overlapping [start, end)."""
        i = bisect.bisect_right(self._ends, start)
        j = bisect.bisect_left(self._starts, end) - 1
        return (i, j) if i <= j and start < end else None

    def is_boundary(self, offset: int) -> bool:
        """`offset` is where a token starts or ends."""
        i = bisect.bisect_left(self._starts, offset)
        if i < len(self._starts) and self._starts[i] == offset:
            return True
        i = bisect.bisect_left(self._ends, offset)
        return i < len(self._ends) and self._ends[i] == offset
