import type { Command } from 'commander';
import { CliError } from '../errors.js';

// Placeholder until the issue that owns `tcpstate doctor` lands; it fails loudly, never silently.
export function register(program: Command): void {
  program
    .command('doctor')
    .description('(not available yet)')
    .allowUnknownOption()
    .action(() => {
      throw new CliError('`tcpstate doctor` is not available in this build yet');
    });
}
