import { SetMetadata } from '@nestjs/common';

export const PUBLIC_ROUTE = 'leakwatch:public';

/** No API key needed: health, metrics, info, and endpoints that authenticate by other means. */
export const Public = () => SetMetadata(PUBLIC_ROUTE, true);
