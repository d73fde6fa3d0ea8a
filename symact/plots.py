"""Plots of f and f' (one activation, or a family side by side), headless and byte-stable."""
import matplotlib

matplotlib.use("Agg")  # headless; must precede pyplot
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from .kinks import kinks  # noqa: E402
from .symbols import x  # noqa: E402

SPAN = (-7.0, 7.0)  # every plot shares these axes, so shapes compare across pages (relu6 clips at 6)
SAMPLES = 1201
# Side by side at 100 dpi; no date or version in the PNG, so rebuilding is byte-identical
FIGSIZE = (9.0, 3.4)
DPI = 100
METADATA = {"Software": None}
STYLE = {"font.size": 9, "axes.grid": True, "grid.alpha": 0.3, "svg.hashsalt": "symact",
         "path.simplify": False}


def _segments(kink_points):
    """The plotted span cut at the kinks: f' jumps there, and a line across a jump would
    draw a slope that is not there."""
    cuts = [SPAN[0]] + [k for k in kink_points if SPAN[0] < k < SPAN[1]] + [SPAN[1]]
    pieces = []
    for low, high in zip(cuts, cuts[1:]):
        count = max(int(SAMPLES * (high - low) / (SPAN[1] - SPAN[0])), 8)
        inner = np.linspace(low, high, count)
        pad = 1e-9 * max(1.0, abs(low), abs(high))
        inner[0] = low + pad if low in kink_points else low
        inner[-1] = high - pad if high in kink_points else high
        pieces.append(inner)
    return pieces


def _draw(axis, function, kink_points, exact, label=None, **style):
    """One curve, piece by piece between kinks; at each kink a filled dot at the value
    symact's convention gives there (from the exact expression: the float nearest a kink
    such as 1/10 lies on one side of it) and open dots at the one-sided limits that differ."""
    line = None
    for piece in _segments(kink_points):
        values = function(piece)
        (line,) = axis.plot(piece, values, label=label if line is None else None,
                            color=line.get_color() if line is not None else style.get("color"),
                            linestyle=style.get("linestyle", "-"), linewidth=1.4)
    color = line.get_color()
    for k in kink_points:
        if not SPAN[0] < k < SPAN[1]:
            continue
        at = float(exact[k])
        beside = [float(function(np.float64(k + side * 1e-9 * max(1.0, abs(k))))) for side in (-1, 1)]
        for value in beside:
            if abs(value - at) > 1e-6:
                axis.plot([k], [value], marker="o", markersize=4, markerfacecolor="white",
                          markeredgecolor=color, linestyle="none")
        axis.plot([k], [at], marker="o", markersize=4, color=color, linestyle="none")
    return line


def _frame(axis, title):
    axis.set_title(title)
    axis.set_xlim(*SPAN)
    axis.axhline(0, color="black", linewidth=0.6)
    axis.axvline(0, color="black", linewidth=0.6)
    axis.set_xlabel("x")


def _unflatten(axis):
    """A constant curve gets a unit of room either side: autoscaling would zoom to
    +-0.05 around it and make the ticks look like a signal."""
    values = np.concatenate([np.asarray(line.get_ydata(), dtype=float) for line in axis.get_lines()
                             if len(line.get_xdata()) > 2])
    low, high = float(np.min(values)), float(np.max(values))
    if high - low < 1e-9:
        axis.set_ylim(low - 1.0, high + 1.0)


def _kinks(act):
    """Kinks as floats, and f and f' at each exact kink (keyed by the float)."""
    f, fp = act.at(), act.derivative(1).xreplace(act.substitutions())
    exact = kinks(f)
    return ([float(k) for k in exact], {float(k): f.subs(x, k) for k in exact},
            {float(k): fp.subs(x, k) for k in exact})


def plot_activation(act, path):
    """f and f' at default parameters, side by side, kinks marked; written to path (PNG)."""
    points, values, slopes = _kinks(act)
    with plt.rc_context(STYLE):
        figure, (left, right) = plt.subplots(1, 2, figsize=FIGSIZE)
        _draw(left, act.numpy(), points, values, color="C0")
        _draw(right, act.numpy_derivative(), points, slopes, color="C3")
        _frame(left, f"{act.name}(x)")
        _frame(right, f"{act.name}'(x)")
        for axis in (left, right):
            _unflatten(axis)
        for k in points:
            if SPAN[0] < k < SPAN[1]:
                for axis in (left, right):
                    axis.axvline(k, color="grey", linestyle=":", linewidth=0.8)
        figure.tight_layout()
        figure.savefig(path, dpi=DPI, metadata=METADATA)
        plt.close(figure)


def plot_family(title, activations, path):
    """Several activations' f and f' on shared axes (the family comparison), to path."""
    styles = ["-", "--", "-.", ":"]
    with plt.rc_context(STYLE):
        figure, (left, right) = plt.subplots(1, 2, figsize=(FIGSIZE[0], FIGSIZE[1] + 0.8))
        for index, act in enumerate(activations):
            points, values, slopes = _kinks(act)
            style = {"color": f"C{index % 10}", "linestyle": styles[index // 10 % 4]}
            _draw(left, act.numpy(), points, values, label=act.name, **style)
            _draw(right, act.numpy_derivative(), points, slopes, **style)
        _frame(left, f"{title}: f(x)")
        _frame(right, f"{title}: f'(x)")
        for axis, (floor, ceiling) in ((left, (-3.0, 6.5)), (right, (-1.5, 2.5))):
            low, high = axis.get_ylim()  # autoscaled, but an exponential tail cannot flatten the rest
            axis.set_ylim(max(low, floor), min(high, ceiling))
        figure.legend(loc="lower center", ncol=min(len(activations), 7), frameon=False)
        figure.tight_layout(rect=(0, 0.07 if len(activations) <= 7 else 0.12, 1, 1))
        figure.savefig(path, dpi=DPI, metadata=METADATA)
        plt.close(figure)
