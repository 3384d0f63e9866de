import time, numpy as np, numba
x = np.random.default_rng(0).standard_normal((2048, 512)).astype(np.float32)
m=np.empty(2048); r=np.empty(2048)
def mk(fm):
    @numba.njit(cache=False, nogil=True, fastmath=fm, error_model="numpy")
    def sums(x, m, r):
        for i in range(x.shape[0]):
            shift = np.float64(x[i, 0]); s1 = 0.0; s2 = 0.0
            for j in range(x.shape[1]):
                v = x[i, j] - shift; s1 += v; s2 += v * v
            m[i] = s1; r[i] = s2
    return sums
@numba.njit(cache=False, nogil=True, fastmath={"contract"}, error_model="numpy")
def lanes4(x, m, r):
    for i in range(x.shape[0]):
        shift = np.float64(x[i, 0]); a0=a1=a2=a3=b0=b1=b2=b3=0.0
        row = x[i]
        for j in range(0, row.size - row.size % 4, 4):
            v0=row[j]-shift; v1=row[j+1]-shift; v2=row[j+2]-shift; v3=row[j+3]-shift
            a0+=v0; a1+=v1; a2+=v2; a3+=v3; b0+=v0*v0; b1+=v1*v1; b2+=v2*v2; b3+=v3*v3
        m[i] = a0+a1+a2+a3; r[i]=b0+b1+b2+b3
def t(f, n=30):
    f(x,m,r); best=1e9
    for _ in range(n):
        s=time.perf_counter(); f(x,m,r); best=min(best, time.perf_counter()-s)
    return best*1e3
print("plain", t(mk({"contract"})))
print("reassoc", t(mk({"contract", "reassoc"})))
print("lanes4", t(lanes4))
