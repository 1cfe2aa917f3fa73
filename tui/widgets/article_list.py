"""The article list: one row per article with its words, span counts per label, the
suggestions waiting in it (`+5`) and its state."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace

from rich.style import Style as RichStyle
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.geometry import Region, Spacing
from textual.message import Message
from textual.strip import Strip
from textual.style import Style
from textual.visual import VisualType
from textual.widgets import Input, OptionList
from textual.widgets.option_list import Option

from tui.widgets.filter_box import FilterBox
from tui.widgets.one_line import TitleBar, text_strip
from tui.widgets.plain_lines import install as install_plain_lines


@dataclass(frozen=True)
class ArticleRow:
    """What one row shows."""

    id: str
    title: str
    words: int
    counts: dict[str, int]
    state: str
    suggested: int | None = None
    """Suggestions waiting in the article; None while not counted."""
    assigned: bool = True
    """False for articles an assignments file gives to someone else (listed last, dimmed)."""


class RowPrompt(Text):
    """A row's prompt (its title and counts on two lines) that keeps the two lines apart
    too, so drawing it need not split the joined `Text` again (~0.1 ms a row)."""

    __slots__ = ("lines",)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.lines: tuple[Text, ...] = ()


STATE_STYLES = {"new": "dim", "in progress": "yellow", "done": "bold green"}
STATE_MARKS = {"new": "·", "in progress": "◐", "done": "✓"}


class ArticleOptions(OptionList):
    """The rows; enter opens the highlighted article."""

    BINDINGS = [
        Binding("enter", "select", "Open", id="articles.open", tooltip="Open in the reader"),
    ]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        install_plain_lines(self)  # its rows are drawn whole (`_get_option_render`)
        self._pass: tuple[int, Spacing] | None = None

    def render_lines(self, crop: Region) -> list[Strip]:
        # OptionList measures the rows afresh for each line it draws (`_lines`), and each row
        # looks up the list's width and the option padding again (~50 µs a line, a tag
        # repaints four): once per pass is enough, as nothing changes them while drawing.
        # (OptionList.render_lines brings the line cache up to date before any line.)
        self._pass = (
            self.scrollable_content_region.width - self._get_left_gutter_width(),
            self.get_component_styles("option-list--option").padding,
        )
        try:
            return super().render_lines(crop)
        finally:
            self._pass = None

    @property
    def _lines(self) -> Sequence[tuple[int, int]]:
        if self._pass is not None:
            return self._line_cache.lines
        return super()._lines

    def _get_option_render(self, option: Option, style: Style) -> list[Strip]:
        """A row's two lines from its Rich `Text`, drawn straight into strips.

        OptionList's own path (Text to Content, styles resolved per span, wrapping) costs
        ~2 ms per changed row, and a tag changes one (its counts) on every key; the prompts
        here are two unwrapped lines, which this draws in a fraction of that. Anything else
        goes the usual way.
        """
        prompt = option.prompt
        if self._pass is not None:
            width, padding = self._pass
        else:
            padding = self.get_component_styles("option-list--option").padding
            width = self.scrollable_content_region.width - self._get_left_gutter_width()
        if not isinstance(prompt, Text) or option._divider or padding.top or padding.bottom:
            return super()._get_option_render(option, style)
        cache_key = (option, style, padding)
        strips = self._option_render_cache.get(cache_key)
        if strips is None:
            # The option's index rides on every cell (clicks find the option by it), put into
            # the base style here rather than onto each segment after (`Strip.apply_meta`,
            # which doubled the cost of drawing a row).
            meta = {"option": self._option_to_index[option]}
            base = style.rich_style + RichStyle.from_meta(meta)
            inner = max(width - padding.left - padding.right, 0)
            console = self.app.console
            strips = []
            lines = prompt.lines if isinstance(prompt, RowPrompt) else None
            for line in lines or prompt.split("\n", allow_blank=True):
                strip = text_strip(line, inner, base, console)
                if padding.left or padding.right:
                    strip = Strip.join(
                        [
                            Strip.blank(padding.left, base),
                            strip,
                            Strip.blank(padding.right, base),
                        ]
                    )
                strips.append(strip.extend_cell_length(width, base))
            self._option_render_cache[cache_key] = strips
        return strips

    def _replace_option_prompt(self, index: int, prompt: VisualType) -> None:
        """Replace one row's prompt without measuring every row again.

        OptionList drops its whole line cache on each replacement, and measuring 1,000 rows
        again costs ~0.15 s at the next paint (after every tag, as counts change). Every row
        here is two lines high whatever it says, so only that row's rendering is dropped, and
        only its lines are repainted (if they are on screen).
        """
        option = self.get_option_at_index(index)
        option._set_prompt(prompt)
        cache = self._option_render_cache
        for key in [key for key in cache.keys() if key[0] is option]:
            cache.discard(key)
        line = self._line_cache.index_to_line.get(index)
        if line is None:
            self.refresh()
            return
        self.refresh_lines(line, self._line_cache.heights.get(index, 2))


class ArticleList(Vertical):
    """The corpus as a filterable list (`/` filters by title or text)."""

    BINDINGS = [
        Binding("escape", "cancel_filter", "Clear filter", show=False, id="articles.clear_filter"),
    ]

    @dataclass
    class Opened(Message):
        """The user picked an article (enter or click)."""

        article_list: ArticleList
        article_id: str

    def __init__(
        self,
        colours: dict[str, str],
        matches: Callable[[str, str], bool] | None = None,
        *,
        id: str | None = None,
    ) -> None:
        """`matches(article_id, query)` decides the filter (default: the title)."""
        super().__init__(id=id)
        self.colours = colours
        self.matches = matches or self._title_matches
        self.rows: dict[str, ArticleRow] = {}
        self._prompts: dict[str, Text] = {}
        """The prompt each row was last drawn with (a row is replaced only if it differs)."""
        self.order: list[str] = []
        self.shown_ids: list[str] = []
        self.query_text = ""
        self._done = 0
        self._waiting = 0
        """Articles done and suggestions waiting over all rows, for the title (kept as rows
        change: summing them on each tag would cost O(articles) a key)."""
        self.title_bar = TitleBar("Articles", id="articles-title")

    def compose(self) -> ComposeResult:
        yield self.title_bar
        yield FilterBox(placeholder="filter: title or text", id="articles-filter")
        yield ArticleOptions(id="articles-options")

    def on_mount(self) -> None:
        self.query_one("#articles-filter", Input).display = False

    @property
    def options(self) -> ArticleOptions:
        return self.query_one(ArticleOptions)

    @property
    def filter_input(self) -> Input:
        return self.query_one("#articles-filter", Input)

    def set_rows(self, rows: Iterable[ArticleRow]) -> None:
        self.rows = {row.id: row for row in rows}
        self.order = list(self.rows)
        self._done = sum(1 for row in self.rows.values() if row.state == "done")
        self._waiting = sum(row.suggested or 0 for row in self.rows.values())
        self.show_only(self.order)

    def show_only(self, ids: Sequence[str]) -> None:
        """Show these articles (a filter's result), keeping the highlighted one if it is in."""
        current = self.highlighted_id
        self.shown_ids = list(ids)
        options = self.options
        options.set_options(Option(self._prompt_of(i), id=i) for i in self.shown_ids)
        if self.shown_ids:
            keep = current if current in self.shown_ids else self.shown_ids[0]
            options.highlighted = self.shown_ids.index(keep)
        self._update_title()

    def update_row(self, row: ArticleRow) -> None:
        old = self.rows.get(row.id)
        self.rows[row.id] = row
        if row == old:
            return
        if old is not None:
            self._done -= old.state == "done"
            self._waiting -= old.suggested or 0
        self._done += row.state == "done"
        self._waiting += row.suggested or 0
        prompt = self.prompt(row)
        if prompt == self._prompts.get(row.id):
            return  # e.g. a count that was 0 by default and is 0 now: the same row
        self._prompts[row.id] = prompt
        if row.id in self.shown_ids:
            self.options.replace_option_prompt(row.id, prompt)

    def _prompt_of(self, article_id: str) -> Text:
        """The row's prompt, drawn for its current `ArticleRow` (and remembered)."""
        prompt = self.prompt(self.rows[article_id])
        self._prompts[article_id] = prompt
        return prompt

    def set_suggested(self, counts: dict[str, int]) -> None:
        """Show how many suggestions wait in these articles (other rows keep theirs)."""
        for article_id, count in counts.items():
            row = self.rows.get(article_id)
            if row is not None and row.suggested != count:
                self.update_row(replace(row, suggested=count))
        self._update_title()

    def visible_ids(self) -> list[str]:
        """The articles whose rows are on screen now (every row is two lines high)."""
        if not self.display or not self.is_mounted:
            return []
        options = self.options
        first = max(0, int(options.scroll_y) // 2)
        rows = options.scrollable_content_region.height // 2 + 2
        return self.shown_ids[first : first + rows]

    def select(self, article_id: str) -> None:
        """Highlight an article (when the reader opens one by another way)."""
        if article_id in self.shown_ids:
            self.options.highlighted = self.shown_ids.index(article_id)

    @property
    def highlighted_id(self) -> str | None:
        option = self.options.highlighted_option if self.is_mounted else None
        return option.id if option is not None else None

    def prompt(self, row: ArticleRow) -> Text:
        title = Text(
            row.title or row.id,
            style="bold" if row.assigned else "dim",
            no_wrap=True,
            overflow="ellipsis",
        )
        if not row.assigned:
            title = Text.assemble(("not yours ", "dim italic"), title)
            title.no_wrap = True
            title.overflow = "ellipsis"
        line = Text(no_wrap=True, overflow="ellipsis")
        line.append(f"{row.words:>6,}w ", style="dim")
        for label, colour in self.colours.items():
            count = row.counts.get(label, 0)
            line.append(f" {count}", style=f"bold {colour}" if count else "dim")
        waiting = f"+{row.suggested}" if row.suggested else ""
        line.append(" ")
        line.append(waiting, style="italic underline")
        line.append(" " * (4 - len(waiting)))  # the state lines up for up to +999
        line.append(f"  {STATE_MARKS.get(row.state, '')} {row.state}", STATE_STYLES.get(row.state))
        prompt = RowPrompt(no_wrap=True, overflow="ellipsis")
        prompt.append_text(title)
        prompt.append("\n")
        prompt.append_text(line)
        prompt.lines = (title, line)
        return prompt

    def _update_title(self) -> None:
        title = self.title_bar
        total = len(self.order)
        shown = len(self.shown_ids)
        if self.query_text:
            title.update(f"Articles {shown}/{total}  /{self.query_text}")
        else:
            text = Text(f"Articles {total}  ({self._done} done)")
            waiting = self._waiting
            if waiting:
                text.append("  ")
                text.append(f"+{waiting}", style="italic underline")
                room = title.content_region.width if title.is_mounted else 0
                if text.cell_len + len(" suggested") <= (room or 38):
                    text.append(" suggested")
            title.update(text)  # repaints only if it changed

    def refresh_title(self) -> None:
        self._update_title()

    # --- filter --------------------------------------------------------------------------

    def open_filter(self) -> None:
        box = self.filter_input
        box.display = True
        box.value = self.query_text
        self.screen.set_focus(box)

    def _title_matches(self, article_id: str, query: str) -> bool:
        return query.lower() in self.rows[article_id].title.lower()

    def close_filter(self, keep: bool) -> None:
        box = self.filter_input
        if keep:
            self._filter_to(box.value)
        else:
            box.value = ""
            self._filter_to("")
        box.display = bool(self.query_text)
        self.screen.set_focus(self.options)

    @on(Input.Changed, "#articles-filter")
    def _typed(self, event: Input.Changed) -> None:
        event.stop()
        self._filter_to(event.value)

    @on(Input.Submitted, "#articles-filter")
    def _submitted(self, event: Input.Submitted) -> None:
        """Enter in the box opens the highlighted match (the first, unless the one highlighted
        before still matches), as fzf and vim's pickers do; with no match the box stays."""
        event.stop()
        self._filter_to(event.value)
        article_id = self.highlighted_id
        if article_id is None:
            self.notify(f"No article matches {event.value.strip()!r}.", markup=False)
            return
        self.close_filter(keep=True)
        self.post_message(self.Opened(self, article_id))

    def _filter_to(self, query: str) -> None:
        """Filter now (not by message), so an enter right after typing sees the result."""
        query = query.strip()
        self.query_text = query
        self.show_only([i for i in self.order if not query or self.matches(i, query)])

    def action_cancel_filter(self) -> None:
        self.close_filter(keep=False)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "cancel_filter":
            return self.filter_input.has_focus or bool(self.query_text)
        return True

    @on(OptionList.OptionSelected, "#articles-options")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id is not None:
            self.post_message(self.Opened(self, event.option.id))
