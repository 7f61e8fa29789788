// ktool schema-registry delete: a subject or one version, soft by default.
import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../../cli/base-command.js';
import { registryFlags, registryTarget } from '../../cli/schema-registry-flags.js';

export default class SchemaRegistryDelete extends BaseCommand<typeof SchemaRegistryDelete> {
  static override summary =
    'Delete a subject, or one of its versions (soft; --permanent after a soft delete removes it for good).';
  static override examples = [
    '<%= config.bin %> <%= command.id %> orders-value',
    '<%= config.bin %> <%= command.id %> orders-value --version 2 --permanent',
  ];
  static override args = { subject: Args.string({ description: 'The subject.', required: true }) };
  static override flags = {
    ...registryFlags,
    version: Flags.string({ description: 'Delete only this version (a number or latest).', helpValue: '<version>' }),
    permanent: Flags.boolean({ description: 'Hard delete what was soft-deleted before.' }),
  };

  public async run(): Promise<{ subject: string; versions: number[]; permanent: boolean }> {
    const f = this.flags;
    const ops = await import('../../ops/schema-registry.js');
    const client = await ops.openRegistry(registryTarget(f));
    const versions =
      f.version !== undefined
        ? [await ops.call(() => client.deleteVersion(this.args.subject, f.version!, f.permanent))]
        : await ops.call(() => client.deleteSubject(this.args.subject, f.permanent));
    if (!this.jsonEnabled())
      process.stdout.write(
        `${f.permanent ? 'Permanently deleted' : 'Deleted'} ${this.args.subject} version(s) ${versions.join(', ')}\n`,
      );
    return { subject: this.args.subject, versions, permanent: f.permanent };
  }
}
