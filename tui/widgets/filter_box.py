"""The article list's filter box: a text box that keeps all its keys from the screen's bindings.

Every main-screen binding is a priority binding (see `MainScreen.BINDINGS`): it runs as the key
arrives, before the focused widget sees it. Textual leaves a focused text box the keys it types
by taking them out of the other bindings while it has the focus (`check_consume_key`). Input
claims printable characters only, and misses a few of them. This box also claims:

- its editing keys (delete, home, ctrl+a...), so `delete` deletes a character there instead of
  removing the span under the reader's cursor. (Textual means the method for keys typed, not
  for keys bound, textual#5194; the effect on the other bindings is what this box needs.)
- the characters whose key names Textual 8.2's `key_to_character` cannot turn back into
  characters ("slash", "minus", "plus", "backslash", "at", "underscore"), so "/" is typed
  into the box, not run as the filter key again.

A key it has no use for (tab, ctrl+b, a screen key remapped to ctrl+z) still acts.
"""

from __future__ import annotations

from textual.binding import Binding
from textual.keys import REPLACED_KEYS, key_to_character
from textual.widgets import Input

#: The keys Input binds for editing: left, delete, home, ctrl+a, enter...
EDITING_KEYS = frozenset(binding.key for binding in Binding.make_bindings(Input.BINDINGS))


class FilterBox(Input):
    def check_consume_key(self, key: str, character: str | None) -> bool:
        if key in EDITING_KEYS:
            return True
        if character is None and key in REPLACED_KEYS:
            character = key_to_character(REPLACED_KEYS[key])  # "slash" -> "solidus" -> "/"
        return super().check_consume_key(key, character)
