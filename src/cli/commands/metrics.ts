import type { Command } from 'commander';
import { CliError } from '../errors.js';

// Placeholder until the issue that owns `tcpstate metrics` lands; it fails loudly, never silently.
export function register(program: Command): void {
  program
    .command('metrics')
    .description('(not available yet)')
    .allowUnknownOption()
    .action(() => {
      throw new CliError('`tcpstate metrics` is not available in this build yet');
    });
}
