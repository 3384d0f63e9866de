"""Every size threshold of the kernels, named once, each with the measurement that chose it.

A `@kernel()` loop is compiled twice, serial and parallel (one thread per core); it runs the
parallel build once its first array has at least `parallel_min` elements, because starting
the threads costs a few microseconds that only a long enough loop pays back. All times are
minimums of repeated runs on the project's 2-core machine (shared with other work); those
"measured for this file" are the minimum of 200 calls, run under
`env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE`.
"""

# Cheap loops (relu, sigmoid_bwd, tanh_bwd, the linear bias + relu epilogue, layer norm):
# a parallel launch costs ~2 us, so below ~2^16 elements the serial loop of relu wins
# (measured when the kernels were written; recorded in kernels/_jit.py's first version).
PARALLEL_MIN = 1 << 16

# Loops with a transcendental function per element (exp, sigmoid, tanh, erf, gelu) and the
# softmax rows (an exp per entry) pay the launch back earlier. No measurement was recorded
# when 2^13 was chosen; measured for this file (float32, serial vs parallel, 2 shared cores):
# sigmoid 2^13 3.5 vs 4.6 us, 2^14 6.7 vs 6.3 us; gelu 2^12 3.4 vs 3.3 us, 2^13 6.4 vs
# 4.9 us; softmax rows of 64, 2^12 7.0 vs 5.1 us, 2^13 13.5 vs 8.4 us: crossovers between
# 2^12 and 2^14. (When the other core is busy a parallel launch costs ~30 us instead.)
TRANSCENDENTAL_PARALLEL_MIN = 1 << 13

# Fused optimizer updates. Adam on float32: serial 11 us vs parallel 14 us at 2^14
# elements, 23 vs 18 us at 2^15, 92 vs 54 us at 784*256 (benchmarks/bench_optim.py compares
# the whole step with serial-only and parallel-only: benchmarks/RESULTS_optim.md).
OPTIM_PARALLEL_MIN = 1 << 15

# linear_fwd: outputs below this many elements add the bias and apply relu with NumPy
# instead of calling the fused Numba epilogue. Recorded only as "measured" (~1 us per kernel
# call). Re-measured for this file, the kernel was faster at every size tried: linear_fwd
# float32 16x64 @ 64x64 + bias + relu (1024 outputs) 5.6 us with the NumPy epilogue vs
# 4.1 us with the kernel, 64x64 @ 64x64 (4096) 13.4 vs 10.5 us. Kept to leave behaviour
# unchanged; lowering it (or dropping the NumPy branch) is worth a benchmark of the MLPs.
LINEAR_EPILOGUE_MIN = 1 << 12

# Convolution: each batch chunk's col matrix has about this many elements (2 MB in float32),
# so it stays in cache between the unrolling and the GEMMs (measured best of 2^17..2^21 when
# the channels-last im2col was written: 2^18). Re-measured for this file after the tap-row
# unrolling (kernels/conv.py _Unrolled), the lecture CNN's 11 convolution kernels at batch
# 32, one thread, total ms for 2^15..2^20: 54.1/52.1, 51.3/52.4, 51.0/50.7, 48.8/49.2,
# 48.2/48.2, 48.3/49.3 (two runs); two threads, 2^18 vs 2^19: 50.1/50.7/51.5 vs
# 48.9/50.4/49.8 (a busy machine).
CONV_CHUNK = 1 << 19

# Max pooling with 2x2 windows (kernels/pooling.py): parallel from this many input elements.
# Measured for this file, float32 MaxPool2d(2) forward: 32x16x32x32 (2^19) serial 0.51 ms vs
# parallel 0.10 ms, 32x32x16x16 (2^18) 0.26 vs 0.07 ms, 3x5x7 0.6 vs 32 us (launch).
POOL_PARALLEL_MIN = 1 << 16

# Convolution GEMMs (kernels/conv.py _Unrolled): each sample's output rows are cut into
# pieces whose block of the col matrix (rows x K) has at most this many elements (128 KB in
# float32). OpenBLAS 0.3.31 (SkylakeX kernels, one thread, Zen 4) slows down past it,
# measured for this file in GFLOP/s, float32 (rows x K) @ (K x N): 1024x80x16 82,
# 512x80x16 108, 256x80x16 102, 256x160x32 93, 128x160x32 110, 1024x15x16 88; the weight
# gradient's (N x rows) @ (rows x K) alike: 81, 105, 102, 91, 108, 81. The lecture CNN's 11
# convolution kernels at batch 32, one thread, CPU ms for 2^13..2^16: 43.0/44.5,
# 40.5/43.0, 39.9/40.2, 43.9/44.4 (two runs; CONV_CHUNK re-measured with it, 2^17..2^20:
# 42.9/43.3, 40.8/42.2, 40.0/41.5, 40.8/40.3).
CONV_GEMM_BLOCK = 1 << 15

# ... but pieces keep at least this many rows: the weight gradient's GEMM sums over them, and
# a short sum leaves it writing more than it computes. Measured for this file, one thread,
# float32 (N x rows) @ (rows x K) in GFLOP/s: 512x16x1536 54, 512x64x1536 88, 512x128x1536
# 100, 512x256x1536 103; 64x32x576 87, 64x128x576 97, 64x512x576 100.
CONV_GEMM_MIN_ROWS = 128
