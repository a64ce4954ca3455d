// ML-KEM-768 differential interop: Mote (tests/interop/mlkem_peer.c, hex
// over stdin/stdout) against two implementations nobody here wrote, both
// from npm (tests/deps/npm.txt):
//   liboqs  @oqs/liboqs-js: liboqs (0.15.1, bundled by the package) compiled
//           to WebAssembly;
//   noble   @noble/post-quantum: pure JavaScript FIPS 203.
// Prints TAP. Run by tests/interop/mlkem.t, which passes:
//   MLKEM_NPM_DIR  the directory holding node_modules
//   MLKEM_PEER     the Mote driver
//   MLKEM_CASES    cases per check and peer (default 300)
//   MLKEM_SEED     hex seed of the case generator (default random; printed,
//                  so a failure can be replayed)
//   MLKEM_LEVELS   Mote implementation levels to run every check at
//                  (mote_crypto_disable_simd: 0 best, 2 no AVX2, 3 portable;
//                  default "0 3")
//
// Deterministic variants: noble takes the seeds as arguments
// (keygen(d || z), encapsulate(ek, m)); liboqs-js exposes only the random
// API, so its random source (node:crypto randomFillSync, which the
// Emscripten runtime calls for every randombytes()) is fed the seed for the
// duration of the call, and the script checks that exactly that many bytes
// were drawn.
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

if (!globalThis.crypto) globalThis.crypto = crypto.webcrypto; // node 18

const Q = 3329;
const EK = 1184, DK = 2400, CT = 1088;
const npmDir = process.env.MLKEM_NPM_DIR;
const driver = process.env.MLKEM_PEER;
const N = Number(process.env.MLKEM_CASES || 300);
const seedHex = process.env.MLKEM_SEED || crypto.randomBytes(16).toString('hex');
const levels = (process.env.MLKEM_LEVELS || '0 3').trim().split(/\s+/).map(Number);

let testNo = 0, failed = 0, prefix = '';
function ok(cond, name, diag) {
  testNo++;
  console.log(`${cond ? 'ok' : 'not ok'} ${testNo} - ${prefix}${name}`);
  if (!cond) {
    failed++;
    if (diag) for (const l of String(diag).split('\n')) console.log(`# ${l}`);
  }
}
function bail(msg) {
  console.log(`Bail out! ${msg}`);
  process.exit(1);
}

// ---- Case generator: SHAKE256(seed || counter), replayable ----
let ctr = 0n;
function drbg(n) {
  const c = Buffer.alloc(8);
  c.writeBigUInt64LE(ctr++);
  return new Uint8Array(crypto.createHash('shake256', { outputLength: n })
    .update(Buffer.from(seedHex, 'hex')).update(c).digest());
}
function randInt(n) {
  return Number(Buffer.from(drbg(4)).readUInt32LE(0) % n);
}
const hex = (b) => Buffer.from(b).toString('hex');
const unhex = (s) => new Uint8Array(Buffer.from(s, 'hex'));
const eq = (a, b) => a.length === b.length && Buffer.compare(Buffer.from(a), Buffer.from(b)) === 0;

// ---- Mote: one driver process per batch of commands ----
let level = 0;
function mote(lines) {
  const r = spawnSync(driver, [], {
    env: { ...process.env, MOTE_MLKEM_LEVEL: String(level) },
    input: lines.join('\n') + '\n',
    maxBuffer: 1 << 30,
    encoding: 'utf8',
  });
  if (r.status !== 0 || r.error)
    bail(`${driver} failed: ${r.error || r.stderr || 'status ' + r.status}`);
  const out = r.stdout.split('\n');
  out.pop();
  if (out.length !== lines.length)
    bail(`${driver}: ${lines.length} commands, ${out.length} answers`);
  return out.map((l) => l.split(' '));
}

// ---- The peers ----
function pkgVersion(name) {
  const p = path.join(npmDir, 'node_modules', name, 'package.json');
  return JSON.parse(fs.readFileSync(p, 'utf8')).version;
}
async function load(name, file) {
  return import(pathToFileURL(path.join(npmDir, 'node_modules', name, file)).href);
}

let oqsLib, nobleLib;
try {
  oqsLib = await load('@oqs/liboqs-js', 'src/kem.js');
  nobleLib = await load('@noble/post-quantum', 'ml-kem.js');
} catch (e) {
  bail(`cannot load the npm peers from ${npmDir} (tests/deps/npm.sh install): ${e.message}`);
}

