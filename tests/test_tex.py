"""Every generated LaTeX document compiled by a real TeX engine: no error, no line sticking out
by more than 10 pt; and the engine run safely (no shell, no reading of files such as
/etc/passwd, a time limit).  Skipped, with the reason, only where no TeX engine is installed;
CI installs TeX Live (.ci/run)."""

import dataclasses
import re
import shutil
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import sympy as sp

from derivations import catalog
from derivations.reading import files
from derivations.documents import tex
from derivations.checker import check
from derivations.documents.handout import handout
from derivations.documents.render import render
from derivations.reading.sources import InputError
from derivations.running.workflow import CATALOG_EPOCH, HANDOUT_NAME, HANDOUT_TITLE

HERE = Path(__file__).parent
GOOD = sorted((HERE / "derivations" / "good").glob("*.deriv.yaml"))
OUTPUT = HERE.parent / "output"
MAX_OVERFULL = 10.0  # points

needs_tex = pytest.mark.skipif(not tex.available(), reason="no TeX engine (pdflatex) installed; "
                               + tex.INSTALL_HINT)


def long_file(folder: Path) -> Path:
    """A derivation whose expressions are far wider than a line: a written-out binomial power
    and a sum whose body is a long polynomial, so that lines must break inside brackets too."""
    a, b, i, n = sp.symbols("a b i n")
    x = sp.IndexedBase("x")
    power, body = (a + b) ** 12, (x[i] + a + b) ** 4
    text = f"""title: Long expansions break across lines
summary: "Multiplying out: the terms no longer fit on one line."
symbols:
  a: real
  b: real
  n: positive integer
  i: integer in [1, n]
  x: real sequence
start: "{power} - Sum({body}, (i, 1, n))"
steps:
  - expr: "{sp.expand(power)} - Sum({body}, (i, 1, n))"
    by: the binomial theorem, every one of the thirteen terms written out with its coefficient
  - expr: "{sp.expand(power)} - Sum({sp.expand(body)}, (i, 1, n))"
    by: multiply out the fourth power inside the sum
"""
    path = folder / "long-expansions.deriv.yaml"
    path.write_text(text)
    return path


def documents(folder: Path) -> dict[str, str]:
    """Name → LaTeX source of every kind of document the package writes."""
    catalog_reports = [check(catalog.get(name)) for name in catalog.ids()]
    file_reports = [check(files.read(p)) for p in [*GOOD, long_file(folder)]]
    sources = {f"article:{r.derivation.id}": render(r, "latex") for r in catalog_reports}
    sources |= {f"article:{Path(r.derivation.path).name}": render(r, "latex") for r in file_reports}
    sources["handout:catalog"] = handout(catalog_reports, "latex", title=HANDOUT_TITLE,
                                         author="A. Lecturer", date="Autumn term")
    sources["handout:good-files"] = handout(file_reports, "latex", title="Good files")
    return sources


DOCUMENTS = ["article:" + n for n in catalog.ids()] + ["article:" + p.name for p in GOOD] + [
    "article:long-expansions.deriv.yaml", "handout:catalog", "handout:good-files"]


@pytest.fixture(scope="module")
def compiled(tmp_path_factory):
    """Each document compiled once (two at a time), or the TexFailed it raised."""
    if not tex.available():
        pytest.skip("no TeX engine (pdflatex) installed; " + tex.INSTALL_HINT)
    sources = documents(tmp_path_factory.mktemp("long"))
    assert sorted(sources) == sorted(DOCUMENTS)

    def run(name):
        try:
            return tex.compile_pdf(sources[name], use=None if name.startswith("handout") else "pdflatex",
                                   epoch=0)
        except tex.TexFailed as exc:
            return exc

    with ThreadPoolExecutor(max_workers=2) as pool:
        return dict(zip(sources, pool.map(run, sources))) | {"sources": sources}


@needs_tex
@pytest.mark.parametrize("name", DOCUMENTS)
def test_every_document_compiles_without_overfull_lines(compiled, name):
    result = compiled[name]
    assert not isinstance(result, tex.TexFailed), str(result)
    assert result.pdf.startswith(b"%PDF")
    too_wide = [w for w in result.overfull if w > MAX_OVERFULL]
    assert not too_wide, f"{name}: overfull lines of {too_wide} pt:\n" + "\n".join(
        m.group(0) for m in re.finditer(r"^Overfull \\hbox.*\n.*", result.log, re.M))


@needs_tex
def test_long_expressions_are_broken_not_shrunk(compiled):
    source = compiled["sources"]["article:long-expansions.deriv.yaml"]
    assert r"\resizebox" not in source and r"\scalebox" not in source
    assert source.count(r"&\qquad {}+") >= 2  # the written-out power, continued
    assert r"\right." in source and r"\left.\vphantom{" in source  # the sum's bracket, continued


@needs_tex
def test_handout_has_contents_sections_and_appendix(compiled):
    log = compiled["handout:catalog"].log
    source = compiled["sources"]["handout:catalog"]
    assert r"\tableofcontents" in source and r"\appendix" in source
    assert source.count(r"\section{") == len(catalog.ids()) + 1  # and the appendix
    assert "Label(s) may have changed" not in log  # compiled until the references settled


