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
    assert all(row.rstrip(" |").endswith("-") for row in rows)   # a tiny run meets no target
    assert not (ROOT / "benchmarks" / "RESULTS_workloads.md").exists() or \
        "--tiny" not in (ROOT / "benchmarks" / "RESULTS_workloads.md").read_text()


def test_write_section_replaces_only_its_own_block(tmp_path):
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        from machine import write_section
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    page = tmp_path / "BENCHMARKS.md"
    page.write_text("# Benchmarks\n\nintro\n")
    write_section("bench_x", "| first |", page)
    write_section("bench_y", "| other |", page)
    write_section("bench_x", "| second |", page)
    text = page.read_text()
    assert text.startswith("# Benchmarks\n\nintro\n")
    assert "| first |" not in text and text.count("| second |") == 1
    assert text.index("| second |") < text.index("| other |")
