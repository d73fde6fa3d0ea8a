"""The `symact` command line: build, list, show, derive, codegen, accuracy, plot,
properties, check, identities, analyze and the analyses (selu-parameters, gradient-gain,
softmax-laws, maxout-cases, approximation-error, parameter-limit, backprop).
Errors are one line, exit 2."""
import argparse
import json
import re
import sys

from . import registry
from .activation import format_number
from .budget import DEFAULT_SECONDS, time_budget
from .errors import BudgetExceeded, SymactError
from .latex import derivative_lhs, expr_latex, expr_text

MAX_ORDER = 12


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        raise SymactError(message)


def _params(act, pairs):
    values = {}
    for pair in pairs or []:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise SymactError(f"--param takes NAME=VALUE, not {pair!r}")
        values[key.strip()] = value
    act.substitutions(values)  # validates names and numbers
    return values


def _activation(args, expression=False):
    """(activation, parameter values) for a catalog name, or for an expression in x whose
    --param NAME=VALUE options declare its parameters and their defaults (always an
    expression when asked: `analyze x` analyses the identity)."""
    text = args.name
    if not expression and re.fullmatch(r"[A-Za-z_][A-Za-z0-9_\- ]*", text.strip()):
        act = registry.get(text)
        return act, _params(act, args.param)
    from .user import define
    declared = {}
    for pair in args.param or []:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise SymactError(f"--param takes NAME=VALUE, not {pair!r}")
        declared[key.strip()] = value
    return define("f", text, declared), {}


def _timed(args, what, function, *rest, **options):
    """function(...) under the command's --timeout, as a one-line error when it runs out."""
    seconds = getattr(args, "timeout", None) or DEFAULT_SECONDS
    try:
        with time_budget(seconds, what):
            return function(*rest, **options)
    except BudgetExceeded:
        raise SymactError(f"{what} gave up after {seconds:g} s of CPU time (raise --timeout)") from None


def _cmd_list(args, out):
    acts = registry.all_activations()
    if args.format == "json":
        rows = [{"name": a.name, "aliases": list(a.aliases), "vector": a.vector,
                 "summary": a.summary} for a in acts]
        out.write(json.dumps(rows, indent=2) + "\n")
        return
    width = max(len(a.name) for a in acts)
    for a in acts:
        alias = f"  (also: {', '.join(a.aliases)})" if a.aliases else ""
        kind = " [vector]" if a.vector else ""
        out.write(f"{a.name:<{width}}  {a.summary}{kind}{alias}\n")


def _show_record(act, values):
    record = {
        "name": act.name,
        "aliases": list(act.aliases),
        "params": {p.name: format_number(p.default) for p in act.params_info},
        "source": act.source,
    }
    if act.vector:
        record.update(expr=expr_text(act.expr), latex=act.latex(),
                      derivative=expr_text(act.jacobian(3)), derivative_latex=expr_latex(act.jacobian(3)),
                      derivative_in_output=None)
        return record
    if values:
        record["params"].update({k: format_number(v) for k, v in
                                 ((s.name, d) for s, d in act.substitutions(values).items())})
    expr = act.at(**values) if values else act.expr
    output_form = act.derivative_in_output()
    if values and output_form is not None:
        output_form = output_form.xreplace(act.substitutions(values, defaults=False))
    record.update(
        expr=expr_text(expr), latex=act.latex(**values),
        derivative=expr_text(act.derivative(1, **values)),
        derivative_latex=act.derivative_latex(1, **values),
        derivative_in_output=None if output_form is None else expr_text(output_form),
        kink_convention=act.kink_note or None,
    )
    if output_form is None:
        record["derivative_in_output_reason"] = act.derivative_in_output_reason
    return record


