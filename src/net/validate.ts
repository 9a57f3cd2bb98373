/**
 * Argument checks that throw what node:net throws: the same error class, `code` and message
 * (Node's internal/errors.js wording), so code that tests `err.code` behaves the same.
 */

export interface NodeArgError extends Error {
  code: string;
}

function nodeError<E extends Error>(Base: new (m: string) => E, code: string, message: string) {
  const err = new Base(message) as E & { code: string };
  err.code = code;
  // Node's own errors print as `RangeError [ERR_SOCKET_BAD_PORT]: …`.
  err.name = `${Base.name}`;
  return err;
}

/** How Node's messages describe a received value ("Received type number (70000)"). */
export function received(value: unknown): string {
  if (value === null || value === undefined) return ` Received ${value}`;
  if (typeof value === 'function') return ` Received function ${value.name || '<anonymous>'}`;
  if (typeof value === 'object') {
    const name = (value as object).constructor?.name;
    return name ? ` Received an instance of ${name}` : ' Received [object]';
  }
  let shown = String(value);
  if (typeof value === 'string') {
    if (shown.length > 28) shown = `${shown.slice(0, 25)}...`;
    shown = `'${shown}'`;
  }
  return ` Received type ${typeof value} (${shown})`;
}

/**
 * A port as node:net accepts it (a number or a numeric string, 0..65535); returns it as a
 * number, or throws ERR_SOCKET_BAD_PORT. `name` is the argument's name in the message.
 */
export function validatePort(port: unknown, name = 'Port'): number {
  const ok =
    (typeof port === 'number' || (typeof port === 'string' && port.trim() !== '')) &&
    Number(port) === Number(port) >>> 0 &&
    Number(port) <= 0xffff;
  if (!ok) {
    throw nodeError(
      RangeError,
      'ERR_SOCKET_BAD_PORT',
      `${name} should be >= 0 and < 65536.${received(port)}.`,
    );
  }
  return Number(port);
}

/** socket.setTimeout's checks: a finite, non-negative number, and a function if any. */
export function validateTimeout(msecs: unknown, callback: unknown): number {
  if (typeof msecs !== 'number') {
    throw nodeError(
      TypeError,
      'ERR_INVALID_ARG_TYPE',
      `The "msecs" argument must be of type number.${received(msecs)}`,
    );
  }
  if (!Number.isFinite(msecs) || msecs < 0) {
    throw nodeError(
      RangeError,
      'ERR_OUT_OF_RANGE',
      `The value of "msecs" is out of range. It must be a non-negative finite number. Received ${msecs}`,
    );
  }
  if (callback !== undefined && typeof callback !== 'function') {
    throw nodeError(
      TypeError,
      'ERR_INVALID_ARG_TYPE',
      `The "callback" argument must be of type function.${received(callback)}`,
    );
  }
  return msecs;
}

/** connect() with neither a port nor a path. */
export function missingConnectArgs(): NodeArgError {
  return nodeError(
    TypeError,
    'ERR_MISSING_ARGS',
    'The "options" or "port" or "path" argument must be specified',
  );
}
