/**
 * The two applications of bench/tun.ts, shared by both ends (node:net's Socket and ours are
 * both stream.Duplex): a sink timed from the first byte to the peer's FIN, and a source that
 * writes with backpressure then ends.
 */
import type { Duplex } from 'node:stream';

export interface Result {
  bytes: number;
  ms: number;
}

const CHUNK = Buffer.alloc(256 * 1024, 0x61);

export function sinkInto(s: Duplex): Promise<Result> {
  return new Promise((res) => {
    let bytes = 0;
    let first = 0;
    s.on('data', (d: Buffer) => {
      if (bytes === 0) first = performance.now();
      bytes += d.byteLength;
    });
    s.on('end', () => {
      res({ bytes, ms: performance.now() - first });
      s.end();
    });
  });
}

export function sourceTo(s: Duplex, total: number): void {
  let sent = 0;
  const pump = () => {
    while (sent < total) {
      const n = Math.min(CHUNK.byteLength, total - sent);
      sent += n;
      if (!s.write(n === CHUNK.byteLength ? CHUNK : CHUNK.subarray(0, n))) {
        s.once('drain', pump);
        return;
      }
    }
    s.end();
  };
  pump();
  s.resume();
}
