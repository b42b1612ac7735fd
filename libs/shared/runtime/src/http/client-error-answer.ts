/**
 * A route whose clients expect their own error format (Leak-Lookup's `/api/stats`: HTTP 200 and
 * `MISSING REQUIRED PARAMETERS`) names the answer a refused request gets before its handler runs (an unreadable
 * or oversized body, a bad URL) instead of problem+json. Errors inside the route are its own filters' business.
 */
import { RouteConfig } from '@nestjs/platform-fastify';

export const CLIENT_ERROR_ANSWER = 'leakwatchClientErrorAnswer';

export interface ClientErrorAnswerSpec {
  status: number;
  contentType: string;
  body: string;
}

export const ClientErrorAnswer = (answer: ClientErrorAnswerSpec) => RouteConfig({ [CLIENT_ERROR_ANSWER]: answer });

/** The route's own answer for a 4xx refused before its handler, if it has one. */
export function clientErrorAnswerOf(routeConfig: unknown): ClientErrorAnswerSpec | undefined {
  return (routeConfig as Record<string, ClientErrorAnswerSpec | undefined> | undefined)?.[CLIENT_ERROR_ANSWER];
}
