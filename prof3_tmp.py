import time, numpy as np, numba
from tinygrad_lite.kernels.layernorm import _shifted_sums
x = np.random.default_rng(0).standard_normal((2048, 512)).astype(np.float32)
w = np.ones(512, np.float32); b = np.zeros(512, np.float32)
y=np.empty_like(x); m=np.empty(2048); r=np.empty(2048)
opts=dict(cache=False, nogil=True, fastmath={"contract"}, error_model="numpy")
@numba.njit(**opts)
def sums_only(x, m, r):
    for i in range(x.shape[0]):
        s1, s2 = _shifted_sums(x[i], np.float64(x[i, 0])); m[i]=s1; r[i]=s2
@numba.njit(**opts)
def norm64(x, w, b, y, m, r):
    for i in range(x.shape[0]):
        mu, k = m[i], r[i]
        for j in range(x.shape[1]):
            y[i, j] = (x[i, j] - mu) * k * w[j] + b[j]
@numba.njit(**opts)
def norm32(x, w, b, y, m, r):
    for i in range(x.shape[0]):
        m32 = x.dtype.type(m[i]); c = x.dtype.type(m[i] - m32); k = x.dtype.type(r[i])
        for j in range(x.shape[1]):
            y[i, j] = ((x[i, j] - m32) - c) * k * w[j] + b[j]
def t(f, n=30):
    f(); best=1e9
    for _ in range(n):
        s=time.perf_counter(); f(); best=min(best, time.perf_counter()-s)
    return best*1e3
m[:]=0; r[:]=1
print("sums", t(lambda: sums_only(x, m, r)))
m[:]=0; r[:]=1
print("norm64", t(lambda: norm64(x, w, b, y, m, r)))
print("norm32", t(lambda: norm32(x, w, b, y, m, r)))
