"""Check what we declare: the test suite (quick mode) on the oldest Python with the minimum versions of
requirements.txt, and on the newest Python with the newest versions. `make compat`, or

    python tools/compat.py [--leg 3.10-minimum] [--leg 3.13-newest] [--work DIR]

Each leg: a virtual environment on that Python (found with pyenv, or `--python-3.10 PATH`), requirements.txt
installed with every `>=X` turned into `==X` (minimum) or upgraded to the newest allowed (newest), a clone of
this repository's last commit installed with --no-deps, MNIST copied into its data folder, then `pytest`.
Prints a table: Python, versions, passed/failed, minutes. Slow (a PyTorch download per leg): not in .ci/run.
"""

import argparse
import glob
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LEGS = {"3.10-minimum": ("3.10", "minimum"), "3.13-newest": ("3.13", "newest")}


def find_python(version, given):
    if given:
        return given
    root = subprocess.run(["pyenv", "root"], capture_output=True, text=True).stdout.strip() or "~/.pyenv"
    found = sorted(glob.glob(os.path.expanduser(f"{root}/versions/{version}.*/bin/python{version}")))
    found = found or [p for p in [shutil.which(f"python{version}")] if p]
    if not found:
        sys.exit(f"no Python {version} found: install it (pyenv install {version}) or pass --python-{version} PATH")
    return found[-1]


def minimum_requirements():
    """requirements.txt with each lower bound pinned (`>=X` or `>=X,<Y` becomes `==X`)."""
    lines = []
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        line = line.split("#")[0].strip()
        if line and not line.startswith("-e"):
            lines.append(re.sub(r">=([\w.]+)(,<[\w.]+)?", r"==\1", line))
    return lines


def run_leg(name, python, work):
    version, kind = LEGS[name]
    leg = work / name
    shutil.rmtree(leg, ignore_errors=True)
    leg.mkdir(parents=True)
    venv_python = str(leg / "venv" / "bin" / "python")
    subprocess.run([python, "-m", "venv", str(leg / "venv")], check=True)
    pip = [venv_python, "-m", "pip", "install", "-q"]
    clone = leg / "clone"
    subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True)
    if kind == "minimum":
        (leg / "requirements-minimum.txt").write_text("\n".join(minimum_requirements()) + "\n")
        subprocess.run(pip + ["-r", str(leg / "requirements-minimum.txt")], check=True)
    else:
        subprocess.run(pip + ["-U", "-r", "requirements.txt"], check=True, cwd=clone)  # its `-e .`: the clone
    subprocess.run(pip + ["--no-deps", "-e", str(clone)], check=True)
    if (ROOT / "data" / "MNIST").is_dir():  # else the tests download it on first use
        shutil.copytree(ROOT / "data" / "MNIST", clone / "data" / "MNIST")
    show = ("import sys, torch, torchvision, numpy, matplotlib, ipywidgets as w; print(sys.version.split()[0], "
            "*(m.__version__.split('+')[0] for m in (torch, torchvision, numpy, matplotlib, w)))")
    versions = subprocess.run([venv_python, "-c", show], capture_output=True, text=True, check=True).stdout.split()
    start = time.perf_counter()
    env = {k: v for k, v in os.environ.items() if k not in ("AMLD_QUICK", "AMLD_DATA", "AMLD_RESULTS")}
    result = subprocess.run([venv_python, "-m", "pytest", "-q", "-p", "no:cacheprovider"], cwd=clone, env=env,
                            capture_output=True, text=True)
    minutes = (time.perf_counter() - start) / 60
    (work / f"{name}.log").write_text(result.stdout + result.stderr)
    summary = next((line.strip("= ") for line in reversed(result.stdout.splitlines()) if " in " in line), "?")
    return versions, result.returncode == 0, summary, minutes


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leg", action="append", choices=list(LEGS), help="default: both")
    parser.add_argument("--work", type=Path, default=Path("/tmp/amld-compat"))
    for version in sorted({v for v, _ in LEGS.values()}):
        parser.add_argument(f"--python-{version}", dest=f"python_{version.replace('.', '')}")
    args = parser.parse_args()
    rows, ok = [], True
    for name in args.leg or list(LEGS):
        version = LEGS[name][0]
        python = find_python(version, getattr(args, f"python_{version.replace('.', '')}"))
        print(f"{name}: setting up with {python} ...", flush=True)
        versions, passed, summary, minutes = run_leg(name, python, args.work)
        ok &= passed
        rows.append((name, versions, passed, summary, minutes))
    print(f"\n{'leg':14s} {'Python':7s} {'torch':7s} {'vision':7s} {'numpy':7s} {'mpl':7s} {'widgets':8s} "
          f"{'result':7s} {'minutes':>7s}  pytest")
    for name, v, passed, summary, minutes in rows:
        print(f"{name:14s} {v[0]:7s} {v[1]:7s} {v[2]:7s} {v[3]:7s} {v[4]:7s} {v[5]:8s} "
              f"{'passed' if passed else 'FAILED':7s} {minutes:7.1f}  {summary}")
    print(f"logs: {args.work}/<leg>.log")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
