"""Every lecture example runs in --quick mode (in-process, through its main(argv), writing its
figure to a temporary folder) and shows what its slide claims, in the numbers it prints."""
import importlib
import sys
import re

import numpy as np
import pytest


def run(name, tmp_path, capsys, *extra):
    """Run examples.<name>.main with --quick; returns (its result, what it printed)."""
    module = importlib.import_module(f"examples.{name}")
    result = module.main(["--quick", "--out", str(tmp_path), *extra])
    out = capsys.readouterr().out
    assert "seed: 0" in out
    assert (tmp_path / f"{name}.png").stat().st_size > 0
    return result, out


def printed(pattern, out):
    """The float captured by the first group of `pattern` in the printed text."""
    return float(re.search(pattern, out)[1])


def test_backprop_by_hand_equals_autograd(tmp_path, capsys):
    result, out = run("backprop", tmp_path, capsys)
    assert printed(r"max \|hand - autograd\| over the gradients: (\S+)", out) < 1e-6
    assert result["max_diff"] < 1e-6 and result["step_diff"] < 1e-6
    assert result["cost"][-1] < result["cost"][0]


def test_activation_derivatives_follow_the_lecture(tmp_path, capsys):
    result, out = run("activations", tmp_path, capsys)
    assert printed(r"max sigmoid' = (\S+)", out) == pytest.approx(0.25, abs=1e-4)
    assert result["sigmoid_rule"] < 1e-6 and result["tanh_rule"] < 1e-6
    rows = {r[0]: r for r in result["rows"]}
    assert rows["ReLU"][3] == 0 and rows["ReLU"][4] == 1           # f'(-2), f'(2)
    assert rows["LeakyReLU"][3] == pytest.approx(0.01)
    assert rows["ELU"][3] == pytest.approx(np.exp(-2), rel=1e-5)


def test_zero_init_keeps_hidden_units_identical_and_he_trains(tmp_path, capsys):
    result, out = run("initialization", tmp_path, capsys)
    assert result["zeros"]["distinct_units"] == 1
    assert result["He"]["distinct_units"] == 64
    small = result["small random (0.01)"]["spread"]
    assert small[-1] < 1e-6 * small[0]                              # the signal dies out
    he = result["He"]["spread"]
    assert 0.1 < he[-1] / he[0] < 10                                # He keeps it
    assert result["He"]["loss"][-1] < result["zeros"]["loss"][-1]


def test_batch_norm_rescues_high_learning_rate_and_bad_init(tmp_path, capsys):
    result, out = run("batch_norm", tmp_path, capsys)
    for setting in ("high learning rate", "bad init"):
        plain, bn = (next(v for k, v in result.items() if k.startswith(setting) and
                          k.endswith(label)) for label in ("without", "with BatchNorm"))
        plain_loss = plain["loss"] if isinstance(plain["loss"], float) else np.inf
        assert bn["loss"] < plain_loss


def test_optimizers_reach_the_minimum_and_train_moons(tmp_path, capsys):
    result, out = run("optimizers", tmp_path, capsys)
    assert set(result["paths"]) == {"SGD", "Momentum", "Nesterov", "Adagrad", "RMSProp", "Adam"}
    for name, path in result["paths"].items():
        start, end = path[0], path[-1]
        assert end[0] ** 2 / 20 + end[1] ** 2 < 0.1 * (start[0] ** 2 / 20 + start[1] ** 2), name
    assert result["accuracy"]["Adam"] > result["accuracy"]["SGD"]
    assert "(b) moons 2-5-2-1" in out


def test_smaller_batches_learn_more_per_epoch(tmp_path, capsys):
    result, out = run("batch_size", tmp_path, capsys)
    losses = [v["loss"] for k, v in result.items() if not k.startswith("stochastic")]
    assert losses == sorted(losses, reverse=True)      # batch > 512 > ... > 32 after 2 epochs
    steps = [v["steps"] for v in result.values()]
    assert steps[0] == 2 and steps[-1] == 600


