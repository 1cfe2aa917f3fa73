"""Split a corpus between annotators: everyone gets a fair share, some articles go to two.

The articles given to two people are what agreement is measured on (`annotations.agree`).
The split is a pure function of the article ids, the annotator names and the overlap
fraction: no random state, so the same inputs always give the same file, on any machine.

How it is made:

1. Articles are ordered by a stable hash of their id (SHA-256, then the id), so that neither
   the overlap nor anyone's share follows the order of the files (one source, one person).
2. The first `round(overlap * n)` articles in that order are the overlap. Each goes to the two
   people with the fewest articles so far; among equally loaded pairs, the pair that has
   shared the fewest articles, so every pair of annotators gets agreement data.
3. Every other article goes to the person with the fewest articles so far.

Ties are broken by the annotators' sorted names, so the order `--annotators` lists them in
does not matter. Everyone ends with the same number of articles, give or take one.
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import yaml

#: The key of the overlap list in an assignments file; no annotator may use this name.
OVERLAP_KEY = "overlap"


T = TypeVar("T")


class AssignmentError(ValueError):
    """Assignment inputs or an assignments file that cannot be used; one line for the user."""


@dataclass(frozen=True)
class Assignments:
    """Who annotates what. Article ids in corpus order within each list."""

    by_annotator: dict[str, tuple[str, ...]]
    overlap: tuple[str, ...] = ()
    """Articles given to two annotators (each also appears in both people's lists)."""
    pairs: dict[str, tuple[str, str]] = field(default_factory=dict, compare=False)
    """For each overlap article, the two annotators it went to."""

    @property
    def annotators(self) -> tuple[str, ...]:
        return tuple(self.by_annotator)

    def to_dict(self) -> dict[str, list[str]]:
        """The YAML shape: `{annotator: [ids], ..., "overlap": [ids]}`."""
        out: dict[str, list[str]] = {name: list(ids) for name, ids in self.by_annotator.items()}
        out[OVERLAP_KEY] = list(self.overlap)
        return out

    def to_yaml(self) -> str:
        return yaml.safe_dump(self.to_dict(), sort_keys=False, allow_unicode=True)

    @classmethod
    def from_dict(cls, data: Any, where: str = "assignments") -> Assignments:
        if not isinstance(data, Mapping):
            raise AssignmentError(f"{where}: expected a mapping of annotator: [article ids]")
        by_annotator: dict[str, tuple[str, ...]] = {}
        overlap: tuple[str, ...] = ()
        for key, value in data.items():
            if value is None:
                value = []
            if not isinstance(value, list):
                raise AssignmentError(f"{where}: {key}: expected a list of article ids")
            ids = tuple(str(item) for item in value)
            if str(key) == OVERLAP_KEY:
                overlap = ids
            else:
                by_annotator[str(key)] = ids
        pairs = {}
        for article_id in overlap:
            holders = tuple(name for name, ids in by_annotator.items() if article_id in ids)
            if len(holders) == 2:
                pairs[article_id] = (holders[0], holders[1])
        return cls(by_annotator, overlap, pairs)


def article_order(article_ids: Iterable[str]) -> list[str]:
    """Ids ordered by a stable hash (never Python's `hash()`, which changes per process)."""
    return sorted(
        set(article_ids), key=lambda i: (hashlib.sha256(i.encode("utf-8")).hexdigest(), i)
    )


def overlap_count(articles: int, overlap: float) -> int:
    """How many of `articles` go to two people: `overlap * articles`, halves rounded up."""
    return int(overlap * articles + 0.5)


def check_annotators(annotators: Iterable[str]) -> list[str]:
    """The names, stripped and sorted; refuses empty, duplicate and reserved names."""
    names = [name.strip() for name in annotators]
    if not names or any(not name for name in names):
        raise AssignmentError("give annotator names, e.g. --annotators alice,bob,carol")
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise AssignmentError(f"annotator named twice: {', '.join(duplicates)}")
    if OVERLAP_KEY in names:
        raise AssignmentError(
            f"{OVERLAP_KEY!r} cannot be an annotator name (it names the list of shared articles)"
        )
    return sorted(names)


def assign(
    article_ids: Sequence[str], annotators: Iterable[str], overlap: float = 0.0
) -> Assignments:
    """Split `article_ids` (in corpus order) between `annotators`; see the module docstring."""
    names = check_annotators(annotators)
    if not 0.0 <= overlap <= 1.0:
        raise AssignmentError(f"--overlap must be between 0 and 1, got {overlap}")
    position = {article_id: index for index, article_id in enumerate(dict.fromkeys(article_ids))}
    ordered = article_order(position)
    shared = overlap_count(len(ordered), overlap)
    if shared and len(names) < 2:
        raise AssignmentError("an overlap needs at least two annotators")
    load = {name: 0 for name in names}
    pair_use = {pair: 0 for pair in itertools.combinations(names, 2)}
    given: dict[str, list[str]] = {name: [] for name in names}
    pairs: dict[str, tuple[str, str]] = {}
    for article_id in ordered[:shared]:
        pair = min(
            pair_use,
            key=lambda p: (max(load[p[0]], load[p[1]]), load[p[0]] + load[p[1]], pair_use[p], p),
        )
        pair_use[pair] += 1
        pairs[article_id] = pair
        for name in pair:
            load[name] += 1
            given[name].append(article_id)
    for article_id in ordered[shared:]:
        name = min(names, key=lambda n: (load[n], n))
        load[name] += 1
        given[name].append(article_id)
    by_annotator = {
        name: tuple(sorted(ids, key=position.__getitem__)) for name, ids in given.items()
    }
    overlap_ids = tuple(sorted(ordered[:shared], key=position.__getitem__))
    return Assignments(by_annotator, overlap_ids, pairs)


def assigned_to(assignments: Assignments | Mapping[str, Any], annotator: str) -> set[str]:
    """The article ids `annotator` should annotate (empty for someone not in the file).

    Takes an `Assignments` or the mapping read from an assignments YAML file.
    """
    if not isinstance(assignments, Assignments):
        assignments = Assignments.from_dict(assignments)
    return set(assignments.by_annotator.get(annotator, ()))


def load_assignments(path: str | Path) -> Assignments:
    """Read an assignments file written by `spantag assign -o FILE`."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise AssignmentError(f"{path}: cannot read: {error.strerror}") from None
    except UnicodeDecodeError as error:
        raise AssignmentError(f"{path}: not UTF-8 (byte offset {error.start})") from None
    except yaml.YAMLError as error:
        # One line: PyYAML's own message runs over several, with a caret drawing.
        mark = getattr(error, "problem_mark", None)
        problem = getattr(error, "problem", None) or str(error).splitlines()[0]
        line = f", line {mark.line + 1}" if mark is not None else ""
        raise AssignmentError(f"{path}{line}: not valid YAML: {problem}") from None
    return Assignments.from_dict(data or {}, str(path))


def mine_first(
    articles: Sequence[T], mine: set[str], key: Callable[[T], str] = lambda a: a.id
) -> list[T]:
    """`articles` with the ones in `mine` first, each group in corpus order (stable)."""
    return [a for a in articles if key(a) in mine] + [a for a in articles if key(a) not in mine]
