/**
 * Intake of findings (manual, gitleaks, TruffleHog, SARIF, GitHub webhooks): normalisation, leak ids, dedup, risk.
 * The module is mounted by the `ingest` app and by the embedded `leakwatch` app (target `all`).
 */
import { Module } from '@nestjs/common';

@Module({})
export class IngestModule {}
