"""Accuracy and speed of symact's NumPy code against its peers, side by side in one process.

    python3 bench/run.py [NAME ...] [--size 1000000] [--out docs/benchmark.md]

For every activation f and its derivative: the worst error in ULPs against 50-digit
mpmath on the conventions' float64 grid (symact.accuracy.grid), NumPy RuntimeWarnings,
and the median time on `size` float64 values, for symact, naive sympy.lambdify of the
definition, the best hand-written NumPy/SciPy form (bench/handwritten.py, where written)
and PyTorch CPU (when installed) with one thread and with its default thread count.
Ratios are times over symact's. Not part of the test suite.
"""
import argparse
import math
import multiprocessing
import statistics
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import sympy as sp

sys.path.insert(0, str(Path(__file__).resolve().parent))
import handwritten  # noqa: E402
import symact  # noqa: E402
from symact.accuracy import Reference, grid, ulp_error  # noqa: E402
from symact.heads import to_elementary  # noqa: E402

REPEATS = 11


def expression(name, derivative):
    act = symact.get(name)
    return act.derivative(1).xreplace(act.substitutions()) if derivative else act.at()


def truths(job):
    """(t, allowed) on the grid for one function, computed once for all peers."""
    name, derivative, points = job
    reference = Reference(expression(name, derivative))
    return [reference.at(p) for p in points]


def peers(name, derivative, torch, threads):
    act = symact.get(name)
    expr = expression(name, derivative)
    found = {"symact": act.numpy_derivative() if derivative else act.numpy()}
    naive = sp.lambdify(symact.x, to_elementary(sp.piecewise_fold(expr)), modules=["numpy", "scipy"])
    found["lambdify"] = naive
    hand = handwritten.FUNCTIONS.get((name, derivative))
    if hand is not None:
        found["hand-written"] = hand
    if torch is not None and name in handwritten.TORCH:
        found["torch"] = handwritten.torch_function(torch, name, derivative)
        found[f"torch {threads} threads"] = _with_threads(torch, threads, found["torch"])
    return found


def _with_threads(torch, threads, function):
    """function run with `threads` intra-op threads (the bench otherwise runs torch on one)."""
    def run(x):
        torch.set_num_threads(threads)
        try:
            return function(x)
        finally:
            torch.set_num_threads(1)
    return run


def worst(function, points, reference):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with np.errstate(all="warn"):
            values = np.broadcast_to(np.asarray(function(points), dtype=np.float64), points.shape)
    errors = [ulp_error(v, t) for v, (t, _) in zip(values, reference)]
    # the share of the accuracy bound (4 ULP plus conditioning) used up at worst
    # allowed is 0 at a pole or outside the domain, where any error is all of it
    bound = max(e / allowed if allowed else math.inf if e else 0.0
                for e, (_, allowed) in zip(errors, reference))
    return max(errors), len(caught), bound


SPECIALS = np.array([np.nan, np.inf, -np.inf])


def specials(function, wanted):
    """'ok' when function gives what symact gives (and the tests check) at NaN, +inf and
    -inf, else the differing values: a peer that skips NaN handling is faster for it."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with np.errstate(all="ignore"):
            got = np.broadcast_to(np.asarray(function(SPECIALS), dtype=np.float64), (3,))
    wrong = [f"f({p})={g:g}" for p, g, w in zip(("nan", "inf", "-inf"), got, wanted)
             if not (g == w or np.isnan(g) and np.isnan(w))]
    return "ok" if not wrong else ", ".join(wrong)


def median_times(found, values):
    """{peer: median time of one call}, each peer after one warm-up call of its own, in
    the order given. Multi-threaded torch comes last: its idle threads spin for a while
    and slow whatever runs next on a two-core machine, and what runs next is a warm-up
    call or the next row's accuracy pass, not a timed call."""
    times = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with np.errstate(all="ignore"):
            for peer, function in found.items():
                function(values)
                spans = []
                for _ in range(REPEATS):
                    start = time.perf_counter()
                    function(values)
                    spans.append(time.perf_counter() - start)
                times[peer] = statistics.median(spans)
    return times


