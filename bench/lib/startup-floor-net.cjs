// The network floor under `ktool topics --list`: a CommonJS script that connects and
// sends the ApiVersions and Metadata requests Kafka's Java AdminClient sent in a
// captured `kafka-topics.sh --list` (test/fixtures/captures/java.jsonl, given on the
// command line as hex), one after the other, and waits for each response frame. No
// codec, no decoding, no ES module loader: bare Node plus node:net plus two round trips.
//
//   node bench/lib/startup-floor-net.cjs host:port apiVersionsHex metadataHex
'use strict';
/* global require */
/* eslint-disable @typescript-eslint/no-require-imports -- CommonJS on purpose */
const { connect } = require('node:net');

const [address, ...requests] = process.argv.slice(2);
const [host, port] = address.split(':');
const socket = connect(Number(port), host);
let buffered = Buffer.alloc(0);
let waiting;
socket.on('data', (data) => {
  buffered = Buffer.concat([buffered, data]);
  if (buffered.length >= 4 && buffered.length >= 4 + buffered.readInt32BE(0)) {
    buffered = buffered.subarray(4 + buffered.readInt32BE(0));
    waiting();
  }
});
const send = (hex) =>
  new Promise((resolve) => {
    waiting = resolve;
    const body = Buffer.from(hex, 'hex');
    const size = Buffer.alloc(4);
    size.writeInt32BE(body.length);
    socket.write(Buffer.concat([size, body]));
  });
(async () => {
  for (const hex of requests) await send(hex);
  socket.end();
})();
