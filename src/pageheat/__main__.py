from pageheat.cli import cli

cli()
