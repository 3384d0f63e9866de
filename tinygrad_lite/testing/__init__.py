"""`tl.testing`: check your own code the way the library checks itself.

    tl.testing.assert_close(actual, expected)        # PyTorch's tolerances and messages
    tl.testing.check_gradients(my_fn, (3, 4), (4,))  # gradcheck + gradgradcheck in float64
"""
from .compare import assert_close
from .gradients import GradientCheckFailure, check_gradients
