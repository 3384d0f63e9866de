"""Run every lecture example in the lecture's order: `python -m examples [--quick]`.

Other options (--out, --seed, --dpi, --data) pass through to every script that takes them;
the lecture's Unit 4 code (lecture_cnn.py) runs as written, smaller with --quick.
"""
import argparse
import importlib
import sys
import time

# topic: module, in the order of the lecture
EXAMPLES = ("backprop", "activations", "vanishing_gradients", "initialization", "batch_norm",
            "optimizers", "batch_size", "overfitting", "last_layer", "digits",
            "transfer_learning", "training_tips")


def main(argv=None):
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0], add_help=False)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--data", default=None)
    known, _ = parser.parse_known_args(argv)
    times = {}
    for name in EXAMPLES:
        print(f"\n{'=' * 30} examples.{name} {'=' * 30}")
        module = importlib.import_module(f"examples.{name}")
        start = time.perf_counter()
        arguments = argv if known.data is None or name in ("digits", "transfer_learning") \
            else _without_data(argv)
        module.main(arguments)
        times[name] = time.perf_counter() - start
    print(f"\n{'=' * 30} examples.lecture_cnn (the lecture's Unit 4 code) {'=' * 30}")
    start = time.perf_counter()
    lecture_cnn = importlib.import_module("examples.lecture_cnn")
    lecture_cnn.main(**(dict(n_train=128, n_test=64, epochs=1) if known.quick else {}))
    times["lecture_cnn"] = time.perf_counter() - start
    print("\nseconds per example: " + ", ".join(f"{k} {v:.1f}" for k, v in times.items()))
    print(f"total: {sum(times.values()):.1f} s")
    return times


def _without_data(argv):
    """argv less `--data DIR` / `--data=DIR` (for the scripts that read no data set)."""
    out, skip = [], False
    for arg in argv:
        if skip:
            skip = False
        elif arg == "--data":
            skip = True
        elif not arg.startswith("--data="):
            out.append(arg)
    return out


if __name__ == "__main__":
    main()
