// ktool schema-registry register: adds a schema to a subject (a new version, or the
// existing one when the schema is already there).
import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../../cli/base-command.js';
import { registryFlags, registryTarget } from '../../cli/schema-registry-flags.js';

export default class SchemaRegistryRegister extends BaseCommand<typeof SchemaRegistryRegister> {
  static override summary = 'Register a schema under a subject.';
  static override examples = [
    '<%= config.bin %> <%= command.id %> orders-value --schema order.avsc',
    '<%= config.bin %> <%= command.id %> refunds-value --schema refund.proto --reference order.proto=orders-value@1',
  ];
  static override args = { subject: Args.string({ description: 'The subject.', required: true }) };
  static override flags = {
    ...registryFlags,
    schema: Flags.string({
      description: 'The schema: inline text, or a file (.avsc, .proto, .json).',
      required: true,
      helpValue: '<schema>',
    }),
    type: Flags.string({
      description: 'AVRO, JSON or PROTOBUF (default: from the file name or the text).',
      helpValue: '<type>',
    }),
    reference: Flags.string({
      description: 'A referenced schema, name=subject@version (repeatable).',
      multiple: true,
      multipleNonGreedy: true,
      helpValue: '<ref>',
    }),
  };

  public async run(): Promise<{ subject: string; id: number; version: number }> {
    const ops = await import('../../ops/schema-registry.js');
    const { schemaType, schema } = ops.schemaFromSpec(this.flags.schema, this.flags.type);
    const references = ops.parseReferences(this.flags.reference);
    const client = await ops.openRegistry(registryTarget(this.flags));
    const id = await ops.call(() => client.register(this.args.subject, schemaType, schema, references));
    const found = await ops.call(() => client.lookup(this.args.subject, schemaType, schema, references));
    if (!this.jsonEnabled()) process.stdout.write(`subject ${this.args.subject}  version ${found.version}  id ${id}\n`);
    return { subject: this.args.subject, id, version: found.version! };
  }
}
