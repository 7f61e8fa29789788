// ktool schema-registry subjects: the registry's subjects, one per line.
import { Flags } from '@oclif/core';
import { BaseCommand } from '../../cli/base-command.js';
import { registryFlags, registryTarget } from '../../cli/schema-registry-flags.js';

export default class SchemaRegistrySubjects extends BaseCommand<typeof SchemaRegistrySubjects> {
  static override summary = 'List the subjects of a schema registry.';
  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --prefix orders --deleted --json',
  ];
  static override flags = {
    ...registryFlags,
    deleted: Flags.boolean({ description: 'Include soft-deleted subjects.' }),
    prefix: Flags.string({ description: 'Only subjects starting with this.', helpValue: '<prefix>' }),
  };

  public async run(): Promise<{ subjects: string[] }> {
    const ops = await import('../../ops/schema-registry.js');
    const client = await ops.openRegistry(registryTarget(this.flags));
    const subjects = await ops.call(() => client.subjects({ deleted: this.flags.deleted, prefix: this.flags.prefix }));
    if (!this.jsonEnabled()) for (const s of subjects) process.stdout.write(`${s}\n`);
    return { subjects };
  }
}
