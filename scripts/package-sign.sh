#!/usr/bin/env bash
# Authenticode-signs Windows files (.exe, .msi) in place with osslsigncode.
# The certificate and key come from files named by the environment, never
# from the repository:
#   DEPOSITDESK_SIGN_CERT          PEM certificate chain (the firm's code-signing certificate)
#   DEPOSITDESK_SIGN_KEY           PEM private key of that certificate
#   DEPOSITDESK_SIGN_KEY_PASSWORD_FILE  optional: a file holding the key's password
#   DEPOSITDESK_SIGN_TIMESTAMP_URL optional: an RFC 3161 timestamp server, so the
#                                  signature outlives the certificate (needs the network)
# scripts/package.sh sets the first two to a throwaway test certificate when
# none is configured.
# Usage: scripts/package-sign.sh DESCRIPTION FILE...
set -euo pipefail
desc=$1; shift
: "${DEPOSITDESK_SIGN_CERT:?names the code-signing certificate (PEM)}"
: "${DEPOSITDESK_SIGN_KEY:?names the private key of the certificate (PEM)}"
opts=(-certs "$DEPOSITDESK_SIGN_CERT" -key "$DEPOSITDESK_SIGN_KEY" -h sha256 -n "$desc")
if [ -n "${DEPOSITDESK_SIGN_KEY_PASSWORD_FILE:-}" ]; then opts+=(-readpass "$DEPOSITDESK_SIGN_KEY_PASSWORD_FILE"); fi
if [ -n "${DEPOSITDESK_SIGN_TIMESTAMP_URL:-}" ]; then opts+=(-ts "$DEPOSITDESK_SIGN_TIMESTAMP_URL"); fi
for f in "$@"; do
  extra=()
  # An MSI's signature then covers its streams' metadata too, not only their contents.
  case "$f" in *.msi) extra=(-add-msi-dse) ;; esac
  # osslsigncode writes a new file; the old one is replaced only once signed.
  osslsigncode sign "${opts[@]}" "${extra[@]}" -in "$f" -out "$f.signed" >/dev/null
  chmod --reference="$f" "$f.signed"
  mv "$f.signed" "$f"
  echo "signed $f" >&2
done
