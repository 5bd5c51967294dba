/** A token kada does not accept: the request is answered 401 (the reason goes to the debug log only). */
export class TokenRejectedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TokenRejectedError';
  }
}

/** The issuer's discovery document or keys could not be read: nothing can be verified just now (503). */
export class IssuerUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IssuerUnavailableError';
  }
}
