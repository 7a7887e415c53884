# The lecture's two commands: `make lab` (set up, open JupyterLab) and `make test` (set up, run the tests).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
NOTEBOOKS := $(sort $(wildcard notebooks/*.ipynb))

.PHONY: setup lab test execute lint site student compat clean links

setup: $(STAMP)

# Create the virtual environment if missing, install everything; redo when the requirements change.
$(STAMP): requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -r requirements.txt
	@# The slides used jupyterlab-rise (and its jupyterlab-mathjax3) until December 2026: a .venv made before then
	@# drops them, since their front ends complain next to ipywidgets 8 (nothing to do in a new one).
	$(BIN)/python -m pip uninstall -y -q jupyterlab-rise jupyterlab-mathjax3 2>/dev/null || true
	touch $(STAMP)

# As root (containers, cloud VMs) Jupyter refuses to start without --allow-root: pass it only there.
# LAB_ARGS adds options of your own, e.g. make lab LAB_ARGS="--no-browser --port=8899".
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root)
lab: setup
	$(BIN)/jupyter lab $(ROOT_FLAG) $(LAB_ARGS) notebooks/

test: setup
	$(BIN)/python -m pytest

# Re-run every notebook in place, in full mode, one after another, so the stored outputs are fresh. A cell past its
# limit (LIMITS in tools/execute.py) stops the run and names itself; TIMEOUT=S sets another.
execute: setup
	AMLD_QUICK=0 $(BIN)/python tools/execute.py $(if $(TIMEOUT),--timeout $(TIMEOUT)) $(NOTEBOOKS)

# The course site: the committed notebooks with their stored outputs as pages that need no network, in site/
# (executes nothing; tools/course_site.py).
site: setup
	$(BIN)/python tools/course_site.py site

# The student copy, committed in exercises/ (a badge opens it): the notebooks without exercise solutions and
# outputs. Run it after editing a notebook; a test fails when exercises/ differs from what it writes.
student: setup
	$(BIN)/python tools/student.py

# What we declare, run: the tests on Python 3.10 with the minimum versions, on 3.13 with the newest (downloads
# PyTorch for each; see tools/compat.py). Needs those Pythons (pyenv) and git; prints a table.
compat:
	$(PYTHON) tools/compat.py

lint: setup
	$(BIN)/ruff check .

clean:
	rm -rf site .pytest_cache .ruff_cache

# Regenerate the Colab/Binder badges and the Colab install line from [tool.amld] in pyproject.toml.
links: setup
	$(BIN)/python tools/sync_links.py
