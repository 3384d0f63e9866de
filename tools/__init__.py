"""Tools around the engine: `tools.graph` draws backward graphs (`python -m tools.graph`),
`tools.gradcheck` gradient-checks every registered op (`python -m tools.gradcheck`).

Nothing is imported here, so `python -m tools.gradcheck --no-jit` can set TINYGRAD_LITE_JIT
before the library is first imported.
"""
