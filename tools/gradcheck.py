"""`python -m tools.gradcheck`: gradient-check every registered op and print a table.

For each op in `tl.OPS` and each of its samples, `tinygrad_lite.opcheck` compares the analytic
gradient with central differences in float64, (f(x + eps) - f(x - eps)) / (2 eps), and does the
same for second derivatives (gradgradcheck) unless the op opts out or --no-second-order.

    python -m tools.gradcheck                     # every op
    python -m tools.gradcheck --op mul --op log   # some ops
    python -m tools.gradcheck --list              # the registered op names
    python -m tools.gradcheck --no-jit            # NumPy twins instead of Numba kernels

Your own code (the current directory is importable, as with `python -m`):

    python -m tools.gradcheck --module mypackage.ops      # the ops mypackage.ops registers
    python -m tools.gradcheck --function mypackage.ops:my_fn --shapes 3,4 4 \
                              --domains real positive     # a plain function of Tensors

Exit status: 0 if every check passes, 1 if any fails, 2 for a usage error (an unknown op, a
module that cannot be imported or registers no op, a bad shape or domain).
"""
import argparse
import importlib
import math
import os
import sys
import textwrap

from tools._cli import UsageError, parse_target, with_cwd_on_path

CASE_WIDTH = 36     # longer cases (conv, pooling kwargs) are cut, so a row fits 100 columns


def _parser():
    p = argparse.ArgumentParser(prog="python -m tools.gradcheck",
                                description="Gradient-check the registered ops.")
    p.add_argument("--op", action="append", metavar="NAME",
                   help="check only this op (repeatable); default: every op")
    p.add_argument("--list", action="store_true", help="list the registered ops and exit")
    p.add_argument("--module", action="append", metavar="MODULE",
                   help="import MODULE (every submodule of a package) and check only the ops "
                        "it registers (repeatable)")
    p.add_argument("--function", metavar="MODULE:NAME",
                   help="check the function NAME of MODULE instead of registered ops")
    p.add_argument("--shapes", nargs="+", metavar="SHAPE",
                   help="with --function: one shape per input, as a comma list (3,4); an "
                        "empty string is a 0-d input")
    p.add_argument("--domains", nargs="+", metavar="DOMAIN",
                   help="with --function: one domain per input (real, positive, unit, "
                        "distinct, bool); default real")
    p.add_argument("--seed", type=int, default=0, help="seed for the sampled inputs")
    p.add_argument("--no-second-order", action="store_true", help="skip gradgradcheck")
    p.add_argument("--no-jit", action="store_true",
                   help="set TINYGRAD_LITE_JIT=0: run the NumPy twins of the Numba kernels")
    return p


def _import_library(no_jit):
    """Import the engine, which registers every op, after setting the JIT switch."""
    if no_jit:
        if "tinygrad_lite" in sys.modules:
            print("tools.gradcheck: warning: --no-jit has no effect, tinygrad_lite was already "
                  "imported in this process", file=sys.stderr)
        os.environ["TINYGRAD_LITE_JIT"] = "0"      # read by tinygrad_lite.kernels on import
    import tinygrad_lite
    return tinygrad_lite


def _fmt(x):
    return "-" if math.isnan(x) else f"{x:.1e}"


def _clip(text, width):
    return text if len(text) <= width else text[:width - 3] + "..."


def format_table(results):
    """One row per check: op, case (cut to CASE_WIDTH characters; the failure report after the
    table gives it whole), order, max abs error, max rel error, PASS/FAIL."""
    header = ("op", "case", "order", "max abs", "max rel", "result")
    rows = [(r.op, _clip(r.case, CASE_WIDTH), str(r.order), _fmt(r.max_abs), _fmt(r.max_rel),
             "PASS" if r.ok else "FAIL") for r in results]
    widths = [max(len(row[k]) for row in rows + [header]) for k in range(len(header))]
    return "\n".join("  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip()
                     for row in [header] + rows)


def parse_shape(text):
    """'3,4' -> (3, 4); '' -> () (a 0-d input)."""
    parts = [part.strip() for part in text.split(",")] if text.strip() else []
    if not all(part.isdigit() for part in parts):
        raise UsageError(f"bad shape {text!r}: expected non-negative integers separated by "
                         "commas, e.g. 3,4 (or '' for a 0-d input)")
    return tuple(int(part) for part in parts)


