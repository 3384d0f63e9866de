"""Module backward hooks (`register_full_backward_hook`, `register_full_backward_pre_hook`),
built as PyTorch builds them: the module's Tensor inputs and outputs pass through identity
`tl.autograd.Function`s whose backward sees the gradients flowing past.

    grad_output: the gradients of the module's outputs, seen by the identity after forward;
    grad_input:  the gradients of its positional Tensor inputs, seen by the identity before
                 forward, once every path through the module has delivered its part.
"""
import tinygrad_lite as tl


class BackwardHookState:
    """What the two identities of one module call share."""

    def __init__(self, module, n_inputs, inputs_need_grad):
        self.module, self.n_inputs = module, n_inputs
        self.inputs_need_grad = inputs_need_grad
        self.grad_output = None

    def run_pre_hooks(self, grad_output):
        for hook in list(self.module._backward_pre_hooks.values()):
            result = hook(self.module, grad_output)
            if result is not None:
                grad_output = _checked(result, grad_output, hook, "grad_output")
        return grad_output

    def run_hooks(self, grad_input):
        for hook in list(self.module._backward_hooks.values()):
            result = hook(self.module, grad_input, self.grad_output)
            if result is not None:
                grad_input = _checked(result, grad_input, hook, "grad_input")
        return grad_input


def _checked(result, expected, hook, what):
    result = tuple(result) if isinstance(result, (tuple, list)) else (result,)
    if len(result) != len(expected):
        raise RuntimeError(f"backward hook {getattr(hook, '__name__', hook)!r} returned "
                           f"{len(result)} value(s) for {len(expected)} {what} entries; "
                           f"return a tuple of the same length (or None)")
    return result


class InputsIdentity(tl.autograd.Function):
    """Identity on the module's inputs; its backward receives grad_input."""

    @staticmethod
    def forward(ctx, state, *tensors):
        ctx.state = state
        outputs = tuple(t.view_as(t) for t in tensors)
        ctx.mark_non_differentiable(*(o for o, t in zip(outputs, tensors)
                                      if not t.requires_grad))
        ctx.set_materialize_grads(False)
        return outputs

    @staticmethod
    def backward(ctx, *grad_input):
        grad_input = tuple(g if need else None
                           for g, need in zip(grad_input, ctx.state.inputs_need_grad))
        return (None,) + ctx.state.run_hooks(grad_input)


class OutputsIdentity(tl.autograd.Function):
    """Identity on the module's outputs; its backward receives grad_output."""

    @staticmethod
    def forward(ctx, state, *tensors):
        ctx.state = state
        return tuple(t.view_as(t) for t in tensors)

    @staticmethod
    def backward(ctx, *grad_output):
        state = ctx.state
        grad_output = state.run_pre_hooks(grad_output)
        state.grad_output = grad_output
        if not any(state.inputs_need_grad):     # no input gradient will come: call now
            state.run_hooks((None,) * state.n_inputs)
        return (None,) + tuple(grad_output)


def call_with_backward_hooks(module, forward, args, kwargs):
    """Run `forward(*args, **kwargs)` with the module's inputs and outputs wrapped."""
    positions = [i for i, a in enumerate(args) if isinstance(a, tl.Tensor)]
    state = BackwardHookState(module, len(positions),
                              tuple(args[i].requires_grad for i in positions))
    args = list(args)
    if positions and tl.is_grad_enabled():
        for i, wrapped in zip(positions, InputsIdentity.apply(state, *(args[i]
                                                                        for i in positions))):
            args[i] = wrapped
    output = forward(*args, **kwargs)
    outputs = output if isinstance(output, tuple) else (output,)
    tensors = [o for o in outputs if isinstance(o, tl.Tensor) and o.requires_grad]
    if not tensors:
        return output
    wrapped = iter(OutputsIdentity.apply(state, *tensors))
    outputs = tuple(next(wrapped) if isinstance(o, tl.Tensor) and o.requires_grad else o
                    for o in outputs)
    return outputs if isinstance(output, tuple) else outputs[0]
