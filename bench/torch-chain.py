"""The chain of bench/generators.mjs in PyTorch's scalar autograd, for npm run bench.

a0 = x1; a_i = tanh(a_(i-1)) * x_((i mod 50) + 1), one 0-dimensional tensor per operation, every
intermediate's gradient kept (retain_grad), as the tutor keeps every node's. Times building the
graph and backward() together, the median of several runs after one to warm up. Prints JSON; exits
with status 3 where torch cannot be imported. Usage: python3 bench/torch-chain.py [OPS] [RUNS]
"""
import json
import sys
import time

try:
    import torch
except ImportError:
    print(json.dumps({"torch": None}))
    sys.exit(3)

VARIABLES = 50
ops = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
runs = int(sys.argv[2]) if len(sys.argv) > 2 else 9
values = [(50 + ((i * 37) % 100)) / 100 for i in range(VARIABLES)]


def once():
    xs = [torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in values]
    a = xs[0]
    nodes = []
    # Same statements as the generator: lines.length * 2 < ops, each line two operations.
    i = 1
    while i * 2 < ops:
        t = torch.tanh(a)
        t.retain_grad()
        a = t * xs[i % VARIABLES]
        a.retain_grad()
        nodes.append((t, a))
        i += 1
    a.backward()
    return [x.grad for x in xs]


once()
walls = []
for _ in range(runs):
    start = time.perf_counter()
    once()
    walls.append(time.perf_counter() - start)
walls.sort()
print(json.dumps({"torch": torch.__version__, "seconds": walls[len(walls) // 2], "threads": torch.get_num_threads()}))
