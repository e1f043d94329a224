"""Run the workshop command with python -m workshop."""

from .cli import main

main()
