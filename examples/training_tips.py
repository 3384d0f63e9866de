"""Training tips: the lecture's checklist as deliberately broken runs (Unit 3).

Each case breaks one thing on purpose, shows what the engine says about it (an error that
names the layer and the shapes, `TrainingDiverged` from `fit`, or the report of
`tl.detect_anomaly()` naming the op and the line that made the first NaN/Inf), then applies
the fix and trains.

  1 shape error       images (N, 1, 8, 8) into a Linear(64, ...)  -> nn.Flatten() first;
                      `nn.summary(model, input_size)` shows every layer's output shape
  2 target shape      MSELoss on outputs (N, 1) and targets (N,)  -> targets.view(-1, 1)
  3 NaN loss          a hand-written BCE, -(y log p + (1 - y) log(1 - p)): once the sigmoid
                      saturates to exactly 1, 0 * log(0) = NaN     -> nn.BCEWithLogitsLoss
  4 exploding loss    inputs and targets in the hundreds, SGD lr 0.01: inf within an epoch
                                                                  -> normalize them
  5 loss stuck        regression targets in [0, 100] through a sigmoid output (clipped to
                      (0, 1))                                     -> linear output, targets
                                                                     normalized

    python -m examples.training_tips [--quick] [--out DIR]
"""
import warnings

import numpy as np

import nn
import optim
import tinygrad_lite as tl
from examples._common import (as_column, digits, epoch_means, loader, new_figure, parse_args,
                              print_table, save_figure, seed_everything, train_steps)
from tinygrad_lite.train import TrainingDiverged, fit


def first_line(error):
    return f"{type(error).__name__}: {str(error).splitlines()[0]}"


def shape_error(X):
    model = nn.Sequential(nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 10))
    images = tl.tensor(X[:32].reshape(-1, 1, 8, 8))
    try:
        model(images)
    except ValueError as error:
        said = first_line(error)
    fixed = nn.Sequential(nn.Flatten(), *model)
    print("\ncase 1, the fix: nn.Flatten() first; nn.summary(fixed, (32, 1, 8, 8)):")
    nn.summary(fixed, (32, 1, 8, 8))
    return said, f"output shape {tuple(fixed(images).shape)}"


def target_shape_error(X):
    model = nn.Linear(64, 1)
    y = tl.tensor(np.arange(len(X[:32]), dtype=np.float32))
    try:
        nn.MSELoss()(model(tl.tensor(X[:32])), y)
    except ValueError as error:
        said = first_line(error)
    loss = nn.MSELoss()(model(tl.tensor(X[:32])), y.view(-1, 1))
    return said, f"loss {loss.item():.4g}"


def hand_bce(output, target):
    """The textbook formula, written out: breaks once a sigmoid output rounds to 0 or 1."""
    p = output.sigmoid()
    return -(target * p.log() + (1 - target) * (1 - p).log()).mean()


def nan_loss(seed, epochs):
    X, y = tl.data.make_moons(300, noise=0.2, seed=seed)
    data = loader(X * 10, as_column(y), 32, shuffle=True)    # unscaled: confident quickly
    curves = {}
    for name, loss_fn in (("hand-written BCE", hand_bce),
                          ("nn.BCEWithLogitsLoss", nn.BCEWithLogitsLoss())):
        tl.manual_seed(seed)
        model = nn.Sequential(nn.Linear(2, 32), nn.ReLU(), nn.Linear(32, 1))
        with np.errstate(all="ignore"):
            curves[name] = train_steps(model, optim.Adam(model.parameters(), lr=0.05),
                                       loss_fn, data, epochs)
        if name == "hand-written BCE":
            broken = (model, data)
    said = "no NaN in this many epochs"
    if not np.isfinite(curves["hand-written BCE"][-1]):
        model, data = broken
        said = _anomaly_report(model, data)
    return said, curves


def _anomaly_report(model, data):
    """Replay one batch under detect_anomaly: it names the op that made the NaN/Inf."""
    with tl.detect_anomaly(), np.errstate(all="ignore"):
        for x, y in data:
            try:
                hand_bce(model(x), y).backward()
            except FloatingPointError as error:
                return first_line(error)
    return "detect_anomaly found nothing"


def exploding(seed, epochs):
    """House prices from (area m^2, rooms, age): raw inputs in the hundreds make the
    gradients, and so the steps, hundreds of times too big."""
    rng = np.random.default_rng(seed)
    X = np.stack([rng.uniform(30, 200, 512), rng.integers(1, 6, 512),
                  rng.uniform(0, 50, 512)], axis=1).astype(np.float32)
    y = as_column(3 * X[:, 0] + 20 * X[:, 1] - X[:, 2])          # thousands
    normalized = ((X - X.mean(0)) / X.std(0), (y - y.mean()) / y.std())
    curves, said = {}, "it did not diverge"
    for name, (inputs, targets) in (("raw inputs and targets", (X, y)),
                                    ("normalized inputs and targets", normalized)):
        tl.manual_seed(seed)
        model = nn.Linear(3, 1)                              # linear regression
        try:
            with np.errstate(all="ignore"), warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                history = fit(model, nn.MSELoss(), optim.SGD(model.parameters(), lr=0.01),
                              loader(inputs, targets, 32, shuffle=True), epochs,
                              progress=False)
            curves[name] = history["loss"]
        except TrainingDiverged as error:
            said = first_line(error)
            curves[name] = [np.inf]
    return said, curves


