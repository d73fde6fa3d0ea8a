"""`symact build`: deterministic, up to date with the committed derivations/, compiles."""
import shutil
import subprocess
import warnings
from pathlib import Path

import pytest

import symact
from symact.build import REPRODUCIBLE, TITLES, build, compile_pdf

from conftest import ELEMENTWISE, REQUIRE_ORACLES

COMMITTED = Path(__file__).resolve().parent.parent / "derivations"
TEXT_SUFFIXES = (".tex", ".md")


def _texts(directory):
    return {p.relative_to(directory).as_posix(): p.read_bytes()
            for p in sorted(directory.rglob("*")) if p.suffix in TEXT_SUFFIXES}


def pdflatex():
    if shutil.which("pdflatex") is None:
        if REQUIRE_ORACLES:
            pytest.fail("pdflatex is required in CI (SYMACT_REQUIRE_ORACLES is set)")
        pytest.skip("pdflatex is not installed")


def test_two_builds_are_byte_identical(tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)  # such as a legend with nothing in it
        for run in ("a", "b"):
            build(tmp_path / run, names=["arctan", "hard_swish"], jobs=1, pdf=False,
                  progress=lambda line: None, analyses=["selu_parameters"])
    first = {p.relative_to(tmp_path / "a"): p.read_bytes() for p in (tmp_path / "a").rglob("*.*")}
    second = {p.relative_to(tmp_path / "b"): p.read_bytes() for p in (tmp_path / "b").rglob("*.*")}
    assert first == second
    assert {"arctan.tex", "arctan.md", "symact.tex", "README.md"} <= {p.as_posix() for p in first}
    assert any(p.as_posix() == "plots/hard_swish.png" for p in first)


def test_committed_derivations_are_what_the_code_generates(tmp_path):
    # two workers: the catalog's pages and analyses take minutes of CPU cold
    build(tmp_path, jobs=2, pdf=False, plots=False, progress=lambda line: None)
    generated, committed = _texts(tmp_path), _texts(COMMITTED)
    stale = sorted(set(generated) ^ set(committed)) + sorted(
        name for name in generated.keys() & committed.keys() if generated[name] != committed[name])
    assert not stale, f"run `symact build`: derivations/ differs in {stale[:5]}"


def test_every_activation_has_its_page_and_plot():
    for name in ELEMENTWISE:
        assert (COMMITTED / f"{name}.tex").exists() and (COMMITTED / f"{name}.md").exists()
        assert (COMMITTED / "plots" / f"{name}.png").exists()
        assert f"]({name}.md)" in (COMMITTED / "README.md").read_text()
    for name in TITLES:
        assert (COMMITTED / f"{name}.tex").exists() and (COMMITTED / f"{name}.md").exists()
        assert f"]({name}.md)" in (COMMITTED / "README.md").read_text()
    assert "1.6732632423543772848170429916717" in (COMMITTED / "selu_parameters.md").read_text()


@pytest.mark.parametrize("name", ["symact"] + ELEMENTWISE + list(TITLES))
def test_committed_latex_compiles(name, tmp_path):
    pdflatex()
    run = subprocess.run(
        ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", f"-output-directory={tmp_path}",
         f"{name}.tex"], cwd=COMMITTED, capture_output=True, text=True, timeout=300,
        env={**__import__("os").environ, **REPRODUCIBLE})
    errors = [line for line in run.stdout.splitlines() if line.startswith("!")]
    assert run.returncode == 0, errors[:3]
    assert (tmp_path / f"{name}.pdf").stat().st_size > 10_000
    overfull = [line for line in run.stdout.splitlines() if line.startswith("Overfull \\hbox")
                and float(line.split("(")[1].split("pt")[0]) > 30]
    assert not overfull, overfull[:3]


def test_pdf_compile_reports_latex_errors(tmp_path):
    pdflatex()
    broken = tmp_path / "broken.tex"
    broken.write_text("\\documentclass{article}\\begin{document}\\undefinedcommand\\end{document}\n")
    with pytest.raises(Exception, match="Undefined control sequence"):
        compile_pdf(broken)


def test_plot_dots_follow_the_exact_kink_convention():
    """threshold's kink is at 1/10, which no float equals: float 0.1 lies above it, where
    f = x. The filled dot must still sit at the value the definition gives at 1/10."""
    from symact.plots import _kinks
    points, values, slopes = _kinks(symact.get("threshold"))
    assert points == [0.1]
    assert (values[0.1], slopes[0.1]) == (20, 0)
