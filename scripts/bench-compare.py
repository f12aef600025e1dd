#!/usr/bin/python3
"""Prints DeviseWeb's bench figures beside the peer's (../shared/peer) and the issue's targets.

Usage: bench-compare.py [PEER.jsonl] DEVISE.jsonl
With one file (scripts/bench.sh --quick), only our own figures and the targets that need no peer are shown.
KNN is compared with the peer's torch figures (X @ q + topk), not faiss: Debian's faiss is built without AVX2.
"""
import json
import sys


def read(path, key):
    records = {}
    for line in open(path):
        line = line.strip()
        if line.startswith('{'):
            rec = json.loads(line)
            records.setdefault(rec[key], []).append(rec)
    return records


if len(sys.argv) not in (2, 3):
    sys.exit(__doc__)
peer = read(sys.argv[1], 'cmd') if len(sys.argv) == 3 else {}
ours = {name: [r['figures'] for r in recs] for name, recs in read(sys.argv[-1], 'bench').items()}


def first(name):
    return (ours.get(name) or [None])[0]


def at(name, n):
    return next((f for f in ours.get(name, []) if f.get('n') == n), None)


def peer_torch(n):
    rec = next((p for p in peer.get('knn', []) if p['n'] == n), None)
    return rec['methods'].get('torch') if rec else None


rows = []  # (figure, ours, reference, ratio, target, verdict)


def row(name, value, reference=None, target='', ok=None, ratio=None):
    if ratio is None and value is not None and reference:
        ratio = value / reference
    rows.append((name, value, reference, ratio, target, None if ok is None else ('met' if ok else 'MISSED')))


def check(value, limit, op):
    if value is None or limit is None:
        return None
    return value <= limit if op == '<=' else value >= limit


feat, pfeat = first('features'), (peer.get('features') or [None])[0]
features_rate = feat['forward_img_per_s'] if feat else None
if feat:
    pf = pfeat['forward_img_per_s'] if pfeat else None
    row('features alone, img/s (ONNX, 1 thread x cores; peer: torch batch 16)', features_rate, pf,
        'ours >= 1.2x peer', check(features_rate / pf if pf else None, 1.2, '>='))
    row('decode + features, img/s', feat['end_to_end_img_per_s'], pfeat['end_to_end_img_per_s'] if pfeat else None)
imp = first('import')
if imp:
    row('import end to end, img/s (reference: our features alone)', imp['img_per_s'], features_rate,
        '>= 0.9x features', check(imp['img_per_s'] / features_rate if features_rate else None, 0.9, '>='))
train, ptrain = first('train'), (peer.get('train-head') or [None])[0]
if train:
    pt = ptrain['samples_per_s'] if ptrain else None
    row('head training, samples/s', train['samples_per_s'], pt, 'ours >= peer',
        check(train['samples_per_s'] / pt if pt else None, 1.0, '>='))

SINGLE_TARGET = {100_000: 0.7, 1_000_000: 0.5}  # our p50 at most this share of the peer's torch p50
COLD_START_TARGET = {100_000: 2.0, 1_000_000: 10.0}  # seconds
BIG = 1_000_000  # where the add, memory and batch targets apply

for n in sorted({f['n'] for name in ('knn', 'memory') for f in ours.get(name, [])}):  # --only memory has no knn
    knn, torch = at('knn', n), peer_torch(n)
    label = f'{n:,}'
    if knn:
        share = SINGLE_TARGET.get(n)
        ratio = knn['single_ms_p50'] / torch['single_ms_p50'] if torch else None
        row(f'exact top-10 single query p50 ms at {label} (peer: torch)', knn['single_ms_p50'],
            torch and torch['single_ms_p50'], f'<= {share}x peer' if share else '', check(ratio, share, '<=') if share else None)
        row(f'exact top-10 single query p95 ms at {label}', knn['single_ms_p95'], torch and torch['single_ms_p95'])
        qps_ratio = knn['batch_qps'] / torch['batch_qps'] if torch else None
        row(f'batch of {knn["batch_queries"]} queries, q/s at {label} (peer: torch mm + topk)', knn['batch_qps'],
            torch and torch['batch_qps'], '>= 1.0x peer' if n == BIG else '', check(qps_ratio, 1.0, '>=') if n == BIG else None)
        row(f'recall@10 at {label}, single (vs fp32 brute force over the stored vectors)', knn['recall_at_10'],
            torch and torch.get('recall@10'), '>= 0.99', check(knn['recall_at_10'], 0.99, '>='), ratio=float('nan'))
        row(f'recall@10 at {label}, batch', knn['batch_recall_at_10'], None, '>= 0.99',
            check(knn['batch_recall_at_10'], 0.99, '>='), ratio=float('nan'))
    text = at('text-search', n)
    if text:
        row(f'text search end to end p50 ms at {label} (SearchService; reference: index p50)', text['ms_p50'],
            knn and knn['single_ms_p50'])
    similar = at('similar-search', n)
    if similar:
        row(f'"more like this" end to end p50 ms at {label} (features + embedding; reference: text search p50)', similar['ms_p50'],
            text and text['ms_p50'])
        row(f'"more like this" end to end p95 ms at {label}', similar['ms_p95'])
    add = at('add', n)
    if add:
        row(f'add one image: index part p50 ms at {label}', add['index_ms_p50'], None,
            '<= 5 ms' if n == BIG else '', check(add['index_ms_p50'], 5.0, '<=') if n == BIG else None)
        row(f'add one image: index part p95 ms at {label}', add['index_ms_p95'])
        row(f'add one image: whole insert p50 ms at {label}', add['insert_ms_p50'])
        row(f'add one image: whole insert p95 ms at {label}', add['insert_ms_p95'])
    mem = at('memory', n)
    if mem:
        # Issue 16: growth adding images <= 1.2x those images' vectors (features and embeddings), at 100k and 1M.
        row(f'memory growth / fp32 embeddings, 10,000 images one per transaction at {label} ({mem["growth_mb"]:.1f} MB)', mem['growth_ratio'], None, '', None, ratio=float('nan'))
        row(f'memory growth / fp32 features + embeddings, 10,000 images one per transaction at {label}', mem['growth_ratio_all_vectors'], None,
            '<= 1.2x', check(mem['growth_ratio_all_vectors'], 1.2, '<='), ratio=float('nan'))
    batched = at('memory-batched', n)
    if batched:
        row(f'LiteDB page cache growth, MB, 10,000 images 1,000 per transaction at {label}', batched['growth_by_kind']['litedb_cache_mb'], None,
            '<= 40 MB (budget 32 + a cache segment)', check(batched['growth_by_kind']['litedb_cache_mb'], 40, '<='), ratio=float('nan'))
    cold = at('cold-start', n)
    if cold:
        limit = COLD_START_TARGET.get(n)
        row(f'cold start to first search, s, median of {len(cold["runs_s"])} at {label}', cold['median_s'], None,
            f'<= {limit:g} s' if limit else '', (cold['ok'] and check(cold['median_s'], limit, '<=')) if limit else None)
    opened = at('open', n)
    if opened:
        row(f'engine open (store, lock, active index), s at {label}', opened['open_s'])
    into = at('import-into', n)
    if into:
        row(f'import into the {label} store, img/s (reference: our features alone)', into['img_per_s'], features_rate,
            '>= 0.9x features', check(into['img_per_s'] / features_rate if features_rate else None, 0.9, '>='))
    seed = at('seed', n)
    if seed and seed.get('seeded'):
        row(f'seeding the {label} store (once, then cached), s', seed['seed_s'])

