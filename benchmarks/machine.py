"""What machine a benchmark ran on, and where its results go."""
import pathlib
import platform
import subprocess

ROOT = pathlib.Path(__file__).resolve().parents[1]


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


def write_section(name, text, path=ROOT / "BENCHMARKS.md"):
    """Put `text` into BENCHMARKS.md between the lines `<!-- <name>: begin -->` and
    `<!-- <name>: end -->`, replacing what a previous run wrote there (the markers are added
    at the end of the file the first time)."""
    begin, end = f"<!-- {name}: begin -->", f"<!-- {name}: end -->"
    page = path.read_text()
    block = f"{begin}\n{text.rstrip()}\n{end}"
    if begin in page and end in page:
        head, rest = page.split(begin, 1)
        page = head + block + rest.split(end, 1)[1]
    else:
        page = page.rstrip() + "\n\n" + block + "\n"
    path.write_text(page)
    print(f"wrote its table into {path}")


def ratio_table(names, results):
    """Markdown table lines comparing ours with PyTorch: `results` holds (min, median) ms
    pairs in turns, ours then torch's, one pair of pairs per name."""
    lines = ["| case | ours min | ours median | torch min | torch median | ratio (min) | "
             "ratio (median) |", "|---|---:|---:|---:|---:|---:|---:|"]
    for i, name in enumerate(names):
        (ours_min, ours_med), (torch_min, torch_med) = results[2 * i], results[2 * i + 1]
        lines.append(f"| {name} | {ours_min:.2f} | {ours_med:.2f} | {torch_min:.2f} | "
                     f"{torch_med:.2f} | {ours_min / torch_min:.2f} | "
                     f"{ours_med / torch_med:.2f} |")
    return lines
