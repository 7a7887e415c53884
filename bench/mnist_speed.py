"""How fast do notebooks 03 and 04 train the convnet of slide 42?  `python bench/mnist_speed.py [--epochs N]`

It runs the notebooks' own code headless: the code cells tagged "slide42" of notebook 03 (slide 42's network
`Net` in the default NCHW layout, the same network `NetChannelsLast` for channels-last tensors, `train_epoch`,
`error_rate`), those tagged "training" of notebook 04 (`new_model`, `train_model`) and `helpers.runs.train_together`,
on the device that `helpers` picks (CUDA, else MPS, else the CPU). In one run it prints:

1. the device's float32 matrix-product speed, measured as notebook 00 measures it: the limit to judge by;
2. slide 42's training in its NCHW layout and the same training in channels last (notebook 03's "Making it
   faster" section, at full length), trained from the same seed on the same data, their epochs interleaved
   (NCHW then channels last, channels last then NCHW, ...) so that a change in the machine's load weighs on
   both: seconds per epoch, their ratio, the test error of both after the same epochs, and the fraction of the
   matrix-product speed that each reaches;
3. K seeds trained together (notebook 04's batched model on a GPU) against the same K one by one, over a few
   hundred SGD steps, interleaved (one by one, together, together, one by one) and extrapolated to the slide's
   100 seeds x 10 epochs (and said so).

Run it alone: any other work on the machine skews the timings.
"""

import argparse
import contextlib
import io
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK_03 = ROOT / "notebooks" / "03-mnist-cnn-gpu.ipynb"
NOTEBOOK_04 = ROOT / "notebooks" / "04-evaluation-protocol.ipynb"
SLIDE_SECONDS, SLIDE_IMAGES = 7.0, 10 * 60_000  # slide 42: "about 7 s on a GTX1080" for 10 epochs of 60,000

sys.path.insert(0, str(ROOT))  # `helpers` without `pip install -e .`


def notebook_code(path, tag, namespace):
    """Run the code cells of `path` tagged `tag`, in notebook order, in `namespace`; return it."""
    cells = json.loads(path.read_text())["cells"]
    sources = ["".join(c["source"]) for c in cells
               if c["cell_type"] == "code" and tag in c.get("metadata", {}).get("tags", [])]
    if not sources:
        sys.exit(f"no code cell tagged {tag!r} in {path.relative_to(ROOT)}")
    for i, source in enumerate(sources):
        if any(line.lstrip().startswith(("%", "!")) for line in source.splitlines()):
            sys.exit(f"a cell tagged {tag!r} uses IPython syntax (% or !), which a script cannot run")
        with contextlib.redirect_stdout(io.StringIO()):  # what the cells print is for the notebook's reader
            exec(compile(source, f"{path.name}, {tag} cell {i + 1}", "exec"), namespace)
    return namespace


def cpu_name():
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def synchronize(device):
    import torch

    if device.type == "cuda":
        torch.cuda.synchronize(device)
    elif device.type == "mps":
        torch.mps.synchronize()


def timed(device, work):
    """Run work() and return the seconds it took, the device's queued work included."""
    synchronize(device)
    start = time.perf_counter()
    work()
    synchronize(device)
    return time.perf_counter() - start


