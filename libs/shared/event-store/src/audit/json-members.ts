/**
 * The raw text of each member of a top-level JSON object, as it stands in the line: an export's event data is
 * hashed as the exact jsonb text PostgreSQL stored, which a parse and re-serialisation would not reproduce
 * (key order, spacing, `1.50`). JSON.parse checks the syntax; this only finds where each value starts and ends.
 */
export function rawMembers(line: string): Map<string, string> {
  const members = new Map<string, string>();
  let i = skip(line, 0);
  if (line[i] !== '{') throw new SyntaxError('not a JSON object');
  i = skip(line, i + 1);
  if (line[i] === '}') return members;
  for (;;) {
    const keyEnd = endOfValue(line, i);
    const key = JSON.parse(line.slice(i, keyEnd)) as string;
    i = skip(line, keyEnd);
    if (line[i] !== ':') throw new SyntaxError(`expected ':' at ${i}`);
    const start = skip(line, i + 1);
    const end = endOfValue(line, start);
    members.set(key, line.slice(start, end));
    i = skip(line, end);
    if (line[i] === '}') return members;
    if (line[i] !== ',') throw new SyntaxError(`expected ',' or '}' at ${i}`);
    i = skip(line, i + 1);
  }
}

function skip(text: string, i: number): number {
  while (i < text.length && ' \t\r\n'.includes(text[i])) i++;
  return i;
}

/** The index after the JSON value starting at `i`. */
function endOfValue(text: string, i: number): number {
  const first = text[i];
  if (first === '"') {
    for (let j = i + 1; j < text.length; j++) {
      if (text[j] === '\\') j++;
      else if (text[j] === '"') return j + 1;
    }
    throw new SyntaxError('unterminated string');
  }
  if (first === '{' || first === '[') {
    let depth = 0;
    for (let j = i; j < text.length; j++) {
      const c = text[j];
      if (c === '"') j = endOfValue(text, j) - 1;
      else if (c === '{' || c === '[') depth++;
      else if (c === '}' || c === ']') {
        if (--depth === 0) return j + 1;
      }
    }
    throw new SyntaxError('unterminated object or array');
  }
  let j = i;
  while (j < text.length && !',}] \t\r\n'.includes(text[j])) j++;
  if (j === i) throw new SyntaxError(`expected a value at ${i}`);
  return j;
}
