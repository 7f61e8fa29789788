// The schema tools' error value: a record that cannot be encoded or decoded, or a schema
// that cannot be resolved; one line, said to the user as is. Light on purpose: the
// console tools import it whether or not a schema is in play.
export class SerdeError extends Error {}
