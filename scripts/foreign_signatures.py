#!/usr/bin/env python3
"""Make keys and signatures with Python `cryptography` for imgguard's verifier tests.

Prints one JSON object: for each scheme, the SPKI PEM public key, the message (base64)
and a signature made by code imgguard did not write. Used by `cargo test` in
src/crypto/public_key.rs; not part of the product.
"""
import base64
import json
import sys

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa, utils


def pem(public_key):
    return public_key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()


def b64(data):
    return base64.b64encode(data).decode()


def main():
    message = b"imgguard foreign signature test \x00\xff"
    out = {"message": b64(message), "cases": []}

    p256 = ec.generate_private_key(ec.SECP256R1())
    der = p256.sign(message, ec.ECDSA(hashes.SHA256()))
    r, s = utils.decode_dss_signature(der)
    raw = r.to_bytes(32, "big") + s.to_bytes(32, "big")
    out["cases"].append({"name": "p256-der", "public": pem(p256.public_key()), "sig": b64(der)})
    out["cases"].append({"name": "p256-p1363", "public": pem(p256.public_key()), "sig": b64(raw)})

    p384 = ec.generate_private_key(ec.SECP384R1())
    der = p384.sign(message, ec.ECDSA(hashes.SHA384()))
    out["cases"].append({"name": "p384-der", "public": pem(p384.public_key()), "sig": b64(der)})
    # cosign's keyed verifier hashes with SHA-256 whatever the curve.
    der = p384.sign(message, ec.ECDSA(hashes.SHA256()))
    out["cases"].append({"name": "p384-sha256-der", "public": pem(p384.public_key()), "sig": b64(der)})

    ed = ed25519.Ed25519PrivateKey.generate()
    out["cases"].append({"name": "ed25519", "public": pem(ed.public_key()), "sig": b64(ed.sign(message))})

    rk = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    sig = rk.sign(message, padding.PKCS1v15(), hashes.SHA256())
    out["cases"].append({"name": "rsa-pkcs1v15", "public": pem(rk.public_key()), "sig": b64(sig)})
    sig = rk.sign(
        message,
        padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=padding.PSS.MAX_LENGTH),
        hashes.SHA256(),
    )
    out["cases"].append({"name": "rsa-pss", "public": pem(rk.public_key()), "sig": b64(sig)})

    # A plain PKCS#8 P-256 and Ed25519 private key for the loader.
    for name, key in (("pkcs8-p256", p256), ("pkcs8-ed25519", ed)):
        out["cases"].append({
            "name": name,
            "public": pem(key.public_key()),
            "private": key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            ).decode(),
        })
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
