"""Devices. tinygrad_lite computes on the CPU only; `tl.device`, `tl.cuda.is_available()`,
`.to(device)`, `.cpu()` and `.cuda()` exist so that PyTorch code which moves tensors
(`inputs.to(device)`, the lecture's `out.cuda()`) runs with only its imports changed."""
import warnings

KNOWN = ("cpu", "cuda", "mps")


class device:
    """`tl.device("cpu")`, `tl.device("cuda:0")`: a name; every tensor lives on the CPU."""

    def __init__(self, type, index=None):
        if isinstance(type, device):
            type, index = type.type, type.index
        name, _, number = str(type).partition(":")
        if name not in KNOWN or number and not number.isdigit():
            raise ValueError(f"device: unknown device {type!r}; valid: 'cpu', 'cuda', "
                             "'cuda:N', 'mps'")
        self.type = name
        self.index = int(number) if number else index

    def __repr__(self):
        return f"device(type='{self.type}'" + (f", index={self.index})" if self.index is not None
                                               else ")")

    def __str__(self):
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __eq__(self, other):
        return isinstance(other, device) and (self.type, self.index) == (other.type, other.index)

    def __hash__(self):
        return hash((self.type, self.index))


CPU = device("cpu")


class cuda:
    """torch.cuda's questions, answered for a CPU-only library."""

    @staticmethod
    def is_available():
        return False

    @staticmethod
    def device_count():
        return 0


def is_device(value):
    """True for a device or a string that names one (so `.to("cpu")` is not a dtype)."""
    return isinstance(value, device) or isinstance(value, str) and \
        value.partition(":")[0] in KNOWN


def move(target, where):
    """Accept a move to `target`; anything but the CPU stays on the CPU, with a warning."""
    target = device(target)
    if target.type != "cpu":
        warnings.warn(f"{where}: tinygrad_lite has no {target.type} backend; the data stays on "
                      "the CPU", UserWarning, stacklevel=3)
