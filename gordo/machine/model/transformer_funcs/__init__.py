"""Functions for ``sklearn.preprocessing.FunctionTransformer``."""
