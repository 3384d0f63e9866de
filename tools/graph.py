"""Draw the backward graph that produced a tensor: `draw(loss)` -> a `graphviz.Digraph`.

Ops are boxes named after their backward function (`MulBackward`), leaf tensors are ovals
(parameters labelled by name, e.g. `block1.0.weight`), outputs have a double border. The walk
is the engine's own `tinygrad_lite.autograd.topo_order(roots)`; node ids `n0, n1, ...` follow
that order, so the DOT text is stable. `to_dot` returns the DOT source without running `dot`.

    g = draw(loss, params=model, show_grad=True)   # after loss.backward(retain_graph=True)
    g                                                # shows inline in Jupyter
    g.render("graph", format="svg")                  # writes graph and graph.svg
    g.save_dot("graph.dot")                          # needs no Graphviz installation

`python -m tools.graph MODULE:CALLABLE -o out.svg` does the same from the shell (graph_cli.py).
"""
import math
import shutil
import weakref
from collections.abc import Mapping

import graphviz
import numpy as np

from tinygrad_lite.autograd import grad, topo_order
from tinygrad_lite.errors import GraphFreedError
from tinygrad_lite.tensor import Tensor

INSTALL_HINT = ("the Graphviz `dot` program is needed to render; install it with "
                "`apt-get install graphviz` (Debian/Ubuntu), `brew install graphviz` (macOS) or "
                "`conda install -c conda-forge graphviz`")
SAVE_DOT_HINT = "or save the DOT source with .save_dot(path) and render it elsewhere"

# ||grad|| colour bins, two decades each, from vanishing (blue) to exploding (red), the
# neutral middle bin centred on 1 (a loss's own gradient): bin = floor((log10(norm) + 1) / 2)
# + 3, clipped to [0, 6].
GRAD_COLORS = ("#2166ac", "#67a9cf", "#d1e5f0", "#f7f7f7", "#fddbc7", "#ef8a62", "#b2182b")
GRAD_BINS = ("< 1e-5 (vanishing)", "1e-5 .. 1e-3", "1e-3 .. 0.1", "0.1 .. 10", "10 .. 1e3",
             "1e3 .. 1e5", ">= 1e5 (exploding)")
NONFINITE_COLOR = "#000000"
# A gradient that is zero, or cancels to rounding noise where the gradient flowing in is just
# summed (a bias in front of BatchNorm: BatchNorm subtracts the mean, so the loss does not
# depend on that bias): no gradient by construction, which is not the same as vanishing.
ZERO_COLOR, ZERO_TEXT = "#bdbdbd", "0 or cancels to rounding (e.g. a bias before BatchNorm)"
CANCEL_EPS = 64                             # "rounding": below 64 eps of the summed gradient
DARK_FILLS = {GRAD_COLORS[0], GRAD_COLORS[-1], NONFINITE_COLOR}
ARROWS_NOTE = "arrows point along the forward pass (input -> op); backprop runs against them"

OP_STYLE = dict(shape="box", style="filled", fillcolor="lightgrey")
LEAF_STYLE = dict(shape="ellipse", style="filled", fillcolor="lightyellow")
PARAM_STYLE = dict(shape="ellipse", style="filled", fillcolor="lightblue")
OUTPUT_FILL = "darkolivegreen1"     # outputs also get a double border


class GraphvizNotFoundError(RuntimeError):
    """Raised by render/pipe when the Graphviz `dot` executable is not installed."""


