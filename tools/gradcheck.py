"""`python -m tools.gradcheck`: gradient-check every registered op and print a table.

For each op in `tl.OPS` and each of its samples, `tinygrad_lite.opcheck` compares the analytic
gradient with central differences in float64, (f(x + eps) - f(x - eps)) / (2 eps), and does the
same for second derivatives (gradgradcheck) unless the op opts out or --no-second-order.

    python -m tools.gradcheck                     # every op
    python -m tools.gradcheck --op mul --op log   # some ops
    python -m tools.gradcheck --list              # the registered op names
    python -m tools.gradcheck --no-jit            # NumPy twins instead of Numba kernels

Exit status: 0 if every check passes, 1 if any fails, 2 for an unknown op name.
"""
import argparse
import math
import os
import sys

CASE_WIDTH = 36     # longer cases (conv, pooling kwargs) are cut, so a row fits 100 columns


def _parser():
    p = argparse.ArgumentParser(prog="python -m tools.gradcheck",
                                description="Gradient-check the registered ops.")
    p.add_argument("--op", action="append", metavar="NAME",
                   help="check only this op (repeatable); default: every op")
    p.add_argument("--list", action="store_true", help="list the registered ops and exit")
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


def main(argv=None):
    """Entry point of `python -m tools.gradcheck` and the `tinygrad-gradcheck` script."""
    args = _parser().parse_args(argv)
    tl = _import_library(args.no_jit)
    from tinygrad_lite.kernels import JIT_ENABLED
    from tinygrad_lite.opcheck import check_all

    if args.list:
        for name, spec in tl.OPS.items():
            print(f"{name}  ({len(spec.samples)} samples"
                  f"{', first order only' if not spec.second_order else ''})")
        return 0
    names = args.op or list(tl.OPS)
    unknown = [n for n in names if n not in tl.OPS]
    if unknown:
        print(f"tools.gradcheck: error: unknown op(s) {', '.join(unknown)}; registered ops: "
              f"{', '.join(sorted(tl.OPS))}", file=sys.stderr)
        return 2
    print(f"gradcheck: {len(names)} op(s), seed {args.seed}, float64, "
          f"second order {'off' if args.no_second_order else 'on'}, "
          f"JIT {'on' if JIT_ENABLED else 'off'}")
    results = check_all(names, seed=args.seed, second_order=not args.no_second_order)
    print(format_table(results))
    failed = [r for r in results if not r.ok]
    for r in failed:
        print(f"\nFAIL {r.op} {r.case} (order {r.order}):\n  {r.error}")
    print(f"\n{len(results)} checks, {len(results) - len(failed)} passed, {len(failed)} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
