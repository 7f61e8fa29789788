// A small REST client for the registry tests: JSON in, status and JSON (or text) out.
export interface Reply {
  status: number;
  body: any;
}

export function client(base: string, auth?: string) {
  const headers: Record<string, string> = { 'Content-Type': 'application/vnd.schemaregistry.v1+json' };
  if (auth) headers.Authorization = `Basic ${Buffer.from(auth).toString('base64')}`;
  async function call(method: string, path: string, body?: unknown): Promise<Reply> {
    const res = await fetch(base + path, {
      method,
      headers,
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      /* the /schema endpoints answer raw text */
    }
    return { status: res.status, body: parsed };
  }
  return {
    call,
    get: (p: string) => call('GET', p),
    post: (p: string, b: unknown) => call('POST', p, b),
    put: (p: string, b: unknown) => call('PUT', p, b),
    del: (p: string) => call('DELETE', p),
  };
}

export const avroRecord = (fields: unknown[], name = 'R') => JSON.stringify({ type: 'record', name, fields });
