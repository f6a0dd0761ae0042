"""Reading input: derivation files (``files``), the expression language they are written in
(``expressions``), LaTeX/Markdown lecture notes (``notes``, ``latex``), and finding sources on
disk or in the catalog (``sources``).  Nothing here checks a step or runs code from a file."""
