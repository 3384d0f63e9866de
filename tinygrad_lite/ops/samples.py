"""The input shapes the ops' gradient-check Samples are built from, one list per kind of op,
so that every op is checked on the same cases: a matrix, a scalar (0-d) and a 3-D array with
a size-1 dim; for binary ops, shapes that broadcast against each other."""
from ..function import Sample

UNARY = [((3, 4),), ((),), ((2, 1, 3),)]                        # one input
SAME2 = [((3, 4), (3, 4)), ((), ()), ((2, 1, 3), (2, 1, 3))]    # two inputs of one shape
BROADCAST = [((3, 4), (3, 4)), ((3, 4), (4,)), ((2, 1, 3), (5, 1)), ((), (2, 3)), ((4, 1), ())]


def samples(shape_sets, domains=(), **kwargs):
    """One Sample per set of input shapes, all with the same domains and keyword arguments."""
    return [Sample(shapes, domains, kwargs) for shapes in shape_sets]


# Domains for the steps of the rounding ops, which are flat between their jumps: a numerical
# derivative must not straddle a jump.
def off_integers(rng, shape):
    """n + f with f in [0.1, 0.9]: away from the jumps of floor, ceil and trunc."""
    return rng.integers(-3, 3, shape) + rng.uniform(0.1, 0.9, shape)


def off_integers_and_halves(rng, shape):
    """At least 0.2 away from every integer and every half-integer (round also jumps at the
    halves)."""
    return rng.integers(-3, 3, shape) + rng.choice([0.2, 0.3, 0.7, 0.8], shape)
