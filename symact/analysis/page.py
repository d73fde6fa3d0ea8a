"""Rendering of an analysis for the collection: a list of entries (words with inline
math, display formulas, tables) written once and typeset as LaTeX or as Markdown."""
from dataclasses import dataclass


@dataclass(frozen=True)
class Table:
    """A table whose cells are LaTeX (inline math in $...$ where needed)."""
    header: tuple
    rows: tuple
    align: str = ""


@dataclass(frozen=True)
class Figure:
    """A plot, by its path relative to the page."""
    path: str
    caption: str


class Page:
    """Base of analysis results: `entries(**options)` gives [(words, display formula or
    None), Table or Figure]; `latex()` and `markdown()` render them."""

    def entries(self, **options):
        raise NotImplementedError

    def latex(self, **options):
        from ..document import display_math
        parts = []
        for entry in self.entries(**options):
            if isinstance(entry, Table):
                parts.append(_latex_table(entry))
                continue
            if isinstance(entry, Figure):
                parts.append("\\begin{center}\n\\includegraphics[width=0.8\\linewidth]{"
                             f"{entry.path}}}\n\\end{{center}}\n")
                continue
            words, formula = entry
            parts.append((f"{words}\n" if words else "") + (display_math(formula) if formula else ""))
        return "".join(parts)

    def markdown(self, **options):
        parts = []
        for entry in self.entries(**options):
            if isinstance(entry, Table):
                parts.append(_markdown_table(entry))
                continue
            if isinstance(entry, Figure):
                parts.append(f"![{entry.caption}]({entry.path})\n\n")
                continue
            words, formula = entry
            parts.append((f"{words}\n\n" if words else "")
                         + (f"$$\n{formula}\n$$\n\n" if formula else ""))
        return "".join(parts)


def _latex_table(table):
    align = table.align or "l" * len(table.header)
    lines = ["\\begin{center}\\small", f"\\begin{{tabular}}{{{align}}}", "\\hline",
             " & ".join(table.header) + " \\\\", "\\hline"]
    lines += [" & ".join(row) + " \\\\" for row in table.rows]
    lines += ["\\hline", "\\end{tabular}", "\\end{center}", ""]
    return "\n".join(lines)


def _markdown_table(table):
    lines = ["| " + " | ".join(cell.replace("|", "\\|") for cell in table.header) + " |",
             "|" + "---|" * len(table.header)]
    lines += ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |"
              for row in table.rows]
    return "\n".join(lines) + "\n\n"
