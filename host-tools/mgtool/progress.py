"""Progress bars for long transfers (tqdm, on stderr so stdout stays clean; off when stderr is not a tty)."""
import sys

from tqdm import tqdm


class Progress:
    def __init__(self, total, desc, quiet=False):
        self.bar = tqdm(total=total, desc=desc, unit="B", unit_scale=True, unit_divisor=1024,
                        disable=True if quiet else None, file=sys.stderr, leave=True, dynamic_ncols=True)

    def __call__(self, n):
        self.bar.update(n)

    def close(self):
        self.bar.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
