// The floor under `ktool topics --list` on this Node: an ES module that loads ktool's
// codec, connects, sends ApiVersions and Metadata, prints the topic names and exits.
// Nothing else: no settings, no client, no error handling. Run by the startup bench.
//
//   node bench/lib/startup-floor.mjs host:port
import { connect } from 'node:net';

const { encodeRequestFrame, decodeResponseFrame } = await import('../../dist/protocol/headers.js');
const [host, port] = process.argv[2].split(':');
const socket = connect(Number(port), host);
const waiting = [];
let buffered = Buffer.alloc(0);
socket.on('data', (data) => {
  buffered = Buffer.concat([buffered, data]);
  while (buffered.length >= 4 && buffered.length >= 4 + buffered.readInt32BE(0)) {
    const size = buffered.readInt32BE(0);
    waiting.shift()(buffered.subarray(4, 4 + size));
    buffered = buffered.subarray(4 + size);
  }
});
let correlationId = 0;
const request = (apiKey, version, body) =>
  new Promise((resolve) => {
    waiting.push((frame) => resolve(decodeResponseFrame(apiKey, version, frame).body));
    for (const chunk of encodeRequestFrame(apiKey, version, ++correlationId, 'floor', body)) socket.write(chunk);
  });
await request(18, 3, { clientSoftwareName: 'floor', clientSoftwareVersion: '0' });
const metadata = await request(3, 12, {
  topics: null,
  allowAutoTopicCreation: false,
  includeTopicAuthorizedOperations: false,
});
process.stdout.write(metadata.topics.map((t) => `${t.name}\n`).join(''));
socket.end();
