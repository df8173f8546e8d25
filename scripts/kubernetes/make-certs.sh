#!/usr/bin/env bash
# Makes the webhook's CA and serving certificate with openssl, for clusters without cert-manager, and prints the
# caBundle (the CA, base64) that the MutatingWebhookConfiguration needs. With --apply it also creates the secret
# proclens-webhook-tls and patches the caBundle into the MutatingWebhookConfiguration "proclens" (kubectl).
#   scripts/kubernetes/make-certs.sh [--namespace proclens] [--service proclens-webhook] [--out DIR] [--days N] [--apply]
# Keys are P-256 EC in PKCS#8 (openssl genpkey). Run it again before --days is up: the webhook re-reads the
# secret's files when the kubelet updates them, and a new CA is patched in by --apply.
set -euo pipefail
namespace=proclens service=proclens-webhook out=./proclens-webhook-certs days=730 apply=
while [ $# -gt 0 ]; do
    case "$1" in
        --namespace) namespace=$2; shift 2 ;;
        --service) service=$2; shift 2 ;;
        --out) out=$2; shift 2 ;;
        --days) days=$2; shift 2 ;;
        --apply) apply=1; shift ;;
        -h|--help) sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "make-certs.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
    esac
done
command -v openssl >/dev/null || { echo "make-certs.sh: openssl is missing (apt-get install openssl)" >&2; exit 1; }
mkdir -p "$out"
umask 077
dns="$service.$namespace.svc"

openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$out/ca.key" 2>/dev/null
openssl req -x509 -new -key "$out/ca.key" -sha256 -days "$((days + 365))" -subj "/CN=proclens webhook CA" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" -out "$out/ca.crt"

openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$out/tls.key" 2>/dev/null
openssl req -new -key "$out/tls.key" -subj "/CN=$dns" -out "$out/tls.csr"
# The API server calls https://SERVICE.NAMESPACE.svc:PORT and checks that name against the subjectAltName.
cat > "$out/tls.ext" <<EXT
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=serverAuth
subjectAltName=DNS:$service,DNS:$service.$namespace,DNS:$dns,DNS:$dns.cluster.local
EXT
openssl x509 -req -in "$out/tls.csr" -CA "$out/ca.crt" -CAkey "$out/ca.key" -set_serial "0x$(openssl rand -hex 16)" \
    -days "$days" -sha256 -extfile "$out/tls.ext" -out "$out/tls.crt" 2>/dev/null
rm -f "$out/tls.csr" "$out/tls.ext"
openssl verify -CAfile "$out/ca.crt" "$out/tls.crt" >/dev/null

ca_bundle=$(base64 -w0 < "$out/ca.crt")
echo "make-certs.sh: $out/tls.crt and tls.key for $dns, signed by $out/ca.crt (valid $days days)" >&2
echo "caBundle: $ca_bundle"

if [ -n "$apply" ]; then
    kubectl -n "$namespace" create secret tls proclens-webhook-tls --cert="$out/tls.crt" --key="$out/tls.key" \
        --dry-run=client -o yaml | kubectl apply -f -
    patch=$(kubectl get mutatingwebhookconfiguration proclens -o jsonpath='{range .webhooks[*]}{.name}{"\n"}{end}' |
        awk -v ca="$ca_bundle" 'NF { printf "%s{\"op\":\"add\",\"path\":\"/webhooks/%d/clientConfig/caBundle\",\"value\":\"%s\"}", (n ? "," : ""), n, ca; n++ }')
    kubectl patch mutatingwebhookconfiguration proclens --type=json -p "[$patch]"
fi
