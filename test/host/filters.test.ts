import { describe, expect, it } from 'vitest';
import {
  buildSocketFilter,
  FilterError,
  filterSockets,
  parsePort,
  parseStateFilter,
  STATE_GROUPS,
  sortSockets,
} from '../../src/host/filters.js';
import { sock } from './fixtures/sockets.js';

const sockets = [
  sock('LISTEN', '0.0.0.0:80', '0.0.0.0:0', { pid: 10, process: 'nginx' }),
  sock('ESTABLISHED', '10.0.0.1:80', '10.0.0.9:50000', { pid: 11, process: 'nginx' }),
  sock('TIME_WAIT', '10.0.0.1:40000', '10.0.0.7:5432'),
  sock('SYN_RECV', '10.0.0.1:80', '10.0.0.8:50001'),
  sock('CLOSE_WAIT', '[::1]:8080', '[::1]:50002', { pid: 12, process: 'java' }),
  sock('SYN_SENT', '10.0.0.1:40001', '10.0.0.6:443', { pid: 13, process: 'curl' }),
];

describe('state filter', () => {
  it('accepts every spelling parseState knows', () => {
    for (const name of ['time-wait', 'TIME_WAIT', 'Time Wait', 'TIME-WAIT']) {
      expect([...parseStateFilter([name])]).toEqual(['TIME_WAIT']);
    }
    expect([...parseStateFilter(['ESTAB'])]).toEqual(['ESTABLISHED']);
    expect([...parseStateFilter(['syn-received'])]).toEqual(['SYN_RECV']);
  });

  it('expands ss groups', () => {
    expect(STATE_GROUPS.connected).not.toContain('LISTEN');
    expect(STATE_GROUPS.connected).not.toContain('CLOSED');
    expect(STATE_GROUPS.connected).toContain('SYN_SENT');
    expect(STATE_GROUPS.synchronized).not.toContain('SYN_SENT');
    expect(STATE_GROUPS.synchronized).not.toContain('SYN_RECV');
    expect(STATE_GROUPS.synchronized).toContain('TIME_WAIT');
    expect([...parseStateFilter(['bucket'])].sort()).toEqual(['SYN_RECV', 'TIME_WAIT']);
    expect(parseStateFilter(['big']).has('TIME_WAIT')).toBe(false);
    expect(parseStateFilter(['all']).size).toBe(11);
  });

  it('rejects an unknown name with a message that names it', () => {
    expect(() => parseStateFilter(['established', 'bogus'])).toThrow(FilterError);
    expect(() => parseStateFilter(['bogus'])).toThrow(/"bogus"/);
  });

  it('filters, repeatable states combine', () => {
    const rows = filterSockets(sockets, { states: parseStateFilter(['listen', 'close-wait']) });
    expect(rows.map((s) => s.state)).toEqual(['LISTEN', 'CLOSE_WAIT']);
  });
});

describe('other filters', () => {
  it('port matches local or remote', () => {
    expect(filterSockets(sockets, { ports: [80] })).toHaveLength(3);
    expect(filterSockets(sockets, { ports: [5432] }).map((s) => s.state)).toEqual(['TIME_WAIT']);
  });

  it('pid, process name (case-insensitive part), family', () => {
    expect(filterSockets(sockets, { pids: [12] }).map((s) => s.process)).toEqual(['java']);
    expect(filterSockets(sockets, { process: 'NGIN' })).toHaveLength(2);
    expect(filterSockets(sockets, { family: 6 }).map((s) => s.state)).toEqual(['CLOSE_WAIT']);
    expect(filterSockets(sockets, { family: 4 })).toHaveLength(5);
  });

  it('all filters together', () => {
    const rows = filterSockets(sockets, {
      states: parseStateFilter(['connected']),
      ports: [80],
      process: 'nginx',
    });
    expect(rows.map((s) => s.state)).toEqual(['ESTABLISHED']);
  });

  it('parsePort rejects non-ports', () => {
    expect(parsePort('443')).toBe(443);
    for (const bad of ['x', '-1', '70000', '1.5', ''])
      expect(() => parsePort(bad)).toThrow(FilterError);
  });

  it('sorts by lifecycle then port', () => {
    const order = sortSockets([...sockets]).map((s) => s.state);
    expect(order).toEqual([
      'LISTEN',
      'SYN_SENT',
      'SYN_RECV',
      'ESTABLISHED',
      'CLOSE_WAIT',
      'TIME_WAIT',
    ]);
  });
});

describe('buildSocketFilter (command-line text)', () => {
  it('turns option strings into a filter', () => {
    const filter = buildSocketFilter({
      state: ['estab', 'time-wait'],
      port: ['80'],
      pid: ['11'],
      process: 'ng',
      ipv4: true,
    });
    expect([...(filter.states ?? [])].sort()).toEqual(['ESTABLISHED', 'TIME_WAIT']);
    expect(filter).toMatchObject({ ports: [80], pids: [11], process: 'ng', family: 4 });
    expect(filterSockets(sockets, filter).map((s) => s.state)).toEqual(['ESTABLISHED']);
  });

  it('an empty set of options filters nothing', () => {
    expect(buildSocketFilter({})).toEqual({});
    expect(filterSockets(sockets, buildSocketFilter({}))).toHaveLength(sockets.length);
  });

  it('rejects contradictions and bad values', () => {
    expect(() => buildSocketFilter({ ipv4: true, ipv6: true })).toThrow(FilterError);
    expect(() => buildSocketFilter({ pid: ['0'] })).toThrow(/not a pid/);
    expect(() => buildSocketFilter({ port: ['http'] })).toThrow(/not a port/);
  });
});