def _cmd_show(args, out):
    act, values = _activation(args)
    record = _show_record(act, values)
    if args.format == "json":
        out.write(json.dumps(record, indent=2, ensure_ascii=False) + "\n")
    elif args.format == "latex":
        out.write(record["latex"] + "\n" + record["derivative_latex"] + "\n")
    else:
        out.write(f"{act.name}: {act.summary}\n")
        if act.aliases:
            out.write(f"  aliases: {', '.join(act.aliases)}\n")
        for p in act.params_info:
            out.write(f"  parameter {p.name} = {record['params'][p.name]}  ({p.doc})\n")
        out.write(f"  source: {act.source}\n")
        out.write(f"  f(x)  = {record['expr']}\n")
        label = "J(z) for n = 3" if act.vector else "f'(x)"
        out.write(f"  {label} = {record['derivative']}\n")
        if not act.vector:
            form = record["derivative_in_output"]
            out.write(f"  f' in terms of y = f(x): {form if form is not None else 'none (' + record['derivative_in_output_reason'] + ')'}\n")
            if act.kink_note:
                out.write(f"  kinks: {act.kink_note}\n")


def _cmd_derive(args, out):
    act, values = _activation(args)
    if args.steps:
        if act.vector:
            raise SymactError(f"--steps covers element-wise activations; {act.name} is vector-valued")
        if args.order != 1:
            raise SymactError("--steps derives the first derivative; leave out --order")
        from .derivation import derivation
        steps = _timed(args, "the derivation", derivation, act, **values)
        rendered = {"latex": steps.latex, "markdown": steps.markdown, "text": steps.text}
        if args.format not in rendered:
            raise SymactError("--steps prints latex, markdown or text")
        out.write(rendered[args.format]() + "\n")
        return
    if args.in_output:
        if act.vector or args.order < 1 or args.order > MAX_ORDER:
            raise SymactError(f"--in-output takes an element-wise activation and --order "
                              f"between 1 and {MAX_ORDER}")
        result = _timed(args, "the output form", act.derivative_in_output, args.order)
        if result is None:
            raise SymactError(f"{act.name} has no derivative in terms of its output: "
                              f"{act.derivative_in_output_reason}")
        text = expr_text(result)
        latex = f"{derivative_lhs(act, args.order)} = {expr_latex(result, act.symbol_latex_names())}"
    elif act.vector:
        result = act.jacobian(args.size)
        text, latex = expr_text(result), expr_latex(result)
    else:
        if not 0 <= args.order <= MAX_ORDER:
            raise SymactError(f"--order must be between 0 and {MAX_ORDER}")
        result = _timed(args, "differentiation", act.derivative, args.order, **values)
        text, latex = expr_text(result), act.derivative_latex(args.order, **values)
    if args.format == "json":
        out.write(json.dumps({"name": act.name, "order": args.order, "derivative": text,
                              "latex": latex}, indent=2, ensure_ascii=False) + "\n")
    elif args.format == "markdown":
        out.write(f"$$\n{latex}\n$$\n")
    else:
        out.write((latex if args.format == "latex" else text) + "\n")


def _cmd_codegen(args, out):
    act, values = _activation(args)
    function = act.numpy_derivative(**values) if args.derivative else act.numpy(**values)
    out.write(function.source)


ACCURACY_SECONDS = 600.0


