"""tools.graph: the DOT of known expressions has exactly the expected nodes and edges (parsed,
compared as multisets of names), labels carry names/shapes/saved arrays/gradient norms, big
graphs are summarized, rendering works with `dot` (and explains itself without it), and the
`python -m tools.graph` command line renders a file or fails with a clear message."""
import math
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

import nn
import tinygrad_lite as tl
from tinygrad_lite.autograd import topo_order
from tinygrad_lite.scope import inside
from tools import graph_cli
from tools.graph import GRAD_COLORS, BackwardGraph, GraphvizNotFoundError, draw, to_dot

REPO = Path(__file__).resolve().parents[1]
HAS_DOT = shutil.which("dot") is not None
NODE = re.compile(r'^(\w+) \[label=("(?:[^"\\]|\\.)*"|\S+)(.*)\]$')
EDGE = re.compile(r"^(\w+) -> (\w+)")
ATTR = re.compile(r'label=("(?:[^"\\]|\\.)*"|\S+)')


def parse(dot):
    """{id: {"lines": [...], "attrs": str, "cluster": (labels outermost first)}}, [edges],
    graph label lines."""
    nodes, edges, clusters, graph_label = {}, [], [], []
    for raw in dot.splitlines():
        line = raw.strip()
        if line.startswith("subgraph"):
            clusters.append(None)
        elif line == "}":
            if clusters:
                clusters.pop()
        elif (m := NODE.match(line)):
            nodes[m[1]] = dict(lines=m[2].strip('"').split("\\n"), attrs=m[3],
                               cluster=tuple(clusters))
        elif (m := EDGE.match(line)):
            edges.append((m[1], m[2]))
        elif (m := ATTR.search(line)):
            label = m[1].strip('"')
            if clusters:
                clusters[-1] = label
            else:
                graph_label = label.split("\\n")
    return nodes, edges, graph_label


def graph_nodes(nodes):
    return {i: n for i, n in nodes.items() if re.fullmatch(r"n\d+", i)}


def named_edges(nodes, edges):
    return Counter((nodes[a]["lines"][0], nodes[b]["lines"][0]) for a, b in edges
                   if a in nodes and b in nodes and not a.startswith("legend"))


def abc():
    a, b, c = (tl.randn(3, 4, requires_grad=True), tl.randn(4, requires_grad=True),
               tl.randn(3, 4, requires_grad=True))
    return a, b, c, (a * b + c).sum()


def test_known_expression_has_exactly_its_ops_and_edges():
    a, b, c, out = abc()
    nodes, edges, _ = parse(to_dot(out, params={"a": a, "b": b, "c": c}))
    assert Counter(n["lines"][0] for n in nodes.values()) == Counter(
        ["a", "b", "c", "MulBackward", "AddBackward", "SumBackward"])
    assert named_edges(nodes, edges) == Counter([("a", "MulBackward"), ("b", "MulBackward"),
                                                 ("MulBackward", "AddBackward"),
                                                 ("c", "AddBackward"),
                                                 ("AddBackward", "SumBackward")])
    shapes = {n["lines"][0]: n["lines"][1] for n in nodes.values()}
    assert shapes == {"a": "(3, 4) float32", "b": "(4,) float32", "c": "(3, 4) float32",
                      "MulBackward": "(3, 4) float32", "AddBackward": "(3, 4) float32",
                      "SumBackward": "() float32"}
    styles = {n["lines"][0]: n["attrs"] for n in nodes.values()}
    assert "shape=box" in styles["MulBackward"] and "shape=ellipse" in styles["a"]
    assert [k for k, s in styles.items() if "peripheries=2" in s] == ["SumBackward"]


def test_matmul_relu_leaves_out_constants_and_names_parameters():
    x = tl.randn(2, 4)                                # no grad: not part of the backward graph
    W = tl.randn(4, 3, dtype=tl.float64, requires_grad=True)
    nodes, edges, _ = parse(to_dot((x @ W).relu(), params={"layer.weight": W}))
    assert {n["lines"][0] for n in nodes.values()} == {"layer.weight", "MatMulBackward",
                                                       "ReLUBackward"}
    assert named_edges(nodes, edges) == Counter([("layer.weight", "MatMulBackward"),
                                                 ("MatMulBackward", "ReLUBackward")])
    assert {n["lines"][0]: n["lines"][1] for n in nodes.values()}["layer.weight"] == \
        "(4, 3) float64"


