// The interop corpus: values that stress JSON fidelity between JSON.stringify/JSON.parse and the C++
// library. Deterministic: random parts come from a seeded PRNG, so a failure reproduces exactly.
export const SEED = 0x5eed2026;

// mulberry32: a small seeded PRNG (test data only, not cryptography).
export function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Code point ranges across the planes (no surrogates): Latin, Greek/Cyrillic, Hebrew/Arabic, Devanagari,
// CJK, Hangul, BMP private use and specials, emoji, CJK extension B, tags, plane 15/16 private use.
const RANGES = [
  [0x00a0, 0x024f], [0x0370, 0x04ff], [0x0590, 0x06ff], [0x0900, 0x097f], [0x0300, 0x036f],
  [0x4e00, 0x9fff], [0xac00, 0xd7a3], [0xe000, 0xf8ff], [0xfff0, 0xffff], [0x1f300, 0x1faff],
  [0x20000, 0x2a6df], [0xe0000, 0xe007f], [0xf0000, 0xffffd], [0x100000, 0x10ffff],
  [0x2000, 0x206f],
];

function randomCodePoint(rnd) {
  const [lo, hi] = RANGES[Math.floor(rnd() * RANGES.length)];
  return lo + Math.floor(rnd() * (hi - lo + 1));
}

function randomString(rnd, maxLen) {
  const n = Math.floor(rnd() * maxLen);
  let s = '';
  for (let i = 0; i < n; i++) {
    const r = rnd();
    if (r < 0.1) s += String.fromCharCode(Math.floor(rnd() * 0x20)); // control characters
    else if (r < 0.4) s += String.fromCharCode(0x20 + Math.floor(rnd() * 0x5f)); // printable ASCII
    else s += String.fromCodePoint(randomCodePoint(rnd));
  }
  return s;
}

const NUMBERS = [0, 1, -1, -42, 2147483647, -2147483648, 9007199254740991, -9007199254740991, 0.1,
  0.30000000000000004, 1e-7, 1e21, 5e-324, 1.7976931348623157e308, -1.7976931348623157e308,
  2.2250738585072014e-308, -1.5, 123456789.123456789, 1e300, -1e-300, 9223372036854775808, 1764345600000];

function randomValue(rnd, depth) {
  const r = rnd();
  if (depth <= 0 || r < 0.45) {
    const s = rnd();
    if (s < 0.5) return randomString(rnd, 24);
    if (s < 0.8) return NUMBERS[Math.floor(rnd() * NUMBERS.length)];
    if (s < 0.9) return rnd() < 0.5;
    return null;
  }
  const n = Math.floor(rnd() * 6);
  if (r < 0.7) {
    const o = {};
    for (let i = 0; i < n; i++) o[randomString(rnd, 10)] = randomValue(rnd, depth - 1);
    return o;
  }
  return Array.from({ length: n }, () => randomValue(rnd, depth - 1));
}

// Non-ASCII text of at least `bytes` UTF-8 bytes (2-, 3- and 4-byte sequences, some ASCII).
export function nonAsciiText(bytes, seed) {
  const rnd = prng(seed);
  const parts = [];
  let size = 0;
  while (size < bytes) {
    const ch = rnd() < 0.1 ? ' ' : String.fromCodePoint(randomCodePoint(rnd));
    parts.push(ch);
    size += Buffer.byteLength(ch, 'utf8');
  }
  return parts.join('');
}

function nested(levels, wrap, leaf) {
  let v = leaf;
  for (let i = 0; i < levels; i++) v = wrap(v, i);
  return v;
}

const CONTROLS = Array.from({ length: 0x20 }, (_, i) => String.fromCharCode(i));