// liboqs: a random source that can be fed for one call.
let feed = null, fedShort = false;
const realFill = crypto.randomFillSync;
crypto.randomFillSync = function (buf, ...rest) {
  if (!feed) return realFill.call(crypto, buf, ...rest);
  const u = new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  if (u.length > feed.length) fedShort = true;
  u.set(feed.subarray(0, u.length));
  feed = feed.subarray(Math.min(u.length, feed.length));
  return buf;
};
function fed(bytes, f) {
  feed = bytes.slice();
  fedShort = false;
  try {
    return f();
  } finally {
    const left = feed.length;
    feed = null;
    if (fedShort || left !== 0)
      throw new Error(`liboqs drew ${bytes.length - left}${fedShort ? '+' : ''} of ${bytes.length} fed bytes`);
  }
}
const oqsKem = await oqsLib.createMLKEM768();
const oqs = {
  name: `liboqs-js ${pkgVersion('@oqs/liboqs-js')} (WebAssembly)`,
  keygen(seed) {
    const k = seed ? fed(seed, () => oqsKem.generateKeyPair()) : oqsKem.generateKeyPair();
    return { pk: k.publicKey, sk: k.secretKey };
  },
  encaps(pk, m) {
    const e = m ? fed(m, () => oqsKem.encapsulate(pk)) : oqsKem.encapsulate(pk);
    return { ct: e.ciphertext, ss: e.sharedSecret };
  },
  decaps(sk, ct) {
    return oqsKem.decapsulate(ct, sk);
  },
};
const nk = nobleLib.ml_kem768;
const noble = {
  name: `noble post-quantum ${pkgVersion('@noble/post-quantum')}`,
  keygen(seed) {
    const k = seed ? nk.keygen(seed) : nk.keygen();
    return { pk: k.publicKey, sk: k.secretKey };
  },
  encaps(pk, m) {
    const e = m ? nk.encapsulate(pk, m) : nk.encapsulate(pk);
    return { ct: e.cipherText, ss: e.sharedSecret };
  },
  decaps(sk, ct) {
    return nk.decapsulate(ct, sk);
  },
};

console.log(`# MLKEM_SEED=${seedHex} (set it to replay these cases); ${N} cases per check`);
console.log(`# node ${process.version}; peers: ${oqs.name}, ${noble.name}`);
console.log(`1..${2 + 6 * 2 * levels.length}`);

// Sanity of the harness: the Mote driver answers, and refuses garbage.
{
  const r = mote(['keygen ' + '00'.repeat(64), 'encaps 00', 'decaps']);
  ok(r[0].length === 2 && r[0][0].length === 2 * EK && r[0][1].length === 2 * DK &&
     r[1][0] === 'ERR' && r[2][0] === 'ERR',
     'Mote driver: keygen answers a key pair, malformed commands get ERR');
}

// Coefficient i (0..767) of an encoded ek set to v (12-bit little-endian
// packing, FIPS 203 ByteEncode_12).
function setCoeff(pk, i, v) {
  const b = pk.slice();
  const o = (i >> 1) * 3;
  if (i & 1) {
    b[o + 1] = (b[o + 1] & 0x0f) | ((v & 0x0f) << 4);
    b[o + 2] = v >> 4;
  } else {
    b[o] = v & 0xff;
    b[o + 1] = (b[o + 1] & 0xf0) | (v >> 8);
  }
  return b;
}

// The FIPS 203 implicit-rejection key: J(z || c) = SHAKE256(z || c, 32),
// z the last 32 bytes of dk.
function rejectKey(sk, ct) {
  return new Uint8Array(crypto.createHash('shake256', { outputLength: 32 })
    .update(sk.subarray(DK - 32)).update(ct).digest());
}

