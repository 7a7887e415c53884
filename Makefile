# The lecture's two commands: `make lab` (set up, open JupyterLab) and `make test` (set up, run the tests).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
NOTEBOOKS := $(sort $(wildcard notebooks/*.ipynb))

.PHONY: setup lab test execute lint html student compat clean links

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

# Re-run every notebook in place, in full mode, one after another, so the stored outputs are fresh.
execute: setup
	for nb in $(NOTEBOOKS); do \
	  AMLD_QUICK=0 $(BIN)/jupyter nbconvert --to notebook --execute --inplace \
	    --ExecutePreprocessor.timeout=-1 "$$nb" || exit 1; \
	done

# Handouts: the committed notebooks with their stored outputs as HTML pages (executes nothing).
html: setup
	$(BIN)/python tools/handouts.py html

# The student copy to hand out: the notebooks without exercise solutions and outputs, in student/.
student: setup
	$(BIN)/python tools/student.py

# What we declare, run: the tests on Python 3.10 with the minimum versions, on 3.13 with the newest (downloads
# PyTorch for each; see tools/compat.py). Needs those Pythons (pyenv) and git; prints a table.
compat:
	$(PYTHON) tools/compat.py

lint: setup
	$(BIN)/ruff check .

clean:
	rm -rf html student .pytest_cache .ruff_cache

# Regenerate the Colab/Binder badges and the Colab install line from [tool.amld] in pyproject.toml.
links: setup
	$(BIN)/python tools/sync_links.py
