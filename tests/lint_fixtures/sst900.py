# SST900: a file that is not valid Python is one finding, not a crash.
from numpy.lib.stride_tricks import as_strided

def broken(x:  # expect: SST900
    return as_strided(x)
