#!/usr/bin/env python3
"""Load client for scripts/load.sh (Python 3 standard library only).

Closed-loop clients, each in its own process (so one client's work never holds another's clock): text queries
on GET /api/search and photo queries on POST /api/search/image, for a fixed time, while one more process uploads
demo images now and then and keeps a training job running. Prints p50/p95/p99, counts and errors per endpoint,
and the app's peak resident memory (VmHWM of --pid), as text and, with --json, as one JSON line.
"""
import argparse
import http.client
import json
import multiprocessing as mp
import os
import random
import time
import urllib.parse
import uuid

WORDS = ["a boat at sea", "fruit", "an animal with wings", "engine", "musical instrument", "something to wear",
         "dog", "cat", "bird", "car", "tree", "flower", "house", "bridge", "food", "a red apple", "water",
         "mountain", "road", "clock", "chair", "lamp", "shoe", "ball", "bicycle", "airplane", "horse", "fish"]


def demo_images(folder, limit=200):
    paths = []
    for root, _, files in os.walk(folder):
        paths += [os.path.join(root, f) for f in files if f.lower().endswith((".png", ".jpg", ".jpeg"))]
    paths.sort()
    random.Random(7).shuffle(paths)
    return paths[:limit]


def multipart(field, paths, extra=None):
    boundary = uuid.uuid4().hex
    parts = []
    for key, value in (extra or {}).items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode())
    for path in paths:
        with open(path, "rb") as f:
            data = f.read()
        name = os.path.basename(path)
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; filename="{name}"\r\n'
                     f'Content-Type: application/octet-stream\r\n\r\n'.encode() + data + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


API_KEY = None  # set from --key before the clients start; each process inherits it


def request(conn, method, path, body=None, content_type=None):
    headers = {"Content-Type": content_type} if content_type else {}
    if API_KEY:
        headers["Authorization"] = f"Bearer {API_KEY}"
    conn.request(method, path, body=body, headers=headers)
    response = conn.getresponse()
    response.read()
    return response.status


def client(kind, host, port, seconds, images, seed, out):
    rng = random.Random(seed)
    conn = http.client.HTTPConnection(host, port, timeout=30)
    samples, errors, statuses = [], 0, {}
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if kind == "text":
            q = urllib.parse.quote(rng.choice(WORDS))
            method, path, body, ctype = "GET", f"/api/search?q={q}&k=24", None, None
        else:
            body, ctype = multipart("file", [rng.choice(images)], {"k": "24"})
            method, path = "POST", "/api/search/image"
        start = time.perf_counter()
        try:
            status = request(conn, method, path, body, ctype)
        except (OSError, http.client.HTTPException) as e:
            status = type(e).__name__
            conn.close()
            conn = http.client.HTTPConnection(host, port, timeout=30)
        elapsed = (time.perf_counter() - start) * 1000
        statuses[status] = statuses.get(status, 0) + 1
        if status == 200:
            samples.append(elapsed)
        else:
            errors += 1
    out.put((kind, samples, errors, statuses))


def background(host, port, seconds, images, out):
    """Keeps a training job running and uploads a few demo images every couple of seconds."""
    conn = http.client.HTTPConnection(host, port, timeout=60)
    rng = random.Random(11)
    uploads, upload_errors, trainings, statuses = 0, 0, 0, {}
    end = time.monotonic() + seconds
    next_upload = time.monotonic()
    while time.monotonic() < end:
        try:
            conn.request("GET", "/api/training", headers={"Authorization": f"Bearer {API_KEY}"} if API_KEY else {})
            overview = json.loads(conn.getresponse().read())
            if not overview.get("isRunning"):
                status = request(conn, "POST", "/api/training", b"", None)
                trainings += 1
                statuses[f"training {status}"] = statuses.get(f"training {status}", 0) + 1
            if time.monotonic() >= next_upload:
                body, ctype = multipart("files", rng.sample(images, 3), {"label": "loadtest"})
                status = request(conn, "POST", "/api/images", body, ctype)
                uploads += 1
                statuses[f"upload {status}"] = statuses.get(f"upload {status}", 0) + 1
                if status != 200:
                    upload_errors += 1
                next_upload = time.monotonic() + 2
        except (OSError, http.client.HTTPException, ValueError) as e:
            upload_errors += 1
            statuses[type(e).__name__] = statuses.get(type(e).__name__, 0) + 1
            conn.close()
            conn = http.client.HTTPConnection(host, port, timeout=60)
        time.sleep(0.25)
    out.put(("background", uploads, upload_errors, trainings, statuses, training_outcome(conn)))


