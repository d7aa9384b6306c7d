"""What a web worker does once as it starts, so that no villager's request pays for it and
the worker stays within its memory budget (DESIGN.md §5: ≤ 80 MB RSS)."""

import ctypes
import ctypes.util

from flask import Flask

# glibc's mallopt(3) parameter numbers (malloc.h).
_M_MMAP_THRESHOLD = -3
# Blocks at least this large get their own mapping, given back the moment they are freed.
MMAP_THRESHOLD = 1024 * 1024


def keep_large_blocks_returnable() -> bool:
    """Each sign-in's argon2id hash allocates one 7 MiB block. glibc's default raises its
    mmap threshold after the first such block is freed, so later ones come from the heap
    and their pages stay with the worker for good (+7 MB RSS, measured by bench/memory.py).
    A fixed threshold keeps them mapped and returned. False where libc is not glibc."""
    name = ctypes.util.find_library("c")
    if not name:
        return False
    try:
        libc = ctypes.CDLL(name)
        return bool(libc.mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD))
    except (OSError, AttributeError):
        return False


def start(app: Flask) -> None:
    """Prepare a web worker: fixed malloc thresholds, then the course catalog read."""
    from .content.catalog import catalog
    from .families.criteria import current_criteria

    keep_large_blocks_returnable()
    with app.app_context():
        catalog()
        current_criteria()  # the Digital Family criteria file, its problems logged
