"""Load and validate `config.yaml` into typed objects.

The file is read with `yaml.safe_load` semantics and validated once, here, so that every other
module can trust the `Config` it is handed. Every problem becomes one `ConfigError` whose message
is a single line naming the file, the field and (where the YAML gives one) the line number:
users fix a config by reading one line, not a traceback.
"""

from __future__ import annotations

import getpass
import os
import re
import unicodedata
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from rich.color import Color, ColorParseError

CONFIG_NAME = "config.yaml"

#: Every app action that has a key, with its default. Kept in step with default_config.yaml
#: (a test checks both).
DEFAULT_KEYS: dict[str, str] = {
    "toggle_list": "ctrl+b",
    "filter": "/",
    "toggle_done": "d",
    "split": "s",
    "next_article": "]",
    "prev_article": "[",
    "span_panel": "p",
    "help": "?",
    "export": "e",
    "quit": "q",
    "undo": "u",
    "redo": "ctrl+r",
    "remove_span": "x",
    "select_mode": "v",
    "word_right": "w",
    "word_left": "b",
    "top": "g",
    "bottom": "G",
    "next_span": "n",
    "prev_span": "N",
    "accept_suggestion": "y",
    "accept_all_suggestions": "Y",
    "reject_suggestion": "r",
    "next_suggestion": "}",
    "prev_suggestion": "{",
    "stats": "S",
}

#: What a key in config.yaml may be besides one character: a key's name, after modifiers.
MODIFIERS = ("ctrl", "shift", "alt", "meta", "super", "hyper")
NAMED_KEYS = frozenset(
    {"backspace", "delete", "down", "end", "enter", "escape", "home", "insert", "left"}
    | {"pagedown", "pageup", "return", "right", "space", "tab", "up"}
    | {f"f{n}" for n in range(1, 25)}
)


#: Characters whose Unicode names are not the names terminals' keys go by (Textual's).
_KEY_NAMES = {
    "/": "slash",
    "\\": "backslash",
    "@": "at",
    "-": "minus",
    "+": "plus",
    "_": "underscore",
    ",": "comma",
    " ": "space",
    "\t": "tab",
}


def canonical_key(key: str) -> str:
    """One name per key, as Textual names keys: "/" and "slash" are one key, "?" is
    "question_mark", "G" and "ctrl+b" stay. Two actions on one such name clash."""
    key = key.strip() or key
    if len(key) != 1:
        return key
    if key in _KEY_NAMES:
        return _KEY_NAMES[key]
    if key.isalnum():
        return key
    try:
        return unicodedata.name(key).lower().replace("-", "_").replace(" ", "_")
    except ValueError:
        return key


def keys_in(key: str) -> list[str]:
    """The keys one config entry binds: "q,ctrl+q" is two; "," alone is the comma key."""
    return [key] if len(key) == 1 else key.split(",")


def key_problem(key: str) -> str | None:
    """Why `key` names no key a terminal sends, or None. A key is one character ("1", "?",
    "G"), a key's name ("enter", "pageup", "f5", "question_mark": the names Textual gives
    keys), either after modifiers ("ctrl+r", "shift+tab"); several keys for one action are
    separated by commas ("q,ctrl+q")."""
    if len(key) == 1:
        return None
    if key != key.strip():
        return f"{key!r} has spaces around it"
    if "," in key:
        for part in keys_in(key):
            if part == "" or (problem := key_problem(part)) is not None:
                return problem or f"{key!r} has an empty key between commas"
        return None
    if key.endswith("++"):
        return f"{key!r}: write the + key as 'plus' ({key[:-1]}plus)"
    *modifiers, base = key.split("+")
    unknown = [modifier for modifier in modifiers if modifier not in MODIFIERS]
    if unknown:
        return f"{unknown[0]!r} is not a modifier ({', '.join(MODIFIERS)})"
    if len(base) == 1 or base in NAMED_KEYS or base in _KEY_NAMES.values():
        return None
    try:
        char = unicodedata.lookup(base.replace("_", " "))
    except KeyError:
        return (
            f"{key!r} is not a key: give one character (1, q, ?), a key name (enter, pageup, "
            f"f5) or modifiers and one (ctrl+r)"
        )
    name = canonical_key(char)
    if name != base:  # "solidus" is sent as "slash", "digit_one" as "1"
        return f"{base!r} is not what the key is called: write {name!r}"
    return None


EXPORT_FORMATS = ("prodigy", "doccano", "conll", "docbin")
TOP_LEVEL_KEYS = {
    "annotator",
    "corpus",
    "store",
    "snap_to_words",
    "labels",
    "keys",
    "export",
    "patterns",
    "gazetteers",
    "assignments",
}
LABEL_KEYS = {"name", "key", "colour", "description"}
EXPORT_KEYS = {"format", "output"}
PATTERN_KEYS = {"regex", "phrases"}


