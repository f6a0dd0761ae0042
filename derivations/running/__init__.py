"""Running checks: the commands' work from targets to reports and files (``workflow``), worker
processes (``parallel``, ``lifetime``) and the verdict cache (``cache``)."""
