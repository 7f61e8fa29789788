// The schema libraries (avsc, ajv, protobufjs) load on the registry's first call that
// parses a schema, not with the broker: a broker whose registry is never used pays nothing.
type Lib = {
  parse: typeof import('../schemas/parse.js');
  compat: typeof import('../schemas/compat/index.js');
};

let lib: Lib | undefined;
let loading: Promise<void> | undefined;

export function loadSchemaLib(): Promise<void> {
  loading ??= (async () => {
    const [parse, compat] = await Promise.all([import('../schemas/parse.js'), import('../schemas/compat/index.js')]);
    lib = { parse, compat };
  })();
  return loading;
}

/** The libraries; callers have awaited loadSchemaLib() first. */
export function schemaLib(): Lib {
  if (!lib) throw new Error('the schema libraries are not loaded yet');
  return lib;
}
