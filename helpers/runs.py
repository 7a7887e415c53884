"""Notebook 04's bookkeeping: `run_seeds` keeps each run in a results file, under a fingerprint of the code that
trains; `train_together` trains many seeds as one model, meant to be faster on a GPU (not measured). No side effects."""

import hashlib
import inspect
import json
import os
import platform
import time
from datetime import datetime, timezone

import torch
from torch.nn import functional as F

from .config import device_name


def _bytecode_text(code):
    """The compiled code of a function as text, its nested functions included, without addresses or line numbers."""
    consts = [_bytecode_text(c) if inspect.iscode(c) else repr(c) for c in code.co_consts]
    return repr((code.co_code, consts, code.co_names, code.co_varnames))


def code_fingerprint(*objects):
    """A short hash of the code of `objects` (functions, and classes with all their methods): it changes when one
    line of that code changes, and stays the same when nothing does, wherever the code is defined."""
    texts = [obj.__qualname__ for obj in objects]
    for obj in objects:
        for f in [f for f in vars(obj).values() if inspect.isfunction(f)] if inspect.isclass(obj) else [obj]:
            try:
                texts.append(inspect.getsource(f))
            except (OSError, TypeError):  # defined by exec() without a file: its compiled code stands in
                texts.append(_bytecode_text(f.__code__))
    return hashlib.sha256("\n".join(texts).encode()).hexdigest()[:12]


def append_run(path, run):
    """Append one run as one whole line, forced to disk: a crash can only tear the line being written.
    Returns None, or the error that kept the line from the disk (a full disk, say)."""
    try:
        torn = path.exists() and path.read_bytes()[-1:] not in (b"", b"\n")  # the last writer died mid-line
        with open(path, "a") as f:
            f.write(("\n" if torn else "") + json.dumps(run) + "\n")  # a torn line stays on a line of its own
            f.flush()
            os.fsync(f.fileno())
    except OSError as error:
        return error


def finished_runs(path, config):
    """The runs of exactly this configuration in the results file, as {seed: run} (the first line of a seed
    counts), and the number of lines torn by an interrupted write: skipped, so that their runs train again."""
    done, torn = {}, 0
    for line in path.read_text().splitlines() if path.exists() else []:
        try:
            run = json.loads(line)
        except json.JSONDecodeError:  # an empty line is no torn one
            torn, run = torn + bool(line), None
        if run is not None and all(run.get(key) == value for key, value in config.items()):
            done.setdefault(run["seed"], run)
    return done, torn


def run_seeds(path, config, seeds, one_run, together=None, group=25):
    """All runs of `config` in the results file `path`, {seed: run}, once the `seeds` missing there are trained, each
    by `one_run(seed, on_epoch)`, which returns its wrong answers (a boolean per test image), or `group` at a time by
    `together(seeds, on_epoch)` if given. Each run is written to `path` as it ends: the next call re-uses it."""
    from tqdm.auto import tqdm

    done, torn = finished_runs(path, config)
    missing, unsaved, size = [seed for seed in seeds if seed not in done], {}, group if together else 1
    with tqdm(total=len(seeds), initial=len(seeds) - len(missing), desc="runs", unit="run") as bar:
        for batch in [missing[i:i + size] for i in range(0, len(missing), size)]:
            def on_epoch(epoch, now=f"seed {batch[0]}" + (f"-{batch[-1]}" if batch[1:] else "")):
                bar.set_postfix_str(f"{now}: epoch {epoch}/{config['epochs']}")

            start = time.perf_counter()
            wrong = together(batch, on_epoch) if together else [one_run(batch[0], on_epoch)]
            seconds, device = (time.perf_counter() - start) / len(batch), wrong[0].device
            for seed, w in zip(batch, wrong, strict=True):
                done[seed] = {**config, "seed": seed, "test_error": round(w.float().mean().item(), 6),
                              "wrong_images": w.nonzero().flatten().tolist(), "seconds": round(seconds, 1),
                              "trained_with": len(batch), "device": f"{device.type} - {device_name(device)}",
                              "versions": {"python": platform.python_version(), "torch": torch.__version__},
                              "finished": datetime.now(timezone.utc).isoformat(timespec="seconds")}
                if (error := append_run(path, done[seed])) is not None:
                    unsaved[seed] = error
            bar.update(len(batch))
    print(f"reused {len(seeds) - len(missing)} finished runs, trained {len(missing)} new (results file: "
          f"{path.name}{f'; {torn} torn line skipped' if torn else ''})")
    if unsaved:
        print(f"NOT SAVED: {len(unsaved)} run(s) ({next(iter(unsaved.values())).strerror}), used below in this session "
              f"only: free space on the disk of {path}, or set AMLD_RESULTS to another folder.")
    return done


def train_together(new_model, seeds, train_input, train_target, nb_epochs, batch_size, lr, on_epoch=None):
    """Train the networks `new_model(seed)` of all `seeds` at once, as one batched model; return them. `vmap` runs
    the network once per slice of their stacked weights (conv1, whose input they share, as one convolution with
    K x 32 output channels; conv2 as a grouped one), and the loss sums the K networks' mean cross-entropies, so
    each gets the gradient of its own. In exact arithmetic that is each seed's training alone (tested in float64
    on a CPU); in float32, or TF32 (cuDNN's default for convolutions on recent NVIDIA GPUs, by PyTorch's
    documentation), rounding differs and training amplifies it: a seed's test error may differ from its own run's."""
    from torch.func import functional_call, stack_module_state, vmap

    models = [new_model(seed) for seed in seeds]
    weights, _ = stack_module_state(models)  # {"conv1.weight": K x 32 x 1 x 5 x 5, ...}, leaf tensors
    # models[0] with the k-th slice of `weights` in place of its own parameters: network k, on one batch x
    all_nets = vmap(lambda w, x: functional_call(models[0], w, (x,)), in_dims=(0, None))
    optimizer = torch.optim.SGD(weights.values(), lr=lr)
    for e in range(nb_epochs):
        for b in range(0, train_input.size(0), batch_size):
            output = all_nets(weights, train_input[b:b + batch_size])  # K x B x 10
            target = train_target[b:b + batch_size]
            # the sum of the K x B terms / B: the sum over the K networks of each one's mean cross-entropy
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
