#!/usr/bin/env bash
# The image's software bill of materials: every production dependency (what `npm ci --omit=dev` installs
# into the image) as CycloneDX JSON, from package-lock.json. CI runs it (scripts/test.sh); publish the file
# with the release. Usage: bash scripts/sbom.sh [output file, default dist/sbom.cdx.json]
#
# --package-lock-only: the lockfile is exactly what the image installs, and reading it does not depend on
# the state of a local node_modules. npm names the SBOM's subject after the folder it runs in, so it runs
# in a scratch folder named after the package.
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-dist/sbom.cdx.json}"
name="$(node -p 'require("./package.json").name')"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/$name" "$(dirname "$out")"
cp package.json package-lock.json "$work/$name/"
(cd "$work/$name" && npm sbom --sbom-format cyclonedx --omit dev --package-lock-only) > "$out.partial"
mv "$out.partial" "$out"
echo "$out"
