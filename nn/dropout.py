"""The dropout layer."""
import numbers

from . import functional as F
from .module import Module


class Dropout(Module):
    """Inverted dropout: while training, y = x * mask / (1 - p) with mask ~ Bernoulli(1 - p)
    per element (p is the drop probability, as in PyTorch); in eval mode y = x."""

    def __init__(self, p=0.5, inplace=False):
        super().__init__()
        if isinstance(p, bool) or not isinstance(p, numbers.Real) or not 0 <= p <= 1:
            raise ValueError(f"Dropout: probability p must be between 0 and 1, got {p!r}")
        self.p, self.inplace = float(p), inplace

    def forward(self, x):
        return F.dropout(x, self.p, self.training)

    def extra_repr(self):
        return f"p={self.p}, inplace={self.inplace}"