def test_node_used_twice_gets_two_edges_and_ids_follow_topo_order():
    x = tl.randn(3, requires_grad=True)
    y = (x * x).exp()
    dot = to_dot(y)
    nodes, edges, _ = parse(dot)
    assert named_edges(nodes, edges)[("tensor", "MulBackward")] == 2
    expected = [t._ctx.name if t._ctx else "tensor" for t in topo_order([y])]
    assert [nodes[f"n{i}"]["lines"][0] for i in range(len(expected))] == expected
    assert to_dot(y) == dot                                          # stable output


def test_no_shapes_and_grad_present_marker():
    a, b, c, out = abc()
    nodes, _, _ = parse(to_dot(out, show_shapes=False))
    assert all(len(n["lines"]) == 1 for n in nodes.values())
    out.backward(retain_graph=True)
    nodes, _, _ = parse(to_dot(out, show_shapes=False))
    assert sorted(n["lines"] for n in nodes.values() if n["lines"][0] == "tensor") == \
        [["tensor", "grad \u2713"]] * 3


def test_show_saved_lists_inputs_output_and_stashed_arrays():
    a = tl.randn(3, 4, requires_grad=True)
    y = a.abs().exp()
    nodes, _, _ = parse(to_dot(y, params={"a": a}, show_saved=True))
    labels = {n["lines"][0]: n["lines"] for n in nodes.values()}
    assert labels["AbsBackward"][2:] == ["saved:", "  input 0 a (3, 4) float32",
                                         "  sign (3, 4) float32"]
    assert labels["ExpBackward"][2:] == ["saved:", "  input 0 (3, 4) float32",
                                         "  output (3, 4) float32"]


class _ScaledExp(tl.autograd.Function):
    @staticmethod
    def forward(ctx, x, k):
        y = (x * k).exp()
        ctx.save_for_backward(y)
        ctx.k = k
        return y

    @staticmethod
    def backward(ctx, g):
        (y,) = ctx.saved_tensors
        return g * y * ctx.k, None


def test_show_saved_lists_a_custom_functions_saved_tensors():
    """A tl.autograd.Function's node shows what its forward saved, as a built-in op's does."""
    a = tl.randn(2, 3, requires_grad=True)
    y = _ScaledExp.apply(a, 2.0)
    nodes, _, _ = parse(to_dot(y, params={"a": a}, show_saved=True))
    labels = {n["lines"][0]: n["lines"] for n in nodes.values()}
    assert labels["_ScaledExpBackward"][2:] == ["saved:", "  input 0 a (2, 3) float32",
                                                "  saved tensor 0 (2, 3) float32"]


def test_show_grad_labels_match_actual_gradient_norms():
    a, b = tl.randn(3, 4, requires_grad=True), tl.randn(3, 4, requires_grad=True)
    h = a * b
    loss = (h.tanh() ** 2).sum()
    loss.backward(retain_graph=True)
    nodes, _, label = parse(to_dot(loss, params={"a": a, "b": b}, show_grad=True))
    norms = {n["lines"][0]: n["lines"][-1] for n in graph_nodes(nodes).values()}
    t = np.tanh(a._data * b._data)
    d_h = 2 * t * (1 - t ** 2)                             # d sum(tanh(h)^2) / dh, by hand
    for name, expected in [("a", a.grad._data), ("b", b.grad._data), ("MulBackward", d_h),
                           ("TanhBackward", 2 * t), ("SumBackward", 1.0)]:
        assert norms[name] == f"grad norm {np.linalg.norm(expected):.3g}", name
    assert math.isclose(np.linalg.norm(a.grad._data), np.linalg.norm(d_h * b._data), rel_tol=1e-5)
    assert "legend0" in nodes and "legend6" in nodes and any("grad" in s for s in label)


def test_show_grad_colours_vanishing_and_exploding_on_a_log_scale():
    tiny, huge = tl.randn(5, requires_grad=True), tl.randn(5, requires_grad=True)
    loss = (tiny * 1e-9).sum() + (huge * 1e6).sum()
    loss.backward(retain_graph=True)
    nodes, _, _ = parse(to_dot(loss, params={"tiny": tiny, "huge": huge}, show_grad=True))
    fills = {n["lines"][0]: n["attrs"] for n in graph_nodes(nodes).values()}
    assert f'fillcolor="{GRAD_COLORS[0]}"' in fills["tiny"]
    assert f'fillcolor="{GRAD_COLORS[-1]}"' in fills["huge"]
    assert f'fillcolor="{GRAD_COLORS[3]}"' in fills["AddBackward"]   # norm 1: neutral


