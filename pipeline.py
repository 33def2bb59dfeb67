#!/usr/bin/env python3
"""Entry point: `python pipeline.py prepare --kommune Slagelse` (see --help)."""

import sys

from servicetjek.cli import main

if __name__ == "__main__":
    sys.exit(main())
