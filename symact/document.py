"""One activation's derivation document, as a LaTeX body and as GitHub Markdown."""
import re
from dataclasses import dataclass

from .activation import format_number
from .heads import HEADS, to_elementary
from .identities import IDENTITIES
from .kinks import kinks
from .properties import rows as property_rows
from .latex import derivative_lhs, expr_latex, expr_text
from .derivation import derivation
from .symbols import y

_LATEX_SPECIALS = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#",
                   "_": r"\_", "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}",
                   "^": r"\textasciicircum{}", "<": "$<$", ">": "$>$"}
# Long formulas are scaled to the text width: LaTeX does not break display math
LONG_FORMULA = 150


def latex_text(text):
    """Plain text (a summary, a source) safe inside a LaTeX paragraph."""
    return "".join(_LATEX_SPECIALS.get(c, c) for c in text).replace("'", "'{}")


def breakable(text):
    """Plain text for a table cell: long numbers (selu's exact constants) may break after
    any digit, lists after a comma."""
    text = latex_text(text).replace(", ", ",\\allowbreak{} ")
    return re.sub(r"(\d)", r"\1\\allowbreak{}", text)


def _display(formula):
    if len(formula) > LONG_FORMULA:
        return ("\\[\n\\resizebox{\\ifdim\\width>\\linewidth\\linewidth\\else\\width\\fi}{!}"
                f"{{$\\displaystyle {formula}$}}\n\\]\n")
    return f"\\[\n{formula}\n\\]\n"


@dataclass
class Document:
    """The pieces of one activation's page, rendered to either format."""
    name: str
    latex: str
    markdown: str


def _facts(act):
    """What both formats say, computed once: formulas, output form, kinks."""
    names = act.symbol_latex_names()
    output_form = act.derivative_in_output()
    kink_points = kinks(act.at())
    definition = act.latex()
    if isinstance(act.expr, HEADS):  # sigma(x) = sigma(x) says nothing: show what it is
        definition += " = " + expr_latex(to_elementary(act.expr), names)
    return {
        "definition": definition,
        "derivative": act.derivative_latex(),
        "output": None if output_form is None else
        f"{derivative_lhs(act, 1)} = {expr_latex(output_form, names)}",
        "output_text": None if output_form is None else expr_text(output_form),
        "output_reason": act.derivative_in_output_reason,
        "kinks": ", ".join(expr_latex(k) for k in kink_points),
        "steps": derivation(act),
        "properties": property_rows(act.properties()),
        "identities": [(identity, identity.check().status) for identity in IDENTITIES
                       if act.name in identity.involves],
    }


def render(act, plot_file):
    """The LaTeX section body and the Markdown page of one element-wise activation;
    plot_file is the plot's path relative to the documents."""
    facts = _facts(act)
    return Document(act.name, _latex(act, facts, plot_file), _markdown(act, facts, plot_file))


def _parameters(act):
    return [(p.name, expr_latex(p.symbol, act.symbol_latex_names()), format_number(p.default),
             p.doc) for p in act.params_info]


def _latex(act, facts, plot_file):
    parts = [f"\\section{{{latex_text(act.name)}: {latex_text(act.summary)}}}\n",
             f"\\label{{act:{act.name}}}\n\n",
             "\\subsection*{Definition}\n", _display(facts["definition"])]
    if act.params_info:
        parts.append("with parameters\n\\begin{itemize}\n")
        for name, symbol, default, doc in _parameters(act):
            parts.append(f"\\item ${symbol} = {default}$ (default)"
                         + (f": {latex_text(doc)}" if doc else "") + "\n")
        parts.append("\\end{itemize}\n")
    parts.append(f"Source: {latex_text(act.source)}.\n\n")
    parts.append("\\subsection*{Derivative, step by step}\n")
    parts.append(facts["steps"].latex() + "\n")
    parts.append("\\subsection*{Result}\n" + _display(facts["derivative"]))
    if facts["output"] is not None:
        parts.append("In terms of the output $y = f(x)$:\n" + _display(facts["output"]))
    else:
        parts.append(f"No form in terms of the output: {latex_text(facts['output_reason'])}.\n\n")
    if facts["kinks"]:
        parts.append(f"\\subsection*{{Kinks}}\nNot differentiable at $x = {facts['kinks']}$. ")
        parts.append(latex_text(act.kink_note) + ".\n\n" if act.kink_note else "\n\n")
    parts.append("\\subsection*{Properties at the default parameters}\n"
                 "\\begin{longtable}{@{}p{5cm}p{11cm}@{}}\n")
    for label, value in facts["properties"]:
        parts.append(f"{latex_text(label)} & {breakable(value)} \\\\\n")
    parts.append("\\end{longtable}\n")
    if facts["identities"]:
        parts.append("\\subsection*{Identities}\nChecked by \\texttt{symact check}:\n"
                     "\\begin{itemize}\n")
        for identity, status in facts["identities"]:
            assume = f" (assuming {latex_text(', '.join(identity.assume))})" if identity.assume else ""
            parts.append(f"\\item {latex_text(identity.claim)}{assume}: {status}\n")
        parts.append("\\end{itemize}\n")
    parts.append("\\begin{center}\n"
                 f"\\includegraphics[width=\\linewidth]{{{plot_file}}}\n\\end{{center}}\n")
    return "".join(parts)


def _markdown(act, facts, plot_file):
    parts = [f"# {act.name}\n\n{act.summary}\n\n## Definition\n\n$$\n{facts['definition']}\n$$\n\n"]
    if act.params_info:
        parts.append("| parameter | default | meaning |\n|---|---|---|\n")
        for name, symbol, default, doc in _parameters(act):
            parts.append(f"| ${symbol}$ | {default} | {doc} |\n")
        parts.append("\n")
    parts.append(f"Source: {act.source}.\n\n## Derivative, step by step\n\n")
    parts.append(facts["steps"].markdown() + "\n\n")
    parts.append(f"## Result\n\n$$\n{facts['derivative']}\n$$\n\n")
    if facts["output"] is not None:
        parts.append(f"In terms of the output $y = f(x)$:\n\n$$\n{facts['output']}\n$$\n\n")
    else:
        parts.append(f"No form in terms of the output: {facts['output_reason']}.\n\n")
    if facts["kinks"]:
        parts.append(f"## Kinks\n\nNot differentiable at $x = {facts['kinks']}$. "
                     + (f"{act.kink_note}.\n\n" if act.kink_note else "\n\n"))
    parts.append("## Properties at the default parameters\n\n| property | value |\n|---|---|\n")
    for label, value in facts["properties"]:
        parts.append(f"| {label} | `{value}` |\n".replace("`|", "`\\|"))
    parts.append("\n")
    if facts["identities"]:
        parts.append("## Identities\n\nChecked by `symact check`:\n\n")
        for identity, status in facts["identities"]:
            assume = f" (assuming `{', '.join(identity.assume)}`)" if identity.assume else ""
            parts.append(f"- `{identity.claim}`{assume}: {status}\n")
        parts.append("\n")
    parts.append(f"![{act.name} and its derivative]({plot_file})\n")
    return "".join(parts)


def output_form_text(act):
    """The derivative in the output as plain text, for the index ('' when none)."""
    form = act.derivative_in_output()
    return "" if form is None else expr_text(form).replace(str(y), "y")
