"""The `atlas` command. Each area registers its own commands; this module only assembles them."""

from __future__ import annotations

import importlib

import typer

app = typer.Typer(
    name="atlas",
    help="atlasflow: self-hostable document verification for consumer-durable loans.",
    no_args_is_help=True,
    add_completion=False,
)

# Modules that define `register(app: typer.Typer) -> None`.
_COMMAND_MODULES = (
    "atlasflow.pipeline.commands",  # extract
    "atlasflow.synth.commands",  # synth
    "atlasflow.similarity.commands",  # score
    "atlasflow.api.commands",  # serve, worker, client, verify, demo
    "atlasflow.bench_commands",  # bench ...
)


def _register_all() -> None:
    for name in _COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:  # that area is not installed in this build
                continue
            raise
        module.register(app)


_register_all()


def main() -> None:
    app()
