// Kafka record batch v2 (magic 2): one import for the header layout, validation, varints,
// the encoder and the decoder, each in its own module.
export * from './batch-header.js';
export * from './batch-validate.js';
export * from './batch-builder.js';
export * from './batch-encode.js';
export * from './batch-decode.js';
export * from './record-cursor.js';
