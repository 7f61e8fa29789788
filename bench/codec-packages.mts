// ktool's pure-TS decoders next to npm packages on the same compressed frames (zstd and lz4
// frames from the zstd and lz4 CLIs, raw snappy), MB/s of output, median of 3 rounds.
// The packages are not dependencies; to run: npm install --no-save snappy@7.4.3 lz4-napi@2.10.0
// zstddec@0.3.4 && node --import tsx bench/codec-packages.mts
import { createRequire } from 'node:module';
import { decompress } from '../src/codecs/index.ts';
import { spawnSync } from 'node:child_process';
const req = createRequire(import.meta.url);
const snappy = req('snappy');
const lz4 = req('lz4-napi');
const { ZSTDDecoder } = await import('zstddec');
const zd = new ZSTDDecoder();
await zd.init();
const chars = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 -_=+/.,;{}[]"';
let x = 0x9e3779b9;
const rnd = () => {
  x ^= x << 13;
  x ^= x >>> 17;
  x ^= x << 5;
  return x >>> 0;
};
const sets = {
  repetitive: (() => {
    let s = '';
    for (let j = 0; j < 10000; j++) s += 'k' + String(j).padStart(9, '0') + 'v'.repeat(90);
    return Buffer.from(s);
  })(),
  json: (() => {
    let s = '';
    for (let j = 0; j < 10000; j++)
      s += JSON.stringify({
        id: j,
        sku: `SKU-${rnd() % 4000}`,
        qty: rnd() % 5,
        price: (rnd() % 100000) / 100,
        status: ['paid', 'new', 'shipped'][rnd() % 3],
      });
    return Buffer.from(s);
  })(),
  random: (() => {
    let s = '';
    for (let j = 0; j < 10000; j++) {
      for (let k = 0; k < 90; k++) s += chars[rnd() % chars.length];
    }
    return Buffer.from(s);
  })(),
};
const time = (f, bytes) => {
  for (let i = 0; i < 5; i++) f();
  const t = performance.now();
  let n = 0;
  while (performance.now() - t < 400) {
    f();
    n++;
  }
  return (n * bytes) / ((performance.now() - t) / 1000) / 1e6;
};
for (const [name, body] of Object.entries(sets)) {
  const zst = spawnSync('zstd', ['-c', '-q', '-3'], { input: body }).stdout;
  const lz = spawnSync('lz4', ['-c', '-q'], { input: body }).stdout;
  const sn = snappy.compressSync(body);
  const r = [];
  for (let round = 0; round < 3; round++)
    r.push([
      time(() => decompress(4, zst), body.length),
      time(() => zd.decode(zst), body.length),
      time(() => decompress(3, lz), body.length),
      time(() => lz4.decompressFrameSync(lz), body.length),
      time(() => decompress(2, sn), body.length),
      time(() => snappy.uncompressSync(sn), body.length),
    ]);
  const med = (i) =>
    r
      .map((x) => x[i])
      .sort((a, b) => a - b)[1]
      .toFixed(0);
  console.log(
    `${name} (${body.length} B; zstd ${zst.length}, lz4 ${lz.length}, snappy ${sn.length}) MB/s: zstd ts ${med(0)} wasm(zstddec) ${med(1)} | lz4 ts ${med(2)} napi ${med(3)} | snappy ts ${med(4)} napi ${med(5)}`,
  );
}
