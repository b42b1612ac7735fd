/**
 * Intake of findings (manual, gitleaks, TruffleHog, SARIF, GitHub webhooks): normalisation, leak ids,
 * dedup, risk. Plaintext secrets live only in the request's memory.
 * The module is mounted by the `ingest` app and by the embedded `leakwatch` app (target `all`).
 */
import { Module } from '@nestjs/common';
import { FindingIntake } from './application/finding-intake';
import { ManualLeaksController } from './http/manual-leaks.controller';
import { ReportIntakeController } from './http/report-intake.controller';

@Module({
  controllers: [ManualLeaksController, ReportIntakeController],
  providers: [FindingIntake],
})
export class IngestModule {}
