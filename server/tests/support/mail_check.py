"""Reads one email as a receiving server would, with nothing of the portal's: Python's
email package parses it and dkimpy checks its DKIM signature.

Usage: mail_check.py MESSAGE_FILE [RECORD_NAME RECORD_VALUE]

Prints one JSON object: the headers, the first line of the text part, whether the
HTML part has links or images, and, given the DKIM TXT record a resolver would
return for RECORD_NAME, whether the signature verifies and which names were looked up.
"""
import email
import email.policy
import json
import sys

import dkim


def main():
    raw = open(sys.argv[1], "rb").read()
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    text = msg.get_body(preferencelist=("plain",))
    html = msg.get_body(preferencelist=("html",))
    html_content = html.get_content() if html is not None else ""
    out = {
        "headers": {name: str(value) for name, value in msg.items()},
        "header_names": [name for name, _ in msg.items()],
        "text_first_line": text.get_content().splitlines()[0] if text is not None else None,
        "text": text.get_content() if text is not None else None,
        "html_has_links_or_images": any(t in html_content.lower() for t in ("href", "<img", "src=", "http://", "https://")),
        "parts": [part.get_content_type() for part in msg.walk()],
    }
    if len(sys.argv) > 3:
        name, value = sys.argv[2].rstrip("."), sys.argv[3]
        asked = []

        def dnsfunc(qname, timeout=5):
            asked.append(qname.decode().rstrip("."))
            return value.encode() if asked[-1] == name else None

        verifier = dkim.DKIM(raw)
        try:
            out["dkim_valid"] = bool(verifier.verify(dnsfunc=dnsfunc))
            out["dkim_error"] = None
        except dkim.DKIMException as e:
            out["dkim_valid"] = False
            out["dkim_error"] = str(e)
        out["dkim_asked"] = asked
        out["dkim_tags"] = {k.decode(): v.decode() for k, v in (verifier.signature_fields or {}).items() if k != b"b"}
    print(json.dumps(out))


if __name__ == "__main__":
    main()
