"""How fast does notebook 03 train the convnet of slide 42?  `python bench/mnist_speed.py [--epochs N]`

It reads the code cells tagged "slide42" in notebooks/03-mnist-cnn-gpu.ipynb (the network, the training
loop, the evaluation) and runs them headless, so it measures exactly the code the notebook teaches: in
full mode by default (60,000 training images, 10 epochs), on the device that `helpers` picks (CUDA, else
MPS, else CPU). In the same run it times the slide's own 2018 loop (its range corrected, the loss read
after every batch as on the slide) for --slide-epochs epochs, so that "the notebook is not slower than
the slide's loop" is a measurement. It prints seconds per epoch, images per second, the final test
error, the device and the versions. Run it alone: any other work on the machine skews the timings.
"""

import argparse
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "notebooks" / "03-mnist-cnn-gpu.ipynb"
TAG = "slide42"
SLIDE_SECONDS, SLIDE_IMAGES = 7.0, 10 * 60_000  # slide 42: "about 7 s on a GTX1080" for 10 epochs of 60,000

sys.path.insert(0, str(ROOT))  # `helpers` without `pip install -e .`


def notebook_cells(path=NOTEBOOK, tag=TAG):
    """The sources of the code cells of `path` tagged `tag`, in notebook order."""
    cells = json.loads(path.read_text())["cells"]
    sources = ["".join(c["source"]) for c in cells
               if c["cell_type"] == "code" and tag in c.get("metadata", {}).get("tags", [])]
    if not sources:
        sys.exit(f"no code cell tagged {tag!r} in {path.relative_to(ROOT)}")
    for source in sources:
        if any(line.lstrip().startswith(("%", "!")) for line in source.splitlines()):
            sys.exit(f"a cell tagged {tag!r} uses IPython syntax (% or !), which a script cannot run")
    return sources


def load_notebook_code():
    """Run the notebook's slide42 cells in a fresh namespace and return it (Net, train, error_rate, ...)."""
    namespace = {"__name__": "notebook03"}
    for i, source in enumerate(notebook_cells()):
        exec(compile(source, f"{NOTEBOOK.name}, {TAG} cell {i + 1}", "exec"), namespace)
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


class SlideLoop:
    """The loop of the 2018 slide as written, with its range corrected and `loss.data[0]` spelt `.item()`.

    Each call of `epoch()` makes one more epoch on the same model and returns its duration in seconds.
    """

    def __init__(self, Net, train_input, train_target, device, bs=100, lr=0.1):
        import torch
        from torch import nn

        self.model, self.criterion = Net().to(device), nn.CrossEntropyLoss()
        self.optimizer = torch.optim.SGD(self.model.parameters(), lr=lr)
        self.train_input, self.train_target, self.device, self.bs = train_input, train_target, device, bs

    def epoch(self):
        model, criterion, optimizer, bs = self.model, self.criterion, self.optimizer, self.bs
        train_input, train_target = self.train_input, self.train_target
        synchronize(self.device)
        start = time.perf_counter()
        sum_loss = 0
        for b in range(0, train_input.size(0), bs):
            output = model(train_input.narrow(0, b, bs))
            loss = criterion(output, train_target.narrow(0, b, bs))
            sum_loss = sum_loss + loss.item()  # the slide: loss.data[0]; the host waits for every batch
            model.zero_grad()
            loss.backward()
            optimizer.step()
        synchronize(self.device)
        return time.perf_counter() - start


