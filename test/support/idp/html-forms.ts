// A deliberately small HTML form reader for pages we control or know (oidc-provider's). Each
// element's attributes are read one at a time: a single lazy regex over a whole form once dropped
// a hidden input.

export interface HtmlButton {
  id?: string;
  name?: string;
  value: string;
}

export interface HtmlForm {
  id?: string;
  /** Absolute URL, resolved against the page URL. */
  action: string;
  method: 'GET' | 'POST';
  /** Name/value pairs of the form's `<input>` elements, in document order. */
  fields: [string, string][];
  buttons: HtmlButton[];
}

const FORM = /<form\b([^>]*)>([\s\S]*?)<\/form>/gi;
const INPUT = /<input\b([^>]*)>/gi;
const BUTTON = /<button\b([^>]*)>/gi;
const ATTRIBUTE = /([^\s"'=<>/]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/g;

export function parseForms(html: string, pageUrl: string): HtmlForm[] {
  const forms: (HtmlForm & { start: number; end: number })[] = [];
  for (const match of html.matchAll(FORM)) {
    const attributes = parseAttributes(match[1] ?? '');
    const start = match.index;
    forms.push({
      id: attributes.get('id'),
      action: new URL(attributes.get('action') ?? '', pageUrl).href,
      method: attributes.get('method')?.toUpperCase() === 'POST' ? 'POST' : 'GET',
      fields: [],
      buttons: [],
      start,
      end: start + match[0].length,
    });
  }
  // An element belongs to the form named by its `form` attribute, else to the form around it.
  const owner = (attributes: Map<string, string>, index: number) => {
    const formId = attributes.get('form');
    return formId === undefined
      ? forms.find((f) => f.start <= index && index < f.end)
      : forms.find((f) => f.id === formId);
  };
  for (const match of html.matchAll(INPUT)) {
    const attributes = parseAttributes(match[1] ?? '');
    const name = attributes.get('name');
    if (name !== undefined)
      owner(attributes, match.index)?.fields.push([name, attributes.get('value') ?? '']);
  }
  for (const match of html.matchAll(BUTTON)) {
    const attributes = parseAttributes(match[1] ?? '');
    if ((attributes.get('type') ?? 'submit') !== 'submit') continue;
    owner(attributes, match.index)?.buttons.push({
      id: attributes.get('id'),
      name: attributes.get('name'),
      value: attributes.get('value') ?? '',
    });
  }
  return forms.map(({ start: _start, end: _end, ...form }) => form);
}

/** The visible text of an element with the given id, if the page has one. */
export function textOfElement(html: string, id: string): string | undefined {
  const escapedId = id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const open = new RegExp(`<([a-z0-9]+)\\b[^>]*\\bid="${escapedId}"[^>]*>`, 'i').exec(html);
  if (!open) return undefined;
  const rest = html.slice(open.index + open[0].length);
  const close = rest.search(new RegExp(`</${open[1]}>`, 'i'));
  return pageText(close === -1 ? rest : rest.slice(0, close));
}

/** Text of a page without tags, for error messages. */
export function pageText(html: string): string {
  const withoutHead = html.replace(/<(script|style|head)\b[\s\S]*?<\/\1>/gi, ' ');
  return decodeEntities(withoutHead.replace(/<[^>]*>/g, ' '))
    .replace(/\s+/g, ' ')
    .trim();
}

function parseAttributes(source: string): Map<string, string> {
  const attributes = new Map<string, string>();
  for (const match of source.matchAll(ATTRIBUTE)) {
    const name = (match[1] ?? '').toLowerCase();
    if (!attributes.has(name)) {
      attributes.set(name, decodeEntities(match[2] ?? match[3] ?? match[4] ?? ''));
    }
  }
  return attributes;
}

const NAMED_ENTITIES: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: ' ',
};

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (entity, body: string) => {
    if (body[0] !== '#') return NAMED_ENTITIES[body.toLowerCase()] ?? entity;
    const code =
      body[1] === 'x' || body[1] === 'X' ? parseInt(body.slice(2), 16) : Number(body.slice(1));
    return String.fromCodePoint(code);
  });
}
