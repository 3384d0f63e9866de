"""Einstein summation: `einsum("ij,jk->ik", a, b)` multiplies the operands elementwise over
every combination of the letters and sums over the letters missing from the output.

The op takes an explicit equation (every input's letters, `->`, the output's letters, no
`...`); `parse` turns PyTorch's forms (implicit output, `...` for broadcast dims) into it.
The gradient for one operand is itself an einsum: the output gradient and the other operands
summed down to that operand's letters."""
import string

import numpy as np

from ..errors import ShapeError
from ..function import Function, Sample, constant, register

LETTERS = string.ascii_letters


def parse(equation, shapes):
    """(input letters per operand, output letters) with `...` replaced by letters of its own
    and an implicit output made explicit (`...` dims, then the letters used once, sorted)."""
    equation = equation.replace(" ", "")
    inputs, arrow, output = equation.partition("->")
    inputs = inputs.split(",")
    if len(inputs) != len(shapes):
        raise ValueError(f"einsum: equation {equation!r} names {len(inputs)} operands but "
                         f"{len(shapes)} were given")
    for part in inputs + [output]:
        if not all(c in LETTERS for c in part.replace("...", "")) or part.count("...") > 1:
            raise ValueError(f"einsum: {part!r} in {equation!r} must be letters, with at most "
                             "one '...'")
    free = [c for c in LETTERS if c not in equation]
    broadcast = max((len(s) - len(p.replace("...", "")) for p, s in zip(inputs, shapes)
                     if "..." in p), default=0)
    dots = "".join(free[:broadcast])
    expanded = []
    for part, shape in zip(inputs, shapes):
        named = len(part.replace("...", ""))
        if named + ("..." in part) * len(shape) < len(shape) or named > len(shape) or \
                ("..." not in part and named != len(shape)):
            raise ShapeError(f"einsum: operand {part!r} of {equation!r} has {named} letters "
                             f"but the tensor has shape {tuple(shape)}")
        expanded.append(part.replace("...", dots[broadcast - (len(shape) - named):]))
    if arrow:
        output = output.replace("...", dots)
    else:
        once = sorted(c for c in set("".join(inputs)) if c in LETTERS and
                      "".join(inputs).count(c) == 1)
        output = dots + "".join(once)
    unknown = set(output) - set("".join(expanded))
    if unknown or len(set(output)) != len(output):
        raise ValueError(f"einsum: output {output!r} of {equation!r} must use each input "
                         "letter at most once")
    return expanded, output


def letter_sizes(inputs, shapes, equation):
    """Each letter's size; dims of size 1 broadcast against a larger size."""
    sizes = {}
    for part, shape in zip(inputs, shapes):
        for letter, n in zip(part, shape):
            known = sizes.setdefault(letter, n)
            if known == 1:
                sizes[letter] = n
            elif n not in (1, known):
                raise ShapeError(f"einsum: letter {letter!r} of {equation!r} has sizes "
                                 f"{known} and {n} in shapes {[tuple(s) for s in shapes]}")
    return sizes


def _reference(*arrays, equation):
    """An einsum written out: put every operand on all letters (diagonals taken for repeated
    letters, new axes for missing ones), multiply, and sum the letters not in the output."""
    inputs, output = equation.split("->")
    inputs = inputs.split(",")
    everything = sorted(set("".join(inputs)))
    product = 1.0
    for part, array in zip(inputs, arrays):
        for letter in set(part):
            while part.count(letter) > 1:       # fold a repeated letter into its diagonal
                first, second = part.index(letter), part.index(letter, part.index(letter) + 1)
                array = np.diagonal(array, axis1=first, axis2=second)
                part = part[:first] + part[first + 1:second] + part[second + 1:] + letter
        order = sorted(range(len(part)), key=lambda i: everything.index(part[i]))
        array = np.transpose(array, order)
        present = [part[i] for i in order]
        shape = [array.shape[present.index(c)] if c in present else 1 for c in everything]
        product = product * array.reshape(shape)
    summed = tuple(i for i, c in enumerate(everything) if c not in output)
    kept = [c for c in everything if c in output]
    result = np.sum(product, axis=summed) if summed else product
    return np.transpose(result, [kept.index(c) for c in output])


@register("einsum", samples=[Sample(((3, 4), (4, 5)), (), {"equation": "ij,jk->ik"}),
                             Sample(((2, 3, 4), (2, 4, 2)), (), {"equation": "bij,bjk->bik"}),
                             Sample(((3, 3),), (), {"equation": "ii->i"}),
                             Sample(((3, 3, 2),), (), {"equation": "iij->"}),
                             Sample(((3, 4),), (), {"equation": "ij->j"}),
                             Sample(((3,), (4,)), (), {"equation": "i,j->ij"}),
                             Sample(((1, 4), (3, 4)), (), {"equation": "ij,ij->ij"}),
                             Sample(((2, 3), (3, 4), (4,)), (), {"equation": "ij,jk,k->i"})],
          reference=_reference,
          torch=lambda torch, *xs, equation: torch.einsum(equation, *xs))
class Einsum(Function):
    """sum over the letters missing from the output of the product of the operands;
    d/d(operand k) = einsum(output gradient, the other operands -> operand k's letters)"""
    def forward(ctx, *arrays, equation):
        ctx.equation = equation
        return np.einsum(equation, *arrays, optimize=len(arrays) > 2)

    def backward(ctx, g):
        inputs, output = ctx.equation.split("->")
        inputs = inputs.split(",")
        operands = ctx.inputs
        sizes = letter_sizes(inputs, [t.shape for t in operands], ctx.equation)
        return tuple(_operand_grad(g, output, operands, inputs, k, sizes) if needed else None
                     for k, needed in enumerate(ctx.needs_input_grad))


def _operand_grad(g, output, operands, inputs, k, sizes):
    """einsum of g and the other operands down to operand k's letters. Its letters must be
    distinct and each must occur in some input, so a repeated letter (a diagonal) is renamed
    and tied to the original by an identity matrix, and a letter that only operand k has
    (summed away in forward) comes in through a vector of ones."""
    parts = [output] + [p for i, p in enumerate(inputs) if i != k]
    tensors = [g] + [t for i, t in enumerate(operands) if i != k]
    spare = iter(c for c in LETTERS if c not in sizes)
    target = ""
    for letter in inputs[k]:
        if letter in target:                    # the second i of "ii": a new letter j, eye[i, j]
            renamed = next(spare)
            parts.append(letter + renamed)
            tensors.append(constant(np.eye(sizes[letter], dtype=g.dtype)))
            letter = renamed
        target += letter
    for letter in target:
        if not any(letter in p for p in parts):
            parts.append(letter)
            tensors.append(constant(np.ones(sizes[letter], dtype=g.dtype)))
    return Einsum.apply(*tensors, equation=",".join(parts) + "->" + target)
