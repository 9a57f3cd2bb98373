import type { Command } from 'commander';
import { CliError } from '../errors.js';

// Placeholder until the issue that owns `tcpstate drill` lands; it fails loudly, never silently.
export function register(program: Command): void {
  program
    .command('drill')
    .description('(not available yet)')
    .allowUnknownOption()
    .action(() => {
      throw new CliError('`tcpstate drill` is not available in this build yet');
    });
}
