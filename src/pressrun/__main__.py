"""``python -m pressrun`` runs the command line interface."""

from .cli import main

main()
