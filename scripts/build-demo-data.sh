#!/usr/bin/env bash
# Build the DeviseWeb demo image dataset in a folder-per-label layout:
#
#   <out>/<label>/<file>.png     e.g. data/demo/polar_bear/emoji-google-1f43b-200d-2744-fe0f.png
#   <out>/<label>/scene-*.jpg    the scene photographs (tuxpaint-data's templates), labelled in scenes.tsv
#   <out>/<label>/gcompris-*.webp  photographs from GCompris's activities, labelled in gcompris.tsv
#   <out>/labels.tsv             folder <TAB> label text <TAB> image count <TAB> sources
#   <out>/evaluation.txt         <folder>/<file> of every evaluation-only image, one a line: the scene photographs and
#                                the photographs of every third GCompris label, imported but never trained on
#   <out>/evaluation-queries.tsv everyday words that are no label, judged by hand against the evaluation set
#   <out>/SOURCES.md             where the images come from and under which licence
#   <out>/LICENSE-*.txt          licence texts shipped by the source packages
#
# Usage: scripts/build-demo-data.sh [OUT_DIR]      (default: <repo>/data/demo)
#
# Sources (all installed by this script when missing):
#   * Debian package tuxpaint-stamps-default  (GPL-2)        -> stamp-<name>.png (drawings),
#                                                               photo-<name>.png (photo cut-outs, listed in
#                                                               scripts/demo-data/photo-stamps.txt)
#   * Debian package tuxpaint-data            (GPL-2)        -> scene-<name>.jpg (scenes.tsv)
#   * Debian package gcompris-qt-data       (per image: CC-BY, CC-BY-SA, CC0, public domain)
#                                                            -> gcompris-<activity>-<name>.webp (gcompris.tsv;
#                                                               unpacked from its Qt resource files by
#                                                               scripts/demo-data/rcc-extract.py)
#   * npm emoji-datasource-google@16.0.0      (Apache-2.0)   -> emoji-google-<code>.png
#   * npm emoji-datasource-twitter@16.0.0     (CC-BY-4.0)    -> emoji-twitter-<code>.png
# Labels come from the stamps' English descriptions and the emoji names, cleaned
# up by the rules in scripts/demo-data/labels.map. Labels are merged across sources.
# The scene-* and gcompris-* files are real photographs, mostly whole scenes; the scenes and a third of the GCompris
# labels (every third in alphabetical order) are listed in evaluation.txt: the evaluation set (docs/methods.md). The
# photo-* cut-outs (photographs on white) are training images.
#
# Idempotent: <out>/.demo-data-version records the script version plus a hash of
# this script and the label map; when it matches, the script exits at once.
# Environment: DEMO_DATA_CACHE (default <out>/../.cache) holds the npm packages and the unpacked GCompris images;
#              DEMO_DATA_FORCE=1 rebuilds even when up to date.
set -euo pipefail

SCRIPT_VERSION=5
EMOJI_VERSION=16.0.0
EMOJI_SETS=(google twitter)
STAMPS_PKG=tuxpaint-stamps-default
STAMPS_DIR=/usr/share/tuxpaint/stamps
SCENES_PKG=tuxpaint-data
SCENES_DIR=/usr/share/tuxpaint/templates
GCOMPRIS_PKG=gcompris-qt-data
GCOMPRIS_DIR=/usr/share/gcompris-qt/rcc

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
self=$here/$(basename "${BASH_SOURCE[0]}")
repo=$(cd "$here/.." && pwd)
map=$here/demo-data/labels.map
photos=$here/demo-data/photo-stamps.txt
scenes=$here/demo-data/scenes.tsv
gcompris=$here/demo-data/gcompris.tsv
queries=$here/demo-data/evaluation-queries.tsv
rcc_extract=$here/demo-data/rcc-extract.py