// [{name, value}] every case; `large` adds the 64 KiB and 300 KiB payloads (left out of the golden files).
export function corpus({ large = true } = {}) {
  const rnd = prng(SEED);
  const cases = [
    ['oauth_google', {
      type: 'oauth2', provider: 'google', access_token: 'ya29.a0AfB_byC-secret-access-token-value',
      refresh_token: '1//0gSecretRefreshToken-xyz', token_type: 'Bearer', expires_in: 3599,
      expires_at: 1764345600000, scope: 'https://www.googleapis.com/auth/drive.readonly openid email',
      id_token: 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxMjMifQ.c2lnbmF0dXJl', scopes: ['drive', 'email'],
    }],
    ['api_key', { apiKey: 'sk_live_51H8secretKEY', baseUrl: 'https://api.example.com/v1', headers: { 'X-Api-Version': '2024-06-20' } }],
    ['database_password', {
      host: 'db.internal', port: 5432, username: 'svc_reader', password: 'p@ss:w/rd"\\ \'\u00e9',
      ssl: true, database: null, options: { sslmode: 'verify-full', poolSize: 10, timeoutMs: 30000.5 },
    }],
    ['aws_keys', { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', region: 'eu-west-1', sessionToken: null }],
    ['service_account', {
      type: 'service_account', project_id: 'proj-123', private_key_id: 'abc123',
      private_key: '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----\n',
      client_email: 'svc@proj-123.iam.gserviceaccount.com',
    }],
    ['empty_object', {}],
    ['empty_array', []],
    ['empty_strings', { '': '', a: '', nested: { '': [''] } }],
    ['unicode_accents', { s: 'café naïve façade Ångström Øresund señor über straße Ő ő Ł ł', 'clé': 'valeur' }],
    ['unicode_cjk', { zh: '中文密码', ja: '日本語のパスワード', ko: '한국어 비밀번호', '鍵': '値' }],
    ['unicode_rtl', { he: 'שלום עולם', ar: 'مرحبا بالعالم', marks: 'a\u200fb\u200ec\u202bd\u202ce\u2067f\u2069' }],
    ['unicode_emoji', { e: '😀🔐👍🏽🏳️‍🌈👩‍👩‍👧‍👦🇫🇷', '🔑': '🗝️' }],
    ['unicode_combining', { nfd: 'e\u0301 a\u0308 n\u0303', zalgo: 'Z\u0324\u0354\u0367\u0311\u0313', deva: '\u0915\u094d\u0937', 'é': 'nfc key', 'e\u0301': 'nfd key' }],
    ['unicode_zero_width', { zw: 'a\u200bb\u200cc\u200dd\u2060e\ufefff', bom: '\ufeffstarts with a BOM' }],
    ['unicode_planes', {
      bmpEnd: '\uffff', nonchar: '\ufffe', replacement: '\ufffd', supplementaryFirst: '\u{10000}',
      emoji: '\u{1f600}', cjkExtB: '\u{20000}\u{2a6d6}', tags: '\u{e0041}\u{e007f}', plane15: '\u{f0000}',
      last: '\u{10ffff}', pair: '\ud83d\ude00',
    }],
    ['escapes', {
      quote: '"', backslash: '\\', slash: '/', solidus_escape_look: '\\/', unicode_escape_look: '\\u0041',
      controls: CONTROLS.join(''), del: '\u007f', ls: '\u2028', ps: '\u2029', nul: '\u0000',
      mixed: 'a"b\\c\nd\te\u0000f\u001fg\u2028h', ['key\n\t"\\\u0000\u2028']: 'escaped key',
    }],
    ['escapes_each', CONTROLS.concat(['"', '\\', '/', '\u007f', '\u2028', '\u2029', '\b\f\n\r\t'])],
    ['numbers', {
      zero: 0, one: 1, neg: -1, negBig: -9007199254740991, maxSafe: 9007199254740991, pointOne: 0.1,
      sum: 0.30000000000000004, small: 1e-7, big: 1e21, minSubnormal: 5e-324,
      max: 1.7976931348623157e308, negMax: -1.7976931348623157e308, minNormal: 2.2250738585072014e-308,
      negFloat: -1.5, fractional: 123456789.123456789, e300: 1e300, negTiny: -1e-300,
      twoTo63: 9223372036854775808, twoTo64: 18446744073709551616, int32Min: -2147483648,
      millis: 1764345600000, list: [0, -0.5, 1e-7, 1e21, 5e-324],
    }],
    ['literals', { t: true, f: false, n: null, list: [true, false, null], nested: { n: null } }],
    ['top_level_array', [1, 'two', { three: 3 }, [4], null, true, false, 0.1, '']],
    ['nested_empty', [[[]], {}, [{}], { a: [] }]],
    ['bare_string', 'just a bare string token'],
    ['bare_empty_string', ''],
    ['bare_unicode_string', 'é中😀\u2028\u0000'],
    ['bare_number', 42],
    ['bare_float', -0.1],
    ['bare_true', true],
    ['bare_false', false],
    ['deep_objects_200', nested(200, (v) => ({ a: v }), { leaf: 'bottom' })],
    ['deep_arrays_200', nested(200, (v) => [v], 'bottom')],
    ['deep_mixed_500', nested(500, (v, i) => (i % 2 ? [v, i] : { k: v, i }), null)],
    ['keys_1000', Object.fromEntries(Array.from({ length: 1000 }, (_, i) =>
      [`key_${String(i).padStart(4, '0')}`, randomValue(rnd, 1)]))],
    ['integer_like_keys', { 10: 'ten', 2: 'two', b: 'b', a: 'a', '-1': 'minus one', '01': 'leading zero' }],
  ];
  for (let i = 0; i < 12; i++) cases.push([`random_tree_${String(i).padStart(2, "0")}`, { seed: i, tree: randomValue(rnd, 6) }]);
  cases.push(['text_4k', { text: nonAsciiText(4 * 1024, SEED + 4) }]);
  if (large) {
    cases.push(['text_64k', { text: nonAsciiText(64 * 1024, SEED + 64) }]);
    cases.push(['text_300k', nonAsciiText(300 * 1024, SEED + 300)]);
  }
  return cases.map(([name, value]) => ({ name, value }));
}

// Values JSON.stringify writes but that are not valid Unicode: lone surrogates come out as "\ud800"
// escapes, and the C++ library rejects the plaintext with DecryptError (docs/FORMAT.md).
export function invalidCorpus() {
  return [
    { name: 'lone_high_surrogate', value: '\ud800', error: 'DecryptError' },
    { name: 'lone_low_surrogate_in_object', value: { token: 'abc\udc00def' }, error: 'DecryptError' },
    { name: 'reversed_surrogate_pair_in_key', value: { '\udc00\ud800': 1 }, error: 'DecryptError' },
  ];
}
