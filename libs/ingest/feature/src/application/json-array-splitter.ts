/**
 * Splits a streamed top-level JSON array into the text of its elements, for `JSON.parse` to parse one by one.
 * A token-by-token streaming parser (stream-json) spent ~145 µs per gitleaks finding — most of a 100,000-finding
 * upload; finding element boundaries needs only the bytes that change nesting (`{ } [ ]`), quotes and escapes,
 * and the engine's own parser does the rest. Memory: one element at a time (its bytes across chunks).
 *
 * Bytes are scanned, not characters: in UTF-8 every byte of a multi-byte character is ≥ 0x80, so quotes,
 * backslashes and brackets are never mistaken inside one. Structure outside elements is checked strictly (one
 * array, commas between elements, nothing after it but whitespace); an element's own syntax is JSON.parse's.
 * Errors name a byte offset and never quote the input (a report is full of secrets).
 */

const enum Byte {
  Quote = 0x22,
  Backslash = 0x5c,
  Comma = 0x2c,
  OpenBrace = 0x7b,
  CloseBrace = 0x7d,
  OpenBracket = 0x5b,
  CloseBracket = 0x5d,
}

const isWhitespace = (c: number) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

type State =
  | 'start' // before the array: whitespace, then `[`
  | 'first' // after `[`: an element or `]`
  | 'next' // after `,`: an element
  | 'after' // after an element: `,` or `]`
  | 'done' // after `]`: whitespace only
  | 'container' // inside an object or array element
  | 'string' // inside a string element
  | 'scalar'; // inside a number or literal element

export class JsonArrayError extends Error {
  override readonly name = 'JsonArrayError';
}

export class JsonArraySplitter {
  private state: State = 'start';
  private depth = 0;
  private inString = false;
  private escaped = false;
  /** The current element's bytes from earlier chunks. */
  private carried: Buffer[] = [];
  /** Bytes of earlier chunks (for error offsets). */
  private offset = 0;
  private skipBom = true;

  /** The elements completed in `chunk`, as text (call `end` after the last chunk). */
  push(chunk: Buffer): string[] {
    const elements: string[] = [];
    let start = this.carried.length ? 0 : -1;
    let i = 0;
    if (this.skipBom) {
      this.skipBom = false;
      if (chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) i = 3;
    }
    const emit = (end: number) => {
      const tail = chunk.subarray(start, end);
      elements.push(this.carried.length ? Buffer.concat([...this.carried, tail]).toString('utf8') : tail.toString('utf8'));
      this.carried = [];
      start = -1;
    };
    for (const length = chunk.length; i < length; i++) {
      const c = chunk[i];
      switch (this.state) {
        case 'container':
          if (this.inString) {
            if (this.escaped) this.escaped = false;
            else if (c === Byte.Backslash) this.escaped = true;
            else if (c === Byte.Quote) this.inString = false;
          } else if (c === Byte.Quote) this.inString = true;
          else if (c === Byte.OpenBrace || c === Byte.OpenBracket) this.depth++;
          else if ((c === Byte.CloseBrace || c === Byte.CloseBracket) && --this.depth === 0) {
            emit(i + 1);
            this.state = 'after';
          }
          continue;
        case 'string':
          if (this.escaped) this.escaped = false;
          else if (c === Byte.Backslash) this.escaped = true;
          else if (c === Byte.Quote) {
            emit(i + 1);
            this.state = 'after';
          }
          continue;
        case 'scalar':
          if (c === Byte.Comma || c === Byte.CloseBracket || isWhitespace(c)) {
            emit(i);
            this.state = 'after';
            i--; // the delimiter is the next state's
          }
          continue;
        default:
          if (isWhitespace(c)) continue;
          if (this.structure(c, i)) start = i;
      }
    }
    if (start >= 0) this.carried.push(chunk.subarray(start));
    this.offset += chunk.length;
    return elements;
  }

  /** The report ended: throws unless it was one whole array. */
  end(): void {
    if (this.state !== 'done') throw new JsonArrayError(this.state === 'start' ? 'the report is empty' : `the array is not closed (the report ends at byte ${this.offset})`);
  }

  /** A byte outside any element; true when it begins one. */
  private structure(c: number, at: number): boolean {
    const where = `at byte ${this.offset + at}`;
    switch (this.state) {
      case 'start':
        if (c !== Byte.OpenBracket) throw new JsonArrayError(`the report is not a JSON array (it starts with something else ${where})`);
        this.state = 'first';
        return false;
      case 'first':
        if (c === Byte.CloseBracket) {
          this.state = 'done';
          return false;
        }
        this.begin(c, where);
        return true;
      case 'next':
        if (c === Byte.CloseBracket || c === Byte.Comma) throw new JsonArrayError(`an element is missing ${where}`);
        this.begin(c, where);
        return true;
      case 'after':
        if (c === Byte.Comma) this.state = 'next';
        else if (c === Byte.CloseBracket) this.state = 'done';
        else throw new JsonArrayError(`expected a comma or the end of the array ${where}`);
        return false;
      default:
        throw new JsonArrayError(`unexpected content after the array ${where}`);
    }
  }

  private begin(c: number, where: string): void {
    if (c === Byte.OpenBrace || c === Byte.OpenBracket) {
      this.state = 'container';
      this.depth = 1;
      this.inString = false;
      this.escaped = false;
    } else if (c === Byte.Quote) {
      this.state = 'string';
      this.escaped = false;
    } else if (c === Byte.CloseBrace || c === Byte.Comma) {
      throw new JsonArrayError(`unexpected character ${where}`);
    } else {
      this.state = 'scalar';
    }
  }
}
