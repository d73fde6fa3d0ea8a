"""`symact build`: the derivations/ collection, generated in parallel and cached."""
import hashlib
import json
import multiprocessing
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from . import registry
from .analysis.gradient import GradientTable, gain_row
from .document import latex_style, latex_text, markdown_style, render
from .errors import SymactError
from .latex import expr_latex
from .kinks import kinks
from .properties import MARKDOWN_COLUMNS, catalog_row

FAMILIES = {  # family tag -> title of its comparison plot
    "relu": "ReLU family", "sigmoid": "Sigmoid and tanh family",
    "hard": "Hard (piecewise-linear) variants", "smooth": "Smooth variants",
    "gelu": "GELU, its approximations and relatives"}
PREAMBLE = r"""\documentclass[11pt]{article}
\usepackage[margin=2.2cm]{geometry}
\usepackage{amsmath,amssymb,graphicx,booktabs,longtable,array}
\usepackage[hidelinks]{hyperref}
\setlength{\parindent}{0pt}
\setlength{\parskip}{4pt}
\allowdisplaybreaks
\ifdefined\pdftrailerid\pdftrailerid{symact}\fi
"""
PDFLATEX_SECONDS = 300
# Pages of symact.analysis in the collection: function name -> title
ANALYSES = {"selu_parameters": "SELU's self-normalising constants",
            "higher_derivatives": "Higher derivatives of sigmoid and tanh in the output",
            "softmax_family": "Laws of the softmax family",
            "maxout_special_cases": "Maxout and the activations it contains",
            "approximations": "Approximation errors and limits",
            "backprop": "Backpropagation through a softmax classifier"}
# analyses assembled from every activation's row (computed with its page, in parallel)
CATALOG_ANALYSES = {"gradient_gains": "Gradient flow through layers"}
TITLES = {**CATALOG_ANALYSES, **ANALYSES}
# cm per column of the catalog property table after the name (range ... kinks)
PROPERTY_WIDTHS = (2.4, 1.65, 1.95, 0.6, 1.45, 1.25, 1.15, 1.0, 1.1)
# pdflatex stamps the date and a random ID unless told the time: a fixed one keeps the
# PDF reproducible
REPRODUCIBLE = {"SOURCE_DATE_EPOCH": "0", "FORCE_SOURCE_DATE": "1"}


def _code_version():
    """Hash of symact's own source and the plotting library: any change invalidates the cache."""
    import matplotlib
    digest = hashlib.sha256(matplotlib.__version__.encode())
    package = Path(__file__).parent
    for path in sorted(package.rglob("*.py")):
        digest.update(path.relative_to(package).as_posix().encode() + path.read_bytes())
    return digest.hexdigest()[:16]


def default_cache():
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "symact"


def _page(job):
    """(name, latex body, markdown, plot PNG bytes or None, seconds, cached) of one activation."""
    name, cache, plots = job
    start = time.perf_counter()
    entry = cache / f"{name}-{_code_version()}.json" if cache else None
    if entry and entry.exists():
        record = json.loads(entry.read_text())
        return (name, record["latex"], record["markdown"], record["row"],
                bytes.fromhex(record["png"]), time.perf_counter() - start, True)
    from .plots import plot_activation
    act = registry.get(name)
    document = render(act, f"plots/{name}.png")
    row = _row(act)
    if not plots:
        return name, document.latex, document.markdown, row, None, time.perf_counter() - start, False
    with tempfile.TemporaryDirectory() as scratch:
        png = Path(scratch) / "plot.png"
        plot_activation(act, png)
        data = png.read_bytes()
    if entry:
        entry.parent.mkdir(parents=True, exist_ok=True)
        entry.write_text(json.dumps({"latex": document.latex, "markdown": document.markdown,
                                     "row": row, "png": data.hex()}))
    return name, document.latex, document.markdown, row, data, time.perf_counter() - start, False


def _analysis(job):
    """(name, latex body, markdown) of one analysis page (ANALYSES)."""
    name, cache = job
    entry = cache / f"analysis-{name}-{_code_version()}.json" if cache else None
    if entry and entry.exists():
        record = json.loads(entry.read_text())
        return name, record["latex"], record["markdown"]
    from . import analysis
    result = getattr(analysis, name)()
    latex, markdown = result.latex(), result.markdown()
    if entry:
        entry.parent.mkdir(parents=True, exist_ok=True)
        entry.write_text(json.dumps({"latex": latex, "markdown": markdown}))
    return name, latex, markdown


def _families(names):
    """{tag: members among names} for the families with at least two of them."""
    found = {tag: [n for n in names if tag in registry.get(n).family] for tag in FAMILIES}
    return {tag: members for tag, members in found.items() if len(members) >= 2}


