#!/bin/sh
# make-tsa.sh DIR — a throw-away RFC 3161 test TSA for tests and the demo:
# a root CA and a TSA certificate (extendedKeyUsage timeStamping, critical,
# as RFC 3161 section 2.3 requires), made on the fly with the openssl CLI,
# and the openssl.cnf `openssl ts -reply` needs. Writes into DIR:
#   ca.pem  ca.key  tsa.pem  tsa.key  tsa.cnf  serial
# Also, for negative tests: other-ca.pem (an unrelated CA), and short.pem
# short.key: a TSA certificate under the same CA valid for 2 days from now
# (a token it signs verifies; verified after those days, its TSA
# certificate has expired since).
# Nothing here is secret; never use it for real time-stamps.
set -eu
d=${1:?usage: make-tsa.sh DIR}
mkdir -p "$d"
cd "$d"
q() { "$@" >/dev/null 2>&1 || { echo "make-tsa: failed: $*" >&2; exit 1; }; }

cat > ext.cnf <<'CNF'
[req]
distinguished_name = dn
prompt = no
[dn]
[ca_ext]
basicConstraints = critical, CA:true
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[tsa_ext]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature, nonRepudiation
extendedKeyUsage = critical, timeStamping
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
CNF

# dates well before any test clock ($CONSTAT_NOW is 2026 in the e2e tests;
# the TSA signs with the real clock) and after it
span="-days 7300"
q openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout ca.key -out ca.pem -subj "/O=constat test/CN=constat test TSA root" \
    $span -extensions ca_ext -config ext.cnf
q openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout tsa.key -out tsa.csr -subj "/O=constat test/CN=constat test TSA" -config ext.cnf
q openssl x509 -req -in tsa.csr -CA ca.pem -CAkey ca.key -CAcreateserial \
    -out tsa.pem $span -extfile ext.cnf -extensions tsa_ext
q openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout other-ca.key -out other-ca.pem -subj "/O=elsewhere/CN=unrelated CA" \
    $span -extensions ca_ext -config ext.cnf
q openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout short.key -out short.csr -subj "/O=constat test/CN=constat short-lived TSA" \
    -config ext.cnf
q openssl x509 -req -in short.csr -CA ca.pem -CAkey ca.key -CAserial ca.srl \
    -out short.pem -days 2 -extfile ext.cnf -extensions tsa_ext
rm -f tsa.csr short.csr
echo 01 > serial

cat > tsa.cnf <<CNF
[ tsa ]
default_tsa = tsa_config
[ tsa_config ]
dir = $PWD
serial = \$dir/serial
crypto_device = builtin
signer_cert = \$dir/tsa.pem
certs = \$dir/ca.pem
signer_key = \$dir/tsa.key
signer_digest = sha256
default_policy = 1.3.6.1.4.1.4146.2.3
other_policies = 1.3.6.1.4.1.4146.2.2
digests = sha256, sha384, sha512
accuracy = secs:1
ordering = no
tsa_name = yes
ess_cert_id_chain = no
ess_cert_id_alg = sha256
CNF
