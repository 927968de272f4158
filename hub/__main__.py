"""``python -m hub`` is the ``tcf-hub`` command."""

from hub.cli import cli

if __name__ == "__main__":
    cli(prog_name="tcf-hub")
