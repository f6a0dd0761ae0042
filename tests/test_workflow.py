"""Nothing lost: documents are written whole or not at all."""

import os

import pytest

from derivations.storage import write_atomically


def test_an_interrupted_write_leaves_neither_half_a_document_nor_a_temporary_file(tmp_path, monkeypatch):
    target = tmp_path / "out" / "doc.tex"
    write_atomically(target, "old and complete")

    def interrupted(*args):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_atomically(target, "new" * 100_000)
    assert target.read_text() == "old and complete"
    assert sorted(p.name for p in target.parent.iterdir()) == ["doc.tex"]


def test_a_killed_writer_leaves_the_old_document(tmp_path):
    """A process killed mid-write (SIGKILL) cannot clean up: the rename never happened, so the
    target keeps its old content and only a hidden temporary file may remain."""
    import signal
    import subprocess
    import sys
    import textwrap

    target = tmp_path / "doc.md"
    target.write_text("old")
    code = textwrap.dedent(f"""
        import os, signal
        from pathlib import Path
        from derivations.running import workflow
        real = os.fdopen
        def slow(*a, **k):
            handle = real(*a, **k)
            write = handle.write
            def killed(text):
                write(text[:10]); handle.flush(); os.kill(os.getpid(), signal.SIGKILL)
            handle.write = killed
            return handle
        os.fdopen = slow
        workflow.write_atomically(Path({str(target)!r}), "new content that never lands")
    """)
    process = subprocess.run([sys.executable, "-c", code], cwd=os.getcwd())
    assert process.returncode == -signal.SIGKILL
    assert target.read_text() == "old"
