"""What every CLI command shares: the lazily created app, error handling, the group."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

import click

from ..core.errors import DomainError

F = TypeVar("F", bound=Callable[..., Any])


class AppContext:
    """Creates the Flask app on first use, so `--help` stays fast and needs no database."""

    def __init__(self) -> None:
        self._app: Any = None

    @property
    def app(self) -> Any:
        """Return the app, creating it (and migrating its database) once."""
        if self._app is None:
            from .. import create_app
            from ..db import get_db

            self._app = create_app({"REALTIME": False})
            # Close pooled connections when the command ends, not when the process does.
            click.get_current_context().call_on_close(get_db(self._app).dispose)
        return self._app

    @property
    def db(self) -> Any:
        """Return the app's Database."""
        from ..db import get_db

        return get_db(self.app)


pass_ctx = click.make_pass_decorator(AppContext, ensure=True)


def domain_errors(fn: F) -> F:
    """Turn domain errors into a one-line message and exit status 1."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except DomainError as exc:
            raise click.ClickException(exc.message) from None

    return wrapper  # type: ignore[return-value]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="workshop")
def cli() -> None:
    """Run live co-production workshops that build a needs-assessment tool.

    Settings come from the environment: DATABASE_URL (default: a SQLite file in
    the instance folder), SECRET_KEY, WORKSHOP_ASYNC_MODE, PUBLIC_URL.
    """
