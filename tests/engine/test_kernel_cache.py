"""Processes that compile the compiled kernels at the same time on an empty cache all answer, and
agree: the first call of each kernel holds a lock file, so the cache files are written by one
process and loaded by the others (numba's cache is not safe to build from several at once)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def test_processes_compiling_at_once_all_answer(tmp_path: Path) -> None:
    env = dict(os.environ, NUMBA_CACHE_DIR=str(tmp_path / "numba"))
    code = (
        "import numpy as np\n"
        "from engine import kernels\n"
        "rng = np.random.default_rng(0)\n"
        "s = rng.random(5000)\n"
        "print(sorted(kernels.top_p(s, 7).tolist()))\n"
    )
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", code], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for _ in range(3)
    ]
    outs = [p.communicate(timeout=600) for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0], [e[-500:] for _, e in outs]
    assert len({o for o, _ in outs}) == 1
    assert (tmp_path / "numba" / "marketing-copilot-kernels.lock").exists()
