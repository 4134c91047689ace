#!/usr/bin/env bash
# Vendors the design system (govuk-frontend, built from its Sass with Bredvid's settings) and htmx
# into bredvid/static/vendor/. Versions are pinned here; change them only together with a review
# of the rendered pages and the browser tests. Needs node and npm (registry access).
set -euo pipefail
GOVUK_FRONTEND_VERSION=6.6.0
HTMX_VERSION=2.0.4
SASS_VERSION=1.108.2

root=$(cd "$(dirname "$0")/.." && pwd)
out="$root/bredvid/static/vendor"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cd "$work"
npm init -y >/dev/null
npm install --no-audit --no-fund --silent "govuk-frontend@$GOVUK_FRONTEND_VERSION" "htmx.org@$HTMX_VERSION" "sass@$SASS_VERSION"

# Neutral municipal branding: system fonts (GDS Transport is licensed to GOV.UK only), no crown.
cat > bredvid.scss <<'SCSS'
@use "pkg:govuk-frontend" as * with (
  $govuk-font-family: ("Segoe UI", system-ui, -apple-system, Roboto, Helvetica, Arial, sans-serif),
  $govuk-include-default-font-face: false,
  $govuk-assets-path: "../govuk/assets/"
);
SCSS
npx sass --pkg-importer=node --style=compressed --no-source-map --quiet-deps --silence-deprecation=import bredvid.scss govuk-frontend.min.css

rm -rf "$out/govuk" "$out/htmx"
mkdir -p "$out/govuk/assets" "$out/htmx"
cp govuk-frontend.min.css "$out/govuk/"
cp node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js "$out/govuk/"
# Only the one image the stylesheet references (GOV.UK's own brand images are not ours to use).
mkdir -p "$out/govuk/assets/images"
cp node_modules/govuk-frontend/dist/govuk/assets/images/govuk-crest.svg "$out/govuk/assets/images/"
node -e 'const p=require("./node_modules/govuk-frontend/package.json"); console.log(p.name+" "+p.version+" — "+p.license+" licence, (c) Crown copyright. Source: "+p.repository.url)' > "$out/govuk/LICENSE"
cp node_modules/htmx.org/dist/htmx.min.js "$out/htmx/"
cp node_modules/htmx.org/LICENSE "$out/htmx/LICENSE"
printf 'govuk-frontend %s\nhtmx.org %s\nsass %s\n' "$GOVUK_FRONTEND_VERSION" "$HTMX_VERSION" "$SASS_VERSION" > "$out/VERSIONS"
echo "vendored into $out"
