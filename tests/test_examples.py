"""The example scripts run as shipped (on small sizes, to stay fast)."""
import importlib.util
import pathlib

ROOT = pathlib.Path(__file__).resolve().parent.parent


def load(relative):
    spec = importlib.util.spec_from_file_location(relative.stem, ROOT / relative)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_lecture_cnn_example_trains_saves_reloads_and_fine_tunes(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    example = load(pathlib.Path("examples/lecture_cnn.py"))
    before, after = example.main(n_train=96, n_test=64, epochs=1)
    assert 0.0 <= before <= 1.0 and 0.0 <= after <= 1.0
    assert (tmp_path / "demo_output" / "lecture_cnn.safetensors").stat().st_size > 0


def test_demo_runs_and_writes_the_backward_graph(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    demo = load(pathlib.Path("demo.py"))
    model, X, y = demo.train_moons("Adam", batch_size=32, epochs=2)
    demo.draw_backward_graph(model, X, y)
    written = list((tmp_path / "demo_output").iterdir())
    assert [p.name for p in written] in (["moons_backward_graph.svg"], ["moons_backward_graph.dot"])
    norms = demo.gradient_norms_by_layer(demo.nn.Sigmoid, depth=4)
    assert len(norms) == 5 and norms[0] < norms[-1]      # sigmoid: vanishing towards the input
