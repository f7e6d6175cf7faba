// Bound envelopes (issue 11; docs/FORMAT.md, "Bound envelopes"): the reference for
// @octaviaflow/connector-crypto. A bound envelope is a format-1 envelope with a `ctx` member (the
// sorted names of an encryption context), sealed with AES-256-GCM under associated data built from
// the context the caller supplies. This module adds binding next to lib/tspackage.mjs, which stays
// what today's TypeScript package does (the "format-1-only" reader: no `ctx` knowledge).
//
// No cryptography of its own: AES-256-GCM is @noble/ciphers `gcm(key, iv, aad)` or node:crypto
// `createCipheriv('aes-256-gcm')` with `setAAD`.
import * as nodeCrypto from 'node:crypto';
import { gcm } from '@noble/ciphers/aes.js';
import { bytesToUtf8, randomBytes, utf8ToBytes } from '@noble/ciphers/utils.js';
import { IMPLS, isEncrypted } from './tspackage.mjs';

export { IMPLS };
export const AAD_LABEL = 'connector-crypto/ctx/1';  // 22 ASCII bytes, then a 0x00 byte
export const MAX_PAIRS = 16;
export const MAX_NAME_CHARS = 64;
export const MAX_VALUE_BYTES = 4096;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const NAME_RE = /^[A-Za-z0-9_.-]{1,64}$/;  // JavaScript's `$` (no m flag) is the end of input

// The error kinds of the peer, and the C++ class issue 11 gives each (decrypt table).
export const ERROR_CLASS = {
  invalid_context: 'Error',                    // encryptionContext() refused the caller's pairs
  malformed: 'EnvelopeError',                  // a bad `ctx` (or iv/ct of the wrong size)
  context_required: 'Error',                   // a bound envelope, and no context given
  context_required_by_keyring: 'EnvelopeError',  // requireContext, unbound, no context
  unbound_refused: 'EnvelopeError',            // requireContext, unbound, a context given
  unknown_kid: 'UnknownKidError',
  names_differ: 'EnvelopeError',               // the caller's names are not the envelope's `ctx`
  tag: 'DecryptError',                         // authentication failed
};

export class BoundError extends Error {
  constructor(kind, message) {
    super(message);
    this.name = 'BoundError';
    this.kind = kind;
    this.errorClass = ERROR_CLASS[kind];
  }
}

const compareBytes = (a, b) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));

// The first lone UTF-16 surrogate of s (its index), or -1. TextEncoder / Buffer would silently
// encode one as U+FFFD (EF BF BD), so a context value holding one would bind to a different value.
export function loneSurrogateIndex(s) {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = i + 1 < s.length ? s.charCodeAt(i + 1) : 0;
      if (d >= 0xdc00 && d <= 0xdfff) { i++; continue; }
      return i;
    }
    if (c >= 0xdc00 && c <= 0xdfff) return i;
  }
  return -1;
}

function checkName(name, where) {
  if (typeof name !== 'string') throw new BoundError('invalid_context', `${where}: a name must be a string`);
  if (!NAME_RE.test(name)) {
    throw new BoundError('invalid_context',
      `${where}: name ${JSON.stringify(name.slice(0, 80))} is not 1-${MAX_NAME_CHARS} characters of [A-Za-z0-9_.-]`);
  }
}

// Never quotes the value (it may be an identifier the caller does not want logged).
function checkValue(name, value) {
  const where = `encryption context: value of ${name}`;
  if (typeof value !== 'string') throw new BoundError('invalid_context', `${where} must be a string`);
  const lone = loneSurrogateIndex(value);
  if (lone >= 0) throw new BoundError('invalid_context', `${where} holds a lone UTF-16 surrogate at index ${lone} (not valid Unicode)`);
  if (value.includes('\u0000')) throw new BoundError('invalid_context', `${where} holds a NUL character`);
  const bytes = utf8ToBytes(value);
  if (bytes.length < 1 || bytes.length > MAX_VALUE_BYTES) {
    throw new BoundError('invalid_context', `${where} is ${bytes.length} bytes of UTF-8; 1-${MAX_VALUE_BYTES} are allowed`);
  }
  return bytes;
}

const validated = new WeakSet();

