"""``python -m yescale.cli``: the ``yescale`` command."""

from . import main

main()
