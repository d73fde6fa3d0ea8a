"""One activation's derivation document, as a LaTeX body and as GitHub Markdown."""
import re
from dataclasses import dataclass, replace

import mpmath
import sympy as sp

from .activation import format_number
from .heads import HEADS, to_elementary
from .identities import IDENTITIES
from .kinks import kinks
from .errors import SymactError
from .parse import parse_expression
from .properties import PLAIN, Style, readable, rows as property_rows
from .latex import derivative_lhs, equation, expr_latex
from .symbols import x
from .derivation import derivation

_LATEX_SPECIALS = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#",
                   "_": r"\_", "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}",
                   "^": r"\textasciicircum{}", "<": "$<$", ">": "$>$",
                   "|": r"\textbar{}"}  # OT1 fonts have an em dash where | is
# Long formulas are scaled to the text width: LaTeX does not break display math
LONG_FORMULA = 150


def latex_text(text):
    """Plain text (a summary, a source) safe inside a LaTeX paragraph; an opening quote
    ('Deep learning') is typeset as one, not as a closing one."""
    text = re.sub(r"(?<![\w'])'(?=\S)", "`", text)
    return "".join(_LATEX_SPECIALS.get(c, c) for c in text).replace("'", "'{}")


def _code(text):
    """Code in typewriter type that may break after an operator or a comma (a claim with
    SELU's 32-digit constants is wider than the page)."""
    return "\\texttt{" + re.sub(r"([,*+(]|==|<=|>=) ?", lambda m: m.group(0) + "\\allowbreak{}",
                                 latex_text(text)) + "}"


def display_math(formula):
    if len(formula) > LONG_FORMULA:
        return ("\\[\n\\resizebox{\\ifdim\\width>\\linewidth\\linewidth\\else\\width\\fi}{!}"
                f"{{$\\displaystyle {formula}$}}\n\\]\n")
    return f"\\[\n{formula}\n\\]\n"


def _split_top(text, separator):
    """text split at separators outside parentheses and brackets."""
    parts, depth, start = [], 0, 0
    for i, c in enumerate(text):
        depth += c in "([{"
        depth -= c in ")]}"
        if depth == 0 and text.startswith(separator, i):
            parts.append(text[start:i])
            start = i + len(separator)
    return parts + [text[start:]]


def value_latex(text, formulas=None, digits=12):
    """A value text of the property table (a number, an interval, a union, a list, a
    periodic family, a formula) as LaTeX math; formulas maps texts whose SymPy object the
    caller has (the output form) to their LaTeX. Decimals are shown to `digits` digits;
    closed forms that are not plain numbers get their value beside them (in a narrow
    table, digits < 12, only their value)."""
    def inner(part):
        return value_latex(part, None, digits)

    text = text.strip()
    if formulas and text in formulas:
        return formulas[text]
    family = " for every integer k"
    if text.endswith(family):
        return inner(text[:-len(family)]) + r" \text{ for every integer } k"
    for separator, joiner in ((" U ", r" \cup "), (", ", ", ")):
        parts = _split_top(text, separator)
        if len(parts) > 1:
            return joiner.join(inner(p) for p in parts)
    if text[:1] in "[(" and text[-1:] in "])":
        ends = _split_top(text[1:-1], ", ")
        if len(ends) == 2:
            return f"{text[0]}{inner(ends[0])}, {inner(ends[1])}{text[-1]}"
    if text.startswith("C^"):
        return "C^{" + (r"\infty" if text[2:] == "oo" else text[2:]) + "}"
    if text.lstrip("-") == "oo":
        return text[:-2] + r"\infty"
    decimal = readable(text)
    if re.fullmatch(r"-?\d+\.\d+", decimal) and len(decimal.lstrip("-")) > digits + 1:
        return mpmath.nstr(mpmath.mpf(decimal), digits)  # a root finder's 17 digits
    try:
        expr = parse_expression(decimal, symbols={"k": sp.Symbol("k", integer=True)})
    except SymactError:
        return r"\text{" + latex_text(text) + "}"
    if expr.is_number and not expr.is_Rational and sp.count_ops(expr) > 2:
        value = sp.sstr(sp.N(expr, digits))
        return value if digits < 12 else f"{expr_latex(expr)} \\approx {value}"
    return expr_latex(expr)


