"""``python -m pressrun`` runs the command line interface."""

from .cli import main

if __name__ == "__main__":  # Dask starts its workers by re-importing the main module: they must not run the CLI
    main()
