"""Exceptions of the engine that callers may want to catch by type."""


class GraphFreedError(RuntimeError):
    """Backward (or a graph walk) reached a node whose saved state an earlier backward
    released; pass retain_graph=True to the first backward to keep it."""


class ShapeError(ValueError, RuntimeError):
    """Shapes that do not fit together (matmul, broadcasting, cat, a layer's input). PyTorch
    raises RuntimeError for these and NumPy-minded code expects ValueError: this is both, so
    `except RuntimeError` and `except ValueError` each catch it."""


class LinAlgError(RuntimeError):
    """A linear-algebra op met a matrix it cannot handle: singular for inv/solve, not positive
    definite for cholesky (PyTorch's torch.linalg.LinAlgError, also a RuntimeError)."""
