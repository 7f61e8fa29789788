// ktool avro-console-consumer: Confluent's kafka-avro-console-consumer, a door onto
// console-consumer with --value-format avro and Confluent's --property spellings.
import ConsoleConsumer from './console-consumer.js';
import { doorArgv } from '../cli/confluent-doors.js';

export default class AvroConsoleConsumer extends ConsoleConsumer {
  static override summary = 'Print Avro records as JSON (kafka-avro-console-consumer).';
  static override description = `console-consumer with --value-format avro, taking Confluent's properties: --property schema.registry.url=URL, and print.key=true with key.deserializer=io.confluent.kafka.serializers.Kafka...Deserializer for schema keys. Every console-consumer flag works too.`;
  static override examples = [
    '<%= config.bin %> <%= command.id %> --bootstrap-server localhost:9092 --topic orders --from-beginning --property schema.registry.url=http://127.0.0.1:8081',
  ];

  public override async init(): Promise<void> {
    this.argv = doorArgv(this.argv, 'avro', 'consumer', (l) => process.stderr.write(`${l}\n`));
    await super.init();
  }
}