class ConfigError(Exception):
    """A config that cannot be used. `str(error)` is the one line to show the user."""


@dataclass(frozen=True, slots=True)
class Label:
    """One annotation label."""

    name: str
    """As written in config.yaml, and in every export."""
    key: str
    """The key that tags with this label."""
    colour: str
    """Any colour Rich can parse; drawn behind spans of this label."""
    description: str = ""
    """Shown in the help screen."""


@dataclass(frozen=True, slots=True)
class ExportDefaults:
    format: str = "prodigy"
    """The format `spantag export` and the export dialog use unless told otherwise."""
    output: Path | None = None
    """The export dialog's default file (the command writes to stdout without `-o`)."""


@dataclass(frozen=True, slots=True)
class LabelPatterns:
    """Pattern sources of suggestions for one label."""

    regex: tuple[str, ...] = ()
    """Regular expressions (Python `re` syntax), matched on the article text."""
    phrases: tuple[str, ...] = ()
    """Literal phrases, matched case-sensitively on whole words."""


@dataclass(frozen=True)
class Config:
    """The validated configuration. Paths are absolute."""

    path: Path | None
    """The file this came from; None for the built-in defaults."""
    labels: tuple[Label, ...]
    keys: dict[str, str]
    """Action name -> key, every action in DEFAULT_KEYS present."""
    corpus: tuple[Path, ...]
    store: Path
    annotator: str
    snap_to_words: bool = True
    export: ExportDefaults = field(default_factory=ExportDefaults)
    patterns: dict[str, LabelPatterns] = field(default_factory=dict)
    gazetteers: dict[str, tuple[Path, ...]] = field(default_factory=dict)
    assignments: Path | None = None
    """A file written by `spantag assign`: the app lists this annotator's articles first."""

    @property
    def label_names(self) -> tuple[str, ...]:
        return tuple(label.name for label in self.labels)

    def label(self, name: str) -> Label:
        for label in self.labels:
            if label.name == name:
                return label
        raise KeyError(name)

    @property
    def colours(self) -> dict[str, str]:
        return {label.name: label.colour for label in self.labels}

    @property
    def base_dir(self) -> Path:
        return self.path.parent if self.path else Path.cwd()


def default_config_text() -> str:
    """The shipped, commented config.yaml (the same text `spantag init` writes)."""
    return resources.files("annotations").joinpath("default_config.yaml").read_text("utf-8")


def default_annotator() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name (containers without a passwd entry)
        return os.environ.get("USER") or "annotator"


def find_config(explicit: str | os.PathLike[str] | None, cwd: Path | None = None) -> Path | None:
    """`--config PATH`, else `config.yaml` in the current folder, else None (built-in)."""
    if explicit is not None:
        path = Path(explicit)
        if path.is_dir():
            raise ConfigError(f"{path}: is a folder; give the config file (its {CONFIG_NAME})")
        if not path.is_file():
            raise ConfigError(f"{path}: config file not found")
        return path.resolve()
    candidate = (cwd or Path.cwd()) / CONFIG_NAME
    return candidate.resolve() if candidate.is_file() else None


