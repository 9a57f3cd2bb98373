import type { Command } from 'commander';
import { CliError } from '../errors.js';

// Placeholder until the issue that owns `tcpstate sim` lands; it fails loudly, never silently.
export function register(program: Command): void {
  program
    .command('sim')
    .description('(not available yet)')
    .allowUnknownOption()
    .action(() => {
      throw new CliError('`tcpstate sim` is not available in this build yet');
    });
}
