"""``python -m hub`` is the ``tcf-hub`` command (and, with ``_migrate-store``, the hub's own
migration child, which skips the CLI's imports: see ``hub.store.migrate.CHILD_COMMAND``)."""

import sys


def main() -> None:
    """Run the migration child or the ``tcf-hub`` command line."""
    if sys.argv[1:] == ["_migrate-store"]:
        from hub.store.migrate import child_main

        child_main()
        return
    from hub.cli import cli

    cli(prog_name="tcf-hub")


if __name__ == "__main__":
    main()
