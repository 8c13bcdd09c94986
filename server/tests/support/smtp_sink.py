"""A real SMTP server on loopback for the delivery tests (aiosmtpd).

Usage: smtp_sink.py PORT [--reject-rcpt]
Prints one JSON line when ready ({"ready": PORT}) and one per received message
({"from", "to", "data"}). Runs until its standard input closes.
"""
import json
import sys

from aiosmtpd.controller import Controller


class Sink:
    def __init__(self, reject_rcpt):
        self.reject_rcpt = reject_rcpt

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.reject_rcpt:
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        data = envelope.content.decode("utf-8", errors="replace")
        print(json.dumps({"from": envelope.mail_from, "to": envelope.rcpt_tos, "data": data}), flush=True)
        return "250 Message accepted"


def main():
    port = int(sys.argv[1])
    controller = Controller(Sink("--reject-rcpt" in sys.argv), hostname="127.0.0.1", port=port)
    controller.start()
    print(json.dumps({"ready": port}), flush=True)
    sys.stdin.read()
    controller.stop()


if __name__ == "__main__":
    main()