def training_outcome(conn):
    """How the training runs of the load went: finished and failed ones (with the first failure's reason), and how far the running one got."""
    try:
        conn.request("GET", "/api/training", headers={"Authorization": f"Bearer {API_KEY}"} if API_KEY else {})
        overview = json.loads(conn.getresponse().read())
    except (OSError, http.client.HTTPException, ValueError) as e:
        return {"error": type(e).__name__}
    jobs = overview.get("jobs") or []
    failed = [j for j in jobs if j.get("state") == "Failed"]
    current = overview.get("current") or {}
    return {"finished": sum(1 for j in jobs if j.get("state") == "Finished"), "failed": len(failed),
            "first_failure": (failed[0].get("error") or failed[0].get("description")) if failed else None,
            "running_fraction": (current.get("progress") or {}).get("fraction") if overview.get("isRunning") else None,
            "running_message": (current.get("progress") or {}).get("message") if overview.get("isRunning") else None}


def percentile(sorted_values, p):
    if not sorted_values:
        return float("nan")
    k = max(0, min(len(sorted_values) - 1, int(round(p / 100 * (len(sorted_values) - 1)))))
    return sorted_values[k]


def peak_rss_mb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default="http://127.0.0.1:5097")
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--image-clients", type=int, default=4, help="of --clients, how many send photo queries")
    parser.add_argument("--images", default="data/demo")
    parser.add_argument("--pid", type=int, required=True, help="the app's process id, for its peak memory")
    parser.add_argument("--key", help="an API key (the API needs a signed-in user)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    global API_KEY
    API_KEY = args.key
    url = urllib.parse.urlsplit(args.url)
    images = demo_images(args.images)
    if not images:
        raise SystemExit(f"no images under {args.images}")

    out = mp.Queue()
    kinds = ["image"] * args.image_clients + ["text"] * (args.clients - args.image_clients)
    procs = [mp.Process(target=client, args=(k, url.hostname, url.port, args.seconds, images, i, out)) for i, k in enumerate(kinds)]
    procs.append(mp.Process(target=background, args=(url.hostname, url.port, args.seconds, images, out)))
    for p in procs:
        p.start()
    results = [out.get() for _ in procs]
    for p in procs:
        p.join()

    figures = {"seconds": args.seconds, "clients": args.clients}
    for kind, endpoint in (("text", "GET /api/search"), ("image", "POST /api/search/image")):
        rows = [r for r in results if r[0] == kind]
        samples = sorted(s for r in rows for s in r[1])
        errors = sum(r[2] for r in rows)
        statuses = {}
        for r in rows:
            for k, v in r[3].items():
                statuses[str(k)] = statuses.get(str(k), 0) + v
        figures[kind] = {"endpoint": endpoint, "clients": len(rows), "ok": len(samples), "errors": errors,
                         "per_s": round(len(samples) / args.seconds, 1), "p50_ms": round(percentile(samples, 50), 1),
                         "p95_ms": round(percentile(samples, 95), 1), "p99_ms": round(percentile(samples, 99), 1),
                         "statuses": statuses}
    _, uploads, upload_errors, trainings, statuses, outcome = next(r for r in results if r[0] == "background")
    figures["background"] = {"uploads": uploads, "upload_errors": upload_errors, "trainings_started": trainings, "statuses": statuses,
                             "training": outcome}
    figures["peak_rss_mb"] = round(peak_rss_mb(args.pid))

    for kind in ("text", "image"):
        f = figures[kind]
        print(f"{f['endpoint']:<24} {f['clients']:>2} clients  {f['ok']:>6} ok  {f['errors']:>3} errors  {f['per_s']:>7}/s  "
              f"p50 {f['p50_ms']:>6} ms  p95 {f['p95_ms']:>6} ms  p99 {f['p99_ms']:>6} ms")
    b = figures["background"]
    print(f"meanwhile: {b['uploads']} uploads of 3 images ({b['upload_errors']} errors), {b['trainings_started']} training runs started")
    t = b["training"]
    if "error" in t:
        print(f"training: could not be read ({t['error']})")
    else:
        running = (f", the running one {100 * (t['running_fraction'] or 0):.0f} % done ({t['running_message']})"
                   if t["running_fraction"] is not None else "")
        failure = f" (first: {t['first_failure']})" if t["failed"] else ""
        print(f"training: {t['finished']} finished, {t['failed']} failed{failure}{running}")
    print(f"app peak RSS: {figures['peak_rss_mb']} MB")
    if args.json:
        print(json.dumps(figures))


if __name__ == "__main__":
    main()
