// Confluent Schema Registry's error bodies: an HTTP status and a finer error_code.
// The codes and messages follow Confluent's REST API reference so clients that
// branch on error_code (confluent-kafka's SchemaRegistryError, say) behave the same.

export class RegistryError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
  ) {
    super(message);
  }

  body(): { error_code: number; message: string } {
    return { error_code: this.code, message: this.message };
  }
}

export const Errors = {
  subjectNotFound: (s: string) => new RegistryError(404, 40401, `Subject '${s}' not found.`),
  versionNotFound: (v: number | string) => new RegistryError(404, 40402, `Version ${v} not found.`),
  schemaNotFound: (id?: number) =>
    new RegistryError(404, 40403, id === undefined ? 'Schema not found' : `Schema ${id} not found`),
  subjectSoftDeleted: (s: string) =>
    new RegistryError(404, 40404, `Subject '${s}' was soft deleted.Set permanent=true to delete permanently`),
  subjectNotSoftDeleted: (s: string) =>
    new RegistryError(404, 40405, `Subject '${s}' was not deleted first before being permanently deleted`),
  versionSoftDeleted: (s: string, v: number) =>
    new RegistryError(
      404,
      40406,
      `Subject '${s}' Version ${v} was soft deleted.Set permanent=true to delete permanently`,
    ),
  versionNotSoftDeleted: (s: string, v: number) =>
    new RegistryError(404, 40407, `Subject '${s}' Version ${v} was not deleted first before being permanently deleted`),
  subjectConfigNotFound: (s: string) =>
    new RegistryError(404, 40408, `Subject '${s}' does not have subject-level compatibility configured`),
  subjectModeNotFound: (s: string) =>
    new RegistryError(404, 40409, `Subject '${s}' does not have subject-level mode configured`),
  incompatible: (subject: string, messages: string[]) =>
    new RegistryError(
      409,
      409,
      `Schema being registered is incompatible with an earlier schema for subject "${subject}", details: ${JSON.stringify(messages)}`,
    ),
  invalidSchema: (detail: string) => new RegistryError(422, 42201, `Invalid schema: ${detail}`),
  invalidVersion: (v: string) =>
    new RegistryError(
      422,
      42202,
      `The specified version '${v}' is not a valid version id. Allowed values are between [1, 2^31-1] and the string "latest"`,
    ),
  invalidCompatibility: () =>
    new RegistryError(
      422,
      42203,
      'Invalid compatibility level. Valid values are none, backward, forward, full, backward_transitive, forward_transitive, and full_transitive',
    ),
  invalidMode: (m: string) =>
    new RegistryError(
      422,
      42204,
      `Invalid mode. Valid values are READWRITE, READONLY, READONLY_OVERRIDE and IMPORT, got ${m}`,
    ),
  operationNotPermitted: (message: string) => new RegistryError(422, 42205, message),
  referenceExists: (message: string) => new RegistryError(422, 42206, message),
  idInUse: (id: number) => new RegistryError(422, 42207, `Overwrite new schema with id ${id} is not permitted.`),
  invalidSubject: (s: string) => new RegistryError(422, 42208, `The specified subject '${s}' is not valid.`),
  badRequest: (message: string) => new RegistryError(400, 400, message),
  unauthorized: () => new RegistryError(401, 401, 'Unauthorized'),
  notFound: () => new RegistryError(404, 404, 'HTTP 404 Not Found'),
  methodNotAllowed: () => new RegistryError(405, 405, 'HTTP 405 Method Not Allowed'),
  storeError: (message: string) => new RegistryError(500, 50001, `Error in the backend data store - ${message}`),
  internal: (message: string) => new RegistryError(500, 50001, message),
};
