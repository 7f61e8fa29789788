// ktool schema-registry versions: a subject's version numbers.
import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../../cli/base-command.js';
import { registryFlags, registryTarget } from '../../cli/schema-registry-flags.js';

export default class SchemaRegistryVersions extends BaseCommand<typeof SchemaRegistryVersions> {
  static override summary = 'List the versions of a subject.';
  static override examples = ['<%= config.bin %> <%= command.id %> orders-value'];
  static override args = { subject: Args.string({ description: 'The subject.', required: true }) };
  static override flags = {
    ...registryFlags,
    deleted: Flags.boolean({ description: 'Include soft-deleted versions.' }),
  };

  public async run(): Promise<{ subject: string; versions: number[] }> {
    const ops = await import('../../ops/schema-registry.js');
    const client = await ops.openRegistry(registryTarget(this.flags));
    const versions = await ops.call(() => client.versions(this.args.subject, this.flags.deleted));
    if (!this.jsonEnabled()) for (const v of versions) process.stdout.write(`${v}\n`);
    return { subject: this.args.subject, versions };
  }
}
