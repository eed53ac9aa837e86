// Signs a PSBT the desk exported the way another wallet does, with
// bitcoinjs-lib: each input's key is found by its BIP-174 key origin (the
// fingerprint, then the path), every signature is checked, every input
// finalized. Prints the finalized PSBT as base64.
//
// Usage: node sign.js XPRV bitcoin|testnet|regtest < psbt.base64
// XPRV is a master key (a wallet holding the seed; the PSBT's origins must
// then be full paths, as the desk writes them from a descriptor) or the
// account key itself (the origins are then the account key's own
// fingerprint and branch/index, as the desk writes them from a plain key).
'use strict';
const fs = require('fs');
const bitcoin = require('bitcoinjs-lib');
const { BIP32Factory } = require('bip32');
const { ECPairFactory } = require('ecpair');
const ecc = require('tiny-secp256k1');

const [xprv, networkName] = process.argv.slice(2);
const network = bitcoin.networks[networkName];
if (!xprv || !network) {
  console.error('usage: node sign.js XPRV bitcoin|testnet|regtest < psbt.base64');
  process.exit(2);
}
const key = BIP32Factory(ecc).fromBase58(xprv, network);
const ECPair = ECPairFactory(ecc);
const psbt = bitcoin.Psbt.fromBase64(fs.readFileSync(0, 'utf8').trim(), { network });
// A hardware wallet signs an input only with the whole transaction it
// spends (CVE-2020-14199); bitcoinjs-lib checks its hash against the input.
psbt.data.inputs.forEach((input, i) => {
  if (!input.nonWitnessUtxo) throw new Error(`input ${i}: no previous transaction`);
});

if (key.depth === 0) {
  // bitcoinjs-lib's own search: the derivations with the master's
  // fingerprint, their full paths, the derived key checked against each.
  psbt.signAllInputsHD(key);
} else {
  // bip32 derives "m/…" only from a master, so the account key follows the
  // path below it itself.
  psbt.data.inputs.forEach((input, i) => {
    const d = (input.bip32Derivation || []).find((d) => Buffer.from(key.fingerprint).equals(d.masterFingerprint));
    if (!d) throw new Error(`input ${i}: no key origin with this key's fingerprint`);
    const child = key.derivePath(d.path.replace(/^m\//, ''));
    if (!Buffer.from(child.publicKey).equals(d.pubkey)) throw new Error(`input ${i}: the path does not lead to the named key`);
    psbt.signInput(i, child);
  });
}
const verify = (pubkey, hash, signature) => ECPair.fromPublicKey(pubkey).verify(hash, signature);
if (!psbt.validateSignaturesOfAllInputs(verify)) throw new Error('a signature does not verify');
psbt.finalizeAllInputs();
process.stdout.write(psbt.toBase64() + '\n');
