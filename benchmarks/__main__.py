"""Entry point: ``python -m benchmarks [--only NAME ...] [--rounds N] [--json FILE]``."""
from .run import main

main()
