#!/usr/bin/env python3
"""Decrypt a cosign encrypted private key (PEM on stdin) and print its public key PEM.

An independent reader of cosign's key format for imgguard's keygen test: scrypt from
Python's hashlib, XSalsa20 written here from the Salsa20 specification, Poly1305 and
PKCS#8 parsing from `cryptography`. Usage: cosign_key_check.py PASSWORD < key.pem
"""
import base64
import hashlib
import json
import struct
import sys

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.poly1305 import Poly1305

MASK = 0xFFFFFFFF
SIGMA = b"expand 32-byte k"


def rotl(v, c):
    return ((v << c) & MASK) | (v >> (32 - c))


def quarter(x, a, b, c, d):
    x[b] ^= rotl((x[a] + x[d]) & MASK, 7)
    x[c] ^= rotl((x[b] + x[a]) & MASK, 9)
    x[d] ^= rotl((x[c] + x[b]) & MASK, 13)
    x[a] ^= rotl((x[d] + x[c]) & MASK, 18)


def rounds(x):
    for _ in range(10):
        quarter(x, 0, 4, 8, 12)
        quarter(x, 5, 9, 13, 1)
        quarter(x, 10, 14, 2, 6)
        quarter(x, 15, 3, 7, 11)
        quarter(x, 0, 1, 2, 3)
        quarter(x, 5, 6, 7, 4)
        quarter(x, 10, 11, 8, 9)
        quarter(x, 15, 12, 13, 14)


def state(key, middle):
    k = struct.unpack("<8I", key)
    s = struct.unpack("<4I", SIGMA)
    m = struct.unpack("<4I", middle)
    return [s[0], k[0], k[1], k[2], k[3], s[1], m[0], m[1], m[2], m[3], s[2], k[4], k[5], k[6], k[7], s[3]]


def hsalsa20(key, nonce16):
    x = state(key, nonce16)
    rounds(x)
    return struct.pack("<8I", x[0], x[5], x[10], x[15], x[6], x[7], x[8], x[9])


def salsa20_stream(key, nonce8, length):
    out = b""
    counter = 0
    while len(out) < length:
        init = state(key, nonce8 + struct.pack("<Q", counter))
        x = list(init)
        rounds(x)
        out += struct.pack("<16I", *[(a + b) & MASK for a, b in zip(x, init)])
        counter += 1
    return out[:length]


def secretbox_open(box, nonce, key):
    subkey = hsalsa20(key, nonce[:16])
    tag, ciphertext = box[:16], box[16:]
    stream = salsa20_stream(subkey, nonce[16:], 32 + len(ciphertext))
    Poly1305.verify_tag(stream[:32], ciphertext, tag)
    return bytes(a ^ b for a, b in zip(ciphertext, stream[32:]))


def main():
    password = sys.argv[1].encode()
    lines = sys.stdin.read().strip().splitlines()
    assert lines[0] in ("-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----", "-----BEGIN ENCRYPTED COSIGN PRIVATE KEY-----"), lines[0]
    doc = json.loads(base64.b64decode("".join(lines[1:-1])))
    assert doc["kdf"]["name"] == "scrypt" and doc["cipher"]["name"] == "nacl/secretbox"
    p = doc["kdf"]["params"]
    key = hashlib.scrypt(password, salt=base64.b64decode(doc["kdf"]["salt"]), n=p["N"], r=p["r"], p=p["p"], maxmem=256 * 1024 * 1024, dklen=32)
    der = secretbox_open(base64.b64decode(doc["ciphertext"]), base64.b64decode(doc["cipher"]["nonce"]), key)
    private = serialization.load_der_private_key(der, password=None)
    sys.stdout.write(private.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode())


if __name__ == "__main__":
    main()
