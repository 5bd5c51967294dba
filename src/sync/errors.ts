/** A sync failure with a stable code; `transient` ones make the job retry with backoff. */
export class SyncError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly transient: boolean,
    readonly personId?: string,
  ) {
    super(message);
    this.name = 'SyncError';
  }
}
