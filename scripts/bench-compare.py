#!/usr/bin/python3
"""Prints DeviseWeb's bench figures beside the peer's (../shared/peer) as ratios, with the issue's targets."""
import json
import sys

peer = {}
for line in open(sys.argv[1]):
    rec = json.loads(line)
    peer.setdefault(rec['cmd'], []).append(rec)
ours = {}
for line in open(sys.argv[2]):
    rec = json.loads(line)
    ours.setdefault(rec['bench'], []).append(rec['figures'])

rows = []
f, pf = ours['features'][0], peer['features'][0]
rows.append(('features alone, img/s (ours: ONNX, 1 thread x cores; peer: torch batch 16)',
             f['forward_img_per_s'], pf['forward_img_per_s'], 'ours >= 1.2x peer', f['forward_img_per_s'] / pf['forward_img_per_s'] >= 1.2))
rows.append(('decode + features, img/s', f['end_to_end_img_per_s'], pf['end_to_end_img_per_s'], '', None))
imp = ours['import'][0]
rows.append(('import end to end, img/s (vs our features alone)', imp['img_per_s'], f['forward_img_per_s'],
             'ours >= 0.9x features', imp['img_per_s'] / f['forward_img_per_s'] >= 0.9))
t, pt = ours['train'][0], peer['train-head'][0]
rows.append(('head training, samples/s', t['samples_per_s'], pt['samples_per_s'], 'ours >= peer', t['samples_per_s'] >= pt['samples_per_s']))
for k in ours['knn']:
    pk = next(p for p in peer['knn'] if p['n'] == k['n'])
    faiss = pk['methods']['faiss_flat']
    rows.append((f"exact top-10 p50 ms at {k['n']:,} (peer: faiss IndexFlatIP)", k['top10_ms_p50'], faiss['single_ms_p50'],
                 'ours <= 1.5x faiss' if k['n'] >= 1_000_000 else '', k['top10_ms_p50'] <= 1.5 * faiss['single_ms_p50'] if k['n'] >= 1_000_000 else None))
    rows.append((f"exact top-10 p95 ms at {k['n']:,}", k['top10_ms_p95'], faiss['single_ms_p95'], '', None))

print(f"{'figure':<76} {'ours':>9} {'peer':>9} {'ratio':>7}  target")
for name, a, b, target, ok in rows:
    verdict = '' if ok is None else ('met' if ok else 'MISSED')
    print(f"{name:<76} {a:>9.2f} {b:>9.2f} {a / b:>6.2f}x  {target} {verdict}")
for side, recs in (('peer features', peer['features']), ('peer knn 1M', [p for p in peer['knn'] if p['n'] >= 1_000_000])):
    for r in recs:
        print(f"({side}: load {r['loadavg_start']} -> {r['loadavg_end']})")