// An encryption context from 1-16 (name, value) pairs: an array (or other iterable) of
// [name, value], a Map, or a plain object. The order given does not matter; a duplicate name (only
// an array can hold one), an invalid name or value throws BoundError 'invalid_context'.
// Returns a frozen { pairs: [[name, value]...] in ascending byte order of name, names: [...] }.
export function encryptionContext(input) {
  if (input !== null && typeof input === 'object' && validated.has(input)) return input;
  let entries;
  if (input instanceof Map || Array.isArray(input)) entries = [...input];
  else if (input !== null && typeof input === 'object' && Object.getPrototypeOf(input) === Object.prototype) {
    entries = Object.entries(input);
  } else {
    throw new BoundError('invalid_context', 'encryption context: expected [[name, value], ...], a Map or an object');
  }
  if (entries.length < 1 || entries.length > MAX_PAIRS) {
    throw new BoundError('invalid_context', `encryption context: ${entries.length} pairs; 1-${MAX_PAIRS} are allowed`);
  }
  const seen = new Set();
  const pairs = entries.map((entry) => {
    if (!Array.isArray(entry) || entry.length !== 2) throw new BoundError('invalid_context', 'encryption context: each pair must be [name, value]');
    const [name, value] = entry;
    checkName(name, 'encryption context');
    if (seen.has(name)) throw new BoundError('invalid_context', `encryption context: name ${name} is given twice`);
    seen.add(name);
    return { name, value, valueBytes: checkValue(name, value) };
  });
  pairs.sort((a, b) => compareBytes(a.name, b.name));
  const ctx = Object.freeze({
    pairs: Object.freeze(pairs.map((p) => Object.freeze([p.name, p.value]))),
    names: Object.freeze(pairs.map((p) => p.name)),
  });
  validated.add(ctx);
  return ctx;
}

// Typed context values, identical on every side: an ObjectId is `oid:` + 24 lowercase hex, a string
// is `str:` + the string. Anything else is not supported as a context value.
export function typedValue(v) {
  if (typeof v === 'string') return `str:${v}`;
  if (v !== null && typeof v === 'object' && v._bsontype === 'ObjectId' && typeof v.toHexString === 'function') {
    const hex = v.toHexString();
    if (!/^[0-9a-f]{24}$/.test(hex)) throw new BoundError('invalid_context', 'typedValue: ObjectId hex is not 24 lowercase hex digits');
    return `oid:${hex}`;
  }
  throw new BoundError('invalid_context', 'typedValue: only ObjectId and string values can be context values');
}

// The recommended context for ConnectorInstance.credentials (docs/FORMAT.md): `tenant` from the
// authenticated request (never read from the document), the collection and field as given, and the
// document's `_id` (generated before encrypting on write paths), both typed.
export function credentialsContext({ tenant, collection = 'connectorinstances', field = 'credentials', id }) {
  return encryptionContext([['tenant', typedValue(tenant)], ['collection', collection], ['field', field], ['id', typedValue(id)]]);
}

function u32be(n) {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n, false);
  return b;
}

// The associated data: "connector-crypto/ctx/1", 0x00, u32be(len(kid)), kid, u32be(count), then per
// pair in ascending byte order of name: u32be(len(name)), name, u32be(len(value)), value.
export function contextAad(kid, context) {
  const ctx = encryptionContext(context);
  if (typeof kid !== 'string' || kid.length === 0) throw new BoundError('invalid_context', 'contextAad: kid must be a non-empty string');
  const parts = [utf8ToBytes(AAD_LABEL), new Uint8Array([0])];
  const kidBytes = utf8ToBytes(kid);
  parts.push(u32be(kidBytes.length), kidBytes, u32be(ctx.pairs.length));
  for (const [name, value] of ctx.pairs) {
    const n = utf8ToBytes(name);
    const v = utf8ToBytes(value);
    parts.push(u32be(n.length), n, u32be(v.length), v);
  }
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let off = 0;
  for (const p of parts) { out.set(p, off); off += p.length; }
  return out;
}

export function sealAad(impl, key, iv, plaintext, aad) {
  if (impl === 'noble') return gcm(key, iv, aad).encrypt(plaintext);
  if (impl !== 'node') throw new Error(`unknown impl ${impl}`);
  const cipher = nodeCrypto.createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(aad);
  return new Uint8Array(Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]));
}

// Throws BoundError 'tag' on an authentication failure, and nothing else as 'tag'.
export function openAad(impl, key, iv, sealed, aad) {
  const fail = () => new BoundError('tag',
    'authentication failed: wrong key, iv/ct modified, or the envelope belongs to another record (its context differs)');
  if (impl === 'noble') {
    try {
      return gcm(key, iv, aad).decrypt(sealed);
    } catch (e) {
      if (e.message === 'aes-gcm: invalid tag') throw fail();
      throw e;
    }
  }
  if (impl !== 'node') throw new Error(`unknown impl ${impl}`);
  const decipher = nodeCrypto.createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  decipher.setAAD(aad);
  decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
  const body = decipher.update(sealed.subarray(0, sealed.length - TAG_BYTES));
  try {
    return new Uint8Array(Buffer.concat([body, decipher.final()]));
  } catch (e) {
    if (e.message === 'Unsupported state or unable to authenticate data') throw fail();
    throw e;
  }
}

// The stored `ctx` member: 1-16 valid names, strictly ascending by UTF-8 bytes (sorted, unique).
export function checkStoredCtx(ctx) {
  const bad = (why) => new BoundError('malformed', `malformed envelope: ctx ${why}`);
  if (!Array.isArray(ctx)) throw bad(`is ${ctx === null ? 'null' : typeof ctx}, not an array of names`);
  if (ctx.length < 1 || ctx.length > MAX_PAIRS) throw bad(`holds ${ctx.length} names; 1-${MAX_PAIRS} are allowed`);
  ctx.forEach((name, i) => {
    if (typeof name !== 'string' || !NAME_RE.test(name)) throw bad(`[${i}] is not 1-${MAX_NAME_CHARS} characters of [A-Za-z0-9_.-]`);
    if (i > 0 && compareBytes(ctx[i - 1], name) >= 0) throw bad(`is not sorted ascending without duplicates at [${i}]`);
  });
  return ctx;
}