def _cmd_accuracy(args, out):
    """The generated code against 50-digit mpmath on the conventions' grid; exit 1 when it
    misses the bound somewhere, warns, or gives a number for NaN."""
    import math

    import numpy as np

    from .accuracy import Reference, grid, measure
    act, values = _activation(args)
    if act.vector:
        raise SymactError(f"{act.name} is a vector activation: accuracy is measured for "
                          "element-wise ones")
    function = act.numpy_derivative(**values) if args.derivative else act.numpy(**values)
    expr = (act.derivative(1, **values) if args.derivative else act.at(**values))
    expr = expr.xreplace(act.params)
    points = grid()
    result = _timed(args, "the measurement against mpmath", measure, function, expr, points)
    with np.errstate(all="ignore"):
        special = [float(v) for v in function(np.array([np.nan, -np.inf, np.inf]))]
    worst_bound = None
    if result["max_at"] is not None:
        worst_bound = Reference(expr).at(result["max_at"])[1]
    within = result["excess"] <= 0 and not result["warnings"] and math.isnan(special[0])
    record = {"function": expr_text(expr), "points": int(points.size),
              "max_ulp": result["max_ulp"], "max_at": result["max_at"],
              "bound_there": worst_bound, "excess": result["excess"],
              "excess_at": result["at"], "warnings": result["warnings"],
              "unjudged": result["unjudged"],
              "at_nan_and_infinities": [format(v, ".17g") for v in special],
              "within_bound": within}
    if args.format == "json":
        out.write(json.dumps(record, indent=2, ensure_ascii=False) + "\n")
        return 0 if within else 1
    label = "f'(x)" if args.derivative else "f(x)"
    out.write(f"{label} = {record['function']}\n"
              f"generated NumPy code against 50-digit mpmath on the conventions' grid "
              f"({record['points']} points)\n")
    if result["max_at"] is not None:
        out.write(f"  worst error:   {_ulps(result['max_ulp'])} at x = {result['max_at']!r}"
                  f" (allowed there: {_ulps(worst_bound)})\n")
        side = "over" if result["excess"] > 0 else "under"
        out.write(f"  nearest the bound: {_ulps(abs(result['excess']))} {side} it at "
                  f"x = {result['at']!r}\n")
    out.write(f"  RuntimeWarnings: {'; '.join(result['warnings']) or 'none'}\n"
              f"  at NaN, -inf, +inf: {', '.join(format(v, '.17g') for v in special)}\n")
    if result["unjudged"]:
        out.write(f"  not judged (mpmath cannot hold the truth's intermediate values): "
                  f"{len(result['unjudged'])} points, e.g. x = {result['unjudged'][0]!r}\n")
    verdict = ("within the bound (4 ULP plus 2|x g'(x)| 2^-53, g the function measured) at "
               "every point" if within else "MISSES the bound")
    out.write(verdict + "\n")
    return 0 if within else 1


def _ulps(value):
    return f"{value:.3g} ULP"


def _cmd_plot(args, out):
    act, _ = _activation(args)
    if act.vector:
        raise SymactError(f"plot covers element-wise activations; {act.name} is vector-valued")
    target = args.output or f"{act.name}.png"
    if not target.endswith(".png"):
        raise SymactError(f"-o takes a .png file name, not {target!r}")
    from .plots import plot_activation
    try:
        plot_activation(act, target)
    except OSError as error:
        raise SymactError(f"cannot write {target}: {error.strerror}") from None
    out.write(f"{target}\n")


def _cmd_build(args, out):
    from .build import build, default_cache
    if args.jobs < 1:
        raise SymactError("--jobs must be at least 1")
    names = [registry.get(n).name for n in args.names] if args.names else None
    if names and any(registry.get(n).vector for n in names):
        raise SymactError("build covers element-wise activations")
    try:
        build(args.out, names=names, jobs=args.jobs,
              cache=None if args.no_cache else default_cache(), pdf=not args.no_pdf,
              progress=lambda line: print(line, file=out, flush=True))
    except OSError as error:
        raise SymactError(f"cannot write to {args.out}: {error.strerror}") from None


def _cmd_properties(args, out):
    from .properties import markdown_table, text_block
    if args.names:
        acts = [registry.get(n) for n in args.names]
    else:
        acts = registry.all_activations("elementwise")
    if any(a.vector for a in acts):
        raise SymactError("properties cover element-wise activations")
    if args.param and len(acts) != 1:
        raise SymactError("--param needs exactly one activation name")
    values = _params(acts[0], args.param) if args.param else {}
    tables = [_timed(args, f"properties of {a.name}", a.properties, **values) for a in acts]
    if args.format == "json":
        shown = tables[0] if len(tables) == 1 else tables
        out.write(json.dumps(shown, indent=2, ensure_ascii=False) + "\n")
    elif args.format == "markdown":
        out.write(markdown_table(tables))
    else:
        out.write("\n".join(text_block(t) for t in tables))


def _cmd_check(args, out):
    from .check import check
    verdict = check(args.claim, args.assume or [], timeout=args.timeout or DEFAULT_SECONDS)
    out.write((json.dumps(verdict.as_dict(), indent=2, ensure_ascii=False)
               if args.format == "json" else verdict.text()) + "\n")
    return verdict.exit_code


