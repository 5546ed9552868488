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
gordo.exceptions.RevisionGoneError: Revision 'latest' is not a number; ...
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from gordo.exceptions import RevisionGoneError, ServingError
from gordo.server import model_store


class ModelCollection:
    """The revisions and models below one project's models directory."""

    def __init__(self, collection_dir: str | os.PathLike):
        self.collection_dir = Path(collection_dir)
        self.root = self.collection_dir.parent
        self.current_revision = self.collection_dir.name

    def revisions(self) -> list[str]:
        """Numeric revision directory names, newest first."""
        if not self.root.is_dir():
            return []
        names = [p.name for p in self.root.iterdir() if p.is_dir() and p.name.isdigit()]
        return sorted(names, key=int, reverse=True)

    def revision_dir(self, revision: str | None) -> Path:
        """The directory of ``revision`` (the current one if ``None``); 410 if absent."""
        if revision is None or revision == self.current_revision:
            return self.collection_dir
        if not revision.isdigit():
            raise RevisionGoneError(
                f"Revision {revision!r} is not a number; revisions are epoch milliseconds "
                f"such as {self.current_revision!r}"
            )
        path = self.root / revision
        if not path.is_dir():
            raise RevisionGoneError(
                f"Revision {revision} is not available; available: {self.revisions()}"
            )
        return path

    def models(self, revision: str | None = None) -> list[str]:
        """Names of the model directories in ``revision`` (default: current)."""
        path = self.revision_dir(revision)
        return sorted(p.name for p in path.iterdir() if p.is_dir() and not p.name.startswith("."))

    def delete_model(self, name: str, revision: str) -> Path:
        """Delete model ``name`` of a non-current ``revision``; 409 for the current one."""
        if revision == self.current_revision:
            raise ServingError(
                f"Refusing to delete model {name!r} of revision {revision}: "
                "it is the revision being served",
                status_code=409,
            )
        path = model_store.model_dir(self.revision_dir(revision), name)
        shutil.rmtree(path)
        model_store.forget(path)
        return path
