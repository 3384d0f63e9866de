"""Every size threshold of the kernels, named once, each with the measurement that chose it.

A `@kernel()` loop is compiled twice, serial and parallel (one thread per core); it runs the
parallel build once its first array has at least `parallel_min` elements, because starting
the threads costs a few microseconds that only a long enough loop pays back. All times are
minimums of repeated runs on the project's 2-core machine (shared with other work); those
"measured for this file" are the minimum of 200 calls, run under
`env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE`.

In a training step a kernel's threads are asleep when it starts: the step before was a BLAS
GEMM (OpenBLAS's own threads) or Python. Waking them costs ~14 us on a quiet machine and
50-80 us when other processes keep the second core busy (the usual state of the shared
project machine), while a serial loop over 10^5 floats takes 15-70 us. So the thresholds
below are set from whole training steps, not from kernels timed back to back. Measured for
this file: one step of each MLP workload of benchmarks/bench_workloads.py, 20 steps x 12
interleaved rounds per setting in one process, min / median in ms, with (cheap,
transcendental, optimizer) thresholds (2^16, 2^13, 2^15) before and (2^18, 2^17, 2^18):
W1 (batch 64, Adam) 0.903 / 1.007 -> 0.771 / 0.821; W1-512 4.080 / 4.437 -> 3.526 / 3.868;
W7 (784-1000-10 sigmoid, SGD, batch 100) 2.464 / 2.759 -> 2.269 / 2.468 (all serial:
0.779 / 0.838, 3.542 / 3.872, 2.174 / 2.457). A second run: W1 0.881 -> 0.762, W1-512
3.418 -> 3.382, W7 2.145 -> 2.221 min and 2.645 -> 2.371 median. The optimizer's then went
on to 2^20 (below).
"""

# Cheap loops (relu, sigmoid_bwd, tanh_bwd, the linear bias + relu epilogue, layer norm):
# a parallel launch costs ~2 us, so below ~2^16 elements the serial loop of relu wins
# (measured when the kernels were written; recorded in kernels/_jit.py's first version).
# In a training step, right after a GEMM (100x784 @ 784x1000), measured for this file with
# the second core busy: relu serial vs parallel min 2.5 vs 66 us at 2^13, 17 vs 79 at 2^16, 27 vs 82 at 2^17,
# 62 vs 71 at 2^19, 119 vs 98 at 2^20; sigmoid_bwd 41 vs 108 at 2^16, 21 vs 35 at 2^17.
# Raised from 2^16 to 2^18 (see the top of this file for the whole steps).
PARALLEL_MIN = 1 << 18

# Loops with a transcendental function per element (exp, sigmoid, tanh, erf, gelu) and the
# softmax rows (an exp per entry) pay the launch back earlier. No measurement was recorded
# when 2^13 was chosen; measured for this file (float32, serial vs parallel, 2 shared cores):
# sigmoid 2^13 3.5 vs 4.6 us, 2^14 6.7 vs 6.3 us; gelu 2^12 3.4 vs 3.3 us, 2^13 6.4 vs
# 4.9 us; softmax rows of 64, 2^12 7.0 vs 5.1 us, 2^13 13.5 vs 8.4 us: crossovers between
# 2^12 and 2^14. (When the other core is busy a parallel launch costs ~30 us instead.)
# Right after a GEMM, sigmoid serial vs parallel: 4.3 vs 53 us at 2^13, 39 vs 77 at 2^16,
# 68 vs 133 at 2^17, 105 vs 147 at 2^18 with the second core busy. Raised to 2^17: below
# it a quiet machine loses a few us (sigmoid of 10^5 floats after a sleep: 44 us serial vs
# 38 parallel), a busy one gains tens of us.
TRANSCENDENTAL_PARALLEL_MIN = 1 << 17

