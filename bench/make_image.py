#!/usr/bin/env python3
"""Build a synthetic OCI image of >= 1 GiB uncompressed for `just bench`.

Layers (all gzip, made with GNU tar + pigz, deterministic given the same machine):
  1. binaries: ELF files from /usr/lib and /usr/bin (~450 MB)
  2. text: /usr/share, /usr/include and the Rust toolchain sources (~350 MB)
  3. many small files: 60,000 generated config/source-like files (~60 MB)
  4. a base-like layer: /etc and /var/lib/dpkg (small)
  5. a large mixed file layer: concatenated text + binary chunks (~200 MB)
Usage: make_image.py OUTDIR
"""
import hashlib, json, os, random, shutil, subprocess, sys, tarfile

out = sys.argv[1]
work = os.path.join(out, "work")
layout = os.path.join(out, "image")
os.makedirs(work, exist_ok=True)
os.makedirs(os.path.join(layout, "blobs", "sha256"), exist_ok=True)

def collect(roots, limit, pred):
    files, total = [], 0
    for root in roots:
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames.sort()
            for f in sorted(filenames):
                p = os.path.join(dirpath, f)
                try:
                    if os.path.islink(p) or not os.path.isfile(p):
                        continue
                    size = os.path.getsize(p)
                except OSError:
                    continue
                if size == 0 or not pred(p):
                    continue
                files.append(p)
                total += size
                if total >= limit:
                    return files
    return files

def is_elf(p):
    try:
        with open(p, "rb") as fh:
            return fh.read(4) == b"\x7fELF"
    except OSError:
        return False

def is_text(p):
    try:
        with open(p, "rb") as fh:
            return b"\0" not in fh.read(2048)
    except OSError:
        return False

MB = 1 << 20
layers = []

def tar_from_list(name, paths):
    lst = os.path.join(work, name + ".list")
    with open(lst, "w") as fh:
        fh.write("\n".join(p.lstrip("/") for p in paths) + "\n")
    tar = os.path.join(work, name + ".tar")
    subprocess.run(["tar", "--create", "--file", tar, "--directory", "/", "--files-from", lst,
                    "--sort=name", "--mtime=@0", "--owner=0", "--group=0", "--numeric-owner",
                    "--ignore-failed-read"], check=True, stderr=subprocess.DEVNULL)
    layers.append(tar)

rust_src = subprocess.run(["rustc", "--print", "sysroot"], capture_output=True, text=True).stdout.strip()
tar_from_list("binaries", collect(["/usr/lib", "/usr/bin", "/usr/libexec"], 450 * MB, is_elf))
tar_from_list("text", collect(["/usr/share", "/usr/include", rust_src], 350 * MB, is_text))
tar_from_list("base", collect(["/etc", "/var/lib/dpkg"], 20 * MB, lambda p: True))

# Many small generated files.
rng = random.Random(42)
small = os.path.join(work, "small.tar")
words = "server port host user timeout retries cache path level enable disable name value".split()
with tarfile.open(small, "w", format=tarfile.GNU_FORMAT) as tf:
    import io
    for i in range(60000):
        body = "\n".join(f"{rng.choice(words)}_{rng.randrange(1000)} = {rng.choice(words)}{rng.randrange(10**6)}" for _ in range(rng.randrange(5, 40))).encode() + b"\n"
        info = tarfile.TarInfo(f"srv/app/conf.d/{i // 1000:03d}/file{i:05d}.conf")
        info.size = len(body)
        info.mtime = 0
        tf.addfile(info, io.BytesIO(body))
layers.append(small)

# One big mixed file: text and binary chunks from the first two layers.
mixed = os.path.join(work, "mixed.tar")
blob_path = os.path.join(work, "mixed.bin")
with open(blob_path, "wb") as out_fh:
    for src in (layers[1], layers[0]):
        with open(src, "rb") as fh:
            out_fh.write(fh.read(100 * MB))
with tarfile.open(mixed, "w", format=tarfile.GNU_FORMAT) as tf:
    info = tf.gettarinfo(blob_path, arcname="opt/data/blob.bin")
    info.mtime = 0
    with open(blob_path, "rb") as fh:
        tf.addfile(info, fh)
os.remove(blob_path)
layers.append(mixed)

def sha256_file(p):
    h = hashlib.sha256()
    with open(p, "rb") as fh:
        while chunk := fh.read(4 * MB):
            h.update(chunk)
    return h.hexdigest()

descs, diff_ids, total = [], [], 0
for tar in layers:
    total += os.path.getsize(tar)
    diff_ids.append("sha256:" + sha256_file(tar))
    gz = tar + ".gz"
    with open(gz, "wb") as fh:
        subprocess.run(["pigz", "-6", "-n", "-c", tar], stdout=fh, check=True)
    d = sha256_file(gz)
    shutil.copy(gz, os.path.join(layout, "blobs", "sha256", d))
    descs.append({"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": "sha256:" + d, "size": os.path.getsize(gz)})
    os.remove(tar)

def put(obj):
    b = json.dumps(obj, separators=(",", ":")).encode()
    d = hashlib.sha256(b).hexdigest()
    with open(os.path.join(layout, "blobs", "sha256", d), "wb") as fh:
        fh.write(b)
    return {"digest": "sha256:" + d, "size": len(b)}

config = {"architecture": "amd64", "os": "linux", "config": {"User": "1000"},
          "rootfs": {"type": "layers", "diff_ids": diff_ids},
          "history": [{"created_by": f"COPY layer{i} /"} for i in range(len(layers))]}
c = put(config)
manifest = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": {"mediaType": "application/vnd.oci.image.config.v1+json", **c}, "layers": descs}
m = put(manifest)
with open(os.path.join(layout, "index.json"), "w") as fh:
    json.dump({"schemaVersion": 2, "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json", **m}]}, fh)
with open(os.path.join(layout, "oci-layout"), "w") as fh:
    fh.write('{"imageLayoutVersion":"1.0.0"}')
print(f"uncompressed {total / MB:.0f} MiB in {len(layers)} gzip layers; layout at {layout}")
