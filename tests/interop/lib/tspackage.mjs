// A reproduction of @octaviaflow/connector-crypto's envelope code, as its README and dependencies
// describe it. Every behaviour here that the README does not state is listed in docs/FORMAT.md,
// "Assumptions about the TypeScript package"; check them against the real package when it is
// available. Two cipher back ends: 'noble' (@noble/ciphers, the package's dependency) and 'node'
// (node:crypto createCipheriv, which some services may use instead).
import * as nodeCrypto from 'node:crypto';
import { gcm } from '@noble/ciphers/aes.js';
import { bytesToUtf8, randomBytes, utf8ToBytes } from '@noble/ciphers/utils.js';

export const IMPLS = ['noble', 'node'];
const IV_BYTES = 12;
const TAG_BYTES = 16;

// Assumption A6: CONNECTOR_CRED_KEYS (+ CONNECTOR_CRED_ACTIVE_KID) wins over CONNECTOR_CRED_KEY;
// keys are decoded with Buffer.from(b64, 'base64') and must be 32 bytes.
export function keyringFromEnv(env = process.env) {
  const decodeKey = (b64, what) => {
    const key = Buffer.from(String(b64).trim(), 'base64');
    if (key.length !== 32) throw new Error(`${what}: the key must be base64 of 32 bytes`);
    return new Uint8Array(key);
  };
  const keys = new Map();
  let activeKid;
  if (env.CONNECTOR_CRED_KEYS) {
    const map = JSON.parse(env.CONNECTOR_CRED_KEYS);
    for (const [kid, b64] of Object.entries(map)) keys.set(kid, decodeKey(b64, `CONNECTOR_CRED_KEYS.${kid}`));
    activeKid = env.CONNECTOR_CRED_ACTIVE_KID;
    if (!activeKid && keys.size === 1) activeKid = [...keys.keys()][0];
    if (!activeKid || !keys.has(activeKid)) {
      throw new Error('CONNECTOR_CRED_ACTIVE_KID must name a kid of CONNECTOR_CRED_KEYS');
    }
  } else if (env.CONNECTOR_CRED_KEY) {
    activeKid = env.CONNECTOR_CRED_KID || 'v1';
    keys.set(activeKid, decodeKey(env.CONNECTOR_CRED_KEY, 'CONNECTOR_CRED_KEY'));
  } else {
    throw new Error('CONNECTOR_CRED_KEY is not set');
  }
  return { keys, activeKid };
}

// Assumption A4: the version check is `__enc === 1` plus string kid/iv/ct.
export function isEncrypted(v) {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && v.__enc === 1 &&
    typeof v.kid === 'string' && typeof v.iv === 'string' && typeof v.ct === 'string';
}

function seal(impl, key, iv, plaintext) {
  if (impl === 'noble') return gcm(key, iv).encrypt(plaintext);
  const cipher = nodeCrypto.createCipheriv('aes-256-gcm', key, iv);
  return new Uint8Array(Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]));
}

function open(impl, key, iv, sealed) {
  if (impl === 'noble') return gcm(key, iv).decrypt(sealed);
  if (sealed.length < TAG_BYTES) throw new Error('ct shorter than the tag');
  const decipher = nodeCrypto.createDecipheriv('aes-256-gcm', key, iv);
  decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
  return new Uint8Array(Buffer.concat([decipher.update(sealed.subarray(0, sealed.length - TAG_BYTES)), decipher.final()]));
}

const randomIv = (impl) => (impl === 'noble' ? randomBytes(IV_BYTES) : new Uint8Array(nodeCrypto.randomBytes(IV_BYTES)));

// Assumption A5: null (and undefined) come back unchanged; an envelope is not wrapped twice.
export function encryptCredentials(plain, keyring, impl = 'noble') {
  if (plain === null || plain === undefined || isEncrypted(plain)) return plain;
  const plaintext = utf8ToBytes(JSON.stringify(plain));
  const iv = randomIv(impl);
  const sealed = seal(impl, keyring.keys.get(keyring.activeKid), iv, plaintext);
  return {
    __enc: 1,
    kid: keyring.activeKid,
    iv: Buffer.from(iv).toString('base64'),
    ct: Buffer.from(sealed).toString('base64'),
  };
}

// Legacy plaintext passes through; an envelope decrypts (base64 read by Buffer.from, lenient) or throws.
export function decryptCredentials(stored, keyring, impl = 'noble') {
  if (!isEncrypted(stored)) return stored;
  const key = keyring.keys.get(stored.kid);
  if (!key) throw new Error(`unknown kid ${stored.kid}`);
  const iv = new Uint8Array(Buffer.from(stored.iv, 'base64'));
  const sealed = new Uint8Array(Buffer.from(stored.ct, 'base64'));
  return JSON.parse(bytesToUtf8(open(impl, key, iv, sealed)));
}

// The exact plaintext bytes of an envelope, as UTF-8 text (for the golden vectors' byte checks).
export function openToText(stored, keyring, impl = 'noble') {
  const key = keyring.keys.get(stored.kid);
  if (!key) throw new Error(`unknown kid ${stored.kid}`);
  return bytesToUtf8(open(impl, key, new Uint8Array(Buffer.from(stored.iv, 'base64')),
    new Uint8Array(Buffer.from(stored.ct, 'base64'))));
}
