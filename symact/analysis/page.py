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
        return self._render(options, _latex_table, _latex_figure,
                            lambda words: f"{words}\n", display_math)

    def markdown(self, **options):
        return self._render(options, _markdown_table,
                            lambda figure: f"![{figure.caption}]({figure.path})\n\n",
                            lambda words: f"{words}\n\n",
                            lambda formula: f"$$\n{formula}\n$$\n\n")

    def _render(self, options, table, figure, words, formula):
        parts = []
        for entry in self.entries(**options):
            if isinstance(entry, Table):
                parts.append(table(entry))
            elif isinstance(entry, Figure):
                parts.append(figure(entry))
            else:
                text, display = entry
                parts.append((words(text) if text else "") + (formula(display) if display else ""))
        return "".join(parts)


def _latex_figure(figure):
    return ("\\begin{center}\n\\includegraphics[width=0.8\\linewidth]{"
            f"{figure.path}}}\n\\end{{center}}\n")


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
