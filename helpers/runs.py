"""Notebook 04's bookkeeping of training runs: a results file that survives interruptions, and many seeds at once.

A finished run is one JSON line in a results file: `append_run` adds it, `finished_runs` reads back the runs of
one configuration, skipping a line torn by an interrupted write. A run's configuration carries a fingerprint of
the code that trains (`code_fingerprint`), so that editing the network or the training loop trains afresh
instead of returning old runs. `train_together` trains several seeds as one batched model (faster on a GPU).

Importing this module does nothing else.
"""

import hashlib
import inspect
import json
import os
import platform
from datetime import datetime, timezone

import torch
from torch.nn import functional as F

from .config import device_name


def _bytecode_text(code):
    """The compiled code of a function as text, its nested functions included, without addresses or line numbers."""
    consts = [_bytecode_text(c) if inspect.iscode(c) else repr(c) for c in code.co_consts]
    return repr((code.co_code, consts, code.co_names, code.co_varnames))


def _code_text(obj):
    """The source of a function, or of each function defined in a class; the bytecode where no source is found."""
    functions = [f for f in vars(obj).values() if inspect.isfunction(f)] if inspect.isclass(obj) else [obj]
    texts = [obj.__qualname__]
    for function in functions:
        try:
            texts.append(inspect.getsource(function))
        except (OSError, TypeError):  # defined by exec() without a file: its compiled code stands in
            texts.append(_bytecode_text(function.__code__))
    return "\n".join(texts)


def code_fingerprint(*objects):
    """A short hash of the code of `objects` (classes, with all their methods, and functions).

    It changes when one line of that code changes and stays the same when nothing does, wherever the code is
    defined (a notebook cell, a module)."""
    digest = hashlib.sha256("\n".join(_code_text(obj) for obj in objects).encode())
    return digest.hexdigest()[:12]


def append_run(path, run):
    """Append one run as one whole line, forced to disk: a crash can only tear the line being written.

    Returns None, or the error that kept the line from the disk (a full disk, say): the run then lives on in
    memory only, for this session."""
    try:
        torn = path.exists() and path.read_bytes()[-1:] not in (b"", b"\n")  # the last writer died mid-line
        with open(path, "a") as f:
            f.write(("\n" if torn else "") + json.dumps(run) + "\n")  # a torn line stays on a line of its own
            f.flush()
            os.fsync(f.fileno())
    except OSError as error:
        return error


def load_runs(path):
    """All the runs in the results file (a list of dicts), and the number of torn lines skipped."""
    lines = [line for line in path.read_text().splitlines() if line] if path.exists() else []
    runs = []
    for line in lines:
        try:
            runs.append(json.loads(line))
        except json.JSONDecodeError:  # a line torn by an interrupted run: that run is simply trained again
            pass
    return runs, len(lines) - len(runs)


def finished_runs(path, config):
    """The runs of exactly this configuration, as {seed: run} (the first line of a seed counts), and the torn lines."""
    runs, torn = load_runs(path)
    done = {}
    for run in runs:
        if all(run.get(key) == value for key, value in config.items()):
            done.setdefault(run["seed"], run)
    return done, torn


def run_record(config, seed, wrong, seconds, trained_with, device):
    """The record of one finished run: `wrong` holds one boolean per test image (is its answer wrong?)."""
    return {**config, "seed": seed, "test_error": round(wrong.float().mean().item(), 6),
            "wrong_images": wrong.nonzero().flatten().tolist(),  # the indices of the test images it gets wrong
            "seconds": round(seconds, 1), "trained_with": trained_with,  # how many seeds trained at once
            "device": f"{device.type} - {device_name(device)}",
            "versions": {"python": platform.python_version(), "torch": torch.__version__},
            "finished": datetime.now(timezone.utc).isoformat(timespec="seconds")}


def train_together(new_model, seeds, train_input, train_target, nb_epochs, batch_size, lr, on_epoch=None):
    """Train the networks `new_model(seed)` of all `seeds` at once, as one batched model; return them.

    The same SGD as training each one alone (nb_epochs passes in order, batch_size images per step, learning
    rate lr), computed for the K networks together: `stack_module_state` stacks their weights into tensors with a
    first dimension of size K, and `vmap` runs the network once per slice on the same batch of images. conv1's
    input, the image batch, is shared by the K networks, so it becomes one convolution with K x 32 output
    channels; from conv2 on, each network has its own input, so it becomes a grouped convolution with K groups.
    The loss is the sum over the K networks of each one's mean cross-entropy: the gradient of network k's
    weights is then the gradient of its own loss, and SGD, which updates each weight on its own, makes network
    k's own step. In exact arithmetic that is the very training of each seed alone; in float32 it is the same
    up to rounding (tests/test_notebook04_together.py checks it in float64)."""
    from torch.func import functional_call, stack_module_state, vmap

    models = [new_model(seed) for seed in seeds]
    weights, _ = stack_module_state(models)  # {"conv1.weight": K x 32 x 1 x 5 x 5, ...}, leaf tensors
    with torch.device("meta"):
        shape = type(models[0])()  # a network without values: functional_call fills in one slice of `weights`
    all_nets = vmap(lambda w, x: functional_call(shape, w, (x,)), in_dims=(0, None))  # one batch x, K networks
    optimizer = torch.optim.SGD(weights.values(), lr=lr)
    for e in range(nb_epochs):
        for b in range(0, train_input.size(0), batch_size):
            output = all_nets(weights, train_input[b:b + batch_size])  # K x B x 10
            target = train_target[b:b + batch_size]
            # sum over all K x B terms / B = the sum over the K networks of each one's mean cross-entropy
            loss = F.cross_entropy(output.flatten(0, 1), target.repeat(len(seeds)), reduction="sum") / len(target)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        if on_epoch is not None:
            on_epoch(e + 1)
    with torch.no_grad():  # back to K ordinary networks
        for k, model in enumerate(models):
            for name, parameter in model.named_parameters():
                parameter.copy_(weights[name][k])
    return models