out=${1:-$repo/data/demo}
case $out in /*) ;; *) out=$PWD/$out ;; esac
out=${out%/}
parent=$(dirname "$out")
cache=${DEMO_DATA_CACHE:-$parent/.cache}
npm_dir=$cache/npm
marker=$out/.demo-data-version

log() { printf '[build-demo-data] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

[[ -f $map ]] || die "label map not found: $map"
command -v node >/dev/null || die "node is required"

want_version="v$SCRIPT_VERSION $(cat "$self" "$map" "$photos" "$scenes" "$gcompris" "$queries" "$rcc_extract" | sha256sum | cut -c1-16) emoji=$EMOJI_VERSION"

# ----------------------------------------------------------------- fast path
if [[ ${DEMO_DATA_FORCE:-0} != 1 && -f $marker && -f $out/labels.tsv ]] &&
   [[ $(<"$marker") == "$want_version" ]]; then
    awk -F'\t' 'NR > 1 { l++; n += $3 } END { printf "[build-demo-data] %s is up to date (%d labels, %d images)\n", dir, l, n }' \
        dir="$out" "$out/labels.tsv"
    exit 0
fi

# never replace a directory this script did not build (e.g. a mistyped OUT_DIR)
if [[ -d $out && ! -f $marker && -n $(ls -A "$out") ]]; then
    die "$out exists, is not empty and was not built by this script; remove it or pick another OUT_DIR"
fi

start=$(date +%s)

# ----------------------------------------------------------------- sources
as_root() {
    if [[ $(id -u) == 0 ]]; then "$@"
    elif command -v sudo >/dev/null; then sudo "$@"
    else die "need root to run: $*"; fi
}

ensure_deb() { # <package> <path it provides> <about>
    if [[ -e $2 ]]; then return; fi
    command -v apt-get >/dev/null || die "$1 is missing and apt-get is not available"
    log "installing Debian package $1 ($3)"
    export DEBIAN_FRONTEND=noninteractive
    if ! as_root apt-get install -y -q --no-install-recommends "$1" >&2; then
        log "install failed; running apt-get update and retrying"
        as_root apt-get update -q >&2
        as_root apt-get install -y -q --no-install-recommends "$1" >&2
    fi
    [[ -e $2 ]] || die "$1 installed but $2 is missing"
}
ensure_stamps() { ensure_deb "$STAMPS_PKG" "$STAMPS_DIR/animals" "about 160 MB download"; }
ensure_scenes() { ensure_deb "$SCENES_PKG" "$SCENES_DIR/sheep.jpg" "about 8 MB download"; }
ensure_gcompris() {
    ensure_deb "$GCOMPRIS_PKG" "$GCOMPRIS_DIR/erase.rcc" "about 44 MB download"
    command -v python3 >/dev/null || ensure_deb python3-minimal /usr/bin/python3 "to unpack Qt resource files"
}

npm_pkg_version() { # <package dir> -> version or empty
    node -e 'try { process.stdout.write(require(process.argv[1] + "/package.json").version) } catch (e) {}' "$1"
}

ensure_emoji() {
    local set missing=()
    for set in "${EMOJI_SETS[@]}"; do
        local dir=$npm_dir/node_modules/emoji-datasource-$set
        if [[ $(npm_pkg_version "$dir") != "$EMOJI_VERSION" || ! -d $dir/img/$set/64 ]]; then
            missing+=("emoji-datasource-$set@$EMOJI_VERSION")
        fi
    done
    ((${#missing[@]})) || return 0
    command -v npm >/dev/null || die "npm is required to fetch ${missing[*]}"
    log "installing npm packages ${missing[*]} into $npm_dir"
    mkdir -p "$npm_dir"
    # a private package.json keeps npm from walking up to any project above the cache
    [[ -f $npm_dir/package.json ]] || printf '{ "name": "demo-data-cache", "private": true }\n' >"$npm_dir/package.json"
    (cd "$npm_dir" && npm install --prefix "$npm_dir" --no-audit --no-fund --no-package-lock \
        --no-save --loglevel=error "${missing[@]}" >&2)
    for set in "${EMOJI_SETS[@]}"; do
        [[ $(npm_pkg_version "$npm_dir/node_modules/emoji-datasource-$set") == "$EMOJI_VERSION" ]] ||
            die "emoji-datasource-$set@$EMOJI_VERSION did not install"
    done
}

ensure_stamps
ensure_scenes
ensure_gcompris
ensure_emoji

stamps_version=$(dpkg-query -W -f='${Version}' "$STAMPS_PKG" 2>/dev/null || echo unknown)
scenes_version=$(dpkg-query -W -f='${Version}' "$SCENES_PKG" 2>/dev/null || echo unknown)
gcompris_version=$(dpkg-query -W -f='${Version}' "$GCOMPRIS_PKG" 2>/dev/null || echo unknown)

# GCompris keeps its images inside Qt resource files: unpack each activity gcompris.tsv names (its images and the
# READMEs that credit them) once per package version into the cache.
gcompris_root=$cache/gcompris-$gcompris_version
for activity in $(awk -F'\t' '!/^#/ && NF { print $1 }' "$gcompris" | sort -u); do
    [[ -f $gcompris_root/.unpacked-$activity ]] && continue
    log "unpacking $GCOMPRIS_PKG's $activity.rcc into $gcompris_root"
    python3 "$rcc_extract" "$GCOMPRIS_DIR/$activity.rcc" "$gcompris_root" '*.webp' '*/README'
    touch "$gcompris_root/.unpacked-$activity"
