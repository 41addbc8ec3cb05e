import sys

from bot.cli import main

# Guarded: worker processes (spawned to tokenize a full index build) import the main module again.
if __name__ == "__main__":
    sys.exit(main())
