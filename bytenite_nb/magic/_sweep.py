"""``%%bytenite VAR --sweep EXPR``: the cell body is the base, EXPR the grid."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from IPython.core.error import UsageError

from ..batch import BatchInterrupted, sweep
from ..errors import TooManyItemsError
from ._cell import build_payload

if TYPE_CHECKING:  # pragma: no cover
    from ._session import Session  # the session calls this module: for annotations only


def run_sweep(session: Session, args: argparse.Namespace, cell: str) -> Any:
    """One job per grid item, built, validated, created (run, waited on); ``VAR`` gets
    the ``JobBatch`` (the requests with ``--dry-run``), also when interrupted."""
    var = args.var
    if var is None:
        raise UsageError(
            "%%bytenite --sweep needs a variable for the batch: %%bytenite VAR --sweep"
        )
    namespace = session.shell.user_ns if session.shell is not None else {}
    try:
        grid = eval(args.sweep, namespace)  # the user's own expression, in their namespace
    except Exception as exc:
        raise UsageError(
            f"%%bytenite --sweep: cannot evaluate {args.sweep!r}: {type(exc).__name__}: {exc}"
        ) from None
    try:
        requests = sweep(build_payload(session, args, cell), grid)
    except TooManyItemsError as exc:  # the cell has no max_items: say how to opt in
        raise UsageError(
            f"%%bytenite --sweep: the grid makes {exc.count:,} jobs, more than "
            f"{exc.max_items:,}, the most one cell sends (nothing was sent). To create "
            "them all, build them in Python: requests = bytenite_nb.sweep(base, grid, "
            "max_items=None), then client.create_jobs(requests, max_items=None)."
        ) from None
    except TypeError as exc:
        raise UsageError(f"%%bytenite --sweep: {exc}") from None
    except Exception as exc:
        session.fail(exc, var)
    if args.dry_run:
        session.store(var, requests)
        if not args.quiet:
            print(f"{len(requests)} valid job requests (nothing was sent); they are in {var}.")
        return None
    client = session.client()
    try:
        batch = client.create_jobs(
            requests, concurrency=args.concurrency, run=args.run or args.wait
        )
    except BatchInterrupted as stop:
        session.store(var, stop.batch)
        created = len(stop.batch.ids)
        print(
            f"Interrupted: {created} of {len(requests)} jobs created, kept in {var}. "
            f"`{var}.resume()` creates the rest (nothing twice)."
        )
        return None
    except (TypeError, ValueError) as exc:
        raise UsageError(f"%%bytenite: {exc}") from None
    except Exception as exc:
        session.fail(exc, var)
    session.store(var, batch)
    if args.wait:
        try:
            batch.wait(interval=session.magics.poll_interval)
        except KeyboardInterrupt:
            print(f"Stopped waiting; the jobs go on. `{var}.wait()` picks them up again.")
        except Exception as exc:
            session.fail(exc, None)
    if not args.quiet:
        session.show(batch)
    return None
