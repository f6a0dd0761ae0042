"""Writing output: how expressions are printed (``notation``), line breaking (``layout``),
single derivations through the Jinja templates (``render``), lecture handouts (``handout``),
notes annotated with verdicts (``annotate``), compiling LaTeX safely (``tex``) and the
terminal and JSON reports (``terminal``).  Nothing here checks a step or reads input files."""