def stuck(seed, epochs):
    rng = np.random.default_rng(seed)
    x = rng.uniform(0, 1, (256, 1)).astype(np.float32)
    y = (100 * x ** 2).astype(np.float32)                   # targets in [0, 100]
    curves = {}
    for name, last, scale in (("sigmoid output, raw targets", nn.Sigmoid(), 1.0),
                              ("linear output, targets / 100", None, 100.0)):
        tl.manual_seed(seed)
        model = nn.Sequential(nn.Linear(1, 32), nn.ReLU(), nn.Linear(32, 1),
                              *([last] if last is not None else []))
        data = loader(x, y / scale, 32, shuffle=True)
        losses = train_steps(model, optim.Adam(model.parameters(), lr=0.01), nn.MSELoss(),
                             data, epochs)
        curves[name] = [v * scale ** 2 for v in epoch_means(losses, len(data))]  # raw units
    return curves


def main(argv=None):
    args = parse_args(argv, __doc__)
    seed_everything(args.seed)
    X_train, _, y_train, _ = digits(args.seed, n=400 if args.quick else None)
    epochs = 5 if args.quick else 30
    said_1, after_1 = shape_error(X_train)
    said_2, after_2 = target_shape_error(X_train)
    said_3, nan_curves = nan_loss(args.seed, 30)        # small and quick: 30 epochs always
    said_4, explode_curves = exploding(args.seed, epochs)
    stuck_curves = stuck(args.seed, epochs)
    hand = nan_curves["hand-written BCE"]
    steps_3 = len(hand) if not np.isfinite(hand[-1]) else None      # the step that made NaN
    rows = [
        ("1 shape error", said_1, "nn.Flatten() first", after_1),
        ("2 target shape", said_2, "targets.view(-1, 1)", after_2),
        ("3 NaN loss", said_3, "nn.BCEWithLogitsLoss",
         f"NaN at step {steps_3}; fixed: final loss "
         f"{nan_curves['nn.BCEWithLogitsLoss'][-1]:.3g}"),
        ("4 exploding", said_4, "normalize inputs and targets",
         f"final loss {explode_curves['normalized inputs and targets'][-1]:.3g} "
         "(normalized units)"),
        ("5 loss stuck", "(nothing: it runs, the loss just stays high)",
         "linear output, normalized targets",
         f"MSE {stuck_curves['sigmoid output, raw targets'][-1]:.4g} -> "
         f"{stuck_curves['linear output, targets / 100'][-1]:.4g}"),
    ]
    print("\nwhat the engine says, case by case:")
    for case, said, _, _ in rows:
        print(f"  {case}: {said}")
    print_table("the fixes", ("case", "fix", "after the fix"), [(r[0], r[2], r[3]) for r in rows])

    fig = new_figure(14, 4)
    if fig is not None:
        axes = fig.subplots(1, 3)
        for name, curve in nan_curves.items():
            axes[0].plot(np.where(np.isfinite(curve), curve, np.nan), label=name)
        if steps_3 is not None:
            axes[0].axvline(steps_3 - 1, color="r", ls=":", label="hand-written BCE: NaN")
        axes[0].set(xlabel="step", ylabel="loss", yscale="log", title="3: NaN loss")
        for name, curve in explode_curves.items():
            if np.isfinite(curve[-1]):
                axes[1].plot(range(1, len(curve) + 1), curve, "o-", label=name)
        axes[1].text(0.05, 0.5, "raw inputs:\nTrainingDiverged in epoch 1",
                     transform=axes[1].transAxes, color="r")
        axes[1].set(xlabel="epoch", ylabel="loss", yscale="log", title="4: exploding")
        for name, curve in stuck_curves.items():
            axes[2].plot(range(1, len(curve) + 1), curve, "o-", label=name)
        axes[2].set(xlabel="epoch", ylabel="MSE (raw units)", yscale="log",
                    title="5: stuck (wrong last layer)")
        for ax in axes:
            ax.legend(fontsize=8)
    save_figure(fig, args, "training_tips")
    return dict(said=[r[1] for r in rows], nan_step=steps_3, nan_curves=nan_curves,
                explode_curves=explode_curves, stuck_curves=stuck_curves)


if __name__ == "__main__":
    main()