def load_function(target):
    """'package.module:name' -> the function, imported."""
    module_name, attribute = parse_target(target, "--function")
    try:
        module = importlib.import_module(module_name)
    except Exception as e:  # noqa: BLE001 - any import failure is the user's to read
        raise UsageError(f"--function: cannot import {module_name!r}: "
                         f"{type(e).__name__}: {e}") from e
    fn = getattr(module, attribute, None)
    if not callable(fn):
        raise UsageError(f"--function: {module_name} has no function {attribute!r}")
    return fn


def _check_function(args):
    """CaseResults for --function with --shapes (and --domains)."""
    import numpy as np

    from tinygrad_lite.function import Sample
    from tinygrad_lite.opcheck import GradientCheck, describe_case, input_names, sample_inputs
    if not args.shapes:
        raise UsageError("--function needs --shapes, one per input (e.g. --shapes 3,4 4)")
    sample = Sample(tuple(parse_shape(s) for s in args.shapes), tuple(args.domains or ()))
    if args.domains and len(args.domains) != len(args.shapes):
        raise UsageError(f"got {len(args.domains)} domains for {len(args.shapes)} shapes; "
                         "give one domain per shape")
    fn = load_function(args.function)
    try:
        inputs = sample_inputs(sample, np.random.default_rng(args.seed))
    except ValueError as e:                      # an unknown domain name
        raise UsageError(str(e)) from None
    check = GradientCheck(args.function, fn, inputs, input_names(inputs), args.seed)
    return check.results(describe_case(sample), not args.no_second_order)


def _op_names(tl, args):
    """The ops to check: --op names among the registry (or the --module ops), else all."""
    from tinygrad_lite.testing.discovery import DiscoveryError, ops_of
    candidates = list(tl.OPS)
    if args.module:
        try:
            candidates = [spec.name for spec in ops_of(args.module)]
        except DiscoveryError as e:
            raise UsageError(f"--module: {e}") from None
    names = args.op or candidates
    unknown = [n for n in names if n not in candidates]
    if unknown:
        raise UsageError(f"unknown op(s) {', '.join(unknown)}; registered ops"
                         f"{' in ' + ', '.join(args.module) if args.module else ''}: "
                         f"{', '.join(sorted(candidates))}")
    return names


def main(argv=None):
    """Entry point of `python -m tools.gradcheck` and the `tinygrad-gradcheck` script."""
    args = _parser().parse_args(argv)
    tl = _import_library(args.no_jit)
    try:
        with with_cwd_on_path():            # the user's package, also for tinygrad-gradcheck
            return _run(tl, args)
    except UsageError as e:
        print(f"tools.gradcheck: error: {e}", file=sys.stderr)
        return 2


def _run(tl, args):
    from tinygrad_lite.kernels import JIT_ENABLED
    from tinygrad_lite.opcheck import check_all

    if args.function and (args.op or args.module or args.list):
        raise UsageError("--function checks one function: it cannot be combined with --op, "
                         "--module or --list")
    if (args.shapes or args.domains) and not args.function:
        raise UsageError("--shapes and --domains go with --function")
    settings = (f"seed {args.seed}, float64, second order "
                f"{'off' if args.no_second_order else 'on'}, JIT {'on' if JIT_ENABLED else 'off'}")
    if args.function:
        results = _check_function(args)
        print(f"gradcheck: function {args.function}, {settings}")
    else:
        names = _op_names(tl, args)
        if args.list:
            for name in names:
                spec = tl.OPS[name]
                print(f"{name}  ({len(spec.samples)} samples"
                      f"{', first order only' if not spec.second_order else ''})")
            return 0
        print(f"gradcheck: {len(names)} op(s), {settings}")
        results = check_all(names, seed=args.seed, second_order=not args.no_second_order)
    print(format_table(results))
    failed = [r for r in results if not r.ok]
    for r in failed:
        print(f"\nFAIL {r.op} {r.case} (order {r.order}):\n{textwrap.indent(r.error, '  ')}")
    print(f"\n{len(results)} checks, {len(results) - len(failed)} passed, {len(failed)} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
