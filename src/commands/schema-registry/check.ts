// ktool schema-registry check: would this schema be accepted under the subject's
// compatibility level? Asks the registry's compatibility endpoint.
import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../../cli/base-command.js';
import { registryFlags, registryTarget } from '../../cli/schema-registry-flags.js';

export default class SchemaRegistryCheck extends BaseCommand<typeof SchemaRegistryCheck> {
  static override summary =
    "Check a schema's compatibility with a subject (every version its level covers, or one --version).";
  static override description =
    'Prints "compatible" or "incompatible" and the reasons. The exit status is 0 either way; use --json for is_compatible.';
  static override examples = ['<%= config.bin %> <%= command.id %> orders-value --schema order-v2.avsc'];
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
    version: Flags.string({
      description: 'Check against this version only (a number or latest).',
      helpValue: '<version>',
    }),
    reference: Flags.string({
      description: 'A referenced schema, name=subject@version (repeatable).',
      multiple: true,
      multipleNonGreedy: true,
      helpValue: '<ref>',
    }),
  };

  public async run(): Promise<{ subject: string; is_compatible: boolean; messages: string[] }> {
    const ops = await import('../../ops/schema-registry.js');
    const { schemaType, schema } = ops.schemaFromSpec(this.flags.schema, this.flags.type);
    const client = await ops.openRegistry(registryTarget(this.flags));
    const r = await ops.call(() =>
      client.compatibility(
        this.args.subject,
        this.flags.version ?? null,
        schemaType,
        schema,
        ops.parseReferences(this.flags.reference),
      ),
    );
    if (!this.jsonEnabled()) {
      process.stdout.write(`${r.compatible ? 'compatible' : 'incompatible'}\n`);
      for (const m of r.messages) process.stdout.write(`  ${m}\n`);
    }
    return { subject: this.args.subject, is_compatible: r.compatible, messages: r.messages };
  }
}
