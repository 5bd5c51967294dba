/** Bad command-line usage: exit code 2. */
export class UsageError extends Error {
  readonly code = 'USAGE';
}

/** A person the command was given that kada cannot find; `where` says where it looked. */
export class UnknownPersonError extends Error {
  readonly code = 'PERSON_UNKNOWN';

  constructor(query: string, where: string) {
    super(`unknown person: ${query} (${where})`);
  }
}
