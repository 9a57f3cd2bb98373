import type { Command } from 'commander';
import { CliError } from '../errors.js';

// Placeholder until the issue that owns `tcpstate ls` lands; it fails loudly, never silently.
export function register(program: Command): void {
  program
    .command('ls')
    .description('(not available yet)')
    .allowUnknownOption()
    .action(() => {
      throw new CliError('`tcpstate ls` is not available in this build yet');
    });
}
