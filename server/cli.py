"""The `ccds-crosswalk` command: parses arguments and calls the build, the query runner or the web server.

Every failure a user can cause or fix (a malformed or missing data file, an artefacts folder that cannot be
written, a release that is not built, a bad option) ends in one sentence on stderr and a non-zero exit, never a
traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from ccds_crosswalk.settings import Limits, Settings, SettingsError, load_settings

if TYPE_CHECKING:
    from ccds_crosswalk.analysis.model import Model

__all__ = ["main", "parser"]


class Failure(Exception):
    """A problem the user can act on; the message is printed as it is."""


def _settings(args: argparse.Namespace, **more: object) -> Settings:
    artefacts = Path(args.artefacts).resolve() if args.artefacts else None
    sources = Path(args.sources).resolve() if args.sources else None
    return load_settings(base_uri=args.base_uri, artefacts_dir=artefacts, root=sources, **more)


WRITABLE_HINT = "choose a writable folder for the release with --out DIR (or $CCDS_ARTEFACTS)"


def _explain(problem: OSError, settings: Settings) -> str:
    """One sentence for a file the build or the server could not read or write."""
    name = Path(problem.filename) if problem.filename else None
    reason = problem.strerror or str(problem)
    artefacts = settings.artefacts_dir.resolve()
    if name is not None and (name.resolve().is_relative_to(artefacts) or artefacts.is_relative_to(name.resolve())):
        return f"cannot write {name} ({reason}): {WRITABLE_HINT}"
    if name is not None:
        return (
            f"cannot read {name} ({reason}): the sources of the release (data/, ontology/, shapes/, queries/) "
            "must be complete; restore the file from the repository or reinstall the package"
        )
    return f"{reason}"


def _require_writable(folder: Path) -> None:
    """Refuse before the build's work when its output could not be written: the folder, or the nearest part of
    its path that exists, must be a folder this process may write (os.access also sees a read-only mount)."""
    existing = folder
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        raise Failure(f"cannot write the release to {folder}: {existing} is a file, not a folder; {WRITABLE_HINT}")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise Failure(f"cannot write the release to {folder}: {existing} is not writable; {WRITABLE_HINT}")


def _build(settings: Settings) -> None:
    from ccds_crosswalk.release.pipeline import BuildError, run_build

    _require_writable(settings.artefacts_dir)
    try:
        run_build(settings)
    except BuildError as problem:
        text = str(problem)  # one line (a data error) stays one line; a validation report follows on its own lines
        separator = "\n" if "\n" in text else " "
        raise Failure(f"the build stopped, nothing was written:{separator}{text}") from None
    except OSError as problem:
        raise Failure(_explain(problem, settings)) from None


def _ensure_built(settings: Settings) -> None:
    from ccds_crosswalk.release.pipeline import is_stale

    try:
        stale = is_stale(settings)
    except OSError as problem:
        raise Failure(_explain(problem, settings)) from None
    if stale:
        _build(settings)


def cmd_build(args: argparse.Namespace) -> int:
    _build(_settings(args))
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    from ccds_crosswalk.release.pipeline import BuildError, check

    settings = _settings(args)
    try:
        report = check(settings)
    except BuildError as problem:
        raise Failure(str(problem)) from None
    except OSError as problem:
        raise Failure(_explain(problem, settings)) from None
    print(report.text())
    return 0 if report.conforms else 1


def cmd_query(args: argparse.Namespace) -> int:
    from ccds_crosswalk.queries import QueryError, resolve_query, run_local, run_remote

    settings = _settings(args)
    try:
        text = resolve_query(args.query, settings.queries_dir)
        if args.endpoint:
            output = run_remote(text, args.endpoint, args.format)
        else:
            _ensure_built(settings)
            output = run_local(text, settings, args.format)
    except QueryError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    sys.stdout.write(output)
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from ccds_crosswalk.web.run import serve

    limits = Limits(
        query_timeout_s=args.timeout,
        query_workers=args.query_workers,
        query_threads=args.query_threads,
        cache_entries=args.cache_entries,
        cache_bytes=args.cache_bytes,
        cache_entry_bytes=args.cache_entry_bytes,
    )
    settings = _settings(args, limits=limits, sparql_backend=args.sparql_backend)
    if not args.no_build:
        _ensure_built(settings)
    elif not (settings.release_dir / "manifest.json").is_file():
        raise Failure(
            f"release {settings.release} is not built in {settings.artefacts_dir}: run "
            "'ccds-crosswalk build' first (or serve without --no-build)"
        )
    serve(settings, host=args.host, port=args.port, workers=args.workers)
    return 0


def cmd_publish(args: argparse.Namespace) -> int:
    from ccds_crosswalk.publish import PublishError, publish

    settings = _settings(args)
    _ensure_built(settings)
    if args.static:
        return _publish_static(settings, args)
    if not args.store:
        raise Failure("publish needs --store URL (a triplestore) or --static DIR (a static site)")
    try:
        auth = (args.user, args.password) if args.user else None
        report = publish(settings, args.store, sparql=args.sparql, auth=auth)
    except PublishError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(report)
    return 0


def _publish_static(settings: Settings, args: argparse.Namespace) -> int:
    from ccds_crosswalk.static_site import StaticError, publish_static

    try:
        print(publish_static(settings, Path(args.static), args.target_url, args.sparql_endpoint))
    except StaticError as error:
        raise Failure(str(error)) from None
    return 0


def _write(body: bytes, fmt: str) -> None:
    if fmt == "xlsx" and sys.stdout.isatty():
        raise Failure("an XLSX workbook is binary: redirect the output to a file (> result.xlsx)")
    sys.stdout.buffer.write(body)
    sys.stdout.flush()


def _model(args: argparse.Namespace) -> Model:
    from ccds_crosswalk.analysis.model import release_model

    settings = _settings(args)
    _ensure_built(settings)
    return release_model(settings.release_dir, settings.base_uri)


def cmd_compare(args: argparse.Namespace) -> int:
    from ccds_crosswalk.analysis import compare, tabular

    try:
        compare.check_schemes(args.a, args.b)
    except compare.CompareError as problem:
        raise Failure(str(problem)) from None
    model = _model(args)
    result = compare.compare(model, args.a, args.b)
    _write(tabular.render(compare.rows(model, result, args.lang), compare.COLUMNS, args.format), args.format)
    return 0


def cmd_gap(args: argparse.Namespace) -> int:
    from ccds_crosswalk.analysis import gap, oscal, tabular

    have, filename = args.have, ""
    if Path(have).is_file():
        try:
            filename, have = have, Path(have).read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as problem:
            raise Failure(f"cannot read {have} ({problem}): --have takes IDs, or a UTF-8 CSV or SSSOM TSV") from None
    model = _model(args)
    try:
        result = gap.gap(model, gap.parse_have(model, have, filename), args.against, args.level)
    except gap.GapError as problem:
        raise Failure(str(problem)) from None
    if args.format == "oscal":
        from ccds_crosswalk.release.exports.diff import release_info

        settings = _settings(args)
        try:
            body = oscal.profile_bytes(model, result, settings.release, release_info(settings).issued)
        except gap.GapError as problem:
            raise Failure(str(problem)) from None
    else:
        body = tabular.render(gap.rows(model, result, args.lang), gap.columns(result), args.format)
    _write(body, args.format)
    return 0


def _common() -> argparse.ArgumentParser:
    """Options every command takes, before or after the command's name."""
    common = argparse.ArgumentParser(add_help=False, argument_default=argparse.SUPPRESS)
    common.add_argument("--base-uri", help="public base URI of the dataset (default: $CCDS_BASE_URI or w3id)")
    common.add_argument(
        "--artefacts",
        "--out",
        dest="artefacts",
        metavar="DIR",
        help="folder for build output (default: $CCDS_ARTEFACTS, else the checkout's artefacts/, "
        "else ~/.local/share/ccds-crosswalk)",
    )
    common.add_argument(
        "--sources",
        metavar="DIR",
        help="folder holding data/, ontology/, shapes/ and queries/ (default: $CCDS_SOURCES, else "
        "the checkout's, else the copy installed with the package)",
    )
    return common


