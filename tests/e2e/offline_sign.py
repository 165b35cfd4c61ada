#!/usr/bin/env python3
"""offline_sign.py — a device that signs records offline, as the field app
does (docs/api.md "Submitting a record", "Signed on the device"), without a
browser: Ed25519 and libsodium sealed boxes through libsodium itself
(ctypes), the record canonicalised as RFC 8785 (the records made here hold
ASCII strings and integers only, for which sorted compact JSON is RFC 8785).

  offline_sign.py enrol URL CODE NAME PASSWORD KEYFILE
      make a key pair, enrol it with the code (POST /api/v1/enrol); KEYFILE
      gets {name, key_id, pk, sk} (hex)
  offline_sign.py sign URL KEYFILE PASSWORD DRAFT.json BODY.json [ID ...]
      complete DRAFT (a record without v, kind, org, monitor; its id and
      recorded_at as given) with the organisation of GET /api/v1/info,
      commit each person identifier ID (affected.person_commitments) and each
      member of DRAFT's "private" (clear values) under a random salt, seal
      the pairs to the organisation's key of /api/v1/info, sign, and write
      the request body to BODY.json
  offline_sign.py record URL KEYFILE PASSWORD DRAFT.json BODY.json [ID ...]
      sign, then post BODY.json as `post` does
  offline_sign.py post URL KEYFILE PASSWORD BODY.json
      log in and POST BODY.json to /api/v1/records (again: a replay)
Each post prints one line: the HTTP status, then the answer's JSON.
"""
import base64
import ctypes
import ctypes.util
import hashlib
import http.cookiejar
import json
import os
import sys
import urllib.error
import urllib.request

sodium = ctypes.CDLL(ctypes.util.find_library("sodium") or "libsodium.so.23")
if sodium.sodium_init() < 0:
    sys.exit("libsodium: sodium_init failed")


def b64(b):
    return base64.b64encode(b).decode()


def jcs(v):
    return json.dumps(v, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def commit(field, value, salt):
    return hashlib.sha256(b"constat-commit-v1\0" + salt + field.encode() + b"\0" +
                          jcs(value).encode()).hexdigest()


def vkey_of(name, pk):
    """C2SP signed-note verifier key: name+hex8+base64(0x01 || pk)"""
    kh = hashlib.sha256(name.encode() + b"\n\x01" + pk).digest()[:4].hex()
    return "%s+%s+%s" % (name, kh, b64(b"\x01" + pk))


def seal(obj, org_vkey):
    edpk = base64.b64decode(org_vkey.split("+", 2)[2])[1:]
    xpk = ctypes.create_string_buffer(32)
    if sodium.crypto_sign_ed25519_pk_to_curve25519(xpk, edpk) != 0:
        sys.exit("the organisation key has no X25519 form")
    m = json.dumps(obj).encode()
    c = ctypes.create_string_buffer(len(m) + 48)
    if sodium.crypto_box_seal(c, m, ctypes.c_ulonglong(len(m)), xpk) != 0:
        sys.exit("crypto_box_seal failed")
    return b64(c.raw)


def sign(msg, sk):
    sig = ctypes.create_string_buffer(64)
    sodium.crypto_sign_detached(sig, None, msg, ctypes.c_ulonglong(len(msg)), sk)
    return sig.raw


class Client:
    def __init__(self, url):
        self.url = url.rstrip("/")
        self.op = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        self.csrf = None

    def call(self, method, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.url + path, data=data, method=method)
        if data is not None:
            req.add_header("Content-Type", "application/json")
        if self.csrf:
            req.add_header("X-CSRF-Token", self.csrf)
        try:
            with self.op.open(req, timeout=60) as r:
                return r.status, json.loads(r.read() or b"null")
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read() or b"null")

    def login(self, name, password):
        st, b = self.call("POST", "/api/v1/login", {"name": name, "password": password})
        if st != 200:
            sys.exit("login: %d %s" % (st, b))
        self.csrf = b["csrf"]


def post(url, key, password, body):
    c = Client(url)
    c.login(key["name"], password)
    st, ans = c.call("POST", "/api/v1/records", body)
    print(st, json.dumps(ans, sort_keys=True))
    return st


def main(argv):
    cmd = argv[1] if len(argv) > 1 else ""
    if cmd == "enrol" and len(argv) == 7:
        url, code, name, password, keyfile = argv[2:7]
        pk = ctypes.create_string_buffer(32)
        sk = ctypes.create_string_buffer(64)
        sodium.crypto_sign_keypair(pk, sk)
        vkey = vkey_of(name, pk.raw)
        st, ans = Client(url).call("POST", "/api/v1/enrol",
                                   {"code": code, "vkey": vkey, "password": password})
        if st != 201:
            sys.exit("enrol: %d %s" % (st, ans))
        fd = os.open(keyfile, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            json.dump({"name": name, "key_id": "+".join(vkey.split("+")[:2]),
                       "pk": pk.raw.hex(), "sk": sk.raw.hex()}, f)
        print(201, vkey)
        return 0
    if cmd in ("sign", "record") and len(argv) >= 7:
        url, keyfile, password, draft_path, body_path = argv[2:7]
        identifiers = argv[7:]
        key = json.load(open(keyfile))
        st, info = Client(url).call("GET", "/api/v1/info")
        if st != 200:
            sys.exit("info: %d %s" % (st, info))
        rec = json.load(open(draft_path))
        rec.update({"v": 1, "kind": rec.get("kind", "incident"), "org": info["org"],
                    "monitor": key["name"]})
        body = {}
        clear = rec.pop("private", None)
        if clear:
            opened, rec["private"] = {}, {}
            for k, v in clear.items():
                salt = os.urandom(16)
                opened[k] = {"salt": salt.hex(), "value": v}
                rec["private"][k] = commit(k, v, salt)
            body["sealed_private"] = seal(opened, info["org_key"])
        if identifiers:
            pairs = [{"salt": os.urandom(16).hex(), "identifier": i} for i in identifiers]
            rec.setdefault("affected", {})["person_commitments"] = [
                commit("person", p["identifier"], bytes.fromhex(p["salt"])) for p in pairs]
            body["sealed_persons"] = seal(pairs, info["org_key"])
        canon = jcs(rec)
        sig = sign(("constat-record-v1\n" + canon).encode(), bytes.fromhex(key["sk"]))
        body["leaf"] = '{"key_id":%s,"record":%s,"signature":"%s"}' % (
            json.dumps(key["key_id"]), canon, b64(sig))
        with open(body_path, "w") as f:
            json.dump(body, f)
        if cmd == "sign":
            return 0
        return 0 if post(url, key, password, body) in (200, 201) else 1
    if cmd == "post" and len(argv) == 6:
        url, keyfile, password, body_path = argv[2:6]
        post(url, json.load(open(keyfile)), password, json.load(open(body_path)))
        return 0
    sys.exit(__doc__)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
