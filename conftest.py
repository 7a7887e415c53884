"""pytest set-up: notebooks run under nbval in quick mode unless AMLD_QUICK says otherwise."""

import os

import pytest

# Kernels inherit this process's environment when they start, so set it at import time.
os.environ.setdefault("AMLD_QUICK", "1")  # AMLD_QUICK=0 pytest runs the full lecture

try:
    from nbval.plugin import IPyNbCell, IPyNbFile
except ImportError:  # nbval missing: the unit tests still run
    IPyNbCell = IPyNbFile = None

_failed_notebooks = set()


def pytest_collectstart(collector):
    if IPyNbFile is not None and isinstance(collector, IPyNbFile):
        collector.skip_compare += ("stderr",)  # warnings are not regressions of a checked output


def pytest_collection_modifyitems(config, items):
    for item in items:
        if IPyNbCell is not None and isinstance(item, IPyNbCell):
            item.output_timeout = 60  # nbval waits only 5 s by default for a cell's last output


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if IPyNbCell is not None and isinstance(item, IPyNbCell) and report.when == "call" and report.failed:
        _failed_notebooks.add(item.parent.nodeid)
        if "Timeout" in report.longreprtext:  # nbval names the notebook and the cell; add what it ran on
            from tools.execute import versions
            report.sections.append(("versions", versions()))


def pytest_runtest_setup(item):
    if IPyNbCell is None or not isinstance(item, IPyNbCell):
        return
    # After the first failing cell of a notebook the rest would fail with NameError: report them as skipped.
    if item.parent.nodeid in _failed_notebooks:
        pytest.skip("an earlier cell of this notebook failed")
    # Each cell's limit, unless --nbval-cell-timeout says otherwise: tools/execute.py's, sized from the slowest cell.
    if not any(arg.startswith("--nbval-cell-timeout") for arg in item.config.invocation_params.args):
        from tools.execute import QUICK_LIMIT, limit_for
        quick = os.environ["AMLD_QUICK"] != "0"
        item.config.option.nbval_cell_timeout = QUICK_LIMIT if quick else limit_for(item.parent.path)
