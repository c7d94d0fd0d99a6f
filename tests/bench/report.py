"""Plain-text tables for the crypto benchmark."""

# Goals from the performance requirements, as a multiple of OpenSSL's time.
GOALS = {"aead-1420": 4.0, "x25519": 3.0}

ROW_LABEL = {
    "aead-64": "ChaCha20-Poly1305 encrypt 64 B",
    "aead-1420": "ChaCha20-Poly1305 encrypt 1420 B",
    "aead-8192": "ChaCha20-Poly1305 encrypt 8192 B",
    "blake2s-64": "BLAKE2s 64 B",
    "blake2s-1420": "BLAKE2s 1420 B",
    "x25519": "X25519 (one scalar mult)",
}


def _table(header, rows):
    widths = [max(len(str(r[i])) for r in [header] + rows) for i in range(len(header))]

    def fmt(r):  # first column left-aligned, numbers right-aligned
        return "  ".join(str(c).ljust(w) if i == 0 else str(c).rjust(w) for i, (c, w) in enumerate(zip(r, widths)))

    return "\n".join([fmt(header), "  ".join("-" * w for w in widths)] + [fmt(r) for r in rows])


def timing_table(rids, openssl, timed):
    """openssl: {rid: us}; timed: [(column, backend, {rid: us})]."""
    header = ["us per call", "OpenSSL"]
    for col, backend, _ in timed:
        header += ["%s (%s)" % (col, backend), "ratio"]
    header.append("goal")
    rows = []
    for rid in rids:
        row = [ROW_LABEL[rid], "%.2f" % openssl[rid]]
        for col, _, us in timed:
            row += ["%.2f" % us[rid], "%.1fx" % (us[rid] / openssl[rid])]
        goal = GOALS.get(rid)
        if goal:
            ok = timed[0][2][rid] / openssl[rid] <= goal
            row.append("<=%gx %s" % (goal, "met" if ok else "MISSED"))
        else:
            row.append("")
        rows.append(row)
    return _table(header, rows)


def count_table(rids, counts, sizes):
    """counts: [(column, backend, {rid: insns per op})]; AEAD rows per byte, others per call."""
    header = ["instructions"] + [c for c, _, _ in counts]
    rows = [["backend"] + [b for _, b, _ in counts]]
    for rid in rids:
        per_byte = rid.startswith("aead")
        label = ROW_LABEL[rid] + (" /byte" if per_byte else " /call")
        cells = []
        for _, _, v in counts:
            x = v.get(rid)
            cells.append("-" if x is None else ("%.2f" % (x / sizes[rid]) if per_byte else "%d" % round(x)))
        rows.append([label] + cells)
    rows.append(["loop overhead /iter (subtracted)"] + ["%.1f" % v["empty"] for _, _, v in counts])
    return _table(header, rows)