done

# ----------------------------------------------------------------- build
mkdir -p "$parent"
tmp=$(mktemp -d "$parent/.demo-build.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

summary=$(node - "$STAMPS_DIR" "$npm_dir/node_modules" "$map" "$tmp" "$photos" "$SCENES_DIR" "$scenes" \
    "$gcompris_root/gcompris/src/activities" "$gcompris" "$queries" "${EMOJI_SETS[@]}" <<'JS'
'use strict';
const fs = require('fs');
const path = require('path');
const [stampsDir, nodeModules, mapFile, out, photosFile, scenesDir, scenesFile, gcomprisDir, gcomprisFile, queriesFile, ...sets] =
  process.argv.slice(2);
const listLines = (file) => fs.readFileSync(file, 'utf8').split('\n').map((l) => l.replace(/\r$/, '')).filter((l) => l.trim() && !l.startsWith('#'));
const photoStamps = new Set(listLines(photosFile));

// ---- rules
const skipDirs = [], dirLabels = [], emojiPrefixes = [];
const stampRules = new Map(), emojiRules = new Map(), labelRules = new Map();
for (const raw of fs.readFileSync(mapFile, 'utf8').split('\n')) {
  const line = raw.replace(/\r$/, '');
  if (!line.trim() || line.startsWith('#')) continue;
  const [kind, key, value] = line.split('\t');
  if (kind === 'skipdir') skipDirs.push(key);
  else if (kind === 'dirlabel') dirLabels.push([key, value]);
  else if (kind === 'stamp') stampRules.set(key, value);
  else if (kind === 'emoji') emojiRules.set(key, value);
  else if (kind === 'emojiprefix') emojiPrefixes.push([key, value]);
  else if (kind === 'label') labelRules.set(key, value);
  else throw new Error(`labels.map: bad line: ${line}`);
}
const under = (rel, dir) => rel === dir || rel.startsWith(dir + '/');

// ---- label bookkeeping
const labels = new Map();                 // folder -> { text, files: Set, sources: {} }
const perSource = {};
const evaluation = [];                    // <folder>/<file> of the evaluation-only images
function normalise(text) {
  let t = text.toLowerCase().replace(/[’‘`]/g, "'").replace(/[“”"]/g, '').replace(/\s+/g, ' ').trim();
  if (labelRules.has(t)) t = labelRules.get(t);
  return t;
}
const folderOf = (text) => text.replace(/'/g, '').replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '');
function add(rawLabel, src, destName, source, evaluationOnly = false) {
  if (!rawLabel || rawLabel === '-') return;
  const text = normalise(rawLabel);
  if (!text || text === '-') return;
  const folder = folderOf(text);
  if (!folder || !/[a-z]/.test(folder)) return;
  let entry = labels.get(folder);
  if (!entry) labels.set(folder, entry = { text, files: new Set(), sources: {} });
  let name = destName;
  for (let i = 2; entry.files.has(name); i++) name = destName.replace(/\.(png|jpg|webp)$/, `-${i}.$1`);
  fs.mkdirSync(path.join(out, folder), { recursive: true });
  fs.copyFileSync(src, path.join(out, folder, name));
  entry.files.add(name);
  if (evaluationOnly) evaluation.push(`${folder}/${name}`);
  entry.sources[source] = (entry.sources[source] || 0) + 1;
  perSource[source] = (perSource[source] || 0) + 1;
}

// ---- Tux Paint stamps
const ADJECTIVES = new Set(('red green yellow blue brown pink purple white black silver golden grey gray ' +
  'colorful colourful little small big large huge tiny very happy sleeping sitting singing male female ' +
  'ripe sweet fresh modern old-fashioned old wooden toy cartoon electric classical floppy-eared big-eared ' +
  'european sumatran tamworth magellanic helmeted great crowned spiny folded closed open lit stripey ' +
  'adjustable freshwater').split(' '));
function labelFromSentence(sentence) {
  let s = sentence.replace(/[’‘]/g, "'").replace(/[“”"]/g, '').trim();
  s = s.split(/[.!?—–(,:;]/)[0].toLowerCase().trim();
  const prefix = /^(a pair of|a couple of|a bunch of|a cluster of|a head of|a string of|a plant of|a quarter of|a|an|the|some|two|another|our)\s+/;
  while (prefix.test(s)) s = s.replace(prefix, '');
  s = s.split(/\s(?:is|are|with|from|in|inside|of|for|as|called|means|lets|carries|used|resembles|playing|dancing|making|covered|at|to|-)\s/)[0];
  let words = s.split(/\s+/).filter(Boolean);
  while (words.length > 1 && ADJECTIVES.has(words[0])) words.shift();
  return words.join(' ');
}
function englishLine(txtFile) {
  if (!fs.existsSync(txtFile)) return '';
  for (const line of fs.readFileSync(txtFile, 'utf8').split(/\r?\n/)) {
    if (!line.trim() || /^\S+\.utf8=/.test(line)) continue;
    return line.trim();
  }
  return '';
}
function walk(dir, rel, acc) {
  for (const ent of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const r = rel ? `${rel}/${ent.name}` : ent.name;
    if (ent.isDirectory()) walk(path.join(dir, ent.name), r, acc);
    else if (ent.name.endsWith('.png')) acc.push(r.slice(0, -4));
  }
  return acc;
}
for (const rel of walk(stampsDir, '', [])) {
  const base = path.basename(rel);
  if (/_mirror$/.test(base)) continue;                 // mirrored duplicates
  let label;
  if (stampRules.has(rel)) label = stampRules.get(rel);
  else if (skipDirs.some((d) => under(rel, d))) continue;
  else {
    const dl = dirLabels.find(([d]) => under(rel, d));
    if (dl) label = dl[1];
    else {
      const sentence = englishLine(path.join(stampsDir, rel + '.txt'));
      label = sentence ? labelFromSentence(sentence) : '';
      if (!label) label = base.replace(/[-_]?\d+$/, '').replace(/[_-]+/g, ' ');
    }
  }
  const name = base.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
  const photo = photoStamps.delete(rel);
  add(label, path.join(stampsDir, rel + '.png'), `${photo ? 'photo' : 'stamp'}-${name}.png`, 'tuxpaint');
}
if (photoStamps.size) throw new Error(`photo-stamps.txt names stamps the demo does not use: ${[...photoStamps].join(', ')}`);

// ---- Tux Paint scene photographs
for (const line of listLines(scenesFile)) {
  const [file, label] = line.split('\t');
  const name = file.replace(/\.jpg$/, '').toLowerCase().replace(/[^a-z0-9]+/g, '-');
  add(label, path.join(scenesDir, file), `scene-${name}.jpg`, 'tuxpaint-scenes', true);
}

// ---- GCompris photographs, and the READMEs that credit them
// Every third GCompris label in alphabetical order (the 1st, 4th, 7th...) is evaluation-only, with all its photographs:
// a rule fixed before any model was measured, so nobody picks the labels that score well.
const gcomprisLines = listLines(gcomprisFile);
const gcomprisLabels = [...new Set(gcomprisLines.map((l) => normalise(l.split('\t')[2])))].sort();
const heldGcompris = new Set(gcomprisLabels.filter((_, i) => i % 3 === 0));
const credits = new Set();
for (const line of gcomprisLines) {
  const [activity, file, label] = line.split('\t');
  const src = path.join(gcomprisDir, activity, 'resource', file);
  if (!fs.existsSync(src)) throw new Error(`gcompris.tsv: ${activity}/resource/${file} is not in ${activity}.rcc`);
  const name = path.basename(file, '.webp').replace(/_background$/, '').replace(/([a-z])([A-Z])/g, '$1-$2')
    .toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
  add(label, src, `gcompris-${activity.replace(/_/g, '-')}-${name}.webp`, 'gcompris', heldGcompris.has(normalise(label)));
  // the nearest README above the image credits it (explore_monuments keeps one for all its country folders)
  let dir = path.join(activity, 'resource', path.dirname(file));
  while (!fs.existsSync(path.join(gcomprisDir, dir, 'README')) && dir !== activity) dir = path.dirname(dir);
  if (dir === activity) throw new Error(`no README credits ${activity}/resource/${file}`);
  credits.add(path.join(dir, 'README'));
}
const creditText = [...credits].sort().map((readme) =>
  `==== src/activities/${readme}\n\n${fs.readFileSync(path.join(gcomprisDir, readme), 'utf8').trim()}\n`);
fs.writeFileSync(path.join(out, 'LICENSE-gcompris-qt-data-credits.txt'),
  'Per-image credits of the gcompris-*.webp photographs: the README files shipped beside the images in\n' +
  'gcompris-qt-data\'s Qt resource files (gcompris-<activity>-<name>.webp comes from src/activities/<activity>/).\n\n' +
  creditText.join('\n'));

// ---- emoji
const KEEP = new Set(['Animals & Nature', 'Food & Drink', 'Travel & Places', 'Activities', 'Objects']);
function labelFromEmojiName(name) {
  if (emojiRules.has(name)) return emojiRules.get(name);
  const pre = emojiPrefixes.find(([p]) => name === p || name.startsWith(p + ' '));
  if (pre) return pre[1];
  let words = name.toLowerCase().replace(/[’‘]/g, "'").split(/\s+/);
  if (words.length > 1 && /^(womans|woman's|mans|man's)$/.test(words[0])) words.shift();
  while (words.length > 1 && /^(face|symbol|sign)$/.test(words[words.length - 1])) words.pop();
  return words.join(' ');
}
for (const set of sets) {
  const pkg = path.join(nodeModules, `emoji-datasource-${set}`);
  const data = JSON.parse(fs.readFileSync(path.join(pkg, 'emoji.json'), 'utf8'));
  data.sort((a, b) => a.sort_order - b.sort_order);
  for (const e of data) {
    if (!KEEP.has(e.category) || !e[`has_img_${set}`] || !e.name) continue;
    const src = path.join(pkg, 'img', set, '64', e.image);
    if (!fs.existsSync(src)) continue;
    add(labelFromEmojiName(e.name), src, `emoji-${set}-${e.image.toLowerCase()}`, `emoji-${set}`);
  }
}

// ---- labels.tsv + summary
const folders = [...labels.keys()].sort();
const rows = ['folder\tlabel\timages\tsources'];
for (const f of folders) {
  const e = labels.get(f);
  rows.push([f, e.text, e.files.size, Object.entries(e.sources).map(([s, n]) => `${s}:${n}`).join(',')].join('\t'));
}
fs.writeFileSync(path.join(out, 'labels.tsv'), rows.join('\n') + '\n');
fs.writeFileSync(path.join(out, 'evaluation.txt'),
  '# Evaluation-only images (the scene photographs, and the photographs of every third GCompris label):\n' +
  '# imported, searchable, never trained on.\n' +
  '# One <label folder>/<file> a line; DeviseWeb\'s import reads this file (docs/methods.md).\n' +
  evaluation.sort().join('\n') + '\n');
// ---- the everyday words judged against the evaluation set: none a label, each naming labels of evaluation images
const evaluationLabels = new Set(evaluation.map((e) => labels.get(e.split('/')[0]).text));
const labelTexts = new Set([...labels.values()].map((e) => e.text));
for (const line of listLines(queriesFile)) {
  const [word, named] = line.split('\t');
  if (!named) throw new Error(`evaluation-queries.tsv: no labels after "${word}"`);
  if (labelTexts.has(word)) throw new Error(`evaluation-queries.tsv: "${word}" is a label of the demo`);
  for (const label of named.split(',').map((l) => l.trim()))
    if (!evaluationLabels.has(label)) throw new Error(`evaluation-queries.tsv: "${word}" names "${label}", no label of an evaluation image`);
}
fs.copyFileSync(queriesFile, path.join(out, 'evaluation-queries.tsv'));
const total = Object.values(perSource).reduce((a, b) => a + b, 0);
const lines = [`labels: ${folders.length}   images: ${total}   evaluation-only: ${evaluation.length}`,
  'per source: ' + Object.entries(perSource).map(([s, n]) => `${s}=${n}`).join('  '),
  'top 20 labels by image count:'];
const top = folders.map((f) => [f, labels.get(f).files.size]).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, 20);
for (let i = 0; i < top.length; i += 4)
  lines.push('  ' + top.slice(i, i + 4).map(([f, n]) => `${f} (${n})`.padEnd(26)).join('').trimEnd());
console.log(lines.join('\n'));
JS
)

# ----------------------------------------------------------------- licences + SOURCES.md
copy_licence() { # <src> <dest name>
    if [[ -f $1 ]]; then cp "$1" "$tmp/$2"; else log "warning: licence file $1 not found"; fi
}
copy_licence "/usr/share/doc/$STAMPS_PKG/copyright" LICENSE-tuxpaint-stamps-default.txt
copy_licence "/usr/share/doc/$SCENES_PKG/copyright" LICENSE-tuxpaint-data.txt
copy_licence "/usr/share/doc/$GCOMPRIS_PKG/copyright" LICENSE-gcompris-qt-data.txt
copy_licence /usr/share/common-licenses/GPL-2 LICENSE-GPL-2.txt
copy_licence /usr/share/common-licenses/Apache-2.0 LICENSE-Apache-2.0.txt
for set in "${EMOJI_SETS[@]}"; do
    copy_licence "$npm_dir/node_modules/emoji-datasource-$set/LICENSE" "LICENSE-emoji-datasource-$set.txt"
done

count_src() { awk -F'\t' -v s="$1" 'NR > 1 { n = split($4, a, ","); for (i = 1; i <= n; i++) { split(a[i], kv, ":"); if (kv[1] == s) c += kv[2] } } END { print c + 0 }' "$tmp/labels.tsv"; }

cat >"$tmp/SOURCES.md" <<EOF
# DeviseWeb demo dataset: sources and licences

Built by \`scripts/build-demo-data.sh\` (version $SCRIPT_VERSION) on $(date -u +%Y-%m-%d).
Layout: one folder per label (\`<label>/<file>.png\`, underscores for spaces);
\`labels.tsv\` lists every label with its image count and sources; \`evaluation.txt\` lists the
evaluation-only images (the \`scene-*\` photographs and the \`gcompris-*\` photographs of every third GCompris label in
alphabetical order), which the import marks so training never uses them.
Label rules: \`scripts/demo-data/labels.map\`.

| Files | Source | Version | Licence | Images |
|---|---|---|---|---|
| \`stamp-*.png\`, \`photo-*.png\` | Debian package \`$STAMPS_PKG\` (Tux Paint stamps, https://tuxpaint.org/); \`photo-\` marks a cut-out of a photograph | $stamps_version | GPL-2 (or later) | $(count_src tuxpaint) |
| \`scene-*.jpg\` | Debian package \`$SCENES_PKG\` (Tux Paint's template photographs, \`/usr/share/tuxpaint/templates/\`, by Bill Kendrick), labels from \`scripts/demo-data/scenes.tsv\` | $scenes_version | GPL-2 (or later) | $(count_src tuxpaint-scenes) |
| \`gcompris-*.webp\` | Debian package \`$GCOMPRIS_PKG\` (GCompris's activity photographs, mostly from Wikimedia Commons, https://gcompris.net/), unpacked from \`/usr/share/gcompris-qt/rcc/<activity>.rcc\`, labels from \`scripts/demo-data/gcompris.tsv\` | $gcompris_version | per image: CC-BY, CC-BY-SA, CC0 or public domain | $(count_src gcompris) |
| \`emoji-google-*.png\` | npm \`emoji-datasource-google\` (Google Noto Color Emoji images, https://github.com/googlefonts/noto-emoji) | $EMOJI_VERSION | Apache-2.0 | $(count_src emoji-google) |
| \`emoji-twitter-*.png\` | npm \`emoji-datasource-twitter\` (Twemoji images, https://github.com/jdecked/twemoji) | $EMOJI_VERSION | CC-BY-4.0 | $(count_src emoji-twitter) |

Licence texts in this folder:

* \`LICENSE-tuxpaint-stamps-default.txt\`: the Debian copyright file of \`$STAMPS_PKG\`
  (Copyright 2002-2022 Bill Kendrick and contributors, GPL-2); full text in \`LICENSE-GPL-2.txt\`.
* \`LICENSE-tuxpaint-data.txt\`: the Debian copyright file of \`$SCENES_PKG\` (Copyright 2002-2021 Bill
  Kendrick, GPL-2+; its AUTHORS file credits the templates to him); full text in \`LICENSE-GPL-2.txt\`.
* \`LICENSE-gcompris-qt-data.txt\`: the Debian copyright file of \`$GCOMPRIS_PKG\` (its licence statements
  and the licence texts it carries); the photographs used here are public domain, CC0-1.0, CC-BY 2.0/3.0/4.0 or
  CC-BY-SA 4.0 (texts: https://creativecommons.org/licenses/); \`LICENSE-gcompris-qt-data-credits.txt\`:
  the README beside each photograph in the package, which names its author, licence and Wikimedia Commons source
  (\`gcompris-<activity>-<name>.webp\` is \`src/activities/<activity>/resource/.../<name>.webp\` there).
* \`LICENSE-Apache-2.0.txt\`: the Apache License 2.0, which covers the Google Noto emoji images.
* \`LICENSE-emoji-datasource-google.txt\`, \`LICENSE-emoji-datasource-twitter.txt\`: the MIT licence
  of the emoji-datasource packages (the data files; Copyright 2013 Cal Henderson). Their README states:
  "Android/Google/Noto images, are available under the Apache License 2.0" and
  "Twitter images are available under the Creative Commons Attribution 4.0 license".
* Twemoji graphics: Copyright 2019 Twitter, Inc and other contributors (2024 onwards: jdecked and
  contributors), licensed under CC-BY 4.0: https://creativecommons.org/licenses/by/4.0/
  (licence text: https://github.com/jdecked/twemoji/blob/main/LICENSE-GRAPHICS).

The stamp images were copied unchanged from \`/usr/share/tuxpaint/stamps/\` and the scene photographs from
\`/usr/share/tuxpaint/templates/\`; the GCompris photographs are the unchanged WebP files of its resource files
(GCompris's own crops and rescales of the credited originals); the emoji images are the
unchanged 64x64 PNGs from \`img/<set>/64/\` of the npm packages.
EOF

printf '%s\n' "$want_version" >"$tmp/.demo-data-version"

# ----------------------------------------------------------------- swap into place
if [[ -e $out ]]; then
    old=$parent/.demo-old.$$
    mv "$out" "$old"
    mv "$tmp" "$out"
    rm -rf "$old"
else
    mv "$tmp" "$out"
fi
trap - EXIT

printf '%s\n' "$summary"
log "built $out in $(($(date +%s) - start))s"
