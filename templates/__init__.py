"""The Jinja templates of the documents: package data of ``derivations`` (installed as
``derivations.templates``), kept at the top of the repository."""
