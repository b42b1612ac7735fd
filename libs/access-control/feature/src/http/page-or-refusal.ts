import { ProblemException } from '@leakwatch/runtime';
import { InvalidListCursorError, Page } from '../read-model/list-page';

/** A page of an admin list; a cursor this API did not write is the client's error (400 naming `cursor`). */
export async function pageOrRefusal<T>(read: () => Promise<Page<T>>): Promise<Page<T>> {
  try {
    return await read();
  } catch (error) {
    if (error instanceof InvalidListCursorError) {
      throw new ProblemException(400, 'invalid-cursor', 'Invalid request', error.message, { errors: [{ field: 'cursor', message: error.message }] });
    }
    throw error;
  }
}
