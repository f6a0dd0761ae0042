"""The ``derive`` command: parses arguments and prints; the work is done in ``derivations``.

Imports of the package happen inside the commands, so ``derive --help`` does not load SymPy.
"""

from __future__ import annotations

from pathlib import Path

import click

from derivations.settings import DEFAULT_TIMEOUT

from .entry import output_failed

TIMEOUT_HELP = "Seconds allowed per step; a step that runs out is undecided."
TARGETS_HELP = "TARGETS are built-in ids (see 'derive list'), *.deriv.yaml files or folders."


class _Derive(click.Group):
    """The command group, which catches the package's errors in one place: each error says
    what went wrong and where, and leaves with its own exit code (``derivations.errors``);
    anything else is a bug of this program, exit code 3."""

    def invoke(self, ctx):
        from derivations.errors import DerivationsError, InternalError

        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except DerivationsError as exc:
            click.echo(f"error: {exc}", err=True)
            ctx.exit(exc.exit_code)
        except OSError as exc:  # what it prints or writes cannot be written: a full disk
            raise SystemExit(output_failed(exc)) from None
        except Exception as exc:
            import traceback

            traceback.print_exc()
            error = InternalError(f"running {ctx.invoked_subcommand!r}", exc)
            click.echo(f"error: {error}", err=True)
            ctx.exit(error.exit_code)


def _checking_options(command):
    """--timeout and --no-cache: every command that checks steps takes both."""
    command = click.option(
        "--no-cache", is_flag=True,
        help="Check every step afresh: neither read nor write the verdict cache "
             "($DERIVATIONS_CACHE_DIR, default ~/.cache/derivations).")(command)
    return click.option("--timeout", type=float, default=DEFAULT_TIMEOUT, show_default=True,
                        help=TIMEOUT_HELP)(command)


def _jobs_option(command):
    return click.option(
        "-j", "--jobs", type=click.IntRange(min=0), default=0,
        help="Check steps in this many worker processes (1: in this process; default 0: one "
             "per core when more than one derivation is checked). A step that overruns its "
             "time limit has its worker killed and is undecided.")(command)


def _settings(timeout: float, no_cache: bool, jobs: int = 1, strict: bool = False):
    """The run's settings (validated there: a finite positive --timeout, --jobs >= 0), with
    the verdict cache, which recalls the verdicts of unchanged steps, unless --no-cache."""
    from derivations.settings import CheckSettings

    cache = None
    if not no_cache:
        from derivations.running.cache import VerdictCache

        cache = VerdictCache()
    return CheckSettings(timeout=timeout, cache=cache, jobs=jobs, strict=strict)


def _check_one(name: str, timeout: float, no_cache: bool):
    from derivations.running.workflow import check_one

    return check_one(name, _settings(timeout, no_cache))


@click.group(cls=_Derive, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="derivations")
def main():
    """Check derivations step by step and write the verified ones as LaTeX and Markdown.

    Each step of a chain is proved (exact symbolic argument), checked (numeric evidence only),
    refuted (with a counterexample you can redo by hand) or undecided.

    Exit codes: 0 all passed; 1 a step refuted or undecided (or not proved, with --strict);
    2 a usage or input error; 3 an internal error (a bug: please report it); 74 the output
    could not be written; 130 or 143 stopped by SIGINT or SIGTERM.
    """


@main.command("list")
def list_command():
    """List the built-in derivations by group: id, title, conclusion, whether every step is
    proved (as recorded when the catalog was last checked; 'derive check --all' checks now)."""
    from derivations import catalog
    from derivations.catalog import manifest

    click.echo("\n".join(manifest.lines(manifest.load(), catalog.groups())))


@main.command(epilog=TARGETS_HELP)
@click.argument("targets", nargs=-1)
@click.option("--all", "everything", is_flag=True, help="Check every built-in derivation.")
@click.option("--strict", is_flag=True, help="Pass only when every step is proved.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object (see the spec).")
@click.option("--annotate", type=click.Path(dir_okay=False, path_type=Path),
              help="With one notes file (.tex or .md): write it back with each checked row "
                   "marked, to this .tex, .md or .pdf (see docs/notes.md).")