def test_show_grad_needs_scalar_outputs():
    with pytest.raises(ValueError, match="not a scalar"):
        draw(tl.randn(3, requires_grad=True) * 2, show_grad=True)


def test_freed_graph_error_says_retain_graph():
    _, _, _, out = abc()
    out.backward()
    with pytest.raises(RuntimeError, match=r"retain_graph=True.*draw before"):
        draw(out)


def test_tensor_without_graph_is_a_lone_leaf_with_a_note():
    nodes, edges, label = parse(to_dot(tl.randn(2, 3)))
    assert [n["lines"] for n in nodes.values()] == [["tensor", "(2, 3) float32", "(no graph)"]]
    assert edges == [] and "no backward graph" in label[0]
    nodes, _, label = parse(to_dot(tl.randn(2, requires_grad=True)))
    assert len(nodes) == 1 and "is a leaf" in label[0]


def test_max_nodes_keeps_the_nodes_nearest_the_output_and_says_so():
    x = tl.randn(3, requires_grad=True)
    y = x
    for _ in range(50):
        y = y * 1.01
    nodes, edges, label = parse(to_dot(y, max_nodes=10))
    kept = graph_nodes(nodes)
    assert len(kept) == 10 and nodes["hidden"]["lines"] == ["... 41 more nodes"]
    assert "n50" in kept and "n0" not in kept                       # the output is kept
    assert ("hidden", "n41") in edges
    assert any("showing the 10 of 51 nodes" in line for line in label)


class Block:
    """A duck-typed module: records its ops through scope.inside, as nn.Module does."""
    def __init__(self, n):
        self.weight = tl.randn(n, n, requires_grad=True)

    def __call__(self, x):
        with inside(self):
            return (x @ self.weight).tanh()


class Net:
    def __init__(self):
        self.blocks = [Block(3), Block(3)]

    def named_parameters(self):
        return [(f"blocks.{i}.weight", b.weight) for i, b in enumerate(self.blocks)]

    def named_modules(self):
        return [("", self)] + [(f"blocks.{i}", b) for i, b in enumerate(self.blocks)]

    def __call__(self, x):
        with inside(self):
            for b in self.blocks:
                x = b(x)
            return x


def test_group_modules_nests_clusters_named_from_named_modules():
    net = Net()
    loss = net(tl.randn(2, 3)).sum()
    nodes, _, _ = parse(to_dot(loss, params=net))
    where = {(n["lines"][0], n["cluster"]) for n in nodes.values()}
    assert where == {("blocks.0.weight", ("Net", "blocks.0: Block")),
                     ("blocks.1.weight", ("Net", "blocks.1: Block")),
                     ("MatMulBackward", ("Net", "blocks.0: Block")),
                     ("TanhBackward", ("Net", "blocks.0: Block")),
                     ("MatMulBackward", ("Net", "blocks.1: Block")),
                     ("TanhBackward", ("Net", "blocks.1: Block")),
                     ("SumBackward", ())}
    by_class, _, _ = parse(to_dot(loss, params=dict(net.named_parameters())))
    assert {n["cluster"] for n in by_class.values()} == {(), ("Net", "Block")}
    flat = to_dot(loss, params=net, group_modules=False)
    assert "subgraph" not in flat


def test_real_nn_module_names_parameters_and_clusters():
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
    loss = model(tl.randn(5, 3)).sum()
    nodes, _, _ = parse(to_dot(loss, params=model))
    leaves = {n["lines"][0] for n in nodes.values() if "ellipse" in n["attrs"]}
    assert leaves == {name for name, _ in model.named_parameters()}
    clusters = {c for n in nodes.values() for c in n["cluster"]}
    assert {"0: Linear", "2: Linear"} <= clusters


def test_params_must_be_module_or_mapping():
    with pytest.raises(TypeError, match="nn.Module or a mapping"):
        draw(abc()[3], params=[1, 2])


@pytest.mark.skipif(not HAS_DOT, reason="Graphviz `dot` is not installed")
def test_render_svg_with_dot_parses_as_xml(tmp_path):
    *_, out = abc()
    graph = draw(out, show_saved=True)
    assert isinstance(graph, BackwardGraph) and "image/svg+xml" in graph._repr_mimebundle_()
    path = graph.render(tmp_path / "g", format="svg")
    text = Path(path).read_text()
    ET.fromstring(text.encode())
    assert {"MulBackward", "AddBackward", "SumBackward"} <= set(re.findall(r"\w+Backward", text))