def _family_plot(job):
    tag, members, cache = job
    key = hashlib.sha256(" ".join(members).encode()).hexdigest()[:8]
    entry = cache / f"family-{tag}-{key}-{_code_version()}.png" if cache else None
    if entry and entry.exists():
        return tag, entry.read_bytes()
    from .plots import plot_family
    members = [registry.get(name) for name in members]
    with tempfile.TemporaryDirectory() as scratch:
        png = Path(scratch) / "plot.png"
        plot_family(FAMILIES[tag], members, png)
        data = png.read_bytes()
    if entry:
        entry.parent.mkdir(parents=True, exist_ok=True)
        entry.write_bytes(data)
    return tag, data


def build(out, names=None, jobs=2, cache=None, pdf=True, plots=True, progress=print,
          analyses=None):
    """(Re)generate the collection in `out`; returns the list of files written. Without
    plots only the text files are written (what the up-to-date test compares); `analyses`
    limits the pages of ANALYSES built (default all)."""
    out = Path(out)
    names = list(names or registry.names("elementwise"))
    (out / "plots").mkdir(parents=True, exist_ok=True)
    written = []

    def write(relative, content):
        path = out / relative
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        written.append(path)

    pages, rows = {}, {}
    start = time.perf_counter()
    context = multiprocessing.get_context("spawn")  # no forked SIGALRM budgets or locks
    with context.Pool(jobs) as pool:
        families = pool.map_async(
            _family_plot, [(tag, members, cache) for tag, members in _families(names).items()]
            if plots else [])
        chosen = list(ANALYSES) if analyses is None else [a for a in ANALYSES if a in analyses]
        analyses = pool.map_async(_analysis, [(name, cache) for name in chosen])
        for index, result in enumerate(pool.imap(_page, [(n, cache, plots) for n in names]), 1):
            name, body, markdown, row, png, seconds, cached = result
            pages[name], rows[name] = body, row
            write(f"{name}.tex", PREAMBLE + "\\begin{document}\n" + body + "\\end{document}\n")
            write(f"{name}.md", markdown)
            if png is not None:
                write(f"plots/{name}.png", png)
            progress(f"[{index:2d}/{len(names)}] {name:<18} {seconds:6.1f} s"
                     + (" (cached)" if cached else ""))
        for tag, png in families.get():
            write(f"plots/family_{tag}.png", png)
        studies = {}
        gains = GradientTable({name: rows[name]["gain"] for name in names})
        if plots:
            gains.figure(out / "plots" / "gradient_gains.png")
            written.append(out / "plots" / "gradient_gains.png")
        results = [("gradient_gains", gains.latex(), gains.markdown()), *analyses.get()]
        for name, body, markdown in results:
            studies[name] = body
            write(f"{name}.tex", PREAMBLE + "\\begin{document}\n\\section*{" + TITLES[name]
                  + "}\n" + body + "\\end{document}\n")
            write(f"{name}.md", f"# {TITLES[name]}\n\n{markdown}")
    write("symact.tex", _combined(names, pages, rows, _families(names), studies))
    write("README.md", _index(names, rows, _families(names), studies))
    progress(f"{len(names)} activations in {time.perf_counter() - start:.1f} s")
    if pdf:
        built = compile_pdf(out / "symact.tex")
        if built:
            written.append(built)
            progress(f"compiled {built.name}")
        else:
            progress("pdflatex not found: symact.pdf not built")
    return written


def _row(act):
    """What the index tables say of one activation: f' in the output, kinks and the
    property cells (LaTeX and Markdown)."""
    form = act.derivative_in_output()
    return {"summary": act.summary,
            "output_latex": None if form is None else expr_latex(form, act.symbol_latex_names()),
            "kinks": [expr_latex(k) for k in kinks(act.at())],
            "properties": catalog_row(act.properties(), markdown_style()),
            "properties_latex": catalog_row(act.properties(), latex_style(digits=6)),
            "gain": gain_row(act)}


