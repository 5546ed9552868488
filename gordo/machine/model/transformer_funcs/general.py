"""General functions for ``sklearn.preprocessing.FunctionTransformer``.

Each function takes X (and optionally y); extra arguments come from the
transformer's ``kw_args``.

>>> from sklearn.preprocessing import FunctionTransformer
>>> import numpy as np
>>> def my_function(X, another_arg):
...     # Some fancy X manipulation...
...     return X
>>> transformer = FunctionTransformer(func=my_function, kw_args={'another_arg': 'this thing'})
>>> out = transformer.fit_transform(np.random.random(100).reshape(10, 10))
"""

from __future__ import annotations

from typing import Any


def multiply_by(X: Any, factor: float) -> Any:
    """Multiplies X by a given factor

    >>> import numpy as np
    >>> multiply_by(np.array([1.0, 2.0]), 3)
    array([3., 6.])
    """
    return X * factor