def load_config(explicit: str | os.PathLike[str] | None = None, cwd: Path | None = None) -> Config:
    """Find, read and validate the config (see `find_config` for where it is looked for)."""
    path = find_config(explicit, cwd)
    if path is None:
        return parse_config(default_config_text(), None, base_dir=cwd or Path.cwd())
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise ConfigError(f"{path}: cannot read: {error.strerror}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ConfigError(f"{path}: not UTF-8 (byte offset {error.start})") from None
    return parse_config(text, path)


def parse_config(text: str, path: Path | None, base_dir: Path | None = None) -> Config:
    """Validate config text. `path` names the file in errors and anchors relative paths."""
    where = str(path) if path else "built-in config"
    base = base_dir or (path.parent if path else Path.cwd())
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        problem = getattr(error, "problem", None) or str(error).splitlines()[0]
        line = f", line {mark.line + 1}" if mark is not None else ""
        raise ConfigError(f"{where}{line}: invalid YAML: {problem}") from None
    _refuse_duplicate_keys(root, where)
    return _Validator(where, root).build(data if data is not None else {}, base)


def _refuse_duplicate_keys(node: yaml.Node | None, where: str, path: str = "") -> None:
    """YAML lets a later key silently replace an earlier one: a second `labels:` block, or a
    label written twice with two colours, would quietly drop the first. Say so instead."""
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
            if key is not None and key != "<<":
                line = key_node.start_mark.line + 1
                field_name = f"{path}.{key}" if path else key
                if key in seen:
                    raise ConfigError(
                        f"{where}, line {line}: {field_name}: given twice "
                        f"(first on line {seen[key]}); YAML would keep only the last"
                    )
                seen[key] = line
                _refuse_duplicate_keys(value_node, where, field_name)
            else:
                _refuse_duplicate_keys(value_node, where, path)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _refuse_duplicate_keys(item, where, f"{path}.{index}" if path else str(index))


class _Validator:
    """Turns the loaded YAML into a Config, naming the field and line of the first problem."""

    def __init__(self, where: str, root: yaml.Node | None) -> None:
        self.where = where
        self.root = root

    def fail(self, path: tuple[Any, ...], message: str) -> ConfigError:
        field_name = ".".join(str(part) for part in path) or "(top level)"
        line = self._line(path)
        at = f", line {line}" if line else ""
        return ConfigError(f"{self.where}{at}: {field_name}: {message}")

    def _line(self, path: tuple[Any, ...]) -> int | None:
        node = self.root
        for part in path:
            if isinstance(node, yaml.MappingNode):
                for key_node, value_node in node.value:
                    if key_node.value == str(part):
                        node = value_node
                        break
                else:
                    return node.start_mark.line + 1
            elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
                if part >= len(node.value):
                    return node.start_mark.line + 1
                node = node.value[part]
            else:
                break
        return node.start_mark.line + 1 if node is not None else None

    def _key_line(self, path: tuple[Any, ...], key: str) -> int | None:
        """The line of a mapping key itself (for unknown keys)."""
        node = self.root
        for part in path:
            found = None
            if isinstance(node, yaml.MappingNode):
                found = next((v for k, v in node.value if k.value == str(part)), None)
            elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
                found = node.value[part] if part < len(node.value) else None
            node = found
        if isinstance(node, yaml.MappingNode):
            for key_node, _ in node.value:
                if key_node.value == key:
                    return key_node.start_mark.line + 1
        return None

    def mapping(self, value: Any, path: tuple[Any, ...], allowed: set[str]) -> dict[str, Any]:
        if value is None:
            return {}
        if not isinstance(value, dict):
            raise self.fail(path, f"expected a mapping, got {type(value).__name__}")
        for key in value:
            if str(key) not in allowed:
                line = self._key_line(path, str(key))
                at = f", line {line}" if line else ""
                name = ".".join(str(p) for p in (*path, key))
                known = ", ".join(sorted(allowed))
                raise ConfigError(f"{self.where}{at}: {name}: unknown key (known: {known})")
        return value

    def string(self, value: Any, path: tuple[Any, ...], *, allow_none: bool = False) -> str | None:
        if value is None and allow_none:
            return None
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise self.fail(path, f"expected a string, got {type(value).__name__}")
        text = str(value)
        if not text.strip():
            raise self.fail(path, "must not be empty")
        return text

    def paths(self, value: Any, path: tuple[Any, ...], base: Path) -> tuple[Path, ...]:
        items = value if isinstance(value, list) else [value]
        out = []
        for index, item in enumerate(items):
            where = (*path, index) if isinstance(value, list) else path
            out.append((base / self.string(item, where)).resolve())
        return tuple(out)

    def build(self, data: Any, base: Path) -> Config:
        data = self.mapping(data, (), TOP_LEVEL_KEYS)
        labels = self.labels(data.get("labels", _MISSING))
        keys = self.keys(data.get("keys"), labels)
        corpus = self.paths(data.get("corpus", ["seeds/"]), ("corpus",), base)
        store = (base / self.string(data.get("store", "annotations.json"), ("store",))).resolve()
        annotator = self.string(data.get("annotator"), ("annotator",), allow_none=True)
        snap = data.get("snap_to_words", True)
        if not isinstance(snap, bool):
            raise self.fail(("snap_to_words",), "expected true or false")
        export = self.export(data.get("export"), base)
        names = {label.name for label in labels}
        patterns = self.patterns(data.get("patterns"), names)
        gazetteers = self.gazetteers(data.get("gazetteers"), names, base)
        assignments = data.get("assignments")
        if assignments is not None:
            assignments = (base / self.string(assignments, ("assignments",))).resolve()
        return Config(
            path=None if self.where == "built-in config" else Path(self.where),
            labels=labels,
            keys=keys,
            corpus=corpus,
            store=store,
            annotator=annotator or default_annotator(),
            snap_to_words=snap,
            export=export,
            patterns=patterns,
            gazetteers=gazetteers,
            assignments=assignments,
        )

    def labels(self, value: Any) -> tuple[Label, ...]:
        if value is _MISSING or value is None or value == []:
            raise self.fail(("labels",), "no labels: at least one label is needed")
        if not isinstance(value, list):
            raise self.fail(("labels",), "expected a list of labels")
        labels: list[Label] = []
        for index, item in enumerate(value):
            path = ("labels", index)
            item = self.mapping(item, path, LABEL_KEYS)
            for required in ("name", "key", "colour"):
                if required not in item:
                    raise self.fail(path, f"missing '{required}'")
            name = self.string(item["name"], (*path, "name"))
            key = self.string(item["key"], (*path, "key"))
            if (problem := key_problem(key)) is not None:
                raise self.fail((*path, "key"), problem)
            colour = self.string(item["colour"], (*path, "colour"))
            try:
                Color.parse(colour)
            except ColorParseError:
                raise self.fail((*path, "colour"), f"Rich cannot parse colour {colour!r}") from None
            if any(label.name == name for label in labels):
                raise self.fail((*path, "name"), f"duplicate label {name!r}")
            description = item.get("description")
            if description is not None and not isinstance(description, str):
                kind = type(description).__name__
                raise self.fail((*path, "description"), f"expected a string, got {kind}")
            labels.append(Label(name, key, colour, description or ""))
        return tuple(labels)

    def keys(self, value: Any, labels: tuple[Label, ...]) -> dict[str, str]:
        value = self.mapping(value, ("keys",), set(DEFAULT_KEYS))
        keys = dict(DEFAULT_KEYS)
        for action, key in value.items():
            keys[str(action)] = self.string(key, ("keys", action))
            if (problem := key_problem(keys[str(action)])) is not None:
                raise self.fail(("keys", action), problem)
        # Compared by the key they name: "/" and "slash" are one key.
        seen: dict[str, tuple[Any, ...]] = {}
        for index, label in enumerate(labels):
            for written in keys_in(label.key):
                name = canonical_key(written)
                seen.setdefault(name, ("labels", index, "key"))
                if seen[name] != ("labels", index, "key"):
                    other = ".".join(str(p) for p in seen[name])
                    where = ("labels", index, "key")
                    raise self.fail(where, f"duplicate key {written!r} ({other})")
        for action, written in [(a, k) for a, ks in keys.items() for k in keys_in(ks)]:
            key = canonical_key(written)
            if key in seen and seen[key] == ("keys", action):
                continue  # the same key twice for one action
            if key in seen:
                if action in value:
                    other = ".".join(str(p) for p in seen[key])
                    raise self.fail(("keys", action), f"duplicate key {written!r}, also {other}")
                # `action` kept its default (defaults are unique), so the clash is with a key
                # the user wrote: blame that field, on its line.
                raise self.fail(
                    seen[key], f"duplicate key {written!r}, also the default of keys.{action}"
                )
            seen[key] = ("keys", action)
        return keys

    def export(self, value: Any, base: Path) -> ExportDefaults:
        value = self.mapping(value, ("export",), EXPORT_KEYS)
        fmt = self.string(value.get("format", "prodigy"), ("export", "format"))
        if fmt not in EXPORT_FORMATS:
            known = ", ".join(EXPORT_FORMATS)
            raise self.fail(("export", "format"), f"unknown format {fmt!r} ({known})")
        output = value.get("output")
        out_path = (base / self.string(output, ("export", "output"))).resolve() if output else None
        return ExportDefaults(fmt, out_path)

    def patterns(self, value: Any, names: set[str]) -> dict[str, LabelPatterns]:
        value = self.mapping(value, ("patterns",), names)
        out: dict[str, LabelPatterns] = {}
        for label, spec in value.items():
            spec = self.mapping(spec, ("patterns", label), PATTERN_KEYS)
            regex = self.string_list(spec.get("regex"), ("patterns", label, "regex"))
            for index, pattern in enumerate(regex):
                try:
                    re.compile(pattern)
                except re.error as error:
                    path = ("patterns", label, "regex", index)
                    raise self.fail(path, f"bad regular expression: {error}") from None
            phrases = self.string_list(spec.get("phrases"), ("patterns", label, "phrases"))
            out[str(label)] = LabelPatterns(tuple(regex), tuple(phrases))
        return out

    def gazetteers(self, value: Any, names: set[str], base: Path) -> dict[str, tuple[Path, ...]]:
        value = self.mapping(value, ("gazetteers",), names)
        return {str(k): self.paths(v, ("gazetteers", k), base) for k, v in value.items()}

    def string_list(self, value: Any, path: tuple[Any, ...]) -> list[str]:
        if value is None:
            return []
        if not isinstance(value, list):
            raise self.fail(path, "expected a list")
        return [self.string(item, (*path, index)) for index, item in enumerate(value)]


_MISSING = object()


def write_default_config(path: Path) -> None:
    """`spantag init`: write the commented default config; never overwrite an existing file."""
    if path.exists():
        raise ConfigError(f"{path}: already exists; not overwritten")
    try:
        with open(path, "x", encoding="utf-8") as handle:
            handle.write(default_config_text())
    except FileExistsError:
        raise ConfigError(f"{path}: already exists; not overwritten") from None
    except OSError as error:
        raise ConfigError(f"{path}: cannot write: {error.strerror}") from None