class BackwardGraph(graphviz.Digraph):
    """A `graphviz.Digraph` (inline display in Jupyter, `.render`, `.pipe`, `.source`) whose
    rendering explains how to install Graphviz when `dot` is missing, plus `save_dot`."""

    def render(self, *args, **kwargs):
        """graphviz's render (writes the DOT source, then the rendered file); without the
        layout program it raises GraphvizNotFoundError before writing anything."""
        self._require_engine("render", kwargs.get("engine"))
        return super().render(*args, **kwargs)

    def pipe(self, *args, **kwargs):
        """graphviz's pipe (the rendered bytes); GraphvizNotFoundError without the program."""
        self._require_engine("pipe", kwargs.get("engine"))
        return super().pipe(*args, **kwargs)

    def _require_engine(self, method, engine):
        if shutil.which(engine or self.engine) is None:     # `dot` unless another engine
            raise GraphvizNotFoundError(f"{method}: {INSTALL_HINT}, {SAVE_DOT_HINT}")

    def save_dot(self, path):
        """Write the DOT source to `path` (no Graphviz needed); returns the path."""
        with open(path, "w", encoding="utf-8") as f:
            f.write(self.source)
        return path


def draw(tensors, params=None, show_shapes=True, show_saved=False, show_grad=False,
         group_modules=True, max_nodes=500):
    """The backward graph of `tensors` (a Tensor or a sequence of them) as a BackwardGraph.

    params: an nn.Module (its named_parameters()/named_modules() name leaves and clusters) or a
    mapping name -> Tensor. show_shapes: shape and dtype on every node. show_saved: what each
    op keeps for backward (its inputs, `ctx.output`, arrays stashed on ctx). show_grad: leaves
    show ||.grad||, ops show ||d outputs / d op result||, computed here by
    `tl.grad(outputs, op results, retain_graph=True)` (the outputs must be scalars and the
    graph retained), coloured on a log scale with a legend. group_modules: ops run inside an
    nn.Module call are drawn in a labelled cluster. max_nodes: beyond it only the max_nodes
    nodes nearest the outputs are drawn and the rest become one "... N more nodes" node.
    """
    if max_nodes < 1:
        raise ValueError(f"draw: max_nodes must be at least 1, got {max_nodes}")
    roots = _as_roots(tensors)
    order = _walk(roots)
    names, module_names = _param_names(params), _module_names(params)
    kept = _nearest(order, roots, max_nodes)
    grad_norms = _grad_norms(roots, [t for t in order if t.grad_fn is not None and id(t) in kept]) \
        if show_grad else {}
    cancelled = _cancelled(order, kept, grad_norms) if show_grad else set()
    ids = {id(t): f"n{i}" for i, t in enumerate(order)}
    outputs = {id(r) for r in roots}
    nodes, edges = [], []   # nodes: (id, label, attrs, module stack or None for a leaf)
    for t in order:
        if id(t) in kept:
            label, attrs = _node(t, names, grad_norms, id(t) in outputs, show_shapes,
                                 show_saved, show_grad, id(t) in cancelled)
            nodes.append((ids[id(t)], label, attrs, None if t.grad_fn is None else t.grad_fn.modules))
            if t.grad_fn is not None:
                edges += _in_edges(t, ids, kept)
    nodes = _leaves_join_consumers(nodes, edges) if group_modules else \
        [(i, label, attrs, ()) for i, label, attrs, _ in nodes]

    notes = _notes(roots, len(order), len(kept), max_nodes, show_grad) + \
        ([ARROWS_NOTE] if edges else [])
    graph = BackwardGraph(name="backward", graph_attr=dict(labeljust="l", fontsize="12"),
                          node_attr=dict(fontsize="11"))
    if notes:
        graph.attr(label=_label(notes))
    extra = [r for r in roots if not r.requires_grad]   # no graph: a lone leaf each
    for k, r in enumerate(extra):
        lines = ["tensor"] + ([_shape(r)] if show_shapes else []) + ["(no graph)"]
        graph.node(f"n{len(order) + k}", _label(lines), **dict(LEAF_STYLE, peripheries="2",
                                                                fillcolor=OUTPUT_FILL))
    if len(kept) < len(order):
        graph.node("hidden", _label([f"... {len(order) - len(kept)} more nodes"]),
                   shape="note", style="dashed")
    _emit_clusters(graph, nodes, module_names)
    for src, dst in edges:
        graph.edge(src, dst)
    if show_grad:
        _legend(graph)
    return graph


