"""benchmarks/bench_workloads.py --tiny runs every workload (ours, and PyTorch when installed)
for a couple of steps, so the benchmark cannot rot; no timing is checked."""
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]


def test_bench_workloads_tiny_runs_every_workload():
    out = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "bench_workloads.py"),
                          "--tiny"], capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert out.returncode == 0, out.stderr
    rows = [line for line in out.stdout.splitlines() if line.startswith("| W")]
    assert [row.split()[1] for row in rows] == ["W1", "W1-512", "W2", "W5", "W7"]
    assert not (ROOT / "benchmarks" / "RESULTS_workloads.md").exists() or \
        "--tiny" not in (ROOT / "benchmarks" / "RESULTS_workloads.md").read_text()
