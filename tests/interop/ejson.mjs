#!/usr/bin/env node
// The Extended JSON conversion against the Node driver's reading (issue 23, item 2): for each case,
// what a TypeScript service's JSON.stringify gives of the object the driver reads, here the `bson`
// package's EJSON.parse (the driver's own Extended JSON reader) then JSON.stringify. The C++ driver
// (`interop_driver convert-ejson`) converts the same texts with convertExtendedJsonText and the
// ordered_json form and must give those bytes exactly: members in the document's order, array-index
// names first, a repeated name at its first place with its last value, wrappers converted.
//
// Usage: ejson.mjs write --out FILE   the cases as {"cases":[{"name","text","expected"}...]}
//
// The texts are libbson/mongoexport-like relaxed and canonical Extended JSON (EJSON.stringify of
// values with BSON types), hand-written texts whose member order JavaScript would not keep, and
// random trees from a fixed seed written member by member in a shuffled order. Numbers are kept
// where both sides print them alike (integers within 2^53, non-integral doubles without exponent):
// how the two print other numbers is docs/FORMAT.md's "JSON fidelity notes", not member order.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const here = dirname(new URL(import.meta.url).pathname);
if (!existsSync(join(here, 'node_modules', 'bson', 'package.json'))) {
  console.error(`ejson: ${join(here, 'node_modules')} is missing bson; ` +
    `run \`npm ci --prefix ${here}\` first (CI does it in tools/ci/30-interop.sh)`);
  process.exit(2);
}
const { EJSON, ObjectId, Long, Int32, Double } = await import('bson');
const { prng } = await import('./lib/corpus.mjs');

const OID = '65A1B2C3D4E5F60718293A4B';

// A connector's credentials with the BSON types a service stores: strings, int64s, an int32, a
// double, dates (one before 1970), an ObjectId, nested objects and arrays, Unicode.
function connectorCredentials() {
  return {
    token: 'tok-s3cret', refresh_token: 'r\u00e9fresh-\u65e5\u672c-\u{1F511}',
    expires: new Date(1700000000000), created: new Date(-1000),
    user: new ObjectId(OID), small: Long.fromNumber(42), big: Long.fromString('9007199254740991'),
    count: new Int32(5), ratio: new Double(0.25),
    oauth: { scopes: ['read', 'write'], issued: new Date(Date.UTC(2024, 1, 29, 12, 0, 0, 7)),
      provider: { name: 'Ac\u0301me', id: new ObjectId('000000000000000000000001') } },
    '2': 'an array-index name, written last', '10': new Long(10),
  };
}

// Texts written by hand: member orders JavaScript does not keep, repeats, escapes.
const HAND_WRITTEN = [
  ['integer_like_names', '{"b":1,"10":{"$numberLong":"10"},"2":"two","a":{"$oid":"' + OID + '"},' +
    '"4294967295":"not an index","4294967294":"the last index","01":"leading zero","-1":"minus",' +
    '"0":{"$date":"1970-01-01T00:00:00Z"},"1.5":"a fraction"}'],
  ['integer_like_names_nested', '{"z":[{"9":1,"y":{"$numberInt":"2"},"8":3}],"a":{"c":{"1":{"0":0}},"0":1}}'],
  ['repeated_names', '{"b":1,"a":{"$oid":"' + OID + '"},"b":{"$numberLong":"3"},"c":{"x":1,"x":{"$date":{"$numberLong":"0"}}}}'],
  ['repeated_wrapper_replaced', '{"a":{"$binary":"never converted"},"a":{"$numberInt":"7"}}'],
  ['dates', '[{"$date":"2021-03-04T10:15:30.5+01:30"},{"$date":"2024-02-29T23:59:59.999Z"},' +
    '{"$date":{"$numberLong":"-62198755200000"}},{"$date":{"$numberLong":"253402300800000"}},' +
    '{"$date":{"$numberLong":"8640000000000000"}},{"$date":{"$numberLong":"-8640000000000000"}}]'],
  ['numbers', '{"l":{"$numberLong":"-9007199254740991"},"i":{"$numberInt":"-2147483648"},' +
    '"d":{"$numberDouble":"2.5"},"nan":{"$numberDouble":"NaN"},"inf":{"$numberDouble":"-Infinity"}}'],
  ['oid_upper_case', '{"id":{"$oid":"ABCDEF0123456789ABCDEF01"}}'],
  ['escapes_and_unicode', '{"\\u00e9":1,"e\\u0301":2,"a\\"b":"\\n\\t\\u0001\\u001f\\\\/","\u{1F600}":' +
    '{"$oid":"' + OID + '"},"\u05e9\u05dc\u05d5\u05dd":"\u2028\u2029\u007f"}'],
  ['canonical_envelope', '{"__enc":{"$numberInt":"1"},"kid":"v1","iv":"AAAAAAAAAAAAAAAA",' +
    '"ct":"AAAAAAAAAAAAAAAAAAAAAA=="}'],
  ['bound_envelope_relaxed', '{"__enc":1,"kid":"v2","iv":"AAAAAAAAAAAAAAAA","ct":"AAAAAAAAAAAAAAAAAAAAAA==",' +
    '"ctx":["collection","field","id","tenant"]}'],
  ['no_wrappers', '{"z":{"y":[1,2.5,true,false,null,"s"]},"a":{}}'],
  ['top_level_array', '[{"$numberLong":"1"},"x",[],{}]'],
  ['top_level_string', '"just a string"'],
  ['top_level_null', 'null'],
  ['whitespace', ' { "b" : { "$numberInt" : "1" } ,\n\t"a" : [ ] } '],
];