def to_dot(tensors, **options):
    """The DOT source of `draw(tensors, **options)` as a string (no `dot` executable used)."""
    return draw(tensors, **options).source


# ---- walking and measuring -----------------------------------------------------------------
def _as_roots(tensors):
    roots = [tensors] if isinstance(tensors, Tensor) else list(tensors)
    if not roots:
        raise ValueError("draw: no tensors given; pass a Tensor or a list of Tensors")
    for position, t in enumerate(roots):
        if not isinstance(t, Tensor):
            raise TypeError(f"draw: output {position} is a {type(t).__name__}, not a Tensor; "
                            "pass a Tensor or a list/tuple of Tensors")
    unique = {id(t): t for t in roots}                  # the same tensor twice is drawn once
    return list(unique.values())


def _walk(roots):
    try:
        return topo_order(roots)
    except GraphFreedError as e:
        raise GraphFreedError("draw: the backward graph was freed by an earlier .backward(); "
                           "call .backward(retain_graph=True) to keep it, or draw before "
                           "calling backward") from e


def _nearest(order, roots, max_nodes):
    """ids of the max_nodes tensors with the fewest edges to an output (all when it fits)."""
    if len(order) <= max_nodes:
        return {id(t) for t in order}
    dist = {id(r): 0 for r in roots if r.requires_grad}
    for t in reversed(order):            # children come before their parents here
        if t.grad_fn is not None:
            d = dist[id(t)] + 1
            for p in t.grad_fn.parents:
                if p.requires_grad and dist.get(id(p), math.inf) > d:
                    dist[id(p)] = d
    rank = sorted(range(len(order)), key=lambda i: (dist[id(order[i])], -i))
    return {id(order[i]) for i in rank[:max_nodes]}


def _in_edges(t, ids, kept):
    """Edges parent -> op for inputs that require grad; hidden parents come from the summary
    node (once per op). Constants carry no gradient and get no edge."""
    new = []
    for p in t.grad_fn.parents:
        if not p.requires_grad:
            continue
        src = ids[id(p)] if id(p) in kept else "hidden"
        if src != "hidden" or ("hidden", ids[id(t)]) not in new:
            new.append((src, ids[id(t)]))
    return new


def _norm(array):
    """Euclidean norm in float64 (a float32 sum of squares overflows for exploding grads)."""
    return float(np.sqrt(np.sum(np.square(array, dtype=np.float64))))


def _grad_norms(roots, op_results):
    """||d sum(outputs) / d r|| for each op result r, by one extra backward over the graph."""
    outputs = [r for r in roots if r.requires_grad]
    for r in outputs:
        if r.numel() != 1:
            raise ValueError(f"draw(show_grad=True): output of shape {r.shape} is not a scalar; "
                             "gradient norms are defined for scalar outputs such as a loss")
    if not op_results:
        return {}
    grads = grad(outputs, op_results, retain_graph=True, allow_unused=True)
    return {id(t): None if g is None else _norm(g.detach().numpy())
            for t, g in zip(op_results, grads)}


def _leaf_or_op_norm(t, grad_norms):
    if t.grad_fn is None:
        return None if t.grad is None else _norm(t.grad.detach().numpy())
    return grad_norms.get(id(t))


