// Public surface of the Kafka wire codec.

export {
  decodeRequest,
  decodeResponse,
  encodeRequest,
  encodeResponse,
  decodeData,
  encodeData,
  isFlexible,
  apiSpec,
  allApiSpecs,
  concatChunks,
  compiledMessage,
  ZERO_UUID,
} from './codec.js';
export type { CompiledMessage } from './codec.js';
export {
  decodeRequestHeader,
  decodeRequestFrame,
  decodeResponseFrame,
  encodeRequestFrame,
  encodeResponseFrame,
  requestHeaderVersion,
  responseHeaderVersion,
} from './headers.js';
export type { RequestHeader } from './headers.js';
export { ErrorCode, errorName, errorMessage, isRetriable, KafkaError, ProtocolError } from './errors.js';
export type { ErrorName } from './errors.js';
export { Reader } from './reader.js';
export { Writer, chunksLength } from './writer.js';
export type {
  ApiSpec,
  FieldSpec,
  MessageBody,
  MessageKind,
  MessageSpec,
  PrimitiveType,
  RecordsValue,
  VersionRange,
} from './types.js';
export { ApiKey } from './api-types.js';
export type * from './api-types.js';
