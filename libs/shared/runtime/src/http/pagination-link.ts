/**
 * `Link: <…>; rel="next"` (RFC 8288) beside a list's `next_cursor`: clients that follow links need not know
 * our cursor parameter. The target is the request's own path and query with `cursor` replaced, as a
 * relative reference (resolved against the request URL, so it stays right behind a proxy).
 */
import { CallHandler, ExecutionContext, Injectable, NestInterceptor, UseInterceptors } from '@nestjs/common';
import type { Observable } from 'rxjs';
import { tap } from 'rxjs';

/** The `Link` value for the page after `nextCursor`, from the URL the page was asked with. */
export function nextPageLink(originalUrl: string, nextCursor: string | number): string {
  // A polled list asks the same URL again and again: its link is remembered instead of parsing the URL each time.
  const key = `${originalUrl}\n${nextCursor}`;
  let link = links.get(key);
  if (link === undefined) {
    const url = new URL(originalUrl, 'http://placeholder');
    url.searchParams.set('cursor', String(nextCursor));
    link = `<${url.pathname}${url.search}>; rel="next"`;
    if (links.size >= MAX_LINKS) links.clear();
    links.set(key, link);
  }
  return link;
}

const MAX_LINKS = 1000;
const links = new Map<string, string>();

interface Paged {
  next_cursor?: string | number | null;
}

@Injectable()
export class PaginationLinkInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const http = context.switchToHttp();
    const request = http.getRequest<{ originalUrl: string }>();
    const response = http.getResponse<{ header(name: string, value: string): unknown; sent: boolean }>();
    return next.handle().pipe(
      tap((body) => {
        const cursor = (body as Paged | undefined)?.next_cursor;
        if (cursor !== undefined && cursor !== null && cursor !== '' && !response.sent) response.header('Link', nextPageLink(request.originalUrl, cursor));
      }),
    );
  }
}

/** On a list handler whose body has `next_cursor` (null on the last page): adds the `Link` header. */
export const PaginatedList = () => UseInterceptors(PaginationLinkInterceptor);

/** The `Link` response header, for `@ApiOkResponse({ headers: LINK_HEADER })`. */
export const LINK_HEADER = {
  Link: { description: '`<…>; rel="next"` while more pages follow (the same request with `cursor` = `next_cursor`); absent on the last page', schema: { type: 'string' } },
};
