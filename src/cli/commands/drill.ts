import type { Command } from 'commander';
import { CliError } from '../errors.js';

// The packetdrill runner (issue 5) is not in this build: the command says so instead of
// pretending, and exits 2.
export function register(program: Command): void {
  program
    .command('drill')
    .description('run packetdrill scripts against tcpstate’s own TCP stack (not in this build yet)')
    .argument('[paths...]', 'packetdrill scripts or folders of them')
    .allowUnknownOption()
    .action(() => {
      throw new CliError(
        '`tcpstate drill` (the packetdrill runner) is not available in this build yet',
      );
    });
}