# Training at gallery scale (issue 17): each size's run, against the smallest trained size for import and photo search.
trained = sorted(f['n'] for f in ours.get('train-scale', []))
for n in trained:
    label = f'{n:,}'
    train = at('train-scale', n)
    row(f'training at {label}: passes after the epochs, s ({train["epochs"]} epochs, {train["per_epoch_s"]:.1f} s each)', train['after_epochs_s'], None,
        '<= 300 s' if n == 100_000 else '', check(train['after_epochs_s'], 300, '<=') if n == 100_000 else None)
    row(f'training at {label}: whole run with the default epochs, s', train.get('default_epochs_run_s', train['total_s']), None,
        '<= 1800 s' if n == 1_000_000 else '', check(train.get('default_epochs_run_s'), 1800, '<=') if n == 1_000_000 else None)
    act = at('activate-scale', n)
    if act:
        row(f'activating the trained version at {label}, s', act['total_s'], None,
            '<= 600 s' if n == 1_000_000 else '', check(act['total_s'], 600, '<=') if n == 1_000_000 else None)
    small = trained[0]
    imp, imp0 = at('import-labelled', n), at('import-labelled', small)
    if imp and imp0 and n != small:
        # Cost per image is the inverse of the rate.
        row(f'import with {imp["labelled"]:,} labelled vs {imp0["labelled"]:,}: cost ratio', imp0['img_per_s'] / imp['img_per_s'], None,
            '<= 1.2x' if n == 100_000 else '', check(imp0['img_per_s'] / imp['img_per_s'], 1.2, '<=') if n == 100_000 else None, ratio=float('nan'))
    ref, ref0 = at('reference-search', n), at('reference-search', small)
    if ref and ref0 and n != small:
        row(f'reference-photo search with {ref["labelled"]:,} labelled vs {ref0["labelled"]:,}: p50 ratio', ref['ms_p50'] / ref0['ms_p50'], None,
            '<= 1.2x' if n == 100_000 else '', check(ref['ms_p50'] / ref0['ms_p50'], 1.2, '<=') if n == 100_000 else None, ratio=float('nan'))

proc = first('process')
if proc:
    row('peak RSS of the bench process, MB', proc['peak_rss_mb'])


def fmt(v):
    if v is None or v != v:  # None or NaN
        return '-'
    return f'{v:,.0f}' if abs(v) >= 1000 else f'{v:.2f}' if abs(v) >= 1 else f'{v:.4f}'


width = max(len(r[0]) for r in rows) if rows else 10
print(f"{'figure':<{width}} {'ours':>10} {'peer/ref':>10} {'ratio':>7}  target")
for name, value, reference, ratio, target, verdict in rows:
    r = '-' if ratio is None or ratio != ratio else f'{ratio:.2f}x'
    print(f"{name:<{width}} {fmt(value):>10} {fmt(reference):>10} {r:>7}  {target} {verdict or ''}".rstrip())
for side, recs in (('peer features', peer.get('features', [])), ('peer knn', peer.get('knn', []))):
    for r in recs:
        print(f"({side}{' n=' + format(r['n'], ',') if 'n' in r else ''}: load {r['loadavg_start']} -> {r['loadavg_end']})")
missed = [r[0] for r in rows if r[5] == 'MISSED']
print(f"{sum(r[5] == 'met' for r in rows)} targets met, {len(missed)} missed")