def _cancelled(order, kept, grad_norms):
    """ids of the tensors whose gradient is zero, or is rounding noise although every op
    consuming them only sums the gradient flowing in (the ops' `summed_inputs`)."""
    flowing_in = {}               # id -> [(summed?, norm of the consumer's gradient)]
    for t in order:
        if t.grad_fn is None or id(t) not in kept:
            continue
        summed = type(t.grad_fn).summed_inputs
        for position, p in enumerate(t.grad_fn.parents):
            is_summed = summed is None or position in summed
            flowing_in.setdefault(id(p), []).append((is_summed, grad_norms.get(id(t))))
    cancelled = set()
    for t in order:
        norm = _leaf_or_op_norm(t, grad_norms) if id(t) in kept else None
        if norm is None or not math.isfinite(norm):
            continue
        consumers = flowing_in.get(id(t), [])
        rounding = CANCEL_EPS * float(np.finfo(t.dtype if t.dtype.kind == "f"
                                               else np.float32).eps)
        if norm == 0 or (consumers and all(s and g is not None and norm <= rounding * g
                                           for s, g in consumers)):
            cancelled.add(id(t))
    return cancelled


def _grad_fill(norm, cancelled=False):
    if norm is None:
        return dict(fillcolor="white")
    if cancelled:
        color = ZERO_COLOR
    elif not math.isfinite(norm):
        color = NONFINITE_COLOR
    else:
        b = min(max(math.floor((math.log10(norm) + 1) / 2) + 3, 0), 6)
        color = GRAD_COLORS[b]
    return dict(fillcolor=color, fontcolor="white" if color in DARK_FILLS else "black")


# ---- labels ----------------------------------------------------------------------------------
def _label(lines):
    return "\\n".join(graphviz.escape(line) for line in lines)


def _shape(t):
    return f"{tuple(t.shape)} {t.dtype}"


def _node(t, names, grad_norms, is_output, show_shapes, show_saved, show_grad,
          cancelled=False):
    """Label and style of one tensor: an op box or a leaf oval, grad-coloured on request."""
    if t.grad_fn is None:
        lines = _leaf_lines(t, names, show_shapes, show_grad)
        attrs = dict(PARAM_STYLE if id(t) in names else LEAF_STYLE)
    else:
        lines, attrs = _op_lines(t, names, show_shapes, show_saved), dict(OP_STYLE)
    norm = _leaf_or_op_norm(t, grad_norms)
    if show_grad:
        lines.append("grad: none" if norm is None else f"grad norm {norm:.3g}" +
                     (" (cancels to 0)" if cancelled and norm else ""))
        attrs.update(_grad_fill(norm, cancelled))
    if is_output:
        attrs.update(peripheries="2")
        if not show_grad:
            attrs.update(fillcolor=OUTPUT_FILL)
    return _label(lines), attrs


def _leaf_lines(t, names, show_shapes, show_grad):
    lines = [names.get(id(t), "tensor")] + ([_shape(t)] if show_shapes else [])
    if t.grad is not None and not show_grad:     # t is a leaf: no warning
        lines.append("grad \u2713")                   # the grad-present marker
    return lines


def _op_lines(t, names, show_shapes, show_saved):
    ctx = t.grad_fn
    lines = [ctx.name] + ([_shape(t)] if show_shapes else [])
    if show_saved:
        lines.append("saved:")
        for i, p in enumerate(ctx.parents):
            lines.append(f"  input {i}{' ' + names[id(p)] if id(p) in names else ''} "
                         f"{_shape(p)}")
        if type(ctx).saves_output:
            lines.append(f"  output {_shape(t)}")
        for k, s in enumerate(getattr(ctx, "saved", ())):   # a tl.autograd.Function's
            s = s() if isinstance(s, weakref.ref) else s       # save_for_backward (outputs
            if s is not None:                                  # are held weakly)
                lines.append(f"  saved tensor {k} {_shape(s)}")
        lines += [f"  {key} {tuple(v.shape)} {v.dtype}" for key, v in vars(ctx).items()
                  if isinstance(v, np.ndarray)]
    return lines