def warm_up(Net, train_input, train_target, device, steps=20):
    """A few untimed steps, so that neither loop pays for the library's one-time set-up."""
    import torch
    from torch.nn import functional as F

    model = Net().to(device)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    for b in range(0, 100 * steps, 100):
        loss = F.cross_entropy(model(train_input[b:b + 100]), train_target[b:b + 100])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    synchronize(device)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=10, help="epochs of the notebook's loop (default 10)")
    parser.add_argument("--slide-epochs", type=int, default=2,
                        help="epochs of the slide's loop, half before and half after the notebook's (default 2)")
    parser.add_argument("--n-train", type=int, default=60_000, help="training images (default all 60,000)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    if args.epochs < 1 or args.slide_epochs < 1 or args.n_train % 100:
        parser.error("--epochs and --slide-epochs must be at least 1, --n-train a multiple of 100")

    import torch
    import torchvision

    import helpers

    code = load_notebook_code()
    Net, train, error_rate = code["Net"], code["train"], code["error_rate"]
    device = helpers.get_device()
    name = helpers.device_name(device) if device.type != "cpu" else f"{cpu_name()}, {os.cpu_count()} cores"
    print(f"benchmark : {NOTEBOOK.relative_to(ROOT)}, its code cells tagged {TAG!r} run headless")
    print(f"device    : {device.type} - {name}, torch threads {torch.get_num_threads()}")
    print(f"versions  : Python {platform.python_version()}, torch {torch.__version__}, "
          f"torchvision {torchvision.__version__}, {platform.system()} {platform.machine()}")
    if hasattr(os, "getloadavg"):
        print(f"load      : {os.getloadavg()[0]:.2f} (1-minute load average at the start)")

    train_input, train_target, test_input, test_target = helpers.load_mnist(
        n_train=args.n_train, normalize=True, device=device)
    n = train_input.size(0)
    print(f"data      : {n:,} training and {test_input.size(0):,} test images, normalised, on {device.type}")
    warm_up(Net, train_input, train_target, device)

    # The slide's loop runs half of its epochs before the notebook's loop and half after, so that a change
    # in the machine's load during the run weighs on both loops alike.
    helpers.seed_everything(args.seed)
    slide = SlideLoop(Net, train_input, train_target, device)
    before = (args.slide_epochs + 1) // 2
    slide_seconds = [slide.epoch() for _ in range(before)]

    print(f"\nthe notebook's loop, {args.epochs} epochs:")
    helpers.seed_everything(args.seed)
    model = Net().to(device)
    history = train(model, train_input, train_target, test_input, test_target, args.epochs, bs=100, lr=0.1)

    slide_seconds += [slide.epoch() for _ in range(args.slide_epochs - before)]
    print(f"\nthe slide's own loop, {args.slide_epochs} epoch(s), same data, same seed "
          f"({before} before the notebook's loop, {args.slide_epochs - before} after):")
    for e, s in enumerate(slide_seconds):
        print(f"epoch {e + 1:2d}/{args.slide_epochs}: {s:5.1f} s")
    slide_error = error_rate(slide.model, test_input, test_target)

    seconds = history["seconds"]
    nb_total, nb_median, slide_median = sum(seconds), statistics.median(seconds), statistics.median(slide_seconds)
    nb_error, expected_steps = history["test_error"][-1], args.epochs * (n // 100)
    ratio = nb_median / slide_median
    verdict = "not slower than" if ratio <= 1 else "about as fast as (within 5%)" if ratio <= 1.05 else "SLOWER than"
    print("\nresults")
    print(f"notebook loop : {args.epochs} epochs x {n:,} images in {nb_total:.1f} s of training, "
          f"{nb_total / args.epochs:.2f} s per epoch (median {nb_median:.2f}), "
          f"{args.epochs * n / nb_total:,.0f} images/s")
    print(f"                {history['steps']} SGD steps (expected {expected_steps}), "
          f"final test error {100 * nb_error:.2f}%")
    print(f"slide loop    : {sum(slide_seconds) / len(slide_seconds):.2f} s per epoch (median {slide_median:.2f}), "
          f"{n * len(slide_seconds) / sum(slide_seconds):,.0f} images/s")
    if args.slide_epochs <= args.epochs:
        print(f"                test error after {args.slide_epochs} epoch(s): {100 * slide_error:.2f}% "
              f"(the notebook's loop: {100 * history['test_error'][args.slide_epochs - 1]:.2f}%)")
    print(f"ratio         : notebook / slide seconds per epoch (medians) = {ratio:.3f}, "
          f"the notebook's loop is {verdict} the slide's loop")
    print(f"slide, 2018   : about {SLIDE_SECONDS:.0f} s for 10 epochs on a GTX1080, "
          f"{SLIDE_IMAGES / SLIDE_SECONDS:,.0f} images/s, about 1% test error")
    if hasattr(os, "getloadavg"):
        print(f"load          : {os.getloadavg()[0]:.2f} (1-minute load average at the end)")
    if history["steps"] != expected_steps:
        sys.exit(f"the notebook's loop made {history['steps']} steps, expected {expected_steps}")


if __name__ == "__main__":
    main()
