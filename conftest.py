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


def pytest_runtest_setup(item):
    # After the first failing cell of a notebook the rest would fail with NameError: report them as skipped.
    if IPyNbCell is not None and isinstance(item, IPyNbCell) and item.parent.nodeid in _failed_notebooks:
        pytest.skip("an earlier cell of this notebook failed")
