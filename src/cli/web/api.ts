/**
 * The JSON answers of `tcpstate web`: `GET /api/snapshot` is `tcpstate ls --json`, `GET
 * /api/doctor` is `tcpstate doctor --json` (`?sample=S` as its --sample, default 1 s).
 */
import type { ServerResponse } from 'node:http';
import { sortSockets } from '../../host/filters.js';
import { doctorReport, MAX_SAMPLE_SECONDS } from '../commands/doctor.js';
import { jsonLines } from '../commands/ls.js';
import { snapshotForCli } from '../commands/summary.js';
import { JSON_TYPE, send, sendError } from './http.js';

export async function serveSnapshot(res: ServerResponse): Promise<void> {
  try {
    const snapshot = await snapshotForCli({ kernelInfo: false });
    send(res, 200, JSON_TYPE, jsonLines(sortSockets(snapshot.sockets)));
  } catch (err) {
    sendError(res, 500, err);
  }
}

const DEFAULT_SAMPLE_SECONDS = 1;

export async function serveDoctor(res: ServerResponse, query: URLSearchParams): Promise<void> {
  const text = query.get('sample') ?? String(DEFAULT_SAMPLE_SECONDS);
  const seconds = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text) || seconds > MAX_SAMPLE_SECONDS) {
    return sendError(res, 400, `sample must be 0 to ${MAX_SAMPLE_SECONDS} seconds, not "${text}"`);
  }
  try {
    const report = await doctorReport({ sampleSeconds: seconds });
    send(res, 200, JSON_TYPE, `${JSON.stringify(report)}\n`);
  } catch (err) {
    sendError(res, 500, err);
  }
}