def _command(
    commands: argparse._SubParsersAction, name: str, run: Callable[[argparse.Namespace], int], help: str
) -> argparse.ArgumentParser:
    command = commands.add_parser(name, help=help, parents=[_common()])
    command.set_defaults(func=run)
    return command


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="ccds-crosswalk", description=__doc__.split("\n\n")[0], parents=[_common()])
    root.set_defaults(base_uri=None, artefacts=None, sources=None)
    commands = root.add_subparsers(dest="command", required=True)

    _command(commands, "build", cmd_build, "compile, reason, validate and serialise the release")
    _command(commands, "validate", cmd_validate, "run the SHACL shapes on the data only")

    query = _command(commands, "query", cmd_query, "run a canned query (name from queries/) or a .rq file")
    query.add_argument("query", help="a name such as 'crosswalk', or a path to a .rq file")
    query.add_argument("--format", choices=("table", "csv", "tsv", "json"), default="table")
    query.add_argument("--endpoint", help="a remote SPARQL endpoint URL (default: the local built graph)")

    serve = _command(commands, "serve", cmd_serve, "serve the SPARQL endpoint, URIs, pages and downloads")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1, help="HTTP worker processes")
    serve.add_argument(
        "--query-workers", type=int, default=Limits().query_workers, help="query engine processes per HTTP worker"
    )
    serve.add_argument("--query-threads", type=int, default=4, help="queries each query process answers at once")
    serve.add_argument("--timeout", type=float, default=10.0, help="seconds a query may run")
    cache = Limits()
    serve.add_argument(
        "--cache-entries", type=int, default=cache.cache_entries, help="SPARQL answers the result cache keeps (0: off)"
    )
    serve.add_argument("--cache-bytes", type=int, default=cache.cache_bytes, help="total size of the kept answers")
    serve.add_argument(
        "--cache-entry-bytes", type=int, default=cache.cache_entry_bytes, help="the largest answer the cache keeps"
    )
    serve.add_argument("--sparql-backend", help="answer from a remote SPARQL endpoint instead of memory")
    serve.add_argument("--no-build", action="store_true", help="do not build first, even if artefacts are stale")

    frameworks = ("iotsg", "cpsf", "uk-cop", "sb327", "ccds", "etsi-en-303-645")
    formats = ("table", "csv", "tsv", "json", "xlsx")
    compare = _command(commands, "compare", cmd_compare, "relate two frameworks through shared CCDS targets")
    compare.add_argument("a", choices=frameworks)
    compare.add_argument("b", choices=frameworks)
    compare.add_argument("--format", choices=formats, default="table")
    compare.add_argument("--lang", choices=("ja", "en"), default="en", help="language of the titles")

    gap = _command(commands, "gap", cmd_gap, "what a set of items covers in CCDS (or the reverse), and what remains")
    gap.add_argument(
        "--have",
        required=True,
        metavar="FILE|IDS",
        help="IDs (UK1,UK2 or uk-cop:UK1), or a file: a CSV with an id column, or an SSSOM TSV",
    )
    gap.add_argument("--against", choices=frameworks, default="ccds")
    gap.add_argument("--level", type=int, choices=(2, 3), help="only the ★★ (2) or ★★★ (3) requirements")
    gap.add_argument("--format", choices=(*formats, "oscal"), default="table")
    gap.add_argument("--lang", choices=("ja", "en"), default="en", help="language of the titles")

    publish = _command(
        commands, "publish", cmd_publish, "load the release into a triplestore, or write it as a static site"
    )
    publish.add_argument("--store", help="Graph Store HTTP Protocol endpoint URL")
    publish.add_argument("--static", metavar="DIR", help="write the release as a static site into DIR instead")
    publish.add_argument("--target-url", help="with --static: where DIR will be served (for w3id.htaccess)")
    publish.add_argument("--sparql-endpoint", help="with --static: the SPARQL endpoint the pages point to")
    publish.add_argument("--sparql", help="the store's SPARQL query endpoint (default: guessed from --store)")
    publish.add_argument("--user", help="user for HTTP digest authentication (e.g. Virtuoso's graph-crud-auth)")
    publish.add_argument("--password", help="password for --user")
    return root


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.func(args)
    except (Failure, SettingsError) as problem:
        print(f"error: {problem}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
