"""A model that "trains a bit worse": find out why with

safestride run examples/debug_training_bug/train.py
"""

import numpy as np
from bias import broadcast_bias

rng = np.random.default_rng(0)
parameters = np.full(64, 1e300)  # memory around the bias: anything at all
bias = parameters[:3]
bias[:] = (0.1, -0.2, 0.3)

for step in range(3):
    activations = rng.standard_normal((8, 3, 6, 6))
    out = activations + broadcast_bias(bias, activations)
    print(f"step {step}: mean activation {out.mean():.3g}")
