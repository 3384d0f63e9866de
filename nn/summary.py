"""`nn.summary(model, x)`: one line per layer with its output shape and parameter count, the
model summary the lecture's training tips recommend for finding shape mistakes."""
import tinygrad_lite as tl
from tinygrad_lite.tensor import Tensor


def _shape(output):
    if isinstance(output, Tensor):
        return str(tuple(output.shape))
    if isinstance(output, (tuple, list)):
        return ", ".join(_shape(o) for o in output)
    return type(output).__name__


def summary(model, *inputs):
    """Run `model(*inputs)` once, in eval mode and recording no graph, and return (and print)
    a table of every submodule in call order: name, type, output shape, and its own parameter
    count. An input may be a Tensor or a shape tuple (then float32 zeros of that shape)."""
    inputs = [x if isinstance(x, Tensor) else tl.zeros(*x) for x in inputs]
    names = {id(m): name or "(model)" for name, m in model.named_modules()}
    rows, handles = [], []

    def record(module, args, output):
        own = sum(p.numel() for p in module.parameters(recurse=False))
        rows.append((names[id(module)], type(module).__name__, _shape(output), own))

    modes = {m: m.training for m in model.modules()}
    for module in modes:
        handles.append(module.register_forward_hook(record))
    model.eval()          # no dropout, and BatchNorm's running statistics stay as they are
    try:
        with tl.no_grad():
            model(*inputs)
    finally:
        for handle in handles:
            handle.remove()
        for module, training in modes.items():
            module.training = training
    total = model.num_parameters()
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    header = ("layer", "type", "output shape", "params")
    widths = [max(len(str(r[i])) for r in rows + [header]) for i in range(4)]
    lines = ["  ".join(str(cell).ljust(w) if i < 3 else str(cell).rjust(w)
                       for i, (cell, w) in enumerate(zip(row, widths)))
             for row in [header] + rows]
    lines.insert(1, "-" * len(lines[0]))
    lines.append(f"total parameters: {total:,} (trainable {trainable:,})")
    text = "\n".join(lines)
    print(text)
    return text
