"""Runs encoded crypto cases on a target in batches and reports every mismatch."""
import os

OPS = open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "target_ops.py")).read()

# Boards compile each script in a 1 MiB heap: keep their batches small.
BATCH_CHARS = {"board": 12000, "unix": 4000000}


def run_cases(target, cases, timeout=900, portable=None):
    """portable=True/False sets wgcrypto.portable() before every batch (targets with an optimized path)."""
    limit = BATCH_CHARS["board" if hasattr(target, "proc") else "unix"]
    mode = "" if portable is None else "import wgcrypto\nwgcrypto.portable(%r)\n" % bool(portable)
    answers = {}
    batch, size = [], 0

    def flush():
        if not batch:
            return
        text = "\n".join("%d %s" % (i, call) for i, call in batch)
        out = target.run(mode + OPS + "\nrun_ops(%r)\n" % text, timeout=timeout)
        for line in out.splitlines():
            parts = line.split(" ", 1)
            if len(parts) == 2 and parts[0].isdigit():
                answers[int(parts[0])] = parts[1]
        batch.clear()

    try:
        for i, (_, call, _) in enumerate(cases):
            batch.append((i, call))
            size += len(call)
            if size > limit:
                flush()
                size = 0
        flush()
    finally:
        if portable:
            # a board keeps the setting for the rest of the session
            target.run("import wgcrypto\nwgcrypto.portable(False)\n")
    failures = []
    for i, (name, call, expected) in enumerate(cases):
        got = answers.get(i, "<no answer>")
        ok = got in expected if isinstance(expected, tuple) else (expected is None and not got.startswith("E")) or got == expected
        if not ok:
            failures.append("%s: expected %s, got %s (call %s)" % (name, _short(expected), _short(got), _short(call)))
    return failures


def _short(x, n=120):
    x = str(x)
    return x if len(x) <= n else x[:n] + "..."
