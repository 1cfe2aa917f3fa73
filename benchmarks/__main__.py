"""`make bench`: run every benchmarks/bench_*.py module and print one table.

Each module exposes `run() -> list[tuple[str, str, str]]`: rows of (benchmark, measure, value).
Ratios are measured within one run, since absolute times on shared machines are noisy.
Pass module names (`python -m benchmarks store export`) to run only some.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
import time

from rich.console import Console
from rich.table import Table

import benchmarks


def main(argv: list[str]) -> int:
    names = sorted(
        info.name
        for info in pkgutil.iter_modules(benchmarks.__path__)
        if info.name.startswith("bench_")
    )
    if argv:
        names = [name for name in names if name.removeprefix("bench_") in argv]
    table = Table(title="spantag benchmarks")
    table.add_column("benchmark")
    table.add_column("measure")
    table.add_column("value", justify="right")
    console = Console()
    for name in names:
        started = time.perf_counter()
        console.print(f"[dim]running {name} ...[/dim]")
        module = importlib.import_module(f"benchmarks.{name}")
        for row in module.run():
            table.add_row(*row)
        console.print(f"[dim]{name}: {time.perf_counter() - started:.1f} s[/dim]")
        table.add_section()
    console.print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