def matmul_gflops(device, max_n):
    """The device's float32 matrix-product speed, as notebook 00 measures it: n grows until a product takes
    1/16 s; the best of 5 products after a warm-up one."""
    import torch

    def best(n):
        a, b = torch.randn(n, n, device=device), torch.randn(n, n, device=device)
        return min([timed(device, lambda: a @ b) for _ in range(6)][1:])

    n, seconds = 256, best(256)
    while 8 * seconds < 0.5 and 2 * n <= max_n:
        n *= 2
        seconds = best(n)
    return 2 * n**3 / seconds / 1e9, n


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=10, help="epochs of each loop (default 10, the slide's)")
    parser.add_argument("--n-train", type=int, default=60_000, help="training images (default all 60,000)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--together", type=int, default=None,
                        help="K, the seeds trained at once in part 3 (default 25 on a GPU, 4 on a CPU; 0 skips it)")
    parser.add_argument("--together-steps", type=int, default=None,
                        help="SGD steps timed per seed in part 3 (default 300 on a GPU, 50 on a CPU)")
    args = parser.parse_args()
    if args.epochs < 1 or args.n_train < 100 or args.n_train % 100:
        parser.error("--epochs must be at least 1, --n-train a multiple of 100")

    import torch
    import torchvision
    from torch import nn

    import helpers

    device = helpers.get_device()
    gpu = device.type != "cpu"
    together = args.together if args.together is not None else (25 if gpu else 4)
    together_steps = min(args.together_steps or (300 if gpu else 50), args.n_train // 100)
    nb03 = notebook_code(NOTEBOOK_03, "slide42", {"__name__": "notebook03"})
    Net, NetChannelsLast = nb03["Net"], nb03["NetChannelsLast"]
    train_epoch, error_rate = nb03["train_epoch"], nb03["error_rate"]

    name = helpers.device_name(device) if gpu else f"{cpu_name()}, {os.cpu_count()} cores"
    print("benchmark : notebook 03's cells tagged 'slide42', notebook 04's tagged 'training', run headless")
    print(f"device    : {device.type} - {name}, torch threads {torch.get_num_threads()}")
    print(f"versions  : Python {platform.python_version()}, torch {torch.__version__}, "
          f"torchvision {torchvision.__version__}, {platform.system()} {platform.machine()}")
    if hasattr(os, "getloadavg"):
        print(f"load      : {os.getloadavg()[0]:.2f} (1-minute load average at the start)")

    peak, peak_n = matmul_gflops(device, 16384 if gpu else 4096)
    print(f"limit     : {peak:,.0f} GFLOPS, float32 {peak_n} x {peak_n} matrix product (as notebook 00 measures it)")

    train_input, train_target, test_input, test_target = helpers.load_mnist(
        n_train=args.n_train, normalize=True, device=device)
    cl_train = train_input.contiguous(memory_format=torch.channels_last)  # the notebook's layout
    cl_test = test_input.contiguous(memory_format=torch.channels_last)
    n = train_input.size(0)
    print(f"data      : {n:,} training and {test_input.size(0):,} test images, normalised, on {device.type}")
    from torch.utils.flop_counter import FlopCounterMode

    with FlopCounterMode(display=False) as counter:
        Net()(torch.zeros(1, 1, 28, 28))
    epoch_flop = 3 * counter.get_total_flops() * n  # forward + backward (about twice the forward), every image

    # Warm-up: a few untimed steps of both layouts, so that neither pays for one-time set-up.
    for model, inputs in [(Net().to(device), train_input),
                          (NetChannelsLast().to(device, memory_format=torch.channels_last), cl_train)]:
        train_epoch(model, nn.CrossEntropyLoss(), torch.optim.SGD(model.parameters(), lr=0.1),
                    inputs[:2000], train_target[:2000], 100)

    helpers.seed_everything(args.seed)
    nchw = Net().to(device)  # notebook 03's "Train!" cell
    helpers.seed_everything(args.seed)
    last = NetChannelsLast().to(device, memory_format=torch.channels_last)  # its "Making it faster" section
    assert all(torch.equal(p, q) for p, q in zip(nchw.parameters(), last.parameters(), strict=True))
    runs = {"NCHW": (nchw, train_input), "channels last": (last, cl_train)}
    optimizers = {name: torch.optim.SGD(model.parameters(), lr=0.1) for name, (model, _) in runs.items()}
    criterion = nn.CrossEntropyLoss()

    print(f"\nslide 42's training in NCHW and in channels last, same seed ({args.seed}), epochs interleaved:")
    seconds, steps = {name: [] for name in runs}, 0
    for e in range(args.epochs):
        order = list(runs) if e % 2 == 0 else list(runs)[::-1]
        for name in order:
            model, inputs = runs[name]

            def one_epoch(model=model, inputs=inputs, name=name):
                nonlocal steps
                done, sum_loss = train_epoch(model, criterion, optimizers[name], inputs, train_target, 100)
                float(sum_loss)  # the epoch ends when its losses are known: the device has finished
                steps += done if name == "NCHW" else 0

            seconds[name].append(timed(device, one_epoch))
        print(f"epoch {e + 1:2d}/{args.epochs}: NCHW {seconds['NCHW'][-1]:6.2f} s, channels last "
              f"{seconds['channels last'][-1]:6.2f} s ({order[0]} first)", flush=True)
    errors = {"NCHW": error_rate(nchw, test_input, test_target),
              "channels last": error_rate(last, cl_test, test_target)}

    ratio = statistics.median(seconds["channels last"]) / statistics.median(seconds["NCHW"])
    print("\nresults")
    for name in runs:
        per_epoch = statistics.median(seconds[name])
        print(f"{name:13s} : {per_epoch:6.2f} s per epoch (median of {len(seconds[name])}; "
              f"mean {statistics.mean(seconds[name]):.2f}), "
              f"{n / per_epoch:,.0f} images/s, {epoch_flop / per_epoch / 1e9:,.0f} GFLOPS = "
              f"{epoch_flop / per_epoch / 1e9 / peak:.0%} of the matrix product; "
              f"test error after {args.epochs} epoch{'s' * (args.epochs > 1)} {100 * errors[name]:.2f}%")
    print(f"ratio         : channels last / NCHW seconds per epoch (medians) = {ratio:.3f}")
    print(f"                {steps} SGD steps in the NCHW training (expected {args.epochs * (n // 100)})")
    print(f"slide, 2018   : about {SLIDE_SECONDS:.0f} s for 10 epochs on a GTX1080, "
          f"{SLIDE_IMAGES / SLIDE_SECONDS:,.0f} images/s, about 1% test error")

    if together > 0:
        from helpers.runs import train_together

        nb04 = notebook_code(NOTEBOOK_04, "training", {"__name__": "notebook04", "device": device, "lr": 0.1,
                                                       "batch_size": 100, "nb_epochs": 1, "torch": torch,
                                                       "nn": nn, "F": torch.nn.functional})
        part = train_input[:100 * together_steps], train_target[:100 * together_steps]
        seeds = list(range(together))
        train_together(nb04["new_model"], seeds[:2], *(t[:200] for t in part), 1, 100, 0.1)  # warm-up

        def one_by_one():
            for seed in seeds:
                nb04["train_model"](nb04["new_model"](seed), *part)

        def all_at_once():
            train_together(nb04["new_model"], seeds, *part, 1, 100, 0.1)

        times = {one_by_one: [], all_at_once: []}
        for work in (one_by_one, all_at_once, all_at_once, one_by_one):  # interleaved: load weighs on both
            times[work].append(timed(device, work))
        alone, batched = statistics.mean(times[one_by_one]), statistics.mean(times[all_at_once])
        scale = 100 * 10 * (60_000 // 100) / (together * together_steps)  # to 100 seeds x 10 epochs x 600 steps
        print(f"\nseeds together: {together} seeds x {together_steps} SGD steps of batch 100, notebook 04's code, "
              "each way twice, interleaved:")
        for label, seconds_ in [("one by one", alone), ("together", batched)]:
            print(f"{label:13s} : {seconds_:7.2f} s (mean of 2; {1000 * seconds_ / together / together_steps:.2f} "
                  "ms per step and seed)")
        print(f"speed-up      : {alone / batched:.2f}x for training {together} seeds together")
        print(f"extrapolated  : the slide's 100 seeds x 10 epochs would take {alone * scale / 60:.1f} min one by one, "
              f"{batched * scale / 60:.1f} min {together} at a time (from {together * together_steps:,} "
              f"seed-steps, not measured over the whole run)")
    if hasattr(os, "getloadavg"):
        print(f"load          : {os.getloadavg()[0]:.2f} (1-minute load average at the end)")
    if steps != args.epochs * (n // 100):
        sys.exit(f"the notebook's loop made {steps} steps, expected {args.epochs * (n // 100)}")


if __name__ == "__main__":
    main()
