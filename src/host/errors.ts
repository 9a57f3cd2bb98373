/** Errors of host inspection that the user can act on; the CLI prints `message` as one line. */
export type HostErrorCode =
  | 'ENOTLINUX'
  | 'ENONETNS'
  | 'EPERM'
  | 'ENOFFI'
  | 'ENETLINK'
  | 'EBADNETNS';

export class HostError extends Error {
  constructor(
    readonly code: HostErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'HostError';
  }
}