const hasOwn = (o, k) => Object.prototype.hasOwnProperty.call(o, k);
export const isBound = (v) => isEncrypted(v) && hasOwn(v, 'ctx');

function decodeSized(stored) {
  // Read as the TypeScript package reads base64 (Buffer.from, assumption A2); sizes checked here so
  // that node:crypto is never handed another IV length (it would accept one).
  const iv = new Uint8Array(Buffer.from(stored.iv, 'base64'));
  const sealed = new Uint8Array(Buffer.from(stored.ct, 'base64'));
  if (iv.length !== IV_BYTES) throw new BoundError('malformed', `malformed envelope: iv is ${iv.length} bytes, not ${IV_BYTES}`);
  if (sealed.length < TAG_BYTES) throw new BoundError('malformed', `malformed envelope: ct is ${sealed.length} bytes, shorter than the tag`);
  return { iv, sealed };
}

// Encrypts `plain` into a bound envelope under the active kid and `context`. null/undefined come back
// unchanged. An existing envelope is never re-sealed and never bound: a bound one must open under
// `context` exactly as decryptBound would (same errors) and then comes back unchanged; an unbound one
// comes back unchanged. No context: "context required" for every value but null (a write path
// that forgot its context fails at write time, as with issue 11's bindContext).
// `options.iv` (12 bytes) is for test vectors only; otherwise the IV is random.
export function encryptBound(plain, keyring, context, impl = 'noble', options = {}) {
  if (context === undefined || context === null) {
    if (plain === null || plain === undefined) return plain;
    throw new BoundError('context_required', 'context required: a bound envelope needs an encryption context');
  }
  const ctx = encryptionContext(context);
  if (plain === null || plain === undefined) return plain;
  if (isEncrypted(plain)) {
    if (isBound(plain)) decryptBound(plain, keyring, ctx, impl);
    return plain;
  }
  const kid = keyring.activeKid;
  let iv;
  if (options.iv !== undefined) {
    iv = new Uint8Array(options.iv);
    if (iv.length !== IV_BYTES) throw new Error('encryptBound: a fixed test-vector iv must be 12 bytes');
  } else {
    iv = impl === 'noble' ? randomBytes(IV_BYTES) : new Uint8Array(nodeCrypto.randomBytes(IV_BYTES));
  }
  const sealed = sealAad(impl, keyring.keys.get(kid), iv, utf8ToBytes(JSON.stringify(plain)), contextAad(kid, ctx));
  return {
    __enc: 1,
    kid,
    iv: Buffer.from(iv).toString('base64'),
    ct: Buffer.from(sealed).toString('base64'),
    ctx: [...ctx.names],
  };
}

// The decrypt table of issue 11, in its order. `context` may be undefined/null (none given).
// `options.requireContext` is the keyring switch of the same name (default false). Returns the
// plaintext text (UTF-8 decoded as the package does, assumption A8).
export function openBoundToText(stored, keyring, context, impl = 'noble', options = {}) {
  const ctx = context === undefined || context === null ? null : encryptionContext(context);
  const bound = isBound(stored);
  if (bound) checkStoredCtx(stored.ctx);
  const { iv, sealed } = decodeSized(stored);
  if (bound && ctx === null) {
    throw new BoundError('context_required', `context required: the envelope is bound to the names [${stored.ctx.join(', ')}]`);
  }
  if (!bound && options.requireContext) {
    if (ctx === null) throw new BoundError('context_required_by_keyring', 'context required by this keyring');
    throw new BoundError('unbound_refused', 'unbound envelope refused: this keyring requires bound envelopes');
  }
  const key = keyring.keys.get(stored.kid);
  if (!key) throw new BoundError('unknown_kid', `unknown kid ${stored.kid}`);
  let aad = new Uint8Array(0);  // an unbound envelope (transition): no AAD, whatever the caller gives
  if (bound) {
    const given = ctx.names;
    if (given.length !== stored.ctx.length || given.some((n, i) => n !== stored.ctx[i])) {
      throw new BoundError('names_differ',
        `context names differ: the envelope is bound to [${stored.ctx.join(', ')}], the caller gave [${given.join(', ')}]`);
    }
    aad = contextAad(stored.kid, ctx);  // from the caller's context, never from the stored ctx
  }
  return bytesToUtf8(openAad(impl, key, iv, sealed, aad));
}

// decryptCredentials with a context: null and legacy plaintext pass through (assumption A5), an
// envelope decrypts by the table above.
export function decryptBound(stored, keyring, context, impl = 'noble', options = {}) {
  if (!isEncrypted(stored)) return stored;
  return JSON.parse(openBoundToText(stored, keyring, context, impl, options));
}

export const toHex = (bytes) => Buffer.from(bytes).toString('hex');
