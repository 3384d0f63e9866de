"""A user's package, written into a temporary directory by the tests of tl.testing, the
pytest plugin and `python -m tools.gradcheck --module/--function`: one correct op, one op
whose backward is off by a factor 2 at one element, and plain functions using each."""
import textwrap

FILES = {
    "userops/__init__.py": "",
    "userops/ops.py": '''
        import tinygrad_lite as tl


        @tl.register("user_cube", samples=[tl.Sample(((2, 3),))], reference=lambda x: x ** 3)
        class Cube(tl.Function):
            def forward(ctx, x):
                return x ** 3

            def backward(ctx, g):
                (x,) = ctx.inputs
                return g * 3 * x * x


        def cube_sum(x, w):
            return (Cube.apply(x) @ w).sum()
    ''',
    "userops/broken.py": '''
        import numpy as np

        import tinygrad_lite as tl


        @tl.register("user_double", samples=[tl.Sample(((2, 3),))], reference=lambda x: 2 * x)
        class BrokenDouble(tl.Function):
            """y = 2x, but backward says 4 at the last element."""
            def forward(ctx, x):
                return 2 * x

            def backward(ctx, g):
                factor = np.full(g.shape, 2.0)
                factor.reshape(-1)[-1] = 4.0
                return g * tl.tensor(factor)


        def broken_sum(x):
            return BrokenDouble.apply(x).sum()
    ''',
}


def write_user_package(root):
    """Write the package `userops` under `root` (a pathlib.Path); return root."""
    for name, text in FILES.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip())
    return root