def test_missing_dot_explains_how_to_install_and_dot_can_still_be_saved(tmp_path, monkeypatch):
    *_, out = abc()
    graph = draw(out)
    monkeypatch.setenv("PATH", str(tmp_path))                         # no `dot` on PATH
    with pytest.raises(GraphvizNotFoundError, match="apt-get install graphviz"):
        graph.render(tmp_path / "g", format="svg")
    assert list(tmp_path.iterdir()) == []             # not even the DOT source is left behind
    with pytest.raises(GraphvizNotFoundError, match=r"brew install graphviz.*\.save_dot\(path\)"):
        graph.pipe(format="svg")
    assert Path(graph.save_dot(tmp_path / "g.dot")).read_text() == graph.source


MODEL = """
import tinygrad_lite as tl

def build():
    W = tl.randn(4, 3, requires_grad=True)
    return (tl.randn(2, 4) @ W).relu().sum(), {"W": W}

def not_a_tensor():
    return 3

answer = 42
"""


def run_cli(args, cwd):
    env = {"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin:/usr/local/bin"}
    return subprocess.run([sys.executable, "-m", "tools.graph", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=60)


@pytest.mark.skipif(not HAS_DOT, reason="Graphviz `dot` is not installed")
def test_cli_renders_svg_and_fails_clearly_on_a_bad_target(tmp_path):
    (tmp_path / "toymodel.py").write_text(MODEL)
    ok = run_cli(["toymodel:build", "-o", "g.svg", "--show-grad"], tmp_path)
    assert ok.returncode == 0, ok.stderr
    text = (tmp_path / "g.svg").read_text()
    ET.fromstring(text.encode())
    assert "MatMulBackward" in text and ">W<" in text
    bad = run_cli(["toymodel:missing", "-o", "x.svg"], tmp_path)
    assert bad.returncode == 2 and "has no attribute 'missing'" in bad.stderr
    assert not (tmp_path / "x.svg").exists()


@pytest.mark.parametrize("target, message", [
    ("toymodel2:missing", "has no attribute 'missing'; its callables: build, not_a_tensor"),
    ("toymodel2:answer", "is not callable"),
    ("toymodel2:not_a_tensor", "returned int, not a Tensor"),
    ("no_such_module_xyz:build", "module 'no_such_module_xyz' not found"),
    ("nofile/here.py:build", "no such file"),
    ("toymodel2", "expected MODULE:CALLABLE"),
    (":build", "target ':build': expected MODULE:CALLABLE, e.g. mymodel:build_loss"),
])
def test_cli_bad_targets_exit_2_with_a_message(target, message, tmp_path, monkeypatch, capsys):
    (tmp_path / "toymodel2.py").write_text(MODEL)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "path", list(sys.path))
    monkeypatch.delitem(sys.modules, "toymodel2", raising=False)
    assert graph_cli.main([target, "-o", "x.svg"]) == 2
    assert message in capsys.readouterr().err


def test_cli_without_dot_suggests_the_dot_format_not_the_python_api(tmp_path, monkeypatch,
                                                                     capsys):
    (tmp_path / "script.py").write_text(MODEL)
    monkeypatch.setattr(sys, "path", list(sys.path))
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))             # no `dot` on PATH
    out = tmp_path / "g.svg"
    assert graph_cli.main([str(tmp_path / "script.py") + ":build", "-o", str(out)]) == 1
    err = capsys.readouterr().err
    assert "apt-get install graphviz" in err and "`--format dot`" in err and ".dot" in err
    assert "save_dot" not in err and not out.exists()


def test_cli_writes_dot_from_a_file_path_without_graphviz(tmp_path, monkeypatch):
    (tmp_path / "script.py").write_text(MODEL)
    monkeypatch.setattr(sys, "path", list(sys.path))
    out = tmp_path / "g.dot"
    assert graph_cli.main([str(tmp_path / "script.py") + ":build", "-o", str(out),
                           "--no-shapes"]) == 0
    nodes, edges, _ = parse(out.read_text())
    assert named_edges(nodes, edges) == Counter([("W", "MatMulBackward"),
                                                 ("MatMulBackward", "ReLUBackward"),
                                                 ("ReLUBackward", "SumBackward")])
