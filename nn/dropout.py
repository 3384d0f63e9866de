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
            raise ValueError(f"{type(self).__name__}: probability p must be between 0 and 1, "
                             f"got {p!r}")
        self.p, self.inplace = float(p), inplace

    def forward(self, x):
        return F.dropout(x, self.p, self.training)

    def extra_repr(self):
        return f"p={self.p}, inplace={self.inplace}"


class Dropout1d(Dropout):
    """Channel dropout for (N, C, L) or (C, L): while training each whole channel is zeroed
    with probability p and the kept ones are scaled by 1/(1-p); identity in eval mode."""
    def forward(self, x):
        return F.dropout1d(x, self.p, self.training)


class Dropout2d(Dropout):
    """Channel dropout for (N, C, H, W): while training each whole feature map is zeroed
    with probability p and the kept ones are scaled by 1/(1-p); identity in eval mode."""
    def forward(self, x):
        return F.dropout2d(x, self.p, self.training)


class AlphaDropout(Dropout):
    """Dropout that keeps the mean 0 and variance 1 of SELU activations (see
    F.alpha_dropout); identity in eval mode."""
    def forward(self, x):
        return F.alpha_dropout(x, self.p, self.training)
