"""`python -m tools.graph MODULE:CALLABLE -o out.svg`: draw the backward graph of a model.

MODULE is a dotted module name (importable from the current directory) or a path to a .py
file; CALLABLE takes no arguments and returns the output Tensor (e.g. a loss), or
`(tensor, params)` where params is an nn.Module or a name -> Tensor mapping that names the
parameters. Exit status: 0 on success, 2 for a bad MODULE:CALLABLE, 1 if rendering fails.
"""
import argparse
import importlib
import importlib.util
import os
import sys
from pathlib import Path

from tools._cli import UsageError, parse_target, with_cwd_on_path
from tools.graph import INSTALL_HINT, GraphvizNotFoundError, draw

FORMATS = ("svg", "png", "pdf", "dot")


def _parser():
    p = argparse.ArgumentParser(prog="python -m tools.graph", description=__doc__.split("\n")[0])
    p.add_argument("target", metavar="MODULE:CALLABLE",
                   help="e.g. mymodel:build_loss or path/to/script.py:build_loss")
    p.add_argument("-o", "--output", required=True, help="file to write, e.g. graph.svg")
    p.add_argument("--format", choices=FORMATS,
                   help="output format (default: from the -o suffix, else svg)")
    p.add_argument("--show-saved", action="store_true", help="list what each op saves")
    p.add_argument("--show-grad", action="store_true",
                   help="run backward(retain_graph=True) and colour nodes by gradient norm")
    p.add_argument("--no-shapes", action="store_true", help="omit shapes and dtypes")
    p.add_argument("--no-modules", action="store_true", help="do not group ops by nn.Module")
    p.add_argument("--max-nodes", type=int, default=500,
                   help="collapse nodes beyond this many (default 500)")
    return p


def _import(module_spec):
    """A module from a dotted name or from a path to a .py file."""
    if module_spec.endswith(".py") or os.sep in module_spec or "/" in module_spec:
        path = Path(module_spec)
        if not path.is_file():
            raise UsageError(f"no such file: {module_spec}")
        spec = importlib.util.spec_from_file_location(path.stem, path)
        module = importlib.util.module_from_spec(spec)
        sys.path.insert(0, str(path.resolve().parent))  # so the file can import its siblings
        spec.loader.exec_module(module)
        return module
    try:
        return importlib.import_module(module_spec)
    except ModuleNotFoundError as e:
        if e.name == module_spec or module_spec.startswith(f"{e.name}."):
            raise UsageError(f"module {module_spec!r} not found (looked in the current "
                             "directory and sys.path); give a dotted module name or a path "
                             "to a .py file") from e
        raise                               # the user's module imports something missing


def load_target(target):
    """Resolve 'MODULE:CALLABLE', call it, return (tensor, params)."""
    from tinygrad_lite.tensor import Tensor
    module_spec, attr = parse_target(target, "target", "MODULE:CALLABLE",
                                     "mymodel:build_loss or path/to/script.py:build_loss")
    module = _import(module_spec)
    fn = getattr(module, attr, None)
    if fn is None:
        public = sorted(n for n in vars(module) if not n.startswith("_")
                        and callable(getattr(module, n)))
        raise UsageError(f"module {module_spec!r} has no attribute {attr!r}; its callables: "
                         f"{', '.join(public) or '(none)'}")
    if not callable(fn):
        raise UsageError(f"{target} is not callable (its type is {type(fn).__name__})")
    result = fn()
    params = None
    if isinstance(result, tuple) and len(result) == 2 and isinstance(result[0], Tensor):
        result, params = result
    if not isinstance(result, Tensor):
        raise UsageError(f"{target}() returned {type(result).__name__}, not a Tensor; it must "
                         "return a Tensor, or (Tensor, Module) to label parameters")
    return result, params


def _format(args):
    if args.format:
        return args.format
    suffix = Path(args.output).suffix.lstrip(".").lower()
    return "dot" if suffix == "gv" else suffix if suffix in FORMATS else "svg"


def main(argv=None):
    """Entry point of `python -m tools.graph` and the `tinygrad-graph` console script."""
    args = _parser().parse_args(argv)
    try:
        with with_cwd_on_path():
            root, params = load_target(args.target)
    except UsageError as e:
        print(f"tools.graph: error: {e}", file=sys.stderr)
        return 2
    try:
        if args.show_grad:
            root.backward(retain_graph=True)
        graph = draw(root, params=params, show_shapes=not args.no_shapes,
                     show_saved=args.show_saved, show_grad=args.show_grad,
                     group_modules=not args.no_modules, max_nodes=args.max_nodes)
    except (RuntimeError, ValueError, TypeError) as e:   # draw's messages say what to do
        print(f"tools.graph: error: {e}", file=sys.stderr)
        return 1
    fmt = _format(args)
    if fmt == "dot":
        graph.save_dot(args.output)
    else:
        try:
            data = graph.pipe(format=fmt)
        except GraphvizNotFoundError:       # its hint names the Python API: say the CLI's
            print(f"tools.graph: error: {INSTALL_HINT}, or write the DOT source with "
                  "`--format dot` (or an -o path ending in .dot) and render it elsewhere",
                  file=sys.stderr)
            return 1
        Path(args.output).write_bytes(data)
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
