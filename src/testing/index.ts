/**
 * tcpstate/testing: test a Node application's networking code over real TCP with faults
 * (createTestNetwork). See README "tcpstate/testing".
 */
export {
  createTestNetwork,
  type DropRule,
  type HostName,
  type PacketRecord,
  type TestConnection,
  TestNetwork,
  type TestNetworkOptions,
} from './network.js';