def _simd():
    """Whether NumPy runs its AVX-512 loops here: its exp, log and pow differ without them
    (pow 14 ms per 1e6 values against about 3), and so do the forms symact's probe keeps."""
    try:
        from numpy._core._multiarray_umath import __cpu_features__ as features
    except ImportError:
        return "CPU features unknown"
    return "AVX-512 loops" if features.get("AVX512F") else "no AVX-512 loops"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*")
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--out")
    args = parser.parse_args(argv)
    names = args.names or symact.names("elementwise")
    try:
        import torch
        threads = torch.get_num_threads()
        torch.set_num_threads(1)
    except ImportError:
        torch, threads = None, 0
    points = grid()
    jobs = [(n, d, points) for n in names for d in (False, True)]
    with multiprocessing.Pool(2) as pool:
        references = pool.map(truths, jobs)
    values = np.random.default_rng(1).standard_normal(args.size) * 5
    columns = ["symact", "lambdify", "hand-written", "torch"]
    columns += [f"torch {threads} threads"] if torch is not None else []
    accurate = columns[:4]  # torch's ULP column holds for any thread count
    lines = ["| function | " + " | ".join(f"{c} ULP" for c in accurate) + " | "
             + " | ".join(f"{c} time/symact" for c in columns[1:])
             + " | symact ms | hand-written at NaN, ±inf | hand-written with NaN kept time/symact |",
             "|" + "---|" * (len(accurate) + len(columns) + 3)]
    slower, slower_same, invalid = [], [], []
    for (name, derivative, _), reference in zip(jobs, references):
        found = peers(name, derivative, torch, threads)
        errors, bounds = {}, {}
        for peer, function in found.items():
            if peer.startswith("torch "):
                continue  # the same values as one-thread torch
            error, warned, bounds[peer] = worst(function, points, reference)
            errors[peer] = f"{error:.3g}" + (f" ({warned} warn.)" if warned else "")
        times = median_times(found, values)
        label = f"{name}'" if derivative else name
        ratio = [f"{times[c] / times['symact']:.2f}" if c in times else "—" for c in columns[1:]]
        hand, kept = "—", "—"
        if "hand-written" in found:
            wanted = found["symact"](SPECIALS)
            hand = specials(found["hand-written"], wanted)
            if times["hand-written"] / times["symact"] < 1 / 1.25:
                slower.append(f"{label} {times['hand-written'] / times['symact']:.2f}")
            same = times["hand-written"]
            nan_kept = handwritten.nan_kept(found["hand-written"])
            if hand != "ok" and specials(nan_kept, wanted) == "ok":
                # the hand-written form differs only at NaN: time it with NaN kept too
                same = median_times({"kept": nan_kept, "symact": found["symact"]}, values)
                same = same["kept"] / same["symact"] * times["symact"]
                kept = f"{same / times['symact']:.2f}"
            if same / times["symact"] < 1 / 1.25:
                slower_same.append(f"{label} {same / times['symact']:.2f}")
                if bounds["hand-written"] > 1:
                    invalid.append(f"{label} ({bounds['hand-written']:.3g} times the bound)")
        lines.append(f"| {label} | " + " | ".join(errors.get(c, "—") for c in accurate) + " | "
                     + " | ".join(ratio) + f" | {times['symact'] * 1e3:.2f} | {hand} | {kept} |")
        print(lines[-1], flush=True)
    rows = sum(1 for n, d, _ in jobs if (n, d) in handwritten.FUNCTIONS)
    summary = (f"symact within 1.25x of the hand-written form: {rows - len(slower)} of {rows} "
               f"rows; slower: {', '.join(slower) or 'none'}.\n\n"
               f"Against the hand-written form with NaN kept where it gave a number for NaN: "
               f"{rows - len(slower_same)} of {rows} rows; slower: "
               f"{', '.join(slower_same) or 'none'}. Of those, the hand-written form misses "
               f"the accuracy bound (4 ULP plus conditioning) on the grid: "
               f"{', '.join(invalid) or 'none'}.")
    print(summary)
    table = "\n".join(lines) + "\n\n" + summary + "\n"
    if args.out:
        command = "python3 bench/run.py " + " ".join(argv if argv is not None else sys.argv[1:])
        Path(args.out).write_text(
            "# Benchmark: accuracy (max ULP on the conventions' grid) and speed\n\n"
            f"Produced by `{command.strip()}` ({args.size} float64 values, median of "
            f"{REPEATS} calls after a warm-up call; times are ratios to symact, > 1 means "
            f"slower than symact; torch with one thread and with {threads}; NumPy "
            f"{np.__version__}, {_simd()}). ULP columns "
            "are the worst error over the grid; "
            "'warn.' counts NumPy RuntimeWarnings. The column 'hand-written at NaN, ±inf' "
            "shows where the hand-written form differs from symact (and the mathematical "
            "limits) there: those forms skip work that symact does. Where the only "
            "difference is NaN, the last column times the hand-written form with NaN kept "
            "(an isnan pass, bench/handwritten.py's nan_kept), the same function as "
            "symact's.\n\n" + table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
