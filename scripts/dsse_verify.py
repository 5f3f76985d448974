#!/usr/bin/env python3
"""Verify a DSSE envelope with Python `cryptography`, independently of imgguard.

Usage: dsse_verify.py ENVELOPE.json PUBLIC_KEY.pem
Computes the DSSE v1 PAE itself, verifies every signature (ECDSA SHA-256/384 in DER
or raw r||s, Ed25519), and prints the payload's predicateType on success. Exits 1
with a message when no signature verifies. Used by imgguard's tests as an oracle.
"""
import base64
import json
import sys

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, utils


def pae(payload_type: bytes, payload: bytes) -> bytes:
    return b"DSSEv1 %d %s %d %s" % (len(payload_type), payload_type, len(payload), payload)


def verify(key, message: bytes, sig: bytes) -> bool:
    try:
        if isinstance(key, ed25519.Ed25519PublicKey):
            key.verify(sig, message)
            return True
        if isinstance(key, ec.EllipticCurvePublicKey):
            size = (key.curve.key_size + 7) // 8
            digest = hashes.SHA256() if size == 32 else hashes.SHA384()
            if len(sig) == 2 * size and sig[0] != 0x30:
                sig = utils.encode_dss_signature(
                    int.from_bytes(sig[:size], "big"), int.from_bytes(sig[size:], "big")
                )
            key.verify(sig, message, ec.ECDSA(digest))
            return True
    except InvalidSignature:
        return False
    raise SystemExit(f"unsupported key type {type(key).__name__}")


def main():
    envelope = json.load(open(sys.argv[1]))
    key = serialization.load_pem_public_key(open(sys.argv[2], "rb").read())
    payload = base64.b64decode(envelope["payload"])
    message = pae(envelope["payloadType"].encode(), payload)
    if not any(verify(key, message, base64.b64decode(s["sig"])) for s in envelope["signatures"]):
        print("FAILED: no signature verifies", file=sys.stderr)
        sys.exit(1)
    statement = json.loads(payload)
    print(statement["predicateType"])


if __name__ == "__main__":
    main()