@_jobs_option
@_checking_options
def check(targets, everything, strict, as_json, jobs, timeout, no_cache, annotate):
    """Check derivations and report every step's verdict.

    A proved, checked or refuted verdict is kept in the verdict cache and recalled while the
    step, its assumptions and the checker are unchanged ("(cached)" after the method; an
    unchanged file's whole summary is recalled, and its first line says so);
    --no-cache checks every step afresh."""
    from derivations.documents.terminal import json_report, run_summary, step_lines
    from derivations.running.workflow import check_summaries

    reports, errors = check_summaries(targets, everything,
                                      _settings(timeout, no_cache, jobs, strict))
    if as_json:
        click.echo(json_report(reports, errors, strict))
    else:
        for report in reports:
            click.echo("\n".join(step_lines(report, strict)))
        for error in errors:
            click.echo(f"error: {error}", err=True)
        click.echo(run_summary(reports, len(errors), strict))
    if annotate is not None:
        _annotate(targets, reports, annotate)
    if errors:
        raise SystemExit(2)
    raise SystemExit(0 if all(r.passed(strict) for r in reports) else 1)


def _annotate(targets, summaries, output: Path) -> None:
    from derivations.documents import annotate
    from derivations.documents.tex import TexFailed, TexUnavailable
    from derivations.running.workflow import UsageError

    notes = {t.split("#", 1)[0] for t in targets}
    if len(notes) != 1 or not next(iter(notes)).lower().endswith((".tex", ".md")):
        raise click.UsageError("--annotate takes one notes file (.tex or .md)")
    try:
        written = annotate.write(next(iter(notes)), summaries, output)
    except UsageError as exc:
        raise click.UsageError(str(exc)) from None
    except (TexUnavailable, TexFailed) as exc:
        click.echo(f"error: {output} not written: {exc}", err=True)
        raise SystemExit(1) from None
    click.echo(f"wrote {written}")


def _template_dir_option(command):
    return click.option(
        "--template-dir", type=click.Path(exists=True, file_okay=False, path_type=Path),
        help="A folder of templates used before the built-in ones (see the README, "
             "'Templates').")(command)


@main.command(epilog=TARGETS_HELP)
@click.argument("target")
@click.option("--format", "fmt", type=click.Choice(["latex", "latex-fragment", "markdown", "html"]),
              default=None, help="Document kind  [default: from -o's suffix (.tex, .md, .html, "
                                 ".pdf), else markdown]")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write here instead of standard output (x.pdf: x.tex and its PDF).")
@click.option("--pdf", is_flag=True,
              help="Also compile the LaTeX with a TeX engine to a PDF beside the -o file.")
@click.option("--allow-unverified", is_flag=True,
              help="Render a chain that does not pass, marking each unverified step.")
@_template_dir_option
@_checking_options
def render(target, fmt, output, pdf, allow_unverified, template_dir, timeout, no_cache):
    """Render a verified derivation as LaTeX, Markdown or a web page (HTML)."""
    from derivations.running.workflow import render_document

    text, written = render_document(target, output=output, fmt=fmt, pdf=pdf,
                                    allow_unverified=allow_unverified,
                                    template_dir=template_dir,
                                    settings=_settings(timeout, no_cache))
    if output is None:
        click.echo(text, nl=False)
    for path in written.paths:
        click.echo(f"wrote {path}", err=True)


@main.command(epilog=TARGETS_HELP)
@click.argument("target")
@_checking_options
def show(target, timeout, no_cache):
    """Show a derivation in readable terminal form, with each step's verdict (each chain of a
    file of several)."""
    from derivations.documents.terminal import show_lines
    from derivations.running.workflow import check_chains

    reports = check_chains(target, _settings(timeout, no_cache))
    click.echo("\n\n".join("\n".join(show_lines(report)) for report in reports))
    raise SystemExit(0 if all(report.passed() for report in reports) else 1)


@main.command(epilog=TARGETS_HELP)
@click.argument("targets", nargs=-1)
@click.option("--all", "everything", is_flag=True, help="Every built-in derivation.")
@click.option("--title", required=True, help="The handout's title.")
@click.option("--author", default="", help="Its author(s), under the title.")
@click.option("--date", default="", help="Its date, as written (e.g. 'Autumn term 2025').")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Where to write it (.tex, .md, .html; x.pdf: x.tex and its PDF).")
@click.option("--format", "fmt", type=click.Choice(["latex", "markdown", "html"]), default=None,
              help="Document kind  [default: from -o's suffix, else latex]")
