#!/usr/bin/env python3
"""What each page makes the browser download: the shared client (JS glue, the main WASM, the
split loader) plus the WASM chunks of that page's lazy route, as brotli (the `.br` files that
`cargo leptos build --release --split --precompress` writes) and raw.

Usage: python3 scripts/wasm-sizes.py [target/site/pkg]
"""
import json
import os
import sys

pkg = sys.argv[1] if len(sys.argv) > 1 else "target/site/pkg"


def resolve(stem, ext):
    """The file for `stem.ext`, or its content-hashed name `stem.<hash>.ext` (hash-files)."""
    names = [f for f in os.listdir(pkg) if f == f"{stem}.{ext}" or (f.startswith(stem + ".") and f.endswith("." + ext)
             and f.count(".") == stem.count(".") + 2)]
    return names[0] if names else f"{stem}.{ext}"


def size(name, compressed=True):
    path = os.path.join(pkg, name + (".br" if compressed else ""))
    return os.path.getsize(path) if os.path.exists(path) else 0


manifest = json.load(open(os.path.join(pkg, resolve("__wasm_split_manifest", "json"))))
loader = [f for f in os.listdir(pkg) if f.startswith("__wasm_split.") and f.endswith(".js")]
shared = [resolve("helpdesk", "js"), resolve("helpdesk", "wasm"), resolve("helpdesk", "css")] + loader
shared_br = sum(size(f) for f in shared)
shared_raw = sum(size(f, False) for f in shared)

print(f"| what | brotli KB | raw KB |\n|---|---|---|")
print(f"| shared (JS, main WASM, CSS, split loader) | {shared_br / 1024:.0f} | {shared_raw / 1024:.0f} |")
rows = []
for key, chunks in manifest.items():
    # Keys look like `__login_view_<hash>`: one per lazy route (its data and view functions).
    name = key.strip("_").rsplit("_", 1)[0]
    if not name.endswith("_view"):
        continue
    # The manifest lists the route's own piece (`split_<key>.<hash>`) among its chunks: once.
    files = sorted({c + ".wasm" for c in chunks} | {resolve("split_" + key, "wasm")})
    route_br = sum(size(f) for f in files)
    route_raw = sum(size(f, False) for f in files)
    rows.append((name[: -len("_view")], route_br, route_raw))
for name, route_br, route_raw in sorted(rows):
    total = (shared_br + route_br) / 1024
    print(f"| page `{name}`: its chunks / with the shared part | {route_br / 1024:.0f} / {total:.0f} | {route_raw / 1024:.0f} / {(shared_raw + route_raw) / 1024:.0f} |")
