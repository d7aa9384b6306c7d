"""Signals between features: one feature announces, another listens, neither imports the
other."""

from blinker import Namespace

_signals = Namespace()

# Sent after progress events are committed, with `people`: the ids whose progress changed.
progress_recorded = _signals.signal("progress-recorded")
