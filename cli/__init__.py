"""The ``derive`` command-line interface."""