def _cmd_identities(args, out):
    from .identities import IDENTITIES
    rows = []
    for identity in IDENTITIES:
        verdict = identity.check(timeout=args.timeout)
        rows.append({"claim": identity.claim, "assume": list(identity.assume),
                     "note": identity.note, "involves": identity.involves,
                     "status": verdict.status, "method": verdict.method})
    if args.format == "json":
        out.write(json.dumps(rows, indent=2, ensure_ascii=False) + "\n")
    elif args.format == "markdown":
        out.write("| identity | assuming | status | note |\n|---|---|---|---|\n")
        for r in rows:
            out.write(f"| `{r['claim']}` | {', '.join(r['assume']) or '-'} | {r['status']} "
                      f"| {r['note']} |\n")
    else:
        for r in rows:
            assume = f"  (assuming {', '.join(r['assume'])})" if r["assume"] else ""
            out.write(f"{r['status']:<8} {r['claim']}{assume}\n")
    return 0 if all(r["status"] == "proved" for r in rows) else 3


def _cmd_analyze(args, out):
    from .properties import text_block
    act, _ = _activation(args, expression=True)
    record = _timed(args, "the derivative and output form", _show_record, act, {})
    record["properties"] = _timed(args, "the properties", act.properties)
    record["numpy"] = _timed(args, "code generation", lambda: act.numpy().source)
    if args.steps:
        from .derivation import derivation
        record["steps"] = _timed(args, "the derivation", derivation, act).text()
    if args.format == "json":
        out.write(json.dumps(record, indent=2, ensure_ascii=False) + "\n")
    elif args.format == "latex":
        out.write(record["latex"] + "\n" + record["derivative_latex"] + "\n")
    else:
        out.write(f"f(x)  = {record['expr']}\nf'(x) = {record['derivative']}\n")
        out.write(f"f' in terms of y = f(x): {record['derivative_in_output'] or 'none'}\n")
        if args.steps:
            out.write(record["steps"] + "\n")
        out.write(text_block(record["properties"]) + "\nNumPy code:\n" + record["numpy"])


def _cmd_selu_parameters(args, out):
    import sympy as sp
    from .analysis import selu_parameters
    if not 1 <= args.digits <= 100:
        raise SymactError("--digits takes a number of digits between 1 and 100")
    found = selu_parameters(args.mean, args.second_moment, args.input_mean, args.input_variance)
    alpha, scale = found.values(args.digits)
    if args.format == "json":
        out.write(json.dumps({"alpha": alpha, "lambda": scale, "alpha_exact": sp.sstr(found.alpha),
                              "lambda_exact": sp.sstr(found.scale)}, indent=2) + "\n")
    elif args.format == "latex":
        out.write(f"\\alpha = {sp.latex(found.alpha)} \\approx {alpha}\n"
                  f"\\lambda = {sp.latex(found.scale)} \\approx {scale}\n")
    else:
        out.write(found.text(args.digits))


def _write(found, args, out, **options):
    """An analysis result in the format asked for: JSON (as_dict), LaTeX or Markdown (its
    page) or text."""
    if args.format == "json":
        out.write(json.dumps(found.as_dict(**options), indent=2) + "\n")
    elif args.format in ("latex", "markdown"):
        out.write(getattr(found, args.format)(**options))
    else:
        out.write(found.text(**options))


def _cmd_softmax_laws(args, out):
    from .analysis import softmax_family
    from .analysis.softmax import SIZES
    family = _timed(args, "the softmax laws", softmax_family, tuple(args.size or SIZES))
    _write(family, args, out)
    return 0 if all(law.status == "proved" for law in family.laws) else 3


def _cmd_maxout_cases(args, out):
    from .analysis import maxout_special_cases
    cases = _timed(args, "the maxout cases", maxout_special_cases)
    _write(cases, args, out)
    return 0 if cases.proved else 3


