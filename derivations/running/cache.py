"""The verdict cache: a step checked before, unchanged, is recalled instead of checked again.

Two kinds of record, each a small JSON file written through a rename (so concurrent runs never
see half a record; an unreadable record is a miss):

- a step's verdict, named by a SHA-256 digest of the kernel's digest of the claim (its
  ``Statement``: both sides written out exactly, assumptions included, the relation, the senses,
  the optimised variables, the givens used, every declaration of the derivation with its
  domain) and a digest of the checker's own source, so that editing the kernel or the tactics
  starts afresh.  The record names the claim's digest and is signed (``secret``: the folder's
  own key, made on first use and readable by its owner only, bound to the checker's version);
  the kernel's ``recalled`` rule checks both before it trusts the verdict;
- a whole derivation's summary (what ``derive check`` prints), named by a digest of the file's
  bytes (or of the built-in id and the catalog's source) and the same checker digest, signed
  the same way, so that re-checking an unchanged file prints its summary without importing
  SymPy (and says so).

Undecided steps are not stored, nor summaries with one: with more time they may be decided.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import hmac
import importlib.util
import json
import os
import secrets
import string
from pathlib import Path
from typing import TYPE_CHECKING

from .. import __version__
from ..storage import write_atomically
from ..summary import Summary

if TYPE_CHECKING:
    from ..kernel import Judgement, Statement

ENVIRONMENT = "DERIVATIONS_CACHE_DIR"
LAYOUT = "v1"  # the folder of this record format, beside any later one
MAX_RECORD_BYTES = 1 << 20  # a record is a few hundred bytes; anything huge is not ours
PACKAGE = Path(__file__).parent.parent  # derivations/: every module in it is digested


def default_folder() -> Path:
    """``$DERIVATIONS_CACHE_DIR``, else ``$XDG_CACHE_HOME/derivations``, else
    ``~/.cache/derivations``."""
    chosen = os.environ.get(ENVIRONMENT)
    if chosen:
        return Path(chosen).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "derivations"


@functools.lru_cache(maxsize=1)
def checker_version() -> str:
    return source_version(PACKAGE)


@functools.lru_cache(maxsize=1)
def catalog_version() -> str:
    return source_version(PACKAGE, with_catalog=True)


def source_version(package: Path, with_catalog: bool = False) -> str:
    """The package version and a digest of every checking module's source under ``package``
    (the catalog only ``with_catalog``: it builds derivations, whose claims are keyed
    themselves), and of the installed SymPy's and mpmath's version files, so that an upgrade
    (which may fix a bug a verdict relied on) starts afresh."""
    digest = hashlib.sha256(__version__.encode())
    for module, version_file in (("sympy", "release.py"), ("mpmath", "__init__.py")):
        spec = importlib.util.find_spec(module)  # finds, does not import
        if spec is not None and spec.origin:
            digest.update((Path(spec.origin).parent / version_file).read_bytes())
    for path in sorted(package.rglob("*.py")):
        if with_catalog or "catalog" not in path.relative_to(package).parts:
            digest.update(path.relative_to(package).as_posix().encode())
            digest.update(path.read_bytes())
    return f"{__version__}+{digest.hexdigest()[:16]}"


def _digest(*parts: str | bytes) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part if isinstance(part, bytes) else part.encode())
        digest.update(b"\x00")
    return digest.hexdigest()


def _is_hex(text: str) -> bool:
    return all(c in string.hexdigits for c in text)


class VerdictCache:
    """Records under ``folder`` (made on first write).  A folder that cannot be written only
    costs speed: checking never fails because of the cache."""

    def __init__(self, folder: Path | None = None):
        self.folder = Path(folder) if folder is not None else default_folder()

    @staticmethod
    def key(statement: Statement) -> str:
        """The name of a step's record: the kernel's digest of its statement, with the checker's
        version."""
        return _digest(checker_version(), statement.digest())

    @functools.cached_property
    def secret(self) -> bytes | None:
        """The key that signs this folder's records: the folder's own key (made on first use,
        readable by its owner only) bound to this checker's version, so that a record an
        older checker made is never taken for this one's; None where the key can be neither
        read nor made: no record is then kept or recalled."""
        path = self.folder / LAYOUT / "key"
        if not path.exists():
            # Written whole under another name, then linked: a run that finds it reads all of it.
            draft = path.with_name(f"key.{os.getpid()}.{secrets.token_hex(4)}")
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                with os.fdopen(descriptor, "w") as made:
                    made.write(secrets.token_hex(32))
                os.link(draft, path)
            except FileExistsError:
                pass  # another run made it first
            except OSError:
                return None
            finally:
                with contextlib.suppress(OSError):
                    draft.unlink(missing_ok=True)
        try:
            text = path.read_text(encoding="ascii").strip()
        except (OSError, ValueError):
            return None
        if len(text) != 64 or not _is_hex(text):
            return None
        return hmac.new(bytes.fromhex(text), checker_version().encode(), hashlib.sha256).digest()

    def recall(self, statement: Statement):
        """The judgement the kernel's ``recalled`` rule makes of this statement's record, or
        None (no record, or one the rule refuses: the step is then checked again)."""
        from ..kernel import RuleError, recalled

        record = self.get(self.key(statement))
        if record is None or self.secret is None:
            return None
        try:
            return recalled(statement, record.get("judgement"), self.secret)
        except RuleError:
            return None

    @staticmethod
    def summary_key(name: str, content: bytes | None) -> str:
        """The name of a derivation's summary: a file's path and bytes, or (``content`` None) a
        built-in id with the catalog's source."""
        if content is None:
            return _digest("built-in", name, catalog_version())
        return _digest("file", name, content, checker_version())

    def _path(self, key: str) -> Path:
        return self.folder / LAYOUT / key[:2] / f"{key}.json"

    def get_summary(self, key: str) -> Summary | None:
        """The summary filed under ``key`` when its signature holds (it is printed without the
        kernel, which never sees it), else None."""
        record = self.get(key)
        if record is None or self.secret is None or not hmac.compare_digest(
                str(record.get("signature", "")), self._summary_mac(record.get("summary"))):
            return None
        try:
            return Summary.from_data(record["summary"]).recalled()
        except (KeyError, TypeError, ValueError):
            return None

    def put_summary(self, key: str, summary: Summary) -> None:
        if summary.decided and self.secret:
            data = summary.as_data()
            self._write(key, {"key": key, "summary": data, "signature": self._summary_mac(data)})

    def _summary_mac(self, data) -> str:
        text = "summary\x00" + json.dumps(data, sort_keys=True)
        return hmac.new(self.secret, text.encode(), hashlib.sha256).hexdigest()

    def get(self, key: str) -> dict | None:
        """The record filed under ``key``, or None (missing, unreadable or not its own)."""
        path = self._path(key)
        try:
            if path.stat().st_size > MAX_RECORD_BYTES:
                return None
            record = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return record if isinstance(record, dict) and record.get("key") == key else None

    def put(self, judgement: Judgement) -> None:
        from ..kernel import RECALLABLE

        if judgement.verdict in RECALLABLE and not judgement.recalled and self.secret:
            key = self.key(judgement.statement)
            self._write(key, {"key": key, "checker": checker_version(),
                              "judgement": judgement.signed_record(self.secret)})

    def _write(self, key: str, record: dict) -> None:
        try:
            write_atomically(self._path(key), json.dumps(record, ensure_ascii=False))
        except (OSError, TypeError, ValueError):
            pass  # a read-only or full disk: the verdict stands, it is just not kept
