// ktool protobuf-console-producer: Confluent's kafka-protobuf-console-producer, a door onto
// console-producer with --value-format protobuf and Confluent's --property spellings.
import ConsoleProducer from './console-producer.js';
import { doorArgv } from '../cli/confluent-doors.js';

export default class ProtobufConsoleProducer extends ConsoleProducer {
  static override summary = 'Produce Protobuf records from JSON lines (kafka-protobuf-console-producer).';
  static override description = `console-producer with --value-format protobuf, taking Confluent's properties: --property schema.registry.url=URL, value.schema (or value.schema.file, value.schema.id), key.schema (and .file, .id) with parse.key=true, auto.register.schemas, value.subject.name.strategy. Every console-producer flag works too.`;
  static override examples = [
    '<%= config.bin %> <%= command.id %> --bootstrap-server localhost:9092 --topic orders --property schema.registry.url=http://127.0.0.1:8081 --property value.schema.file=order.proto',
  ];

  public override async init(): Promise<void> {
    this.argv = doorArgv(this.argv, 'protobuf', 'producer', (l) => process.stderr.write(`${l}\n`));
    await super.init();
  }
}