def test_overfitting_and_what_regularization_does(tmp_path, capsys):
    result, out = run("overfitting", tmp_path, capsys)
    none = result["none"]
    assert none["history"]["loss"][-1] < 0.15 < 0.5 < none["val_loss"]        # memorized
    assert min(none["history"]["val_loss"]) < none["history"]["val_loss"][-1]  # turned up
    for name in ("L2", "L1", "dropout", "early stopping"):
        assert result[name]["val_loss"] < none["val_loss"], name
    assert result["L1"]["small_weights"] > result["none"]["small_weights"]
    stopped = re.search(r"EarlyStopping: stopped after epoch (\d+): val_loss has not improved "
                        r"by more than min_delta=0.0 for 20 epochs \(best \S+ at epoch (\d+)\)",
                        out)
    assert stopped and int(stopped[1]) == int(stopped[2]) + 20
    assert f"restored the weights of epoch {stopped[2]}" in out
    assert result["early stopping"]["restored"] == int(stopped[2])


def test_matching_last_layers_win_and_mismatches_fail_visibly(tmp_path, capsys):
    result, out = run("last_layer", tmp_path, capsys)
    acc = {pair: r["value"] for pair, r in result.items() if r.get("metric") == "accuracy"}
    rmse = {pair: r["value"] for pair, r in result.items() if r.get("metric") == "RMSE"}
    assert acc["linear -> softmax + cross-entropy"] > acc["linear + MSE on the class number"]
    assert acc["sigmoid + binary cross-entropy"] > acc["softmax over one output + BCE"]
    assert result["softmax, then CrossEntropyLoss (softmax twice)"]["final_loss"] > 1.4
    assert "input must hold probabilities in [0, 1]" in \
        result["linear (no sigmoid) + BCELoss"]["error"]
    assert rmse["linear + MSE"] < 0.5 * min(rmse["sigmoid + MSE"], rmse["ReLU + MSE"])


def test_training_tips_show_what_the_engine_says_and_the_fix(tmp_path, capsys):
    result, out = run("training_tips", tmp_path, capsys)
    shape, target, nan, exploding, stuck = result["said"]
    assert shape.startswith("ShapeError: Linear(in_features=64, out_features=32)")
    assert "(32, 1, 8, 8)" in shape
    assert "input shape (32, 1) and target shape (32,) differ" in target
    assert nan.startswith("FloatingPointError: detect_anomaly: forward of log") and \
        "training_tips.py" in nan                       # names the user's line
    assert result["nan_step"] is not None
    assert np.isfinite(result["nan_curves"]["nn.BCEWithLogitsLoss"]).all()
    assert exploding.startswith("TrainingDiverged: fit: the loss became")
    assert np.isfinite(result["explode_curves"]["normalized inputs and targets"]).all()
    sigmoid, linear = result["stuck_curves"].values()
    assert linear[-1] < 0.1 * sigmoid[-1] and sigmoid[-1] > 0.9 * sigmoid[0]
    assert "Flatten" in out and "total parameters" in out          # nn.summary printed


def test_lecture_cnn_counts_every_image_per_class(capsys):
    example = importlib.import_module("examples.lecture_cnn")
    tl = example.torch
    labels = np.array([0, 0, 0, 0, 1, 1, 1, 1] * 2)      # per batch of 8: four 0s, then four 1s
    images = tl.zeros(len(labels), 3)
    data = example.DataLoader(example.TensorDataset(images, tl.tensor(labels)), batch_size=8)

    def always_plane(x):
        return tl.tensor(np.tile(np.eye(10, dtype=np.float32)[0], (len(x), 1)))
    accuracy = example.test(always_plane, data, "cpu")
    out = capsys.readouterr().out
    assert accuracy == 0.5
    assert "Accuracy of plane: 100 %" in out
    assert "Accuracy of   car:  0 %" in out     # the 5th to 8th image of a batch count too


def test_digits_mlp_and_lecture_cnn_learn(tmp_path, capsys):
    result, out = run("digits", tmp_path, capsys)
    assert result["source"] == "digits" and "scikit-learn's 8x8 digits" in out
    assert result["mlp_test"] > 0.8 and result["cnn_test"] > 0.3     # quick: 5 and 1 epochs