let harnessOk = false;
const levelName = (l) => ['best', 'no AVX-512', 'no AVX2', 'portable C'][l] || `level ${l}`;
for (const lv of levels) for (const P of [oqs, noble]) {
  level = lv;
  prefix = `[Mote ${levelName(lv)}] `;
  let good, first;
  const miss = (i, what) => { if (first === undefined) first = `case ${i}: ${what}`; };

  // 1. peer keygen -> Mote encaps -> peer decaps
  {
    const keys = Array.from({ length: N }, () => P.keygen());
    const r = mote(keys.map((k) => `encaps ${hex(k.pk)}`));
    good = 0; first = undefined;
    keys.forEach((k, i) => {
      if (r[i][0] === 'ERR') return miss(i, `Mote encaps: ${r[i].join(' ')}`);
      const ss = P.decaps(k.sk, unhex(r[i][0]));
      if (eq(ss, unhex(r[i][1]))) good++;
      else miss(i, `Mote ss ${r[i][1]}, ${P.name} ${hex(ss)}`);
    });
    ok(good === N, `${P.name} keygen -> Mote encaps -> ${P.name} decaps: ${good}/${N} shared secrets equal`, first);
  }

  // 2. Mote keygen -> peer encaps -> Mote decaps
  {
    const keys = mote(Array.from({ length: N }, () => 'keygen'));
    const encs = keys.map((k) => P.encaps(unhex(k[0])));
    const r = mote(keys.map((k, i) => `decaps ${k[1]} ${hex(encs[i].ct)}`));
    good = 0; first = undefined;
    encs.forEach((e, i) => {
      if (r[i][0] === hex(e.ss)) good++;
      else miss(i, `${P.name} ss ${hex(e.ss)}, Mote ${r[i].join(' ')}`);
    });
    ok(good === N, `Mote keygen -> ${P.name} encaps -> Mote decaps: ${good}/${N} shared secrets equal`, first);
  }

  // 3. deterministic keygen from (d, z), byte for byte
  const seeds = Array.from({ length: N }, () => drbg(64));
  const mk = mote(seeds.map((s) => `keygen ${hex(s)}`));
  const pkeys = seeds.map((s) => P.keygen(s));
  good = 0; first = undefined;
  seeds.forEach((s, i) => {
    if (mk[i][0] === hex(pkeys[i].pk) && mk[i][1] === hex(pkeys[i].sk)) good++;
    else miss(i, `seed ${hex(s)}: ek or dk differ`);
  });
  ok(good === N, `keygen(d, z): Mote and ${P.name} give the same ek and dk: ${good}/${N}`, first);

  // 4. deterministic encaps from m, byte for byte
  const ms = seeds.map(() => drbg(32));
  const me = mote(ms.map((m, i) => `encaps ${mk[i][0]} ${hex(m)}`));
  const pe = ms.map((m, i) => P.encaps(unhex(mk[i][0]), m));
  good = 0; first = undefined;
  ms.forEach((m, i) => {
    if (me[i][0] === hex(pe[i].ct) && me[i][1] === hex(pe[i].ss)) good++;
    else miss(i, `m ${hex(m)}: ciphertext or shared secret differ`);
  });
  ok(good === N, `encaps(ek, m): Mote and ${P.name} give the same ciphertext and shared secret: ${good}/${N}`, first);

  // 5. encapsulation keys failing the modulus check (one coefficient in
  //    q..4095; the first case q itself, the second 4095) refused by both.
  {
    const bad = seeds.map((s, i) => {
      const v = i === 0 ? Q : i === 1 ? 4095 : Q + randInt(4096 - Q);
      return setCoeff(unhex(mk[i][0]), randInt(768), v);
    });
    const r = mote(bad.map((pk, i) => `encaps ${hex(pk)} ${hex(ms[i])}`));
    good = 0; first = undefined;
    bad.forEach((pk, i) => {
      let peerRefused = false;
      try { P.encaps(pk, ms[i]); } catch { peerRefused = true; }
      const moteRefused = r[i][0] === 'ERR' && r[i][1] === 'EINVAL';
      if (peerRefused && moteRefused) good++;
      else miss(i, `Mote ${moteRefused ? 'refused' : 'accepted'}, ${P.name} ${peerRefused ? 'refused' : 'accepted'}`);
    });
    ok(good === N, `ek with a coefficient >= q: refused by Mote (MOTE_EINVAL) and by ${P.name}: ${good}/${N}`, first);
  }

  // 6. a ciphertext with one bit flipped: both sides give the same
  //    implicit-rejection key, J(z || c') computed here independently, and
  //    not the real shared secret.
  {
    const cts = pe.map((e) => {
      const c = e.ct.slice();
      const bit = randInt(CT * 8);
      c[bit >> 3] ^= 1 << (bit & 7);
      return c;
    });
    const r = mote(cts.map((c, i) => `decaps ${mk[i][1]} ${hex(c)}`));
    good = 0; first = undefined;
    cts.forEach((c, i) => {
      const sk = unhex(mk[i][1]);
      const pss = P.decaps(pkeys[i].sk, c);
      const j = rejectKey(sk, c);
      if (r[i][0] === hex(pss) && eq(pss, j) && !eq(pss, pe[i].ss)) good++;
      else miss(i, `Mote ${r[i].join(' ')}, ${P.name} ${hex(pss)}, J(z||c) ${hex(j)}`);
    });
    ok(good === N, `one ciphertext bit flipped: Mote and ${P.name} both give J(z || c'): ${good}/${N}`, first);
  }
  harnessOk = true;
}

prefix = '';
level = 0;

// The liboqs seeding trick is only trustworthy if a fed call really is
// deterministic: the same seed twice gives the same key, two seeds differ.
{
  const s = drbg(64), t = drbg(64);
  const a = oqs.keygen(s), b = oqs.keygen(s), c = oqs.keygen(t);
  ok(harnessOk && eq(a.pk, b.pk) && eq(a.sk, b.sk) && !eq(a.pk, c.pk),
     'liboqs fed the same (d, z) twice gives the same key, another seed another key');
}
oqsKem.destroy();
process.exit(failed ? 1 : 0);