# -- compiling safely ------------------------------------------------------------------------
def _derivation_with_display(folder: Path, latex: str) -> str:
    """The document of a derivation whose step has this display.  The file reader refuses a
    dangerous display; the engine's sandbox must hold as well, so the display is put in past
    the reader for those tests."""
    path = folder / "display.deriv.yaml"
    path.write_text("title: A display field\nsymbols:\n  a: real\nstart: a + a\nsteps:\n"
                    f"  - expr: 2*a\n    latex: '{latex}'\n    by: collect\n")
    try:
        derivation = files.read(path)
    except InputError:
        path.write_text(path.read_text().replace(f"latex: '{latex}'", "latex: '2a'"))
        derivation = files.read(path)
        step = dataclasses.replace(derivation.steps[0], latex=latex)
        derivation = dataclasses.replace(derivation, steps=(step,))
    return render(check(derivation), "latex")


@needs_tex
def test_input_of_etc_passwd_in_a_display_field_is_refused(tmp_path):
    source = _derivation_with_display(tmp_path, r"\input{/etc/passwd}")
    assert r"\input{/etc/passwd}" in source  # the latex field passes through raw ...
    with pytest.raises(tex.TexFailed) as failure:
        tex.compile_pdf(source)
    message = str(failure.value)  # ... and the engine will not open the file
    assert "/etc/passwd" in message and "not found" in message
    assert "root:" not in message and "root:" not in failure.value.log


@needs_tex
def test_no_file_outside_the_folder_is_read_and_no_shell_command_runs(tmp_path):
    marker = tmp_path / "shell-ran"
    display = (r"\IfFileExists{/etc/passwd}{\typeout{PASSWD READABLE}}{\typeout{PASSWD REFUSED}}"
               rf"\immediate\write18{{touch {marker}}} 2a")
    result = tex.compile_pdf(_derivation_with_display(tmp_path, display))
    assert "PASSWD REFUSED" in result.log and "PASSWD READABLE" not in result.log
    assert not marker.exists()


@needs_tex
def test_no_file_outside_the_folder_is_written(tmp_path):
    display = r"\immediate\openout9=../escaped.txt \immediate\write9{x}\immediate\closeout9 2a"
    with pytest.raises(tex.TexFailed, match=r"Not writing to \.\./escaped\.txt \(openout_any = p\)"):
        tex.compile_pdf(_derivation_with_display(tmp_path, display), use="pdflatex")
    assert not (Path(tempfile.gettempdir()) / "escaped.txt").exists()


@needs_tex
def test_a_latex_error_is_shown_where_tex_saw_it(tmp_path):
    source = _derivation_with_display(tmp_path, r"2 \undefinedmacro a")
    with pytest.raises(tex.TexFailed) as failure:
        tex.compile_pdf(source, use="pdflatex")
    message = str(failure.value)
    assert re.search(r"line \d+: Undefined control sequence\.", message)
    assert r"&= 2 \undefinedmacro" in message  # TeX's context: the text up to the error
    assert r"source line" in message


@needs_tex
def test_a_document_that_never_ends_is_stopped_at_the_time_limit():
    with pytest.raises(tex.TexFailed, match="ran out of time"):
        tex.compile_pdf(r"\documentclass{article}\def\x{\x}\begin{document}\x\end{document}",
                        time_limit=1, use="pdflatex")


@needs_tex
def test_pdflatex_alone_gives_the_same_bytes_as_latexmk(compiled):
    """Without latexmk, pdflatex runs until the contents settle; the PDF is reproducible
    (SOURCE_DATE_EPOCH), so both routes give identical files."""
    if shutil.which("latexmk") is None:
        pytest.skip("latexmk is not installed")
    source = compiled["sources"]["handout:catalog"]
    assert tex.compile_pdf(source, use="pdflatex", epoch=0).pdf == compiled["handout:catalog"].pdf


def test_without_an_engine_the_error_says_how_to_install_one(monkeypatch):
    monkeypatch.setattr(tex.shutil, "which", lambda name: None)
    assert not tex.available()
    with pytest.raises(tex.TexUnavailable, match="apt-get install texlive-latex-base "
                       "texlive-latex-recommended texlive-fonts-recommended latexmk"):
        tex.compile_pdf(r"\documentclass{article}\begin{document}x\end{document}")


def test_overfull_boxes_are_read_from_the_log():
    log = ("Overfull \\hbox (12.5pt too wide) in paragraph at lines 3--4\n"
           "Underfull \\hbox (badness 10000)\nOverfull \\hbox (0.8pt too wide) detected\n")
    assert tex.overfull_hboxes(log) == [12.5, 0.8]


# -- the committed PDF -------------------------------------------------------------------------
def _producer(pdf: bytes) -> bytes | None:
    found = re.search(rb"pdfTeX-\d+\.\d+\.\d+", pdf)
    return found.group() if found else None


@needs_tex
def test_output_handout_pdf_is_the_compiled_output_handout_tex():
    """output/handout.pdf must be what output/handout.tex compiles to (test_render checks that
    the .tex is current).  The build is reproducible, so with the same pdfTeX the bytes agree;
    with another version the text is compared (pdftotext), or the test is skipped."""
    committed = (OUTPUT / f"{HANDOUT_NAME}.pdf").read_bytes()
    fresh = tex.compile_pdf((OUTPUT / f"{HANDOUT_NAME}.tex").read_text(encoding="utf-8"),
                            epoch=CATALOG_EPOCH).pdf
    if _producer(committed) == _producer(fresh):
        assert committed == fresh, "output/handout.pdf is stale: run derive build output"
        return
    if shutil.which("pdftotext") is None:
        pytest.skip("output/handout.pdf was made by another pdfTeX and pdftotext is missing")

    def text(pdf: bytes) -> str:
        return subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True,
                              check=True).stdout.decode()

    assert text(committed) == text(fresh), "output/handout.pdf is stale: run derive build output"
