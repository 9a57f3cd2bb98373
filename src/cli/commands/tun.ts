import type { Command } from 'commander';
import { CliError } from '../errors.js';

// Placeholder until the issue that owns `tcpstate tun` lands; it fails loudly, never silently.
export function register(program: Command): void {
  program
    .command('tun')
    .description('(not available yet)')
    .allowUnknownOption()
    .action(() => {
      throw new CliError('`tcpstate tun` is not available in this build yet');
    });
}