def _notes(roots, n_order, n_kept, max_nodes, show_grad):
    notes = []
    for position, r in enumerate(roots):
        if not r.requires_grad:
            notes.append(f"output {position} {tuple(r.shape)} has no backward graph: it does "
                         "not require grad (made under no_grad, or from tensors without "
                         "requires_grad=True)")
        elif r.grad_fn is None:
            notes.append(f"output {position} {tuple(r.shape)} is a leaf: no ops were recorded")
    if n_kept < n_order:
        notes.append(f"showing the {n_kept} of {n_order} nodes nearest the output "
                     f"(max_nodes={max_nodes}); {n_order - n_kept} more nodes are collapsed")
    if show_grad:
        notes.append("leaves: ||.grad||; ops: ||d output / d op result||")
    return notes


# ---- module clusters -------------------------------------------------------------------------
def _param_names(params):
    if params is None:
        return {}
    if hasattr(params, "named_parameters"):
        items = params.named_parameters()
    elif isinstance(params, Mapping):
        items = params.items()
    else:
        raise TypeError(f"draw: params must be an nn.Module or a mapping name -> Tensor, got "
                        f"{type(params).__name__}")
    names = {}
    for name, t in items:
        names.setdefault(id(t), name)                 # a shared tensor keeps its first name
    return names


def _module_names(params):
    named_modules = getattr(params, "named_modules", None)
    return {} if named_modules is None else {id(m): name for name, m in named_modules()}


def _leaves_join_consumers(nodes, edges):
    """Put each leaf in the innermost module cluster shared by all ops that consume it."""
    modules = {i: m for i, _, _, m in nodes}
    consumers = {}
    for src, dst in edges:
        consumers.setdefault(src, []).append(modules[dst])
    placed = []
    for i, label, attrs, m in nodes:
        if m is None:
            m = _common_prefix(consumers.get(i, [()]))
        placed.append((i, label, attrs, m))
    return placed


def _common_prefix(stacks):
    prefix = stacks[0]
    for stack in stacks[1:]:
        n = 0
        while n < min(len(prefix), len(stack)) and prefix[n] is stack[n]:
            n += 1
        prefix = prefix[:n]
    return prefix


def _emit_clusters(graph, nodes, module_names):
    """Emit nodes, nesting a `cluster_k` subgraph per module call path (outermost first)."""
    members, children, path_of = {(): []}, {(): []}, {}
    for node in nodes:
        stack = node[3]
        key = tuple(id(m) for m in stack)
        for depth in range(1, len(key) + 1):
            if key[:depth] not in members:
                members[key[:depth]], children[key[:depth]] = [], []
                children[key[:depth - 1]].append(key[:depth])
                path_of[key[:depth]] = stack[depth - 1]
        members[key].append(node)
    index = {key: k for k, key in enumerate(path_of)}

    def emit(target, key):
        for node_id, label, attrs, _ in members[key]:
            target.node(node_id, label, **attrs)
        for child in children[key]:
            module = path_of[child]
            name = module_names.get(id(module))
            title = f"{name}: {type(module).__name__}" if name else type(module).__name__
            with target.subgraph(name=f"cluster_{index[child]}") as sub:
                sub.attr(label=title, style="rounded,dashed", color="grey40")
                emit(sub, child)
    emit(graph, ())


def _legend(graph):
    with graph.subgraph(name="cluster_legend") as legend:
        legend.attr(label="gradient norm (log scale)", style="rounded", color="grey40")
        entries = list(zip(GRAD_BINS, GRAD_COLORS)) + [("nan / inf", NONFINITE_COLOR),
                                                       (ZERO_TEXT, ZERO_COLOR)]
        for k, (text, color) in enumerate(entries):
            legend.node(f"legend{k}", text, shape="box", style="filled", fillcolor=color,
                        fontcolor="white" if color in DARK_FILLS else "black")
        for k in range(len(entries) - 1):
            legend.edge(f"legend{k}", f"legend{k + 1}", style="invis")


if __name__ == "__main__":         # `python -m tools.graph ...`: the command line
    from tools.graph_cli import main
    raise SystemExit(main())
