import {
  isPythonSpace,
  lineText,
  type IniDocument,
} from '../../../../src/core/aws/ini-document.js';

/**
 * The values Python would give each key, computed from our line classification: the first
 * line's value, then continuation lines and blank lines, joined with newlines and right-stripped
 * (`_read` and `_join_multiline_values`). Comparing these with Python's own result checks every
 * continuation/blank/comment decision of the parser.
 */
export function pythonView(doc: IniDocument): {
  sections: [string, [string, string][]][];
  defaults: [string, string][];
} {
  const sections = new Map<string, [string, string][]>();
  const defaults: [string, string][] = [];
  let current: [string, string][] | undefined;
  let parts: string[] | undefined;
  const flush = (): void => {
    if (current !== undefined && parts !== undefined) {
      current[current.length - 1]![1] = pyRstrip(parts.join('\n'));
    }
    parts = undefined;
  };
  doc.lines.forEach((line, i) => {
    const text = lineText(doc, i);
    if (line.kind === 'header') {
      flush();
      if (line.name === 'DEFAULT') current = defaults;
      else sections.set(line.name, (current = []));
    } else if (line.kind === 'option') {
      flush();
      const delimiter = text.search(/[=:]/);
      current!.push([line.name, '']);
      parts = [pyStrip(text.slice(delimiter + 1))];
    } else if (line.kind === 'continuation') {
      parts!.push(pyStrip(text));
    } else if (line.kind === 'blank' && parts !== undefined) {
      parts.push('');
    }
  });
  flush();
  return { sections: [...sections], defaults };
}

function pyRstrip(s: string): string {
  let end = s.length;
  while (end > 0 && isPythonSpace(s.charCodeAt(end - 1))) end--;
  return s.slice(0, end);
}

function pyStrip(s: string): string {
  let start = 0;
  while (start < s.length && isPythonSpace(s.charCodeAt(start))) start++;
  return pyRstrip(s.slice(start));
}
