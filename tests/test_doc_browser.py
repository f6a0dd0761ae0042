"""The web pages in a real browser: Chromium (Debian's ``chromium`` and ``chromium-driver``,
installed by .ci/run) driven headless by Selenium loads each page from file:// and must render
every formula as MathML with a box of its own, log no error to the console, and be readable at
a phone's width (nothing wider than the screen but the formulas, which scroll).  A screenshot
of each page is saved in the test's temporary folder."""

import shutil
from pathlib import Path

import pytest

from derivations.documents.handout import handout
from derivations.documents.render import render
from derivations.running.workflow import HANDOUT_TITLE, check_all, select

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
OUTPUT = Path(__file__).parent.parent / "output"

if not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()):
    pytest.skip("Chromium is not installed: apt-get install chromium chromium-driver "
                "(.ci/run installs them)", allow_module_level=True)
webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed: "
                                "pip install -e '.[test]'")

# Every <math> element: its size, and whether the browser laid it out as MathML (display
# "math", "block math" or "inline math" exists only where MathML Core is implemented).
MEASURE = """
return Array.from(document.querySelectorAll('math')).map(m => {
  const box = m.getBoundingClientRect();
  return [box.width, box.height, getComputedStyle(m).display, m.outerHTML.slice(0, 80)];
});"""
OVERFLOW = """
const width = document.documentElement.clientWidth;
return Array.from(document.querySelectorAll('body *'))
  .filter(e => !e.closest('.scroll') && e.tagName !== 'MATH' && !e.closest('math'))
  .filter(e => e.getBoundingClientRect().right > width + 1)
  .map(e => e.tagName + ' ' + (e.textContent || '').slice(0, 60));"""


@pytest.fixture(scope="module")
def browser():
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu",
                     "--disable-dev-shm-usage", "--window-size=390,844"):  # a phone's screen
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    service = webdriver.ChromeService(executable_path=CHROMEDRIVER)
    driver = webdriver.Chrome(options=options, service=service)
    yield driver
    driver.quit()


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    folder = tmp_path_factory.mktemp("pages")
    reports, _ = check_all(select((), True))
    refuted, _ = check_all(select((str(Path(__file__).parent / "derivations" / "bad" /
                                       "dropped-square.deriv.yaml"),), False))
    written = {
        "handout.html": handout(reports, "html", title=HANDOUT_TITLE),
        "gaussian.html": render(next(r for r in reports
                                     if r.derivation.id == "gaussian-least-squares"), "html"),
        "refuted.html": render(refuted[0], "html", allow_unverified=True),
    }
    for name, text in written.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


@pytest.mark.parametrize("name", ["handout.html", "gaussian.html", "refuted.html"])
def test_every_formula_renders_as_mathml_without_console_errors(browser, pages, name):
    browser.get((pages / name).as_uri())
    formulas = browser.execute_script(MEASURE)
    assert formulas, "no formula on the page"
    not_mathml = [f for f in formulas if "math" not in f[2]]
    assert not not_mathml, f"not laid out as MathML: {not_mathml[:3]}"
    empty = [f for f in formulas if f[0] <= 0 or f[1] <= 0]
    assert not empty, f"{len(empty)} formulas have an empty box: {empty[:3]}"
    errors = [entry for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]
    assert not errors, errors
    assert not browser.execute_script(OVERFLOW), "text wider than a phone's screen"
    assert browser.save_screenshot(str(pages / f"{name}.png"))


def test_a_refuted_step_and_its_counterexample_are_styled(browser, pages):
    browser.get((pages / "refuted.html").as_uri())
    color = browser.execute_script(
        "return getComputedStyle(document.querySelector('td.mark.refuted')).color")
    assert color == "rgb(207, 34, 46)"
    assert browser.execute_script(
        "return document.querySelector('p.counterexample').textContent").strip()
    assert "Conclusion (not established)" in browser.page_source


def test_the_committed_web_page_loads_with_no_script_and_no_network(browser):
    page = OUTPUT / "index.html"
    text = page.read_text(encoding="utf-8")
    assert "<script" not in text and "http://" not in text.replace(
        'xmlns="http://www.w3.org/1998/Math/MathML"', "") and "https://" not in text
    browser.get(page.as_uri())
    resources = browser.execute_script(
        "return performance.getEntriesByType('resource').map(r => r.name)")
    assert resources == []
    assert len(browser.execute_script(MEASURE)) > 500
