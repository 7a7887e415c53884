"""Notebook 00: its exercises' checks refuse the lesson's counting tools and answers copied from the lesson.

The three exercises are tried in one kernel (run_tries, in test_exercise_checks.py)."""

import pytest
from test_exercise_checks import assert_verdicts, run_tries

NB = "00-why-deep-learning.ipynb"
PLAIN, STRIDED = "out_side, stride 1 and no padding", "out_side, with strides and paddings"


OUT_SIDE_TRIES = {
    "placeholder": "",
    "a layer run": "def out_side(n, k, s=1, p=0):\n"
                   "    return nn.Conv2d(1, 1, k, s, p)(torch.zeros(1, 1, n, n)).shape[-1]",
    "a layer under another name": "P = nn.functional.max_pool2d\n\n\ndef out_side(n, k, s=1, p=0):\n"
                                  "    return P(torch.zeros(1, 1, n, n), k, s, p).shape[-1]",
    "the lesson's C1": "def out_side(n, k, s=1, p=0):\n    return lenet5[0](torch.zeros(1, 1, n, n)).shape[-1]",
    "no padding": "def out_side(n, k, s=1, p=0):\n    return (n - k) // s + 1",
    "no floor": "def out_side(n, k, s=1, p=0):\n    return (n + 2 * p - k) / s + 1",
    "raises": "def out_side(n, k, s=1, p=0):\n    raise ValueError('oops')",
    "the solution": "SOLUTION",
}
CONV_TRIES = {
    "count()": "def conv_params(c_in, c_out, k):\n"
               "    return count(nn.Conv2d(c_in, c_out, k), (c_in, k, k))['params']\n"
               "\n\ndef conv_macs(c_in, c_out, k, h, w):\n"
               "    return count(nn.Conv2d(c_in, c_out, k), (c_in, h + k - 1, w + k - 1))['macs']",
    "numel, through a helper": "def weights(c_in, c_out, k):\n"
                               "    return sum(p.numel() for p in nn.Conv2d(c_in, c_out, k).parameters())\n\n\n"
                               "def conv_params(c_in, c_out, k):\n    return weights(c_in, c_out, k)\n\n\n"
                               "def conv_macs(c_in, c_out, k, h, w):\n    return c_out * h * w * c_in * k * k",
    "AlexNet's values": "def conv_params(c_in, c_out, k):\n    return 23_296\n\n\n"
                        "def conv_macs(c_in, c_out, k, h, w):\n    return 70_276_800",
    "no bias, MACs per output": "def conv_params(c_in, c_out, k):\n    return c_out * c_in * k**2\n\n\n"
                                "def conv_macs(c_in, c_out, k, h, w):\n    return c_in * k**2",
    "the solution": "SOLUTION",
}
FC_TRIES = {
    "read off the table": "def fc_params(layers):\n"
                          "    return round(measured['VGG-16']['fc_params'] * measured['VGG-16']['params'])\n\n\n"
                          "def fc_macs(layers):\n"
                          "    return round(measured['VGG-16']['macs'] * (1 - measured['VGG-16']['conv_macs']))",
    "nn.Linear": "def fc_params(layers):\n    return sum(sum(p.numel() for p in nn.Linear(n, m).parameters())"
                 " for n, m in layers)\n\n\n"
                 "def fc_macs(layers):\n    return sum(n * m for n, m in layers)",
    "no bias": "def fc_params(layers):\n    return sum(n * m for n, m in layers)\n\n\n"
               "def fc_macs(layers):\n    return sum(n * m for n, m in layers)",
    "the solution": "SOLUTION",
}


@pytest.fixture(scope="module")
def notebook_00():
    return run_tries(NB, {"def out_side": OUT_SIDE_TRIES, "def conv_params": CONV_TRIES, "def fc_params": FC_TRIES})


def test_00_out_side_refuses_layers_and_half_formulas(notebook_00):
    verdicts = notebook_00["def out_side"]
    assert_verdicts(verdicts, {
        "placeholder": {PLAIN: "not yet (replace the None", STRIDED: "not yet (replace the None"},
        "a layer run": {"out_side": "not yet (it uses Conv2d"},
        "a layer under another name": {"out_side": "not yet (it uses max_pool2d"},
        "the lesson's C1": {PLAIN: "not yet", STRIDED: "not yet"},
        "no padding": {PLAIN: "correct", STRIDED: "not yet"},
        "no floor": {PLAIN: "correct", STRIDED: "not yet"},
        "raises": {PLAIN: "not yet (out_side(", STRIDED: "not yet (out_side("},
        "the solution": {PLAIN: "correct", STRIDED: "correct"},
    })
    assert all(PLAIN not in v for v in (verdicts["a layer run"], verdicts["a layer under another name"]))


def test_00_conv_counts_refuse_pytorch_counts(notebook_00):
    P, M = "conv_params on the check's own convolutions", "conv_macs on the check's own convolutions"
    verdicts = notebook_00["def conv_params"]
    assert_verdicts(verdicts, {
        "count()": {"conv_params": "not yet (it uses Conv2d", "conv_macs": "not yet (it uses Conv2d"},
        "numel, through a helper": {"conv_params": "not yet (it uses Conv2d", M: "correct"},
        "AlexNet's values": {P: "not yet", M: "not yet"},
        "no bias, MACs per output": {P: "not yet", M: "not yet"},
        "the solution": {P: "correct", M: "correct"},
    })


def test_00_fc_counts_refuse_copies_from_the_table(notebook_00):
    P, M = "fc_params on the check's own layers", "fc_macs on the check's own layers"
    verdicts = notebook_00["def fc_params"]
    assert_verdicts(verdicts, {
        "read off the table": {P: "not yet", M: "not yet"},
        "nn.Linear": {"fc_params": "not yet (it uses Linear", M: "correct"},
        "no bias": {P: "not yet", M: "correct"},
        "the solution": {P: "correct", M: "correct"},
    })