@click.option("--pdf", is_flag=True,
              help="Also compile the LaTeX with a TeX engine to a PDF beside the output.")
@click.option("--allow-unverified", is_flag=True,
              help="Include derivations that do not pass, marking each unverified step.")
@_template_dir_option
@_checking_options
def handout(targets, everything, title, author, date, output, fmt, pdf, allow_unverified,
            template_dir, timeout, no_cache):
    """Write several verified derivations as one lecture handout: a title block, contents, a
    section per derivation and an appendix of how each step was checked."""
    from derivations.running.workflow import make_handout

    written = make_handout(targets, everything, output=output, title=title, fmt=fmt,
                           author=author, date=date, pdf=pdf, template_dir=template_dir,
                           allow_unverified=allow_unverified,
                           settings=_settings(timeout, no_cache))
    for path in written.paths:
        click.echo(f"wrote {path}", err=True)


@main.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path), default="output")
@click.option("--pdf/--no-pdf", default=True, show_default=True,
              help="Compile the handout to PDF when a TeX engine is installed.")
@_jobs_option
@_checking_options
def build(directory, pdf, jobs, timeout, no_cache):
    """Check the whole catalog and write each verified derivation to DIRECTORY as LaTeX and
    Markdown, and the handout of them all as handout.tex, handout.md, the web page index.html
    and (with a TeX engine) handout.pdf (default: output/)."""
    from derivations.documents.terminal import run_summary, summary_line
    from derivations.summary import summarize
    from derivations.running.workflow import build as build_documents
    from derivations.running.workflow import check_all, select

    reports, _ = check_all(select((), True), _settings(timeout, no_cache, jobs))
    summaries = [summarize(report) for report in reports]
    for summary in summaries:
        click.echo(f"{summary.id}: {summary_line(summary, strict=False)}")
    written = build_documents(reports, directory, pdf=pdf)
    for path in written.paths:
        click.echo(f"wrote {path}")
    for note in written.notes:
        click.echo(f"note: {note}")
    click.echo(run_summary(summaries, 0, strict=False))
    raise SystemExit(0 if all(r.passed() for r in reports) else 1)


@main.command()
@click.argument("submissions", nargs=-1)
@click.option("--assignment", "assignment_path", required=True,
              type=click.Path(dir_okay=False, path_type=Path),
              help="The assignment (YAML; see docs/grading.md).")
@click.option("--gradescope", type=click.Path(dir_okay=False, path_type=Path),
              help="Write Gradescope's results.json here (one submission only).")
@click.option("--junit", type=click.Path(dir_okay=False, path_type=Path),
              help="Write JUnit XML here: a test suite per submission, a test case per check.")
@click.option("--csv", "csv_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the class's grades here as CSV.")
@click.option("--json", "as_json", is_flag=True,
              help="Print the class's grades as one JSON object instead of the table.")
@_jobs_option
@_checking_options
def grade(submissions, assignment_path, gradescope, junit, csv_path, as_json, jobs, timeout,
          no_cache):
    """Grade SUBMISSIONS (*.deriv.yaml files or folders of them) against an assignment: each
    must prove the assigned statement, under no assumption the assignment does not grant.

    Exit codes: 0 every submission graded (whatever the scores); 2 a usage error or an
    assignment that cannot be read."""
    from derivations import grading
    from derivations.errors import UsageError
    from derivations.storage import write_atomically

    assignment = grading.read_assignment(assignment_path)
    paths = grading.submissions(submissions)
    if gradescope is not None and len(paths) != 1:
        raise UsageError("--gradescope writes the results of one submission; "
                         f"{len(paths)} were given")
    grades = grading.grade_all(assignment, paths, _settings(timeout, no_cache, jobs))
    if gradescope is not None:
        write_atomically(gradescope, grading.dumps(grading.gradescope(grades[0])))
    if junit is not None:
        write_atomically(junit, grading.junit(grades))
    if csv_path is not None:
        write_atomically(csv_path, grading.csv_text(grades))
    if as_json:
        click.echo(grading.dumps(grading.summary(grades)), nl=False)
    else:
        click.echo("\n".join(grading.table(grades)))