def latex_style(formulas=None, digits=12):
    """The property-table Style for LaTeX documents (digits: see value_latex)."""
    return Style(math=lambda t: value_latex(t, formulas, digits), group=lambda s: f"${s}$",
                 words=latex_text, union=r" \cup ", braces=(r"\{", r"\}"), arrow=r"\to")


def markdown_style(formulas=None):
    """The property-table Style for GitHub Markdown: the LaTeX one's inline $...$ math,
    with words left as they are."""
    return replace(latex_style(formulas), words=PLAIN.words)


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
    return {
        "definition": _definition(act),
        "derivative": act.derivative_latex(),
        "output": None if output_form is None else
        f"{derivative_lhs(act, 1)} = {expr_latex(output_form, names)}",
        "output_reason": act.derivative_in_output_reason,
        "output_regime": _regime(act, output_form),
        "kinks": _points_latex(kink_points),
        "steps": derivation(act),
        **_property_rows(act),
        "identities": [(identity, identity.check().status) for identity in IDENTITIES
                       if act.name in identity.involves],
    }


def _definition(act):
    """f(x) = its definition, and what the definition means in elementary functions when
    it is one named function of x (sigma(x) = sigma(x) says nothing) or uses a head named
    like the activation (softplus(x) = softplus(beta x)/beta reads as circular)."""
    names = act.symbol_latex_names()
    expr = act.expr
    if isinstance(expr, sp.Function) and expr.args == (x,):
        plain = to_elementary(expr)
        if plain == expr:
            plain = expr.rewrite(sp.exp)
        if plain != expr and not plain.has(sp.I):
            return equation(act, rf"{act.display_name}\left(x\right)", plain)
    definition = act.latex()
    if any(type(h).__name__ == act.name for h in expr.atoms(*HEADS)):
        definition += " = " + expr_latex(to_elementary(expr), names)
    return definition


def _regime(act, form):
    """' (derived for $\\alpha > 0$)': the signs of the parameters in the output form, as the
    derivation took them (declared positive, or the default's sign, which decided how its
    branches were ordered); '' when it has none."""
    if form is None:
        return ""
    names = act.symbol_latex_names()
    signs = []
    for p in act.params_info:
        if p.symbol in form.free_symbols:
            relation = ">" if p.symbol.is_positive or p.default > 0 else "<" if p.default < 0 else "="
            signs.append(f"{expr_latex(p.symbol, names)} {relation} 0")
    return f" (derived for ${', '.join(signs)}$)" if signs else ""


def _points_latex(points):
    """'x = 0' or 'x \\in \\{0, 6\\}' ('x = 0, 6' reads as a decimal comma); '' for none."""
    if len(points) == 1:
        return f"x = {expr_latex(points[0])}"
    return r"x \in \{" + ", ".join(expr_latex(p) for p in points) + r"\}" if points else ""


def _property_rows(act):
    """The default-parameter property table in both formats; the output form is typeset
    from its SymPy object, not from its text."""
    table = act.properties()
    formulas = {}
    if table["derivative_in_output"] is not None:
        form = act.derivative_in_output().xreplace(act.substitutions())
        # defaults like SELU's lambda*alpha multiply out to 60-digit decimals
        form = form.xreplace({r: sp.Float(r, 17) for r in form.atoms(sp.Rational)
                              if len(str(r)) > 24})
        formulas[table["derivative_in_output"]] = expr_latex(form, act.symbol_latex_names())
    return {"properties_latex": property_rows(table, latex_style(formulas)),
            "properties_markdown": property_rows(table, markdown_style(formulas))}


