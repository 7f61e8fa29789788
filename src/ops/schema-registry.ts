// `ktool schema-registry`: which registry to talk to (--schema-registry-url, else
// schema.registry.url from --command-config or the profile, else the dev broker's) and
// the calls, each turning the registry's error into one line.
import { KtoolError } from '../errors.js';
import { RegistryClient, RegistryClientError } from '../schemas/registry-client.js';
import { SerdeError } from '../schemas/errors.js';
import { DEFAULT_REGISTRY_URL, readSchemaSpec } from '../schemas/spec.js';

export interface RegistryTarget {
  url?: string;
  commandConfig?: string;
  profile?: string;
}

export async function openRegistry(t: RegistryTarget): Promise<RegistryClient> {
  let props: Record<string, string> = {};
  if (t.profile !== undefined) {
    const { getProfile } = await import('../connection/profiles.js');
    props = { ...(await getProfile(t.profile)).properties };
  } else if (t.commandConfig === undefined && t.url === undefined) {
    const { currentProfile } = await import('../connection/profiles.js');
    props = { ...((await currentProfile())?.profile.properties ?? {}) };
  }
  if (t.commandConfig !== undefined) {
    const { readPropertiesFile } = await import('../connection/settings.js');
    Object.assign(props, (await readPropertiesFile(t.commandConfig)).properties);
  }
  const url = t.url ?? props['schema.registry.url'] ?? DEFAULT_REGISTRY_URL;
  const source = (props['basic.auth.credentials.source'] ?? 'USER_INFO').toUpperCase();
  const userInfo =
    source === 'URL' ? undefined : (props['basic.auth.user.info'] ?? props['schema.registry.basic.auth.user.info']);
  try {
    return new RegistryClient({ url, userInfo });
  } catch (err) {
    throw new KtoolError((err as Error).message, { exitCode: 1 });
  }
}

/** Runs a registry call; its failure becomes a KtoolError with the registry's message. */
export async function call<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof RegistryClientError || err instanceof SerdeError)
      throw new KtoolError(err.message, { exitCode: 1 });
    throw err;
  }
}

/** Parses `name=subject@version` reference flags. */
export function parseReferences(
  specs: string[] | undefined,
): Array<{ name: string; subject: string; version: number }> {
  return (specs ?? []).map((spec) => {
    const m = /^(.+?)=(.+)@(\d+|latest)$/.exec(spec);
    if (!m) throw new KtoolError(`--reference must be name=subject@version, got '${spec}'`, { exitCode: 1 });
    return { name: m[1], subject: m[2], version: m[3] === 'latest' ? -1 : Number(m[3]) };
  });
}

export function schemaFromSpec(
  spec: string,
  type?: string,
): { schemaType: 'AVRO' | 'JSON' | 'PROTOBUF'; schema: string } {
  try {
    return readSchemaSpec(spec, type);
  } catch (err) {
    throw new KtoolError((err as Error).message, { exitCode: 1 });
  }
}