def _cmd_approximation_error(args, out):
    from .analysis import approximation_error
    if not 1 <= args.digits <= 20:
        raise SymactError("--digits takes a number of digits between 1 and 20")
    approx, values = _activation(argparse.Namespace(name=args.approx, param=args.param))
    exact, _ = _activation(argparse.Namespace(name=args.exact, param=None))
    found = _timed(args, "the approximation error", approximation_error, approx, exact, **values)
    _write(found, args, out, digits=args.digits)


def _cmd_parameter_limit(args, out):
    from .analysis import parameter_limit
    found = _timed(args, "the limit", parameter_limit, args.name, args.parameter, args.target)
    out.write(found.text())
    return {"proved": 0, "refuted": 1}.get(found.status, 3)


def _cmd_backprop(args, out):
    from .analysis import backprop
    act, values = _activation(args)
    found = _timed(args, "the backprop derivation", backprop, act, tuple(args.sizes), **values)
    _write(found, args, out)
    return 0 if found.ok else 3


GAIN_SECONDS = 120


def _cmd_gradient_gain(args, out):
    from .analysis import gradient_gain
    act, values = _activation(args)
    gain = _timed(args, "the gradient gain", gradient_gain, act, **values)
    record = gain.as_dict()
    if args.format == "json":
        out.write(json.dumps(record, indent=2) + "\n")
        return
    mark = {True: "exact", False: "numeric"}
    out.write(f"{act.name}\n  sup |f'|    = {record['max']} ({mark[gain.exact['max']]})\n"
              f"  E[f'(z)]    = {record['mean']} ({mark[gain.exact['mean']]})\n"
              f"  E[f'(z)^2]  = {record['mean_square']} ({mark[gain.exact['mean_square']]})\n"
              f"  layers until sup|f'|^L < 1e-8: "
              f"{record['depth_below_1e-8'] if gain.depth() is not None else 'never'}\n")


def _analysis_parser(sub, name, helptext, run, formats):
    """A subcommand for an analysis: --format (when it has several) and a --timeout in all."""
    p = sub.add_parser(name, help=helptext)
    if formats:
        p.add_argument("--format", choices=formats, default="text")
    p.add_argument("--timeout", type=float, default=GAIN_SECONDS,
                   help=f"seconds in all (default {GAIN_SECONDS})")
    p.set_defaults(run=run)
    return p


