"""What machine a benchmark ran on, for the header of its results."""
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