# Fused optimizer updates. Adam on float32: serial 11 us vs parallel 14 us at 2^14
# elements, 23 vs 18 us at 2^15, 92 vs 54 us at 784*256 (benchmarks/bench_optim.py compares
# the whole step with serial-only and parallel-only: benchmarks/RESULTS_optim.md).
OPTIM_PARALLEL_MIN = 1 << 20
# Re-measured after Adam's division by √(1-β2^t) became a multiplication by its reciprocal
# (optim.py): serial 2^14 elements 11.3 -> 9.4 us, 235,146 (the W1 MLP's parameters as one
# array) 91 -> 67 us. Back to back (threads awake) parallel now wins from 2^13: serial vs
# parallel 4.1 vs 3.6 us at 2^13, 7.1 vs 4.6 at 2^14, 10.5 vs 7.0 at 2^15; waking sleeping
# threads adds ~14 us. Inside the W1 training step (Adam on 784-256-128-10, 20 steps x 30
# interleaved rounds, other sessions loading the machine) the step took min/median 112/271
# us with 2^15, 117/209 with 2^16 and 127/138 all serial: parallel is faster on a quiet
# machine, serial steadier on a busy one. Raised with the other thresholds (see the top of
# this file), to 2^20: W1's 784x256 weight (200,704 floats) and W7's 1000x784 one (784,000)
# are stepped serially. Plain SGD over 784,000 floats, serial vs parallel, min / median:
# 67 / 74 vs 105 / 168 us back to back, 88 / 218 vs 168 / 635 us right after a GEMM (second
# core busy). The W7 step with the optimizer at 2^18 vs 2^20 (the rest as now): 2.221 vs
# 2.146 ms, 2.269 vs 2.174 ms, 2.684 vs 2.489 ms (min of three runs of 12-15 rounds).

# linear_fwd has no size threshold any more: its fused bias + relu kernel beat the NumPy
# epilogue at every size (measured for this file, 2^12 was the old cut-off): bias + relu
# on 64x10 (640 outputs) 1.1 us with the kernel vs 2.6 us with NumPy, 16x64 1.0 vs 2.6,
# 64x64 1.4 vs 4.6, 64x128 2.1 vs 7.1 us.
# Its shape rule: with fewer rows than output features it computes W @ x^T and transposes in
# that epilogue, because OpenBLAS 0.3.31 is faster when the product's first dimension is
# the larger one. linear_fwd float32 with bias, rows x in -> out, x @ W^T vs W @ x^T
# (epilogue included), minimum of 300 calls, 3 interleaved runs: 64x784->256 235 vs 168 us,
# 64x256->128 55 vs 38 us, 100x784->1000 1110 vs 960-1030 us; the other way round it loses
# (x @ W^T 1165 vs 1550-1690 us at 512x784->256, 236 vs 360-425 us at 512x256->128).

# Convolution: each batch chunk's col matrix has about this many elements (2 MB in float32),
# so it stays in cache between the unrolling and the GEMMs (measured best of 2^17..2^21 when
# the channels-last im2col was written: 2^18). Re-measured for this file after the tap-row
# unrolling (kernels/conv.py _Unrolled), the lecture CNN's 11 convolution kernels at batch
# 32, one thread, total ms for 2^15..2^20: 54.1/52.1, 51.3/52.4, 51.0/50.7, 48.8/49.2,
# 48.2/48.2, 48.3/49.3 (two runs); two threads, 2^18 vs 2^19: 50.1/50.7/51.5 vs
# 48.9/50.4/49.8 (a busy machine).
CONV_CHUNK = 1 << 19

# Max pooling with 2x2 windows (kernels/pooling.py): parallel from this many input elements.
# Measured for this file, float32 MaxPool2d(2) forward back to back: 32x16x32x32 (2^19)
# serial 0.51 ms vs parallel 0.10 ms, 32x32x16x16 (2^18) 0.26 vs 0.07 ms, 3x5x7 0.6 vs 32
# us (launch). In the lecture CNN's step (W5, both pools at 2^18 and 2^19, 5 interleaved
# rounds of 15 steps, a busy machine) parallel vs serial: min 36.7 vs 38.0 ms, median 61.6
# vs 61.5 ms. Waking sleeping threads costs 14-80 us (the top of this file), which the
# 2^18 loop still pays back; below it a busy machine may not.
POOL_PARALLEL_MIN = 1 << 18

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
