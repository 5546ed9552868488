"""The model collection on disk: ``<root>/<project>/<revision>/<model>/``.

``MODEL_COLLECTION_DIR`` is the current revision's directory; its parent holds
the other revisions, each named by a number (epoch milliseconds).

>>> import tempfile, pathlib
>>> root = pathlib.Path(tempfile.mkdtemp())
>>> for rev in ("1600000000000", "1700000000000", "notes"):
...     (root / rev / "model-a").mkdir(parents=True)
>>> collection = ModelCollection(root / "1700000000000")
>>> collection.revisions()
['1700000000000', '1600000000000']
>>> collection.models()
['model-a']
>>> collection.revision_dir("1600000000000").name
'1600000000000'
>>> collection.revision_dir("latest")
Traceback (most recent call last):
...
gordo.exceptions.RevisionGoneError: Revision 'latest' is not a number ...

A revision whose ``build-project`` never finished
(:mod:`gordo.util.revision_manifest`) is listed by :meth:`incomplete_revisions`
and refused with a 409 unless the collection allows incomplete revisions.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from gordo.exceptions import RevisionGoneError, ServingError
from gordo.server import model_store
from gordo.util import revision_manifest

#: the longest revision asked for: epoch milliseconds have 13 digits, an int64 19
MAX_REVISION_LENGTH = 19


class ModelCollection:
    """The revisions and models below one project's models directory."""

    def __init__(self, collection_dir: str | os.PathLike, allow_incomplete: bool = False):
        self.collection_dir = Path(collection_dir)
        self.root = self.collection_dir.parent
        self.current_revision = self.collection_dir.name
        self.allow_incomplete = allow_incomplete

    def revisions(self) -> list[str]:
        """Numeric revision directory names, newest first."""
        if not self.root.is_dir():
            return []
        names = [p.name for p in self.root.iterdir() if p.is_dir() and p.name.isdigit()]
        return sorted(names, key=int, reverse=True)

    def incomplete_revisions(self) -> list[str]:
        """The revisions left by a ``build-project`` that did not finish, newest first."""
        return [r for r in self.revisions() if revision_manifest.is_incomplete(self.root / r)]

    def revision_dir(self, revision: str | None, serving: bool = True) -> Path:
        """The directory of ``revision`` (the current one if ``None``).

        410 if it is not a revision number or not on disk; to serve it
        (``serving``), 409 if it is incomplete (unless allowed).
        """
        if revision is None or revision == self.current_revision:
            return self.collection_dir
        if not revision.isdigit() or len(revision) > MAX_REVISION_LENGTH:
            shown = repr(revision) if len(revision) <= 40 else f"{revision[:40]!r}..."
            raise RevisionGoneError(
                f"Revision {shown} is not a number of at most {MAX_REVISION_LENGTH} digits; "
                f"revisions are epoch milliseconds such as {self.current_revision!r}"
            )
        path = self.root / revision
        if not path.is_dir():
            raise RevisionGoneError(
                f"Revision {revision} is not available; available: {self.revisions()}"
            )
        if serving and not self.allow_incomplete and revision_manifest.is_incomplete(path):
            raise ServingError(
                f"Revision {revision} is incomplete: the build-project that wrote it did not "
                "finish. Serve it anyway with gordo run-server --allow-incomplete "
                "(GORDO_SERVER_ALLOW_INCOMPLETE=true)",
                status_code=409,
            )
        return path

    def models(self, revision: str | None = None) -> list[str]:
        """Names of the model directories in ``revision`` (default: current)."""
        path = self.revision_dir(revision)
        return sorted(p.name for p in path.iterdir() if p.is_dir() and not p.name.startswith("."))

    def delete_model(self, name: str, revision: str) -> Path:
        """Delete model ``name`` of a non-current ``revision``; 409 for the served one.

        The served revision is recognised by its real path: a revision that is
        the served one through a symbolic link (``current -> 1700000000000``),
        or a model directory linked into it, is refused too.
        """
        served = self.collection_dir.resolve()
        # an incomplete revision is not served, but its models may be deleted
        current = revision == self.current_revision
        path = None if current else self.revision_dir(revision, serving=False)
        if path is not None:
            path = model_store.model_dir(path, name)
        if path is None or path.resolve() == served or path.resolve().is_relative_to(served):
            raise ServingError(
                f"Refusing to delete model {name!r} of revision {revision}: "
                "it is the revision being served",
                status_code=409,
            )
        if path.is_symlink():
            path.unlink()
        else:
            shutil.rmtree(path)
        model_store.forget(path)
        return path
