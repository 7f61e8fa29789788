/**
 * Named connection profiles: a bootstrap server list plus client properties
 * (security, timeouts), kept in $XDG_CONFIG_HOME/ktool/profiles.json
 * (default ~/.config/ktool/profiles.json), file mode 0600 because profiles
 * may hold credentials. One profile can be current: it is used when a
 * command is given no bootstrap server at all.
 *
 *   { "current": "prod", "profiles": { "prod": { "bootstrapServers": "b1:9092", "properties": { ... } } } }
 */
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { KtoolError } from '../errors.js';
import { maskProperties } from './redact.js';

export interface Profile {
  /** host:port[,host:port...] */
  bootstrapServers?: string;
  /** Client properties (as in a --command-config file). */
  properties: Record<string, string>;
}

export interface ProfileStore {
  current: string | null;
  profiles: Record<string, Profile>;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

type Env = Record<string, string | undefined>;

export function configDir(env: Env = process.env): string {
  const base = env.XDG_CONFIG_HOME ? env.XDG_CONFIG_HOME : join(homedir(), '.config');
  return join(base, 'ktool');
}

export function profilesPath(env: Env = process.env): string {
  return join(configDir(env), 'profiles.json');
}

export function validateProfileName(name: string): void {
  if (!NAME.test(name)) {
    throw new KtoolError(
      `Invalid profile name "${name}": use letters, digits, '.', '_' and '-' (at most 64 characters)`,
      {
        code: 'INVALID_ARGUMENTS',
        exitCode: 2,
      },
    );
  }
}

function emptyStore(): ProfileStore {
  return { current: null, profiles: {} };
}

export async function loadProfiles(env: Env = process.env): Promise<ProfileStore> {
  const path = profilesPath(env);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return emptyStore();
    throw new KtoolError(`Cannot read profiles from ${path}: ${(error as Error).message}`, { code: 'INVALID_CONFIG' });
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new KtoolError(`Cannot read profiles from ${path}: it is not valid JSON`, { code: 'INVALID_CONFIG' });
  }
  const store = emptyStore();
  const obj = data as { current?: unknown; profiles?: unknown };
  if (typeof obj !== 'object' || obj === null || typeof obj.profiles !== 'object' || obj.profiles === null) {
    throw new KtoolError(`Cannot read profiles from ${path}: expected {"profiles": {...}}`, { code: 'INVALID_CONFIG' });
  }
  for (const [name, raw] of Object.entries(obj.profiles as Record<string, unknown>)) {
    const p = raw as { bootstrapServers?: unknown; properties?: unknown };
    const properties: Record<string, string> = {};
    if (typeof p?.properties === 'object' && p.properties !== null) {
      for (const [k, v] of Object.entries(p.properties as Record<string, unknown>))
        if (typeof v === 'string') properties[k] = v;
    }
    store.profiles[name] = {
      ...(typeof p?.bootstrapServers === 'string' ? { bootstrapServers: p.bootstrapServers } : {}),
      properties,
    };
  }
  store.current = typeof obj.current === 'string' && store.profiles[obj.current] !== undefined ? obj.current : null;
  return store;
}

/** Write the store atomically with mode 0600 (directory 0700). */
export async function saveProfiles(store: ProfileStore, env: Env = process.env): Promise<void> {
  const path = profilesPath(env);
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, `${JSON.stringify(store, null, 2)}\n`, { mode: 0o600 });
  await chmod(tmp, 0o600);
  await rename(tmp, path);
}

export async function getProfile(name: string, env: Env = process.env): Promise<Profile> {
  const store = await loadProfiles(env);
  const profile = store.profiles[name];
  if (profile === undefined) {
    throw new KtoolError(`Profile "${name}" does not exist (see: ktool profile list)`, { code: 'PROFILE_NOT_FOUND' });
  }
  return profile;
}

export async function currentProfile(env: Env = process.env): Promise<{ name: string; profile: Profile } | undefined> {
  const store = await loadProfiles(env);
  if (store.current === null) return undefined;
  const profile = store.profiles[store.current];
  return profile === undefined ? undefined : { name: store.current, profile };
}

export interface AddOptions {
  /** Replace an existing profile of that name. */
  force?: boolean;
  /** Make it the current profile. */
  use?: boolean;
}

export async function addProfile(
  name: string,
  profile: Profile,
  options: AddOptions = {},
  env: Env = process.env,
): Promise<ProfileStore> {
  validateProfileName(name);
  const store = await loadProfiles(env);
  if (store.profiles[name] !== undefined && options.force !== true) {
    throw new KtoolError(`Profile "${name}" already exists (use --force to replace it)`, { code: 'PROFILE_EXISTS' });
  }
  store.profiles[name] = profile;
  if (options.use === true) store.current = name;
  await saveProfiles(store, env);
  return store;
}

/** Make a profile current; null clears the current profile. */
export async function useProfile(name: string | null, env: Env = process.env): Promise<ProfileStore> {
  const store = await loadProfiles(env);
  if (name !== null && store.profiles[name] === undefined) {
    throw new KtoolError(`Profile "${name}" does not exist (see: ktool profile list)`, { code: 'PROFILE_NOT_FOUND' });
  }
  store.current = name;
  await saveProfiles(store, env);
  return store;
}

export async function removeProfile(name: string, env: Env = process.env): Promise<ProfileStore> {
  const store = await loadProfiles(env);
  if (store.profiles[name] === undefined) {
    throw new KtoolError(`Profile "${name}" does not exist (see: ktool profile list)`, { code: 'PROFILE_NOT_FOUND' });
  }
  delete store.profiles[name];
  if (store.current === name) store.current = null;
  await saveProfiles(store, env);
  return store;
}

/** A profile with secret values masked, for display. */
export function maskProfile(profile: Profile): Profile {
  return { ...profile, properties: maskProperties(profile.properties) };
}
