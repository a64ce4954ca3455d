// ML-KEM-768 speed of the npm peers, for bench/crypto_pk.sh: liboqs
// compiled to WebAssembly (@oqs/liboqs-js) and noble (@noble/post-quantum,
// pure JavaScript), under node, from the packages of tests/deps/npm.txt.
//
//   node bench/mlkem_peers.mjs NPM_DIR [SECONDS]
//
// Prints "PEER OP OPS_PER_SEC" lines (PEER liboqs|noble, OP
// keygen|encaps|decaps): best of three rounds of SECONDS (default 0.4) of
// process CPU time each, as bench/crypto_pk.c measures Mote. Each liboqs
// call goes through the package's JS wrapper (argument checks, malloc and
// copies in and out of the WebAssembly heap), as an application would.
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const [npmDir, secArg] = process.argv.slice(2);
const secs = Number(secArg || 0.4);
if (!npmDir) {
  console.error('usage: mlkem_peers.mjs NPM_DIR [SECONDS]');
  process.exit(2);
}
const load = (name, file) =>
  import(pathToFileURL(path.join(npmDir, 'node_modules', name, file)).href);
const version = (name) =>
  JSON.parse(fs.readFileSync(path.join(npmDir, 'node_modules', name, 'package.json'), 'utf8')).version;
if (!globalThis.crypto) globalThis.crypto = (await import('node:crypto')).webcrypto;

const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};
function rate(f) {
  const t0 = cpu();
  let n = 0, t;
  do {
    f();
    n++;
  } while ((t = cpu()) - t0 < secs);
  return n / (t - t0);
}
function best(f) {
  let b = 0;
  for (let r = 0; r < 3; r++) b = Math.max(b, rate(f));
  return b;
}

const oqs = await (await load('@oqs/liboqs-js', 'src/kem.js')).createMLKEM768();
const nk = (await load('@noble/post-quantum', 'ml-kem.js')).ml_kem768;
console.log(`# liboqs-js ${version('@oqs/liboqs-js')}, noble post-quantum ${version('@noble/post-quantum')}, node ${process.version}`);

{
  const k = oqs.generateKeyPair();
  const e = oqs.encapsulate(k.publicKey);
  console.log(`liboqs keygen ${best(() => oqs.generateKeyPair()).toFixed(0)}`);
  console.log(`liboqs encaps ${best(() => oqs.encapsulate(k.publicKey)).toFixed(0)}`);
  console.log(`liboqs decaps ${best(() => oqs.decapsulate(e.ciphertext, k.secretKey)).toFixed(0)}`);
}
{
  const k = nk.keygen();
  const e = nk.encapsulate(k.publicKey);
  console.log(`noble keygen ${best(() => nk.keygen()).toFixed(0)}`);
  console.log(`noble encaps ${best(() => nk.encapsulate(k.publicKey)).toFixed(0)}`);
  console.log(`noble decaps ${best(() => nk.decapsulate(e.cipherText, k.secretKey)).toFixed(0)}`);
}
oqs.destroy();
