"""The Colab twin: every notebook in quick mode where Colab's Python and packages are, with `helpers` installed
exactly as a notebook's Colab cell installs it.

    python tools/colab_twin.py --python ~/.pyenv/versions/3.13.0/bin/python3.13 [--venv DIR]

1. A virtual environment (DIR, kept for the next run) on that Python holds Colab's preinstalled packages at
   Colab's versions (COLAB below; googlecolab/backend-info, runtime of August 2026), and nbclient to run.
2. A clone of this repository stands in for GitHub: in each notebook's Colab cell, and only there, the
   public git URL becomes the clone's file URL. `google.colab` is simulated (importable, imported at start), so
   the cell's guard fires and its `%pip install` runs as on Colab.
3. Every notebook runs top to bottom in quick mode, in a fresh kernel of that environment, from a folder
   that holds MNIST as Colab's /content would after the first download.
It fails, with the reason, if a notebook fails, if the Colab cell installs or changes any package that was
already there (Colab would then ask to restart the runtime), or if a notebook prints Colab's restart warning.
IPython's generic "Note: you may need to restart the kernel" after every %pip is not Colab's warning.
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COLAB = ["torch==2.11.0", "torchvision==0.26.0", "numpy==2.1.3", "matplotlib==3.10.0", "ipywidgets==7.7.1",
         "widgetsnbextension==3.6.10", "jupyterlab-widgets==3.0.16", "tqdm==4.67.3", "ipykernel==6.17.1",
         "ipython==7.34.0"]
RUN_ONE = """
import sys, nbformat
sys.path.insert(0, sys.argv[3])
from tools.execute import Client  # nbclient's client, which cannot miss a reply
nb = nbformat.read(sys.argv[1], as_version=4)
try:
    Client(nb, kernel_name="python3", timeout=900, resources={"metadata": {"path": sys.argv[2]}}).execute()
finally:
    nbformat.write(nb, sys.argv[1])
"""
COLAB_WARNING = re.compile(r"previously imported in this runtime|must restart the runtime", re.IGNORECASE)


def freeze(python):
    out = subprocess.run([python, "-m", "pip", "freeze", "--all"], capture_output=True, text=True, check=True).stdout
    return dict(line.split("==", 1) for line in out.splitlines() if "==" in line)


def prepare_venv(python, venv):
    if not (venv / "bin" / "python").exists():
        subprocess.run([python, "-m", "venv", str(venv)], check=True)
    subprocess.run([venv / "bin" / "python", "-m", "pip", "uninstall", "-q", "-y", "amld-dl-intro"],
                   capture_output=True)  # left by an earlier run
    subprocess.run([venv / "bin" / "python", "-m", "pip", "install", "-q", *COLAB, "nbclient", "nbformat"],
                   check=True)
    return str(venv / "bin" / "python")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--python", required=True, help="the Python to build the environment with (Colab's: 3.13)")
    parser.add_argument("--venv", type=Path, default=Path(tempfile.gettempdir()) / "amld-colab-twin")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "tools"))
    from sync_links import INSTALL_TAG, settings

    python = prepare_venv(args.python, args.venv)
    versions = subprocess.run([python, "-c", "import sys, torch; print(sys.version.split()[0], torch.__version__)"],
                              capture_output=True, text=True, check=True).stdout.split()
    work = Path(tempfile.mkdtemp(prefix="colab-twin-"))
    clone = work / "clone"
    subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True)
    repo, branch = settings()
    public, local = f"git+https://github.com/{repo}.git@{branch}", f"git+file://{clone}@{branch}"
    fake = work / "fake"  # google.colab, imported when a kernel starts (sitecustomize), as on Colab
    (fake / "google" / "colab").mkdir(parents=True)
    (fake / "google" / "colab" / "__init__.py").write_text('"""Stands in for Colab\'s module."""\n')
    (fake / "sitecustomize.py").write_text("import google.colab  # noqa: F401\n")
    content = work / "content"  # the notebooks' folder, with MNIST as after the first download
    shutil.copytree(ROOT / "data" / "MNIST", content / "data" / "MNIST")
    env = {**os.environ, "AMLD_QUICK": "1", "PYTHONPATH": str(fake), "MPLBACKEND": "agg"}
    env.pop("AMLD_DATA", None)
    env.pop("AMLD_RESULTS", None)
    print(f"Colab twin: Python {versions[0]}, torch {versions[1]}, {', '.join(COLAB[2:])}")
    print(f"{'notebook':32s} {'result':8s} {'seconds':>8s}")
    failures = []
    for source in sorted((ROOT / "notebooks").glob("*.ipynb")):
        nb = json.loads(source.read_text())
        for cell in nb["cells"]:
            if INSTALL_TAG in cell["metadata"].get("tags", []):
                text = "".join(cell["source"])
                assert public in text, f"{source.name}: the Colab cell does not install {public}"
                cell["source"] = text.replace(public, local)
        target = content / source.name
        target.write_text(json.dumps(nb))
        before, start = freeze(python), time.perf_counter()
        result = subprocess.run([python, "-c", RUN_ONE, str(target), str(content), str(ROOT)], capture_output=True,
                                text=True, env=env)
        seconds, after = time.perf_counter() - start, freeze(python)
        outputs = json.dumps([c.get("outputs", []) for c in json.loads(target.read_text())["cells"]])
        changed = sorted(f"{name} {before.get(name, '(new)')} -> {version}" for name, version in after.items()
                         if before.get(name) != version and name.lower().replace("_", "-") != "amld-dl-intro")
        problem = "; ".join(filter(None, [
            result.returncode and f"failed: {(result.stderr.strip() or '?').splitlines()[-1]}",
            COLAB_WARNING.search(outputs) and "Colab's restart warning",
            changed and "its Colab cell changed packages that Colab already has: " + ", ".join(changed)]))
        if problem:
            failures.append(f"{source.name}: {problem}")
        print(f"{source.stem:32s} {'FAILED' if problem else 'passed':8s} {seconds:8.0f}", flush=True)
    check = subprocess.run([python, "-m", "helpers.check"], capture_output=True, text=True, cwd=content, env=env)
    print("python -m helpers.check:", check.stdout.strip().splitlines()[-1] if check.stdout.strip() else "?")
    if check.returncode:
        failures.append(f"python -m helpers.check failed:\n{check.stdout}{check.stderr}")
    shutil.rmtree(work, ignore_errors=True)
    if failures:
        sys.exit("Colab twin FAILED:\n  " + "\n  ".join(failures))
    print("Colab twin passed: every notebook ran, its Colab cell installed amld-dl-intro alone, no restart warning")


if __name__ == "__main__":
    main()
