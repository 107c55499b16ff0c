#!/usr/bin/python3
"""An RTSP camera for tests: GStreamer's RTSP server (Debian's python3-gi and
gir1.2-gst-rtsp-server-1.0) serving a live H.264 test picture on 127.0.0.1, over the
transports a real camera offers: TCP (interleaved), UDP, or both.

Usage: gst_rtsp_server.py --port PORT [--mount /cam] [--protocols tcp+udp|tcp|udp]
Prints "ready" on stdout once it listens; runs until SIGTERM.
"""
import argparse, signal, sys

import gi
gi.require_version("Gst", "1.0")
gi.require_version("GstRtsp", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import GLib, Gst, GstRtsp, GstRtspServer  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--mount", default="/cam")
    parser.add_argument("--protocols", default="tcp+udp", choices=["tcp+udp", "tcp", "udp"])
    arguments = parser.parse_args()

    Gst.init(None)
    server = GstRtspServer.RTSPServer()
    server.set_address("127.0.0.1")
    server.set_service(str(arguments.port))
    factory = GstRtspServer.RTSPMediaFactory()
    # A moving ball: the worker sees motion; one keyframe a second, as cameras send.
    factory.set_launch(
        "( videotestsrc is-live=true pattern=ball ! video/x-raw,width=320,height=240,framerate=10/1 "
        "! x264enc tune=zerolatency speed-preset=ultrafast key-int-max=10 bitrate=300 "
        "! rtph264pay name=pay0 pt=96 config-interval=1 )")
    factory.set_shared(True)
    protocols = {
        "tcp+udp": GstRtsp.RTSPLowerTrans.TCP | GstRtsp.RTSPLowerTrans.UDP,
        "tcp": GstRtsp.RTSPLowerTrans.TCP,
        "udp": GstRtsp.RTSPLowerTrans.UDP,
    }[arguments.protocols]
    factory.set_protocols(protocols)
    server.get_mount_points().add_factory(arguments.mount, factory)
    if server.attach(None) == 0:
        print(f"cannot listen on 127.0.0.1:{arguments.port}", file=sys.stderr)
        sys.exit(1)
    loop = GLib.MainLoop()
    GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signal.SIGTERM, loop.quit)
    GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signal.SIGINT, loop.quit)
    print("ready", flush=True)
    loop.run()


if __name__ == "__main__":
    main()
