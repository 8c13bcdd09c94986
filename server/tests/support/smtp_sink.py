"""A real SMTP server on loopback for the delivery tests (aiosmtpd).

Usage: smtp_sink.py PORT [--reject-rcpt] [--defer DOMAIN] [--hold DOMAIN [--hold-secs N]] [--out FILE] [--forever]
Prints one JSON line when ready ({"ready": PORT}) and one per received message
({"from", "to", "data", "raw"}: data as text, raw as base64 of the exact bytes), also
appended to FILE with --out. Runs until its standard input closes, or until it is
killed with --forever (as a Playwright web server).

A mail server having trouble with one domain, for the delivery health tests:
--defer DOMAIN answers every recipient at DOMAIN "451 4.7.1" (greylisted: try later);
--hold DOMAIN takes a message for DOMAIN but answers only once the line "release"
arrives on standard input (a slow server), printing {"holding": [recipients]} first;
with --hold-secs N, it answers each such message N seconds after it arrived instead.

With PORTAL_MAIL_DIR set, every message is also kept there as an .eml file, so the
test suite can score every email it sent (scripts/score-mail).
"""
import asyncio
import base64
import itertools
import json
import os
import sys
import threading
import time

COUNTER = itertools.count()
RELEASED = threading.Event()

from aiosmtpd.controller import Controller


def domain_of(address):
    return address.rsplit("@", 1)[-1].lower()


class Sink:
    def __init__(self, reject_rcpt, out, defer, hold, hold_secs):
        self.reject_rcpt = reject_rcpt
        self.out = out
        self.defer = defer
        self.hold = hold
        self.hold_secs = hold_secs

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.reject_rcpt:
            return "550 5.1.1 No such user here"
        if self.defer and domain_of(address) == self.defer:
            return "451 4.7.1 Greylisted, please try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.hold and any(domain_of(r) == self.hold for r in envelope.rcpt_tos):
            print(json.dumps({"holding": envelope.rcpt_tos}), flush=True)
            if self.hold_secs is not None:
                await asyncio.sleep(self.hold_secs)
            while self.hold_secs is None and not RELEASED.is_set():
                await asyncio.sleep(0.05)
        raw = envelope.content
        data = raw.decode("utf-8", errors="replace")
        keep = os.environ.get("PORTAL_MAIL_DIR")
        if keep:
            os.makedirs(keep, exist_ok=True)
            name = f"{time.time_ns()}-{os.getpid()}-{next(COUNTER)}.eml"
            with open(os.path.join(keep, name), "wb") as f:
                f.write(raw)
        line = json.dumps({
            "from": envelope.mail_from,
            "to": envelope.rcpt_tos,
            "data": data,
            "raw": base64.b64encode(raw).decode("ascii"),
        })
        print(line, flush=True)
        if self.out:
            with open(self.out, "a", encoding="utf-8") as f:
                f.write(line + "\n")
        return "250 Message accepted"


def main():
    port = int(sys.argv[1])
    def option(name):
        return sys.argv[sys.argv.index(name) + 1] if name in sys.argv else None

    hold_secs = option("--hold-secs")
    hold_secs = float(hold_secs) if hold_secs is not None else None
    sink = Sink("--reject-rcpt" in sys.argv, option("--out"), option("--defer"), option("--hold"), hold_secs)
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    print(json.dumps({"ready": port}), flush=True)
    if "--forever" in sys.argv:
        threading.Event().wait()
    else:
        for line in sys.stdin:
            if line.strip() == "release":
                RELEASED.set()
        RELEASED.set()
    controller.stop()


if __name__ == "__main__":
    main()
