// ktool schema-registry get: one schema, by subject and version or by id.
import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../../cli/base-command.js';
import { registryFlags, registryTarget } from '../../cli/schema-registry-flags.js';
import { KtoolError } from '../../errors.js';
import type { RegistrySchema } from '../../schemas/registry-client.js';

export default class SchemaRegistryGet extends BaseCommand<typeof SchemaRegistryGet> {
  static override summary = "Show a schema: a subject's version (latest by default) or the schema with an id.";
  static override examples = [
    '<%= config.bin %> <%= command.id %> orders-value',
    '<%= config.bin %> <%= command.id %> orders-value --version 2 --schema-only',
    '<%= config.bin %> <%= command.id %> --id 7',
  ];
  static override args = { subject: Args.string({ description: 'The subject.' }) };
  static override flags = {
    ...registryFlags,
    version: Flags.string({ description: 'The version: a number or latest (the default).', helpValue: '<version>' }),
    id: Flags.integer({ description: 'The schema id, instead of a subject.', min: 1 }),
    'schema-only': Flags.boolean({ description: 'Print only the schema text.' }),
  };

  public async run(): Promise<RegistrySchema> {
    const f = this.flags;
    if ((this.args.subject === undefined) === (f.id === undefined))
      throw new KtoolError('Give a subject or --id, not both', { exitCode: 1 });
    const ops = await import('../../ops/schema-registry.js');
    const client = await ops.openRegistry(registryTarget(f));
    const s = await ops.call(() =>
      f.id !== undefined ? client.schemaById(f.id) : client.version(this.args.subject!, f.version ?? 'latest'),
    );
    if (!this.jsonEnabled()) {
      if (f['schema-only']) process.stdout.write(`${s.schema}\n`);
      else {
        const head = [
          s.subject !== undefined ? `subject ${s.subject}` : null,
          s.version !== undefined ? `version ${s.version}` : null,
          `id ${s.id}`,
          `type ${s.schemaType}`,
        ];
        process.stdout.write(`${head.filter(Boolean).join('  ')}\n`);
        for (const r of s.references)
          process.stdout.write(`reference ${r.name} -> ${r.subject} version ${r.version}\n`);
        process.stdout.write(`${s.schema}\n`);
      }
    }
    return s;
  }
}
