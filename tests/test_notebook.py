"""docs/lecture.ipynb runs top to bottom and its cells show what their text says.

The notebook is executed once per test session with nbclient (a real Jupyter kernel, the
`python3` kernelspec of this interpreter, in a temporary working directory); the tests then
read the outputs of the cells by their tags. nbclient, nbformat, ipykernel and matplotlib come
with the `test` extra, so in CI this runs rather than skips.
"""
import json
import os
import pathlib
import re
import subprocess
import sys

import pytest

nbclient = pytest.importorskip("nbclient")
import nbformat  # noqa: E402  (installed with nbclient)

ROOT = pathlib.Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "docs" / "lecture.ipynb"
CELL_TIMEOUT = 120        # seconds per cell; the whole notebook takes well under a minute


def python3_kernel_path(tmp_dir):
    """The JUPYTER_PATH under which a `python3` kernelspec for this interpreter is found:
    the existing one if Jupyter already sees it, else one installed into `tmp_dir`."""
    from jupyter_client.kernelspec import find_kernel_specs
    if "python3" in find_kernel_specs():
        return None
    subprocess.run([sys.executable, "-m", "ipykernel", "install", "--prefix", str(tmp_dir),
                    "--name", "python3"], check=True, capture_output=True)
    return str(tmp_dir / "share" / "jupyter")


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    """The notebook after execution: {tag: cell}."""
    work = tmp_path_factory.mktemp("notebook_cwd")
    with pytest.MonkeyPatch.context() as env:
        # the kernel imports this checkout's packages and its examples/ folder
        env.setenv("PYTHONPATH", os.pathsep.join(
            [str(ROOT)] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]))
        env.delenv("MPLBACKEND", raising=False)     # ipykernel's inline backend draws the plots
        kernel_path = python3_kernel_path(tmp_path_factory.mktemp("kernels"))
        if kernel_path is not None:
            env.setenv("JUPYTER_PATH", kernel_path)
        notebook = nbformat.read(NOTEBOOK, as_version=4)
        client = nbclient.NotebookClient(notebook, timeout=CELL_TIMEOUT, kernel_name="python3",
                                         resources={"metadata": {"path": str(work)}})
        client.execute()            # raises CellExecutionError, naming the cell, on any error
    return {tag: cell for cell in notebook.cells for tag in cell.metadata.get("tags", [])}


def text(cell):
    """Everything a code cell printed (stdout and stderr)."""
    return "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")


def number(pattern, cell):
    found = re.search(pattern, text(cell))
    assert found, f"{pattern!r} not in the cell's output:\n{text(cell)}"
    return float(found.group(1))


def images(cell, mime):
    return [o["data"][mime] for o in cell.outputs
            if o.output_type in ("display_data", "execute_result") and mime in o.get("data", {})]


def test_notebook_is_stored_without_outputs():
    notebook = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    for cell in notebook["cells"]:
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [] and cell["execution_count"] is None, (
                "clear the outputs before committing docs/lecture.ipynb "
                "(jupyter nbconvert --clear-output --inplace docs/lecture.ipynb)")


def test_every_topic_ran(executed):
    assert set(executed) >= {
        "backprop-check", "backprop-graph", "activations", "vanishing", "vanishing-graph",
        "clipping", "initialization", "batchnorm", "optimizers", "batch-size", "overfitting",
        "early-stopping", "last-layer", "cnn", "transfer", "custom-op", "custom-op-wrong"}


def test_hand_gradients_equal_autograd(executed):
    assert number(r"max \|hand - autograd\| = (\S+)", executed["backprop-check"]) < 1e-6


@pytest.mark.parametrize("tag, op", [("backprop-graph", "SigmoidBackward"),
                                     ("vanishing-graph", "LinearBackward")])
def test_backward_graphs_are_drawn_inline(executed, tag, op):
    (svg,) = images(executed[tag], "image/svg+xml")
    assert "<svg" in svg and op in svg


@pytest.mark.parametrize("tag", ["activations", "vanishing", "optimizers", "batch-size",
                                 "overfitting"])
def test_plots_are_drawn_inline(executed, tag):
    assert images(executed[tag], "image/png")


def test_activation_slopes(executed):
    cell = executed["activations"]
    assert number(r"largest sigmoid slope: (\S+);", cell) == pytest.approx(0.25, abs=1e-3)
    assert number(r"max \|autograd - a\(1 - a\)\| = (\S+)", cell) < 1e-6


def test_sigmoid_gradients_vanish_and_relu_ones_do_not(executed):
    cell = executed["vanishing"]
    sigmoid = number(r"sigmoid\s+first layer / last layer gradient norm: (\S+)", cell)
    relu = number(r"ReLU\s+first layer / last layer gradient norm: (\S+)", cell)
    assert sigmoid < 1e-4 and relu > 1000 * sigmoid


def test_clipping_keeps_the_loss_finite(executed):
    out = text(executed["clipping"])
    assert re.search(r"without clipping: \d+ steps, last loss (nan|inf)", out), out
    assert re.search(r"with clipping:\s+30 steps", out), out


def test_batch_norm_matches_its_formula(executed):
    assert number(r"max \|BatchNorm1d - formula\| = (\S+)", executed["batchnorm"]) < 1e-5


def test_early_stopping_stops_and_restores(executed):
    out = text(executed["early-stopping"])
    assert "stopped after epoch" in out and "restored the weights of epoch" in out


def test_losses_equal_their_formulas(executed):
    out = text(executed["last-layer"])
    ce, by_hand = re.search(r"CrossEntropyLoss (\S+)\s+-log softmax by hand (\S+)", out).groups()
    assert ce == by_hand
    assert "softmax over one output: gradient [0.]" in out


def test_cnn_learns_and_transfer_beats_training_from_scratch(executed):
    assert number(r"test accuracy on 100 new images: (\d+)%", executed["cnn"]) > 20
    out = executed["transfer"]
    scratch = number(r"from scratch.*accuracy on the other \d+: (\d+)%", out)
    frozen = number(r"frozen pretrained features.*accuracy on the other \d+: (\d+)%", out)
    assert frozen > scratch


def test_custom_op_is_checked_and_a_wrong_backward_is_caught(executed):
    assert "gradients agree" in text(executed["custom-op"])
    assert "check_gradients(WrongSoftplus)" in text(executed["custom-op-wrong"])