def build_parser():
    parser = _Parser(prog="symact", description="Activation functions defined once in SymPy; "
                     "derivatives, LaTeX and NumPy code derived from the definition.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    p = sub.add_parser("build", help="(re)generate the derivations/ collection (LaTeX, "
                       "Markdown, plots, PDF)")
    p.add_argument("names", nargs="*", help="only these activations (default: all)")
    p.add_argument("--out", default="derivations", help="output directory (default derivations)")
    p.add_argument("--jobs", type=int, default=2, help="worker processes (default 2)")
    p.add_argument("--no-cache", action="store_true", help="recompute everything")
    p.add_argument("--no-pdf", action="store_true", help="skip pdflatex")
    p.set_defaults(run=_cmd_build)
    p = sub.add_parser("list", help="all activations with one-line descriptions")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.set_defaults(run=_cmd_list)
    for name, helptext, run in (("show", "definition, parameters, derivative, output form", _cmd_show),
                                ("derive", "the n-th derivative", _cmd_derive),
                                ("codegen", "the generated NumPy source", _cmd_codegen),
                                ("accuracy", "the generated code's error in ULPs against "
                                 "50-digit mpmath on the conventions' grid; exit 0 within "
                                 "the bound everywhere, 1 not", _cmd_accuracy),
                                ("plot", "f and f' side by side as a PNG", _cmd_plot),
                                ("gradient-gain", "sup |f'|, E[f'(z)], E[f'(z)^2] for "
                                 "z ~ N(0, 1) and the depth at which gradients vanish",
                                 _cmd_gradient_gain)):
        p = sub.add_parser(name, help=helptext)
        p.add_argument("name", help="activation name or alias, or an expression in x "
                       "such as 'x*sigmoid(beta*x)'")
        p.add_argument("--param", action="append", metavar="NAME=VALUE",
                       help="parameter value, exact decimal or fraction (repeatable); for an "
                       "expression, declares a parameter and its default")
        if name == "gradient-gain":  # its integrals have their own 5 s budgets
            p.add_argument("--timeout", type=float, default=GAIN_SECONDS,
                           help=f"seconds in all (default {GAIN_SECONDS})")
        elif name == "accuracy":  # mpmath at every grid point, up to 5 s each
            p.add_argument("--timeout", type=float, default=ACCURACY_SECONDS,
                           help=f"seconds for the measurement (default {ACCURACY_SECONDS:g})")
        else:
            p.add_argument("--timeout", type=float, default=None,
                           help=f"seconds per symbolic step (default {DEFAULT_SECONDS:g})")
        p.set_defaults(run=run)
        if name == "show":
            p.add_argument("--format", choices=("text", "json", "latex"), default="text")
        if name == "derive":
            p.add_argument("--order", type=int, default=1, help="derivative order (default 1)")
            p.add_argument("--size", type=int, default=3, help="vector length for vector activations")
            p.add_argument("--format", choices=("text", "json", "latex", "markdown"),
                           default="text")
            p.add_argument("--steps", action="store_true",
                           help="the derivation step by step, each rule named")
            p.add_argument("--in-output", action="store_true",
                           help="the derivative written in the output y = f(x)")
        if name in ("codegen", "accuracy"):
            p.add_argument("--derivative", action="store_true", help="the derivative's code")
        if name == "accuracy":
            p.add_argument("--format", choices=("text", "json"), default="text")
        if name == "plot":
            p.add_argument("-o", "--output", help="PNG file (default NAME.png)")
        if name == "gradient-gain":
            p.add_argument("--format", choices=("text", "json"), default="text")
    p = sub.add_parser("properties", help="derived property table (range, monotonicity, C^k, ...)")
    p.add_argument("names", nargs="*", help="activations (default: every element-wise one)")
    p.add_argument("--param", action="append", metavar="NAME=VALUE",
                   help="parameter value for the one activation named (repeatable)")
    p.add_argument("--format", choices=("text", "json", "markdown"), default="text")
    p.add_argument("--timeout", type=float, default=None,
                   help=f"seconds per activation (default {DEFAULT_SECONDS:g})")
    p.set_defaults(run=_cmd_properties)
    p = sub.add_parser("check", help="prove or refute a claim; exit 0 proved, 1 refuted, "
                       "3 unknown, 2 bad input")
    p.add_argument("claim", help="e.g. 'tanh(x) == 2*sigmoid(2*x) - 1' or 'diff(sigmoid(x), x) <= 1/4'")
    p.add_argument("--assume", action="append", metavar="RELATION",
                   help="e.g. 'a >= 0', '0 < b < 1', 'x < 0' (repeatable)")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.add_argument("--timeout", type=float, default=None,
                   help=f"seconds before giving up with 'unknown' (default {DEFAULT_SECONDS:g})")
    p.set_defaults(run=_cmd_check)
    p = sub.add_parser("identities", help="the built-in identity library, each checked")
    p.add_argument("--format", choices=("text", "json", "markdown"), default="text")
    p.add_argument("--timeout", type=float, default=None, help="seconds per identity")
    p.set_defaults(run=_cmd_identities)
    p = sub.add_parser("analyze", help="everything for your own activation: derivative, output "
                       "form, properties, LaTeX, NumPy code")
    p.add_argument("name", metavar="EXPR", help="an expression in x, e.g. 'x*tanh(softplus(x))'")
    p.add_argument("--param", action="append", metavar="NAME=DEFAULT",
                   help="declare a parameter and its default (repeatable)")
    p.add_argument("--format", choices=("text", "json", "latex"), default="text")
    p.add_argument("--steps", action="store_true", help="include the derivation step by step")
    p.add_argument("--timeout", type=float, default=None,
                   help=f"seconds per symbolic step (default {DEFAULT_SECONDS:g})")
    p.set_defaults(run=_cmd_analyze)
    p = sub.add_parser("selu-parameters", help="SELU's alpha and lambda from the fixed-point "
                       "conditions E[selu(z)] = mean, E[selu(z)^2] = second moment")
    p.add_argument("--mean", default="0", help="target mean (default 0)")
    p.add_argument("--second-moment", default="1", help="target second moment (default 1)")
    p.add_argument("--input-mean", default="0", help="mean of the Gaussian input (default 0)")
    p.add_argument("--input-variance", default="1", help="variance of the Gaussian input (default 1)")
    p.add_argument("--digits", type=int, default=32, help="significant digits (default 32)")
    p.add_argument("--format", choices=("text", "json", "latex"), default="text")
    p.set_defaults(run=_cmd_selu_parameters)
    from .analysis.approximation import DIGITS
    from .analysis.backprop import SIZES
    p = _analysis_parser(sub, "softmax-laws", "prove the laws of the softmax family (sum to 1, "
                         "shift invariance, gradient of logsumexp, Jacobian, ...) for every n "
                         "and check them at concrete lengths; exit 0 when all are proved",
                         _cmd_softmax_laws, ("text", "json", "latex", "markdown"))
    p.add_argument("--size", type=int, action="append",
                   help="a concrete length to check, 2 to 6 (repeatable; default 2 and 3)")
    _analysis_parser(sub, "maxout-cases", "prove that relu, leaky_relu, prelu (a <= 1), "
                     "identity and |x| are maxout units with stated weights; exit 0 when all are",
                     _cmd_maxout_cases, ("text", "json", "latex", "markdown"))
    p = _analysis_parser(sub, "approximation-error", "max over the reals of |APPROX - EXACT| "
                         "and where it is reached, e.g. gelu_tanh gelu",
                         _cmd_approximation_error, ("text", "json"))
    p.add_argument("approx", help="activation name or expression in x")
    p.add_argument("exact", help="activation name or expression in x")
    p.add_argument("--param", action="append", metavar="NAME=VALUE",
                   help="a parameter of APPROX (repeatable)")
    p.add_argument("--digits", type=int, default=DIGITS, help=f"digits shown (default {DIGITS})")
    p = _analysis_parser(sub, "backprop", "the gradients of a softmax classifier with one hidden "
                         "layer of NAME, derived step by step and verified (exit 0 when all are)",
                         _cmd_backprop, ("text", "latex", "markdown"))
    p.add_argument("name", help="activation name or expression in x")
    p.add_argument("--param", action="append", metavar="NAME=VALUE",
                   help="parameter value (repeatable); for an expression, declares a parameter")
    p.add_argument("--sizes", type=int, nargs=3, default=SIZES,
                   metavar=("INPUTS", "HIDDEN", "CLASSES"),
                   help=f"the size at which each step is verified (default {' '.join(map(str, SIZES))})")
    p = _analysis_parser(sub, "parameter-limit", "prove NAME -> TARGET as PARAMETER -> oo, with "
                         "the uniform rate when NAME scales (e.g. swish beta relu); exit 0 "
                         "proved, 1 refuted, 3 unknown", _cmd_parameter_limit, None)
    p.add_argument("name")
    p.add_argument("parameter")
    p.add_argument("target")
    return parser


def main(argv=None, out=None):
    out = out or sys.stdout
    try:
        args = build_parser().parse_args(argv)
        if getattr(args, "timeout", None) is not None and not 0 < args.timeout <= 3600:
            raise SymactError("--timeout takes seconds between 0 and 3600")
        status = args.run(args, out)
    except SymactError as error:
        print(f"symact: error: {error}", file=sys.stderr)
        return 2
    except (MemoryError, RecursionError) as error:
        # mpmath at arguments such as e^(e^40) (tanh(exp(x)) in an integral over the
        # reals) allocates a number of bits it cannot hold
        what = "memory" if isinstance(error, MemoryError) else "recursion depth"
        print(f"symact: error: the computation ran out of {what} (a value of the "
              "expression too large to represent exactly)", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("symact: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    return status or 0


def main_exit():
    """Console-script entry point."""
    sys.exit(main())
