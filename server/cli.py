"""The `ccds-crosswalk` command: parses arguments and calls the build, the query runner or the web server."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from server.settings import Limits, Settings, load_settings


def _settings(args: argparse.Namespace) -> Settings:
    return load_settings(base_uri=args.base_uri, artefacts_dir=Path(args.artefacts) if args.artefacts else None)


def cmd_build(args: argparse.Namespace) -> int:
    from server.build.pipeline import BuildError, run_build

    try:
        run_build(_settings(args))
    except BuildError as problem:
        print(f"error: the build stopped, nothing was written:\n{problem}", file=sys.stderr)
        return 1
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    from server.build.compile import compile_graph
    from server.build.load import load_data
    from server.build.pipeline import load_ontology
    from server.build.validate import load_shapes, run_shapes

    settings = _settings(args)
    data = compile_graph(settings.base_uri, load_data(settings.data_dir))
    report = run_shapes(
        data + load_ontology(settings), load_shapes(settings.shapes_dir, settings.base_uri), settings.base_uri
    )
    print(report.text())
    return 0 if report.conforms else 1


def cmd_query(args: argparse.Namespace) -> int:
    from server.queries import QueryError, resolve_query, run_local, run_remote

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


def _ensure_built(settings: Settings) -> None:
    from server.build.pipeline import is_stale, run_build

    if is_stale(settings):
        from server.build.pipeline import BuildError

        try:
            run_build(settings)
        except BuildError as problem:
            print(f"error: the build stopped, nothing was written:\n{problem}", file=sys.stderr)
            raise SystemExit(1) from None


def cmd_serve(args: argparse.Namespace) -> int:
    from server.web.run import serve

    settings = _settings(args)
    limits = Limits(query_timeout_s=args.timeout, query_workers=args.query_workers,
                    query_threads=args.query_threads)
    settings = load_settings(base_uri=settings.base_uri, artefacts_dir=settings.artefacts_dir, limits=limits)
    if not args.no_build:
        _ensure_built(settings)
    serve(settings, host=args.host, port=args.port, workers=args.workers, sparql_backend=args.sparql_backend)
    return 0


def cmd_publish(args: argparse.Namespace) -> int:
    from server.publish import PublishError, publish

    settings = _settings(args)
    _ensure_built(settings)
    try:
        auth = (args.user, args.password) if args.user else None
        report = publish(settings, args.store, sparql=args.sparql, auth=auth)
    except PublishError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(report)
    return 0


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="ccds-crosswalk", description=__doc__)
    root.add_argument("--base-uri", help="public base URI of the dataset (default: env CCDS_BASE_URI or w3id)")
    root.add_argument("--artefacts", help="folder for build output (default: ./artefacts)")
    commands = root.add_subparsers(dest="command", required=True)

    commands.add_parser("build", help="compile, reason, validate and serialise the release").set_defaults(
        func=cmd_build
    )
    commands.add_parser("validate", help="run the SHACL shapes on the data only").set_defaults(func=cmd_validate)

    query = commands.add_parser("query", help="run a canned query (name from queries/) or a .rq file")
    query.add_argument("query", help="a name such as 'crosswalk', or a path to a .rq file")
    query.add_argument("--format", choices=("table", "csv", "tsv", "json"), default="table")
    query.add_argument("--endpoint", help="a remote SPARQL endpoint URL (default: the local built graph)")
    query.set_defaults(func=cmd_query)

    serve = commands.add_parser("serve", help="serve the SPARQL endpoint, URIs, pages and downloads")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1, help="HTTP worker processes")
    serve.add_argument("--query-workers", type=int, default=2, help="query engine processes per HTTP worker")
    serve.add_argument("--query-threads", type=int, default=4, help="queries each query process answers at once")
    serve.add_argument("--timeout", type=float, default=10.0, help="seconds a query may run")
    serve.add_argument("--sparql-backend", help="answer from a remote SPARQL endpoint instead of memory")
    serve.add_argument("--no-build", action="store_true", help="do not build first, even if artefacts are stale")
    serve.set_defaults(func=cmd_serve)

    publish = commands.add_parser("publish", help="load the release into a triplestore (Graph Store Protocol)")
    publish.add_argument("--store", required=True, help="Graph Store HTTP Protocol endpoint URL")
    publish.add_argument("--sparql", help="the store's SPARQL query endpoint (default: guessed from --store)")
    publish.add_argument("--user", help="user for HTTP digest authentication (e.g. Virtuoso's graph-crud-auth)")
    publish.add_argument("--password", help="password for --user")
    publish.set_defaults(func=cmd_publish)
    return root


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    raise SystemExit(main())
