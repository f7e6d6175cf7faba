// The benchmark peer: the TypeScript original's model (@noble/ciphers AES-256-GCM, as in the
// interop peer) and node:crypto, on the payload files bench_cc --write-payloads wrote.
// Usage: node bench.mjs PAYLOAD_DIR [seconds-per-figure] [filter-regex] [repetitions]
//   -> one JSON line per figure on stdout (the best of the repetitions).
import { gcm } from '@noble/ciphers/aes.js';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';

const [dir, secondsArg, filterArg] = process.argv.slice(2);
const seconds = Number(secondsArg ?? '1');
const filter = new RegExp(filterArg ?? '.');
const repetitions = Number(process.argv[5] ?? '1');
const key = new Uint8Array(32).fill(0x42);
const keyBuf = Buffer.from(key);
const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder('utf-8', { fatal: true });

// The TypeScript original: gcm(key, iv).encrypt(utf8(JSON.stringify(v))), IV from
// crypto.getRandomValues, base64 through Buffer, the envelope as an object.
const noble = {
  encrypt(v) {
    const iv = crypto.getRandomValues(new Uint8Array(12));
    const ct = gcm(key, iv).encrypt(utf8.encode(JSON.stringify(v)));
    return { __enc: 1, kid: 'v1', iv: Buffer.from(iv).toString('base64'), ct: Buffer.from(ct).toString('base64') };
  },
  decrypt(env) {
    const iv = Buffer.from(env.iv, 'base64');
    const ct = Buffer.from(env.ct, 'base64');
    return JSON.parse(fromUtf8.decode(gcm(key, iv).decrypt(ct)));
  },
};

// The same envelope with node:crypto's AES-256-GCM (OpenSSL underneath).
const node = {
  encrypt(v) {
    const iv = randomBytes(12);
    const c = createCipheriv('aes-256-gcm', keyBuf, iv);
    const body = c.update(JSON.stringify(v), 'utf8');
    const tail = c.final();
    const ct = Buffer.concat([body, tail, c.getAuthTag()]);
    return { __enc: 1, kid: 'v1', iv: iv.toString('base64'), ct: ct.toString('base64') };
  },
  decrypt(env) {
    const iv = Buffer.from(env.iv, 'base64');
    const sealed = Buffer.from(env.ct, 'base64');
    const d = createDecipheriv('aes-256-gcm', keyBuf, iv);
    d.setAuthTag(sealed.subarray(sealed.length - 16));
    const body = d.update(sealed.subarray(0, sealed.length - 16));
    const tail = d.final();
    return JSON.parse(fromUtf8.decode(tail.length ? Buffer.concat([body, tail]) : body));
  },
};

// Runs fn repeatedly for about `seconds` (after a short warm-up); returns ops per second of wall
// time and of process CPU time (user + system, GC threads included).
function measure(fn) {
  let sink;
  const warmEnd = performance.now() + Math.min(200, seconds * 250);
  while (performance.now() < warmEnd) sink = fn();
  let ops = 0;
  let batch = 1;
  const cpu0 = process.cpuUsage();
  const start = performance.now();
  const end = start + seconds * 1000;
  let now = start;
  while (now < end) {
    for (let i = 0; i < batch; i++) sink = fn();
    ops += batch;
    now = performance.now();
    if (now - start < 50) batch *= 2;
  }
  const cpu = process.cpuUsage(cpu0);
  globalThis.__sink = sink;
  return { wall: ops / ((now - start) / 1000), cpu: ops / ((cpu.user + cpu.system) / 1e6) };
}

const index = readFileSync(`${dir}/index.txt`, 'utf8').trim().split('\n').map((l) => l.split(' '));
for (const [name, file, bytes] of index) {
  const value = JSON.parse(readFileSync(`${dir}/${file}`, 'utf8'));
  if (JSON.stringify(value).length === 0) throw new Error('empty payload');
  for (const [impl, m] of [['node', node], ['noble', noble]]) {
    for (const op of ['encrypt', 'decrypt']) {
      const figure = `${op}/${name}`;
      if (!filter.test(figure)) continue;
      const env = m.encrypt(value);
      if (JSON.stringify(m.decrypt(env)) !== JSON.stringify(value)) throw new Error(`${impl} round trip failed on ${name}`);
      const fn = op === 'encrypt' ? () => m.encrypt(value) : () => m.decrypt(env);
      const r = { wall: 0, cpu: 0 };
      for (let i = 0; i < repetitions; i++) {
        const x = measure(fn);
        r.wall = Math.max(r.wall, x.wall);
        r.cpu = Math.max(r.cpu, x.cpu);
      }
      console.log(JSON.stringify({ impl, figure, bytes: Number(bytes), ops_per_sec: r.wall, cpu_ops_per_sec: r.cpu }));
    }
  }
}
