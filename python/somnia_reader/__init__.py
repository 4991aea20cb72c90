"""Read somnia's outputs with pandas and numpy.

>>> import somnia_reader as sr
>>> run = sr.load_run("runs/src-1")
>>> run.metrics                    # the timeline as a DataFrame
>>> t, i = run.spikes("h1", op="consolidate#0")
>>> sweep = sr.load_sweep("runs/src-sweep")
>>> cmp = sr.load_compare("runs/src-vs-sequential")

docs/python.md in the somnia repository walks through each of them.
"""

from .compare import Compare, load_compare
from .recordings import Rates, Spikes, State
from .run import Run, load_run
from .sweep import finals, load_sweep
from .tables import read_metrics_csv

__version__ = "0.1.0"

__all__ = [
    "Compare", "Rates", "Run", "Spikes", "State", "finals", "load_compare", "load_run",
    "load_sweep", "read_metrics_csv",
]
