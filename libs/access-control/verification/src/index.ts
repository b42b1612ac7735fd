export * from './ownership-checker.port';
export { createOwnershipChecker, OwnershipCheckerConfig, DEFAULT_DNS_TIMEOUT_MS } from './create-ownership-checker';
export { DnsTxtChecker } from './dns-txt-checker';
export { HttpsFileFetcher, HttpsFileFetcherOptions, FetchResult, DEFAULT_HTTP_TIMEOUT_MS, MAX_BODY_BYTES, MAX_REDIRECTS } from './https-file-fetcher';
export { ResolverSettings } from './host-resolution';
export { txtRecordsProve, wellKnownContentProves } from './proof-matching';
