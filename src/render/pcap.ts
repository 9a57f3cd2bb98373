/**
 * The packets of a scenario as a classic pcap file (LINKTYPE_RAW, IPv4), for Wireshark or
 * tshark. Each packet is stamped with the virtual time it was sent, as a capture taken at the
 * sender would show it; lost packets are included, since they did leave their sender.
 */
import type { CapturedPacket } from '../scenario/story.js';
import { LINKTYPE_RAW, PcapWriter } from '../wire/pcap.js';

export function renderPcap(packets: readonly CapturedPacket[]): Uint8Array {
  const writer = new PcapWriter({ linktype: LINKTYPE_RAW });
  for (const p of packets) writer.addPacket(p.time, p.bytes);
  return writer.toBytes();
}
