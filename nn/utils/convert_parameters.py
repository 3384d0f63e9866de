"""A model's parameters as one flat vector, and back (e.g. for L-BFGS-style methods or for
looking at how far the weights moved: ‖θ_after - θ_before‖)."""
import numpy as np

import tinygrad_lite as tl
from tinygrad_lite.tensor import Tensor
from tinygrad_lite.autograd.graph import increment_version


def parameters_to_vector(parameters):
    """`parameters_to_vector(parameters)`: one 1-D Tensor, the parameters flattened and
    concatenated in order. It is built from ops, so gradients flow back to the parameters."""
    flat = [p.reshape(-1) for p in parameters]
    if not flat:
        raise ValueError("parameters_to_vector: got no parameters (torch.cat needs at least "
                         "one tensor)")
    return tl.cat(flat)


def vector_to_parameters(vec, parameters):
    """`vector_to_parameters(vec, parameters)`: copy consecutive slices of the 1-D `vec`
    into the parameters (outside the graph, like `p.data = ...`), the inverse of
    parameters_to_vector. The length of vec must be the total number of parameter entries.

    PyTorch makes each parameter a view of vec; here the values are copied into each
    parameter's own array (in its dtype), so an optimizer holding the parameter sees them.
    """
    if not isinstance(vec, Tensor):
        raise TypeError(f"vector_to_parameters: expected a Tensor, but got "
                        f"{type(vec).__name__}")
    if vec.ndim != 1:
        raise ValueError(f"vector_to_parameters: vec must be 1-D, got shape {vec.shape}")
    parameters = list(parameters)
    sizes = [p.numel() for p in parameters]
    if sum(sizes) != vec.shape[0]:
        raise ValueError(f"vector_to_parameters: vec has {vec.shape[0]} elements but the "
                         f"{len(parameters)} parameters have {sum(sizes)} "
                         f"(sizes {sizes})")
    values = vec._data
    start = 0
    for p, size in zip(parameters, sizes):
        piece = values[start:start + size].reshape(p.shape)
        if p._data.flags.writeable:
            p._data[...] = piece
        else:
            p._data = np.array(piece, dtype=p._data.dtype)
        increment_version(p)
        start += size
