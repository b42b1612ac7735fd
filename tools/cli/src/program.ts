/**
 * The operator CLI: one commander program; each command lives in its own file under commands/ and
 * registers itself here. Later features add their commands the same way.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { registerAuditCommand } from './commands/audit.command';
import { registerEventsParkedCommand } from './commands/events-parked.command';
import { registerEventsTailCommand } from './commands/events-tail.command';
import { registerHealthCommand } from './commands/health.command';
import { registerHistoryCommand } from './commands/history.command';
import { registerKeysCommand } from './commands/keys.command';
import { registerIngestCommand } from './commands/ingest.command';
import { registerProjectionsCommand } from './commands/projections.command';
import { registerReportCommand } from './commands/report.command';
import { registerSecretsCommand } from './commands/secrets.command';
import { registerStoreInfoCommand } from './commands/store-info.command';

export function buildProgram(): Command {
  const program = new Command('leakwatch')
    .description('Operate a Leakwatch installation: ingest reports, rebuild projections, inspect the event store.')
    .version(packageVersion(), '-v, --version')
    .showHelpAfterError('(run with --help for usage)')
    .configureHelp({ sortSubcommands: true })
    .addHelpText(
      'after',
      `
Database selection (commands that read the store):
  DATABASE_URL set          use that PostgreSQL
  otherwise                 the embedded database under LEAKWATCH_DATA_DIR (default ./.leakwatch),
                            whether or not Leakwatch is running

Examples:
  $ npm run leakwatch -- health --url http://localhost:8080
  $ npm run leakwatch -- store info
  $ npm run leakwatch -- projections list
  $ npm run leakwatch -- projections rebuild --all
  $ npm run leakwatch -- events parked list
  $ npm run leakwatch -- events tail --topic leaks --from-beginning
  $ LEAKWATCH_API_KEY=lw_... npm run leakwatch -- ingest gitleaks-report.json
  $ npm run leakwatch -- history b3652f2555841f7652badd9804859f4e --format csv > audit.csv
  $ npm run leakwatch -- keys bootstrap          # lost the admin key: rotate it, print the new one`,
    );
  registerHealthCommand(program);
  registerStoreInfoCommand(program);
  registerProjectionsCommand(program);
  registerEventsParkedCommand(program);
  registerEventsTailCommand(program);
  registerIngestCommand(program);
  registerHistoryCommand(program);
  registerSecretsCommand(program);
  registerAuditCommand(program);
  registerKeysCommand(program);
  registerReportCommand(program);
  return program;
}

function packageVersion(): string {
  return JSON.parse(readFileSync(path.join(__dirname, '../../../package.json'), 'utf8')).version;
}
