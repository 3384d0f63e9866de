"""nn.utils: helpers around a model's parameters, spelled like torch.nn.utils.

    total = nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)   # after backward()
    flat = nn.utils.parameters_to_vector(model.parameters())
"""
from .clip_grad import clip_grad_norm_, clip_grad_value_, clip_grads_with_norm_, get_total_norm
from .convert_parameters import parameters_to_vector, vector_to_parameters

__all__ = ["clip_grad_norm_", "clip_grad_value_", "clip_grads_with_norm_", "get_total_norm",
           "parameters_to_vector", "vector_to_parameters"]
