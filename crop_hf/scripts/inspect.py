"""See what projection did: serve the inspect app (gradio) for a pipeline, projection shards or a run folder.

    crop-hf inspect demo_output                         # a run folder: Sentence, Corpus and Run views
    crop-hf inspect demo_output/models/crop-projection  # a saved pipeline: the Sentence view
    crop-hf inspect out/projected/es --port 7870        # crop-hf project output: the Corpus view
    crop-hf inspect your-username/crop-projection-es    # a published pipeline (Hub id)

The app serves on 127.0.0.1 (``--host`` to change it) and never contacts anything else: gradio's analytics are off,
no share link is made, and a local PATH is read with the Hub offline. Needs the ``app`` extra:
``pip install 'crop-hf[app]'``.
"""

from __future__ import annotations

import argparse
import os

from crop_hf.scripts.common import UsageError, command


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):
        raise UsageError(f"{message} (see {self.prog} --help)")


def make_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="crop-hf inspect", description=__doc__.split("\n\n")[0],
                     epilog="A mistake prints one line and exits with code 2; add --debug for the traceback.")  # fmt: skip
    parser.add_argument("path", metavar="PATH", help="a pipeline folder, a Hub id, a crop-hf project output folder "
                        "(shard-*.parquet) or a crop-hf run / demo output folder")  # fmt: skip
    parser.add_argument("--host", default="127.0.0.1", help="address to serve on (default: 127.0.0.1, this machine)")
    parser.add_argument("--port", type=int, default=None, help="port (default: 7860 or the next free one)")
    return parser


@command("inspect")
def main(argv: list[str]) -> int:
    args = make_parser().parse_args(argv)
    if args.port is not None and not 0 < args.port < 65536:
        raise UsageError(f"--port {args.port}: use a port number between 1 and 65535")
    check_address(args.host, args.port)
    from crop_hf.app.sources import find_sources

    sources = find_sources(args.path)
    os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"  # before gradio is imported
    if sources.pipeline is None or os.path.isdir(sources.pipeline):
        os.environ.setdefault("HF_HUB_OFFLINE", "1")  # everything is local: the Hub is never asked
    from crop_hf.base.extras import require

    require("gradio", "crop-hf inspect (the app)", "app")
    from crop_hf.app.ui import build_app, launch

    app = build_app(pipeline=sources.pipeline, corpus=sources.corpus or None, run=sources.run)
    launch(app, host=args.host, port=args.port, block=False)
    if args.host not in ("127.0.0.1", "localhost", "::1"):
        print(f"crop-hf inspect: serving on {args.host}: anyone who can reach this machine there sees these files, "
              "without a login (the default, 127.0.0.1, is this machine only)", flush=True)  # fmt: skip
    print(f"crop-hf inspect: {sources.describe()} at {app.local_url} (Ctrl+C stops it)", flush=True)
    try:
        app.block_thread()
    except KeyboardInterrupt:
        pass
    return 0


def check_address(host: str, port: int | None) -> None:
    """One line (:class:`UsageError`) unless this machine can serve on ``host`` (and ``port``, when given, is
    free there): checked before anything loads, where gradio would try a hundred ports one after the other."""
    import errno
    import socket

    try:
        family, kind, _, _, address = socket.getaddrinfo(host, port or 0, type=socket.SOCK_STREAM)[0]
    except (socket.gaierror, UnicodeError):
        raise UsageError(f"--host {host}: not a name or address of this machine; use 127.0.0.1 (this machine only) "
                         "or 0.0.0.0 (every network interface)") from None  # fmt: skip
    with socket.socket(family, kind) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as err:
            if err.errno == errno.EADDRINUSE:
                raise UsageError(f"--port {port}: already in use on {host}; give another --port, or leave it out "
                                 "to take a free one") from None  # fmt: skip
            raise UsageError(f"--host {host}: cannot serve there ({err.strerror}); use 127.0.0.1 (this machine "
                             "only) or 0.0.0.0 (every network interface)") from None  # fmt: skip


if __name__ == "__main__":
    raise SystemExit(main())