def _combined(names, pages, rows, families, studies):
    table = ["\\section*{The catalog}\n\\begin{longtable}{lp{6.2cm}ll}\n\\toprule\n"
             "activation & definition & $f'$ in terms of $y$ & kinks \\\\\n\\midrule\n"]
    for name in names:
        row = rows[name]
        kink_list = row["kinks"]
        output = "---" if row["output_latex"] is None else f"${row['output_latex']}$"
        table.append(f"\\hyperref[act:{name}]{{{latex_text(name)}}} & "
                     f"{latex_text(row['summary'])} & {output} & "
                     f"{'$' + ', '.join(kink_list) + '$' if kink_list else '---'} \\\\\n")
    table.append("\\bottomrule\n\\end{longtable}\n")
    # the catalog-wide property table (columns as in `symact properties --format markdown`)
    table.append("\\section*{Properties at the default parameters}\n{\\footnotesize\\setlength{\\tabcolsep}{2.5pt}\n"
                 "\\begin{longtable}{@{}l" + "".join(f">{{\\raggedright\\arraybackslash}}p{{{w}cm}}" for w in PROPERTY_WIDTHS) + "@{}}\n\\toprule\n"
                 + " & ".join(latex_text(c).replace("/", "/\\allowbreak{}") for c in MARKDOWN_COLUMNS) + " \\\\\n\\midrule\n\\endhead\n")
    for name in names:
        table.append(f"\\hyperref[act:{name}]{{{latex_text(name)}}} & "
                     + " & ".join(rows[name]["properties_latex"]) + " \\\\\n")
    table.append("\\bottomrule\n\\end{longtable}}\n")
    figures = "".join(
        f"\\begin{{center}}\n\\includegraphics[width=\\linewidth]{{plots/family_{tag}.png}}\n"
        f"\\end{{center}}\n" for tag in families)
    if figures:
        figures = "\\section*{Families}\n" + figures + "\\clearpage\n"
    figures += "".join(f"\\section*{{{TITLES[name]}}}\n{body}\\clearpage\n"
                       for name, body in studies.items())
    return (PREAMBLE + "\\title{symact: activation functions and their derivatives}\n"
            "\\author{generated by symact from one SymPy definition each}\n\\date{}\n"
            "\\begin{document}\n\\maketitle\n\\tableofcontents\n\\clearpage\n"
            + "".join(table) + figures
            + "\\clearpage\n".join(pages[n] for n in names) + "\\end{document}\n")


def _index(names, rows, families, studies):
    lines = ["# Derivations\n",
             "Generated by `symact build` from the one SymPy definition of each activation: "
             "the definition, the derivative step by step, the derivative in terms of the "
             "output, kinks, the derived property table, the identities that involve it "
             "and a plot of f and f'. `symact.tex` collects them all "
             "(`symact.pdf` when pdflatex was present).\n",
             "| activation | definition | f' in terms of y = f(x) | kinks |",
             "|---|---|---|---|"]
    for name in names:
        row = rows[name]
        kink_cell = ", ".join(f"${k}$" for k in row["kinks"]) or "—"
        output_cell = f"${row['output_latex']}$" if row["output_latex"] else "—"
        cells = (row["summary"], output_cell, kink_cell)
        lines.append(f"| [{name}]({name}.md) | " + " | ".join(c.replace("|", r"\|") for c in cells) + " |")
    lines += ["\n## Properties at the default parameters\n",
              "| " + " | ".join(MARKDOWN_COLUMNS) + " |", "|" + "---|" * len(MARKDOWN_COLUMNS)]
    for name in names:
        cells = [f"[{name}]({name}.md)"] + rows[name]["properties"]
        lines.append("| " + " | ".join(c.replace("|", r"\|") for c in cells) + " |")
    lines.append("\n## Analyses\n")
    lines += [f"- [{TITLES[name]}]({name}.md)" for name in studies]
    if families:
        lines.append("\n## Families\n")
    for tag in families:
        title = FAMILIES[tag]
        lines.append(f"### {title}\n\n![{title}](plots/family_{tag}.png)\n")
    return "\n".join(lines) + "\n"


PDFLATEX_RUNS = 4


def compile_pdf(tex_path):
    """symact.pdf next to tex_path, or None when pdflatex is absent; a failed compile is an
    error with the log's first error line. pdflatex runs until the contents settle: the
    second run typesets the contents, which moves every page after them, so the page
    numbers it lists are right only from the third."""
    if shutil.which("pdflatex") is None:
        return None
    tex_path = Path(tex_path).resolve()
    environment = dict(os.environ, **REPRODUCIBLE)
    with tempfile.TemporaryDirectory() as scratch:
        contents = Path(scratch) / tex_path.with_suffix(".toc").name
        previous = None
        for _ in range(PDFLATEX_RUNS):
            run = subprocess.run(
                ["pdflatex", "-interaction=nonstopmode", "-halt-on-error",
                 f"-output-directory={scratch}", tex_path.name],
                cwd=tex_path.parent, env=environment, capture_output=True, text=True,
                timeout=PDFLATEX_SECONDS)
            if run.returncode != 0:
                errors = [line for line in run.stdout.splitlines() if line.startswith("!")]
                raise SymactError(f"pdflatex failed on {tex_path.name}: "
                                  f"{errors[0] if errors else 'see its log'}")
            current = contents.read_bytes() if contents.exists() else b""
            if current == previous:
                break
            previous = current
        target = tex_path.with_suffix(".pdf")
        shutil.copyfile(Path(scratch) / target.name, target)
    return target