def test_digits_reads_mnist_from_data_or_says_it_falls_back(tmp_path, capsys):
    from test_datasets import write_mnist
    write_mnist(tmp_path / "mnist", n_train=40, n_test=20)
    result, out = run("digits", tmp_path, capsys, "--data", str(tmp_path / "mnist"))
    assert result["source"] == "MNIST" and "data: MNIST from" in out
    assert "test accuracy on 20 held-out images" in out
    result, out = run("digits", tmp_path, capsys, "--data", str(tmp_path / "empty"))
    assert result["source"] == "digits"
    assert "MNIST: train-images-idx3-ubyte" in out and "using the bundled 8x8 digits" in out


def test_vanishing_and_exploding_gradients_and_clipping(tmp_path, capsys):
    result, out = run("vanishing_gradients", tmp_path, capsys)
    norms = result["norms"]
    sigmoid = norms["sigmoid"]
    assert sigmoid[0] < 1e-6 * sigmoid[-1]                                # vanishing
    assert sigmoid[0] / sigmoid[-1] < norms["tanh"][0] / norms["tanh"][-1]
    assert min(norms["ReLU, weights 1.8x He (exploding)"]) > 100 * max(norms["ReLU"])
    assert not np.isfinite(result["plain"][-1])                           # blows up...
    assert np.isfinite(result["clipped"]).all()                           # ...clipping holds
    assert (tmp_path / "vanishing_gradients_graph.png").exists() or "not rendered" in out


def test_transfer_learning_saves_loads_freezes_and_fine_tunes(tmp_path, capsys):
    result, out = run("transfer_learning", tmp_path, capsys)
    acc = {key: values[0] for key, values in result["accuracy"].items()}
    assert acc[("same classes", "frozen + head")] > acc[("same classes", "from scratch")]
    assert acc[("same classes", "fine-tune all")] > acc[("same classes", "from scratch")]
    assert (tmp_path / "transfer_same_classes.safetensors").stat().st_size > 0
    trained = {line.split()[-2] for line in out.splitlines() if "frozen + head" in line}
    assert trained == {"650", "325"}                # only the new head: 64 x 10 + 10, 64 x 5 + 5


def test_transfer_learning_reads_cifar10_from_data(tmp_path, capsys):
    from test_datasets import write_cifar
    write_cifar(tmp_path / "cifar", per_batch=20)
    result, out = run("transfer_learning", tmp_path, capsys, "--data", str(tmp_path / "cifar"))
    assert result["source"] == "CIFAR-10" and "data: CIFAR-10 from" in out


def test_without_matplotlib_the_table_is_printed_and_the_figure_skipped(tmp_path, capsys,
                                                                        monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)        # import matplotlib fails
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
    module = importlib.import_module("examples.activations")
    module.main(["--quick", "--out", str(tmp_path)])
    out = capsys.readouterr().out
    assert "max sigmoid' = 0.2500" in out
    assert "figure skipped: matplotlib is not installed" in out and "[plot]" in out
    assert not list(tmp_path.iterdir())


def test_python_m_examples_runs_each_script_and_passes_options(tmp_path, capsys, monkeypatch):
    runner = importlib.import_module("examples.__main__")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(runner, "EXAMPLES", ("activations", "digits"))
    lecture_cnn = importlib.import_module("examples.lecture_cnn")
    calls = []
    monkeypatch.setattr(lecture_cnn, "main", lambda **kw: calls.append(kw))
    times = runner.main(["--quick", "--out", str(tmp_path), "--data", str(tmp_path / "none")])
    out = capsys.readouterr().out
    assert set(times) == {"activations", "digits", "lecture_cnn"}
    assert calls == [dict(n_train=128, n_test=64, epochs=1)]
    assert (tmp_path / "activations.png").exists() and (tmp_path / "digits.png").exists()
    assert "using the bundled 8x8 digits" in out            # --data reached digits only
    assert runner._without_data(["--quick", "--data", "d", "--data=e", "--seed", "1"]) == \
        ["--quick", "--seed", "1"]