// A random tree written member by member (so the text's order is the shuffled one, not the order
// JavaScript would give its object), with wrappers in every place a value can be.
function randomTree(rnd, depth) {
  const pick = (n) => Math.floor(rnd() * n);
  const names = ['a', 'b', 'z', 'token', '\u00e9', '\u{1F511}', 'x y', '0', '1', '2', '10', '42', '01',
    '-3', '4294967294', '4294967295', '$', 'n\\u0041', 'key"q'];
  const scalar = () => {
    switch (pick(10)) {
      case 0: return JSON.stringify('s\u00e9\u{1F600}\n' + pick(1000));
      case 1: return String(pick(2000001) - 1000000);
      case 2: return String((pick(4000) - 2000) + 0.25);
      case 3: return ['true', 'false', 'null'][pick(3)];
      case 4: return `{"$oid":"${[...Array(24)].map(() => '0123456789abcdefABCDEF'[pick(22)]).join('')}"}`;
      case 5: return `{"$date":{"$numberLong":"${pick(8e12) - 2e12}"}}`;
      case 6: return `{"$date":"${new Date(pick(4e12)).toISOString()}"}`;
      case 7: return `{"$numberLong":"${pick(2 ** 53) - 2 ** 52}"}`;
      case 8: return `{"$numberInt":"${pick(2 ** 32) - 2 ** 31}"}`;
      default: return `{"$numberDouble":"${(pick(1000) - 500) + 0.5}"}`;
    }
  };
  if (depth <= 0 || rnd() < 0.3) return scalar();
  if (rnd() < 0.3) {
    const items = [...Array(pick(5))].map(() => randomTree(rnd, depth - 1));
    return `[${items.join(',')}]`;
  }
  const members = [...Array(pick(8))].map(() => {
    const name = names[pick(names.length)];
    return `${JSON.stringify(name === '$' ? 'dollar' : name)}:${randomTree(rnd, depth - 1)}`;
  });
  return `{${members.join(',')}}`;
}

function cases() {
  const out = [];
  const add = (name, text) => out.push({ name, text, expected: JSON.stringify(EJSON.parse(text)) });
  add('connector_credentials_relaxed', EJSON.stringify(connectorCredentials(), { relaxed: true }));
  add('connector_credentials_canonical', EJSON.stringify(connectorCredentials(), { relaxed: false }));
  for (const [name, text] of HAND_WRITTEN) add(name, text);
  const rnd = prng(0xe15011);
  for (let i = 0; i < 300; i++) add(`random_${i}`, randomTree(rnd, 4));
  return out;
}

const [command, flag, file] = process.argv.slice(2);
if (command !== 'write' || flag !== '--out' || !file) {
  console.error('usage: ejson.mjs write --out FILE');
  process.exit(2);
}
const all = cases();
// The corpus must hold what it is for: text whose member order JavaScript changes.
const integerLike = all.find((c) => c.name === 'integer_like_names');
if (!integerLike.expected.startsWith('{"0":"1970-01-01T00:00:00.000Z","2":"two","10":10,')) {
  console.error(`ejson: integer_like_names did not come back in JavaScript's order: ${integerLike.expected}`);
  process.exit(1);
}
const changed = all.filter((c) => c.text.replace(/\s/g, '') !== c.expected).length;
mkdirSync(dirname(file), { recursive: true });
writeFileSync(file, `{"cases":[\n${all.map((c) => JSON.stringify(c)).join(',\n')}\n]}\n`);
console.log(`ejson: ${all.length} cases (${changed} changed by the conversion) written to ${file}`);
