"""What machine a benchmark ran on, and where its results go."""
import pathlib
import platform
import subprocess


def cpu_model():
    """'AMD EPYC (2 CPUs, lscpu)', or what `platform` knows when lscpu is missing."""
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return platform.processor() or "unknown"
    fields = dict(line.split(":", 1) for line in out.splitlines() if ":" in line)
    return f"{fields['Model name'].strip()} ({fields['CPU(s)'].strip()} CPUs, lscpu)"


def write_results(name, text):
    """Print a benchmark's report and save it as benchmarks/RESULTS_<name>.md."""
    print(text)
    out = pathlib.Path(__file__).with_name(f"RESULTS_{name}.md")
    out.write_text(text)
    print(f"wrote {out}")
