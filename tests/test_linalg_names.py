"""tl.det, tl.inverse, ...: the top-level names of tl.linalg's functions, checked against
NumPy (so they run without torch, unlike test_linalg.py)."""
import numpy as np

import tinygrad_lite as tl


def test_top_level_names():
    a = np.random.default_rng(0).uniform(-1, 1, (3, 3)) + 3 * np.eye(3)
    np.testing.assert_allclose(tl.det(tl.tensor(a)).numpy(), np.linalg.det(a))
    np.testing.assert_allclose(tl.inverse(tl.tensor(a)).numpy(), np.linalg.inv(a))
