"""nn.utils: helpers around layers (nn.utils.rnn: padding and packing sequences)."""
from . import rnn  # noqa: F401
