#!/usr/bin/env bash
# Build the front-end assets into app/static/dist/ (git-ignored).
#
#   npm ci && npm run build     (this script is the `build` npm script)
#
# - app/static/src/portal.scss -> app/static/dist/portal.css (compressed)
# - app/static/src/portal.js   -> app/static/dist/portal.js
# - govuk-frontend.min.js      -> app/static/dist/govuk-frontend.min.js
# - our own neutral images     -> app/static/dist/assets/images/
#
# GOV.UK-branded assets (crown crest, GOV.UK icons, GDS Transport fonts) are
# deliberately NOT copied.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

SRC="app/static/src"
DIST="app/static/dist"
GOVUK="node_modules/govuk-frontend/dist/govuk"
SASS="node_modules/.bin/sass"

if [[ ! -x "$SASS" || ! -d "$GOVUK" ]]; then
  echo "build-assets: node_modules missing; run 'npm ci' first" >&2
  exit 1
fi

# Start from a clean dist so removed files don't linger.
rm -rf "$DIST"
mkdir -p "$DIST/assets/images"

# 1. Stylesheet
"$SASS" \
  --load-path=node_modules \
  --style=compressed \
  --no-source-map \
  --quiet-deps \
  "$SRC/portal.scss" "$DIST/portal.css"

# The version app/core/static.py gives a file: the first 12 hex digits of its SHA-256.
# References inside the built files carry it, so the browser may keep them for a year.
version() { sha256sum "$1" | cut -c1-12; }

# 2. JavaScript (ES modules; portal.js imports ./govuk-frontend.min.js at its version)
cp "$GOVUK/govuk-frontend.min.js" "$DIST/govuk-frontend.min.js"
cp "$GOVUK/govuk-frontend.min.js.map" "$DIST/govuk-frontend.min.js.map"
sed "s#'./govuk-frontend.min.js'#'./govuk-frontend.min.js?v=$(version "$DIST/govuk-frontend.min.js")'#" \
  "$SRC/portal.js" >"$DIST/portal.js"
grep -q "govuk-frontend.min.js?v=" "$DIST/portal.js" || {
  echo "build-assets: portal.js no longer imports './govuk-frontend.min.js'" >&2
  exit 1
}

# 3. Images: only our own neutral ones (favicon, footer mark), referenced from portal.css
# at their version.
cp "$SRC"/images/*.svg "$DIST/assets/images/"
for image in "$DIST"/assets/images/*.svg; do
  url="/static/dist/assets/images/$(basename "$image")"
  sed -i -E "s#($url)([\"')])#\\1?v=$(version "$image")\\2#g" "$DIST/portal.css"
done

# 4. Sanity checks: no GOV.UK typeface or crown may end up in the build.
if grep -q "GDS Transport" "$DIST/portal.css"; then
  echo "build-assets: 'GDS Transport' found in portal.css" >&2
  exit 1
fi
if grep -q "@font-face" "$DIST/portal.css"; then
  echo "build-assets: unexpected @font-face in portal.css" >&2
  exit 1
fi
if grep -qi "govuk-crest\|govuk-icon" "$DIST/portal.css"; then
  echo "build-assets: GOV.UK crest/icon referenced in portal.css" >&2
  exit 1
fi
# Every url() pointing into /static/dist/ must exist in the build.
missing=0
while IFS= read -r url; do
  file="app${url}"
  if [[ ! -f "$file" ]]; then
    echo "build-assets: url($url) in portal.css does not resolve ($file missing)" >&2
    missing=1
  fi
done < <(grep -o 'url([^)]*)' "$DIST/portal.css" | sed -E 's/^url\(["'\'']?//; s/["'\'']?\)$//; s/[?].*$//' | grep '^/static/' | sort -u)
if [[ $missing -ne 0 ]]; then
  exit 1
fi

echo "build-assets: built $DIST ($(wc -c <"$DIST/portal.css") bytes portal.css)"
