// Rendering `ktool profile list`: an aligned table, and the --json shape.

export interface ProfileListEntry {
  name: string;
  current: boolean;
  bootstrapServers: string | null;
  /** Secret values (passwords, sasl.jaas.config) are masked. */
  properties: Record<string, string>;
}

export interface ProfileListResult {
  current: string | null;
  path: string;
  profiles: ProfileListEntry[];
}

/** Text form: a header and one aligned row per profile ("*" marks the current one). */
export function renderProfileList(result: ProfileListResult): string {
  if (result.profiles.length === 0)
    return 'No profiles. Add one with: ktool profile add NAME --bootstrap-server HOST:PORT\n';
  const rows = [['CURRENT', 'NAME', 'BOOTSTRAP SERVERS', 'PROPERTIES']];
  for (const p of result.profiles) {
    const props = Object.entries(p.properties)
      .map(([k, v]) => `${k}=${v}`)
      .join(', ');
    rows.push([p.current ? '*' : '', p.name, p.bootstrapServers ?? '', props]);
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return (
    rows
      .map((r) =>
        r
          .map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!)))
          .join('  ')
          .trimEnd(),
      )
      .join('\n') + '\n'
  );
}
