"""``python -m thaadsim`` runs the command line."""

from thaadsim.cli import main

main()
