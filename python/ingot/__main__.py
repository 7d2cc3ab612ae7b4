"""python -m ingot export DIR --to parquet|hf|megatron OUT"""
import sys

from .export import main as export

COMMANDS = {"export": export}

if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in COMMANDS:
        sys.exit(f"usage: python -m ingot {{{','.join(COMMANDS)}}} ...  (python -m ingot export --help)")
    COMMANDS[sys.argv[1]](sys.argv[2:])