def render(act, plot_file):
    """The LaTeX section body and the Markdown page of one element-wise activation;
    plot_file is the plot's path relative to the documents."""
    facts = _facts(act)
    return Document(act.name, _latex(act, facts, plot_file), _markdown(act, facts, plot_file))


def _parameters(act):
    return [(p.name, expr_latex(p.symbol, act.symbol_latex_names()), format_number(p.default),
             p.doc) for p in act.params_info]


def _latex(act, facts, plot_file):
    # the summary is plain text with ASCII formulas: it stays out of the title and the
    # table of contents, which show the name alone
    parts = [f"\\section{{{latex_text(act.name)}}}\n",
             f"\\label{{act:{act.name}}}\n\\emph{{{latex_text(act.summary)}}}\n\n",
             "\\subsection*{Definition}\n", display_math(facts["definition"])]
    if act.params_info:
        parts.append("with parameters\n\\begin{itemize}\n")
        for name, symbol, default, doc in _parameters(act):
            parts.append(f"\\item ${symbol} = {default}$ (default)"
                         + (f": {latex_text(doc)}" if doc else "") + "\n")
        parts.append("\\end{itemize}\n")
    parts.append(f"Source: {latex_text(act.source)}.\n\n")
    parts.append("\\subsection*{Derivative, step by step}\n")
    parts.append(facts["steps"].latex() + "\n")
    parts.append("\\subsection*{Result}\n" + display_math(facts["derivative"]))
    if facts["output"] is not None:
        parts.append(f"In terms of the output $y = f(x)${facts['output_regime']}:\n"
                     + display_math(facts["output"]))
    else:
        parts.append(f"No form in terms of the output: {latex_text(facts['output_reason'])}.\n\n")
    if facts["kinks"]:
        parts.append(f"\\subsection*{{Where it is not differentiable}}\nAt ${facts['kinks']}$. ")
        parts.append(latex_text(act.kink_note) + ".\n\n" if act.kink_note else "\n\n")
    parts.append("\\subsection*{Properties at the default parameters}\n"
                 "\\begin{longtable}{@{}p{5cm}p{11cm}@{}}\n")
    for label, value in facts["properties_latex"]:
        parts.append(f"{latex_text(label)} & {value} \\\\\n")
    parts.append("\\end{longtable}\n")
    if facts["identities"]:
        parts.append("\\subsection*{Identities}\nChecked by \\texttt{symact check}:\n"
                     "\\begin{itemize}\\raggedright\n")  # typewriter spaces do not stretch
        for identity, status in facts["identities"]:
            assume = f" (assuming {_code(', '.join(identity.assume))})" if identity.assume else ""
            parts.append(f"\\item {_code(identity.claim)}{assume}: {status}\n")
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
        parts.append(f"In terms of the output $y = f(x)${facts['output_regime']}:\n\n"
                     f"$$\n{facts['output']}\n$$\n\n")
    else:
        parts.append(f"No form in terms of the output: {facts['output_reason']}.\n\n")
    if facts["kinks"]:
        parts.append(f"## Where it is not differentiable\n\nAt ${facts['kinks']}$. "
                     + (f"{act.kink_note}.\n\n" if act.kink_note else "\n\n"))
    parts.append("## Properties at the default parameters\n\n| property | value |\n|---|---|\n")
    for label, value in facts["properties_markdown"]:
        parts.append(f"| {label} | {value.replace('|', chr(92) + '|')} |\n")
    parts.append("\n")
    if facts["identities"]:
        parts.append("## Identities\n\nChecked by `symact check`:\n\n")
        for identity, status in facts["identities"]:
            assume = f" (assuming `{', '.join(identity.assume)}`)" if identity.assume else ""
            parts.append(f"- `{identity.claim}`{assume}: {status}\n")
        parts.append("\n")
    parts.append(f"![{act.name} and its derivative]({plot_file})\n")
    return "".join(parts)
